"""A plain room with a mat, a side camera, and a headless OpenGL (EGL) renderer of the posed body.

World frame: +x along the mat (the image's right), +y away from the camera, +z up, floor at z = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

MAT_SIZE = (1.85, 0.62, 0.006)  # metres: a common exercise mat
MAT_TOP = MAT_SIZE[2]
SUPERSAMPLE = 2  # render at twice the size and shrink: smooth edges like a real camera's

VERTEX_SHADER = """
#version 330
uniform mat4 mvp;
in vec3 in_pos;
in vec3 in_normal;
in vec3 in_colour;
out vec3 v_normal;
out vec3 v_colour;
out vec3 v_world;
void main() {
    gl_Position = mvp * vec4(in_pos, 1.0);
    v_normal = in_normal;
    v_colour = in_colour;
    v_world = in_pos;
}
"""

FRAGMENT_SHADER = """
#version 330
uniform vec3 eye;
uniform int kind;  // 0 body, 1 floor (planks), 2 plain, 3 textured (colour noise), 4 emissive (a window)
uniform vec3 key_dir;
uniform float ambient;
uniform float gain;  // the camera's exposure on lit surfaces (a bright window behind: lower)
uniform int bgr;  // 1: write blue, green, red (OpenCV's order) instead of red, green, blue
in vec3 v_normal;
in vec3 v_colour;
in vec3 v_world;
out vec4 colour;
void main() {
    vec3 n = normalize(v_normal);
    vec3 to_eye = normalize(eye - v_world);
    if (dot(n, to_eye) < 0.0) n = -n;
    vec3 base = v_colour;
    if (kind == 1) {
        float plank = floor(v_world.y / 0.14);
        float shade = fract(sin(plank * 12.9898) * 43758.5453);
        float seam = step(0.985, fract(v_world.y / 0.14));
        float grain = 0.04 * sin(v_world.x * 40.0 + plank * 3.0);
        base = base * (0.9 + 0.15 * shade + grain) * (1.0 - 0.4 * seam);
    }
    if (kind == 3) {
        vec3 cell = floor(v_world * 40.0);
        float fine = fract(sin(dot(cell, vec3(12.9898, 78.233, 37.719))) * 43758.5453);
        vec3 big = floor(v_world * 7.0);
        float coarse = fract(sin(dot(big, vec3(39.346, 11.135, 83.155))) * 24634.6345);
        float weave = 0.05 * sin(v_world.x * 220.0) * sin(v_world.z * 220.0 + v_world.y * 220.0);
        base = base * (0.8 + 0.25 * fine + 0.15 * coarse + weave);
    }
    if (kind == 4) {
        colour = vec4(min(base, 1.0), 1.0);
        if (bgr == 1) colour = colour.bgra;
        return;
    }
    vec3 key = normalize(key_dir);
    vec3 fill = normalize(vec3(-0.6, -0.3, 0.4));
    float light = ambient + 0.55 * max(dot(n, key), 0.0) + 0.2 * max(dot(n, fill), 0.0);
    float spec = 0.0;
    if (kind == 0) {
        vec3 h = normalize(key + to_eye);
        spec = 0.08 * pow(max(dot(n, h), 0.0), 24.0);
    }
    colour = vec4(min((base * light + spec) * gain, 1.0), 1.0);
    if (bgr == 1) colour = colour.bgra;
}
"""


@dataclass(frozen=True)
class Camera:
    """A pinhole camera beside the mat looking at `target`; pixel projection matches the renderer."""

    position: tuple[float, float, float]
    target: tuple[float, float, float]
    size: tuple[int, int] = (480, 360)
    hfov_deg: float = 62.0
    roll_deg: float = 0.0  # turned about the line of sight (a phone propped up askew); + anticlockwise in the image

    @property
    def vfov_deg(self) -> float:
        w, h = self.size
        return math.degrees(2 * math.atan(math.tan(math.radians(self.hfov_deg) / 2) * h / w))

    def view(self) -> np.ndarray:
        eye, tgt = np.array(self.position), np.array(self.target)
        f = tgt - eye
        f /= np.linalg.norm(f)
        s = np.cross(f, [0.0, 0.0, 1.0])
        s /= np.linalg.norm(s)
        u = np.cross(s, f)
        if self.roll_deg:
            a = math.radians(self.roll_deg)
            s, u = math.cos(a) * s + math.sin(a) * u, math.cos(a) * u - math.sin(a) * s
        m = np.eye(4)
        m[0, :3], m[1, :3], m[2, :3] = s, u, -f
        m[:3, 3] = -m[:3, :3] @ eye
        return m

    def projection(self, near: float = 0.05, far: float = 20.0) -> np.ndarray:
        w, h = self.size
        t = 1 / math.tan(math.radians(self.vfov_deg) / 2)
        m = np.zeros((4, 4))
        m[0, 0], m[1, 1] = t * h / w, t
        m[2, 2], m[2, 3] = (far + near) / (near - far), 2 * far * near / (near - far)
        m[3, 2] = -1
        return m

    def mvp(self) -> np.ndarray:
        return self.projection() @ self.view()

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 3) world points -> (N, 2) pixels (x right, y down) and (N,) depth in metres."""
        w, h = self.size
        hom = np.c_[points, np.ones(len(points))] @ self.mvp().T
        ndc = hom[:, :2] / hom[:, 3:4]
        px = np.c_[(ndc[:, 0] + 1) / 2 * w, (1 - ndc[:, 1]) / 2 * h]
        depth = -(np.c_[points, np.ones(len(points))] @ self.view().T)[:, 2]
        return px, depth


def _box(centre: tuple[float, float, float], size: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    c, s = np.array(centre), np.array(size) / 2
    pos, nrm = [], []
    for axis in range(3):
        for sign in (-1, 1):
            n = np.zeros(3)
            n[axis] = sign
            u, v = np.roll(np.eye(3), 1, 0)[axis], np.roll(np.eye(3), 2, 0)[axis]
            quad = [c + n * s + (a * u + b * v) * s for a, b in ((-1, -1), (1, -1), (1, 1), (-1, -1), (1, 1), (-1, 1))]
            pos += quad
            nrm += [n] * 6
    return np.array(pos), np.array(nrm)


def _quad(corners: list[tuple[float, float, float]], normal: tuple[float, float, float]):
    a, b, c, d = (np.array(p) for p in corners)
    return np.array([a, b, c, a, c, d]), np.tile(normal, (6, 1))


class Renderer:
    """Renders body meshes in the room with moderngl on a headless EGL context."""

    def __init__(self, camera: Camera, faces: np.ndarray, mat_colour=(0.35, 0.30, 0.62),
                 floor_colour=(0.62, 0.47, 0.33), wall_colour=(0.86, 0.84, 0.80), supersample: int = SUPERSAMPLE,
                 extras: list | None = None, wall_y: float = 3.0, key_dir=(0.35, -0.55, 0.75),
                 ambient: float = 0.38, gain: float = 1.0, floor_kind: int = 1, wall_kind: int = 2,
                 indexed: bool = False) -> None:
        """`extras`: more room pieces, (positions, normals, RGB colour, shader kind) each (furniture, a
        window); `wall_y` the back wall's distance behind the mat's midline; `key_dir`, `ambient` and
        `gain` the light (defaults: the committed clips' room); `indexed` sends the body once per vertex
        (not per triangle corner) with a fixed colour buffer: the same picture, faster (the randomised block)."""
        import moderngl

        self.camera = camera
        self.faces = faces
        self.ctx = moderngl.create_standalone_context(backend="egl")
        self.ctx.enable(moderngl.DEPTH_TEST)
        w, h = camera.size
        self.supersample = supersample
        self.indexed = indexed
        self._room_fbo = None
        self.fbo = self.ctx.simple_framebuffer((w * supersample, h * supersample))
        self.prog = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=FRAGMENT_SHADER)
        self.prog["mvp"].write(camera.mvp().T.astype("f4").tobytes())
        self.prog["eye"].value = tuple(camera.position)
        self.prog["key_dir"].value = tuple(float(k) for k in key_dir)
        self.prog["ambient"].value = float(ambient)
        self.prog["gain"].value = float(gain)
        self.prog["bgr"].value = int(indexed)
        self.room = []
        self._body = None
        self._body_buffer = None
        wide = 6 if extras is None else 20  # the randomised rooms: wider lenses, cameras turned
        high = 3 if extras is None else 6
        floor = _quad([(-wide, -4 - (wide - 6), 0), (wide, -4 - (wide - 6), 0), (wide, wall_y, 0),
                       (-wide, wall_y, 0)], (0, 0, 1))
        wall = _quad([(-wide, wall_y, 0), (wide, wall_y, 0), (wide, wall_y, high), (-wide, wall_y, high)], (0, -1, 0))
        skirting = _box((0, wall_y - 0.01, 0.05), (2 * wide, 0.02, 0.1))
        mat = _box((0, 0, MAT_TOP / 2), MAT_SIZE)
        pieces = [(floor, floor_colour, floor_kind), (wall, wall_colour, wall_kind), (skirting, (0.95, 0.95, 0.93), 2),
                  (mat, mat_colour, 2)]
        for (pos, nrm), colour, kind in pieces:
            self.room.append((self._vao(pos, nrm, np.tile(colour, (len(pos), 1))), kind))
        for kind in sorted({e[3] for e in extras or []}):  # one draw per shader kind
            mine = [e for e in extras if e[3] == kind]
            self.room.append((self._vao(np.vstack([e[0] for e in mine]), np.vstack([e[1] for e in mine]),
                                        np.vstack([np.tile(e[2], (len(e[0]), 1)) for e in mine])), kind))

    def _vao(self, pos: np.ndarray, nrm: np.ndarray, col: np.ndarray):
        data = np.hstack([pos, nrm, col]).astype("f4")
        buf = self.ctx.buffer(data.tobytes())
        return self.ctx.vertex_array(self.prog, [(buf, "3f 3f 3f", "in_pos", "in_normal", "in_colour")])

    def render(self, vertices: np.ndarray, colours: np.ndarray) -> np.ndarray:
        """One BGR frame of the room with the body (vertices in world metres)."""
        if self.indexed:
            return self._render_indexed(vertices, colours)
        tri = vertices[self.faces]
        fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        vn = np.zeros_like(vertices)
        for k in range(3):
            np.add.at(vn, self.faces[:, k], fn)
        vn /= np.linalg.norm(vn, axis=1, keepdims=True) + 1e-12
        idx = self.faces.reshape(-1)
        data = np.hstack([vertices[idx], vn[idx], colours[idx]]).astype("f4").tobytes()
        if self._body is None:
            self._body_buffer = self.ctx.buffer(reserve=len(data))
            self._body = self.ctx.vertex_array(
                self.prog, [(self._body_buffer, "3f 3f 3f", "in_pos", "in_normal", "in_colour")])
        self._body_buffer.write(data)
        return self._draw()

    def _render_indexed(self, vertices: np.ndarray, colours: np.ndarray) -> np.ndarray:
        tri = vertices[self.faces]
        fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        corners = self.faces.reshape(-1)
        vn = np.stack([np.bincount(corners, np.repeat(fn[:, c], 3), minlength=len(vertices)) for c in range(3)], 1)
        vn /= np.linalg.norm(vn, axis=1, keepdims=True) + 1e-12
        data = np.hstack([vertices, vn]).astype("f4").tobytes()
        if self._body is None:
            self._body_buffer = self.ctx.buffer(reserve=len(data))
            colour_buffer = self.ctx.buffer(np.asarray(colours, "f4").tobytes())
            index = self.ctx.buffer(self.faces.astype("i4").tobytes())
            self._body = self.ctx.vertex_array(
                self.prog, [(self._body_buffer, "3f 3f", "in_pos", "in_normal"), (colour_buffer, "3f", "in_colour")],
                index_buffer=index, index_element_size=4)
        self._body_buffer.write(data)
        return self._draw()

    def _draw(self) -> np.ndarray:
        if self.indexed:
            # The room does not move: drawn once (colour and depth), copied under each frame's body.
            if self._room_fbo is None:
                self._room_fbo = self.ctx.simple_framebuffer(self.fbo.size)
                self._room_fbo.use()
                self._room_fbo.clear(0.0, 0.0, 0.0, 1.0)
                for vao, kind in self.room:
                    self.prog["kind"].value = kind
                    vao.render()
            self.ctx.copy_framebuffer(self.fbo, self._room_fbo)
            self.fbo.use()
        else:
            self.fbo.use()
            self.fbo.clear(0.0, 0.0, 0.0, 1.0)
            for vao, kind in self.room:
                self.prog["kind"].value = kind
                vao.render()
        self.prog["kind"].value = 0
        self._body.render()
        w, h = self.camera.size
        raw = np.frombuffer(self.fbo.read(components=3), dtype=np.uint8)
        ss = self.supersample
        img = raw.reshape(h * ss, w * ss, 3)[::-1]
        if ss != 1:
            img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
        if self.indexed:
            return img  # already BGR (a flipped view of the read-back)
        return cv2.cvtColor(img, cv2.COLOR_RGB2BGR)

    def close(self) -> None:
        self.ctx.release()
