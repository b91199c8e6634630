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
uniform int kind;  // 0 body, 1 floor (planks), 2 plain
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
    vec3 key = normalize(vec3(0.35, -0.55, 0.75));
    vec3 fill = normalize(vec3(-0.6, -0.3, 0.4));
    float light = 0.38 + 0.55 * max(dot(n, key), 0.0) + 0.2 * max(dot(n, fill), 0.0);
    float spec = 0.0;
    if (kind == 0) {
        vec3 h = normalize(key + to_eye);
        spec = 0.08 * pow(max(dot(n, h), 0.0), 24.0);
    }
    colour = vec4(min(base * light + spec, 1.0), 1.0);
}
"""


@dataclass(frozen=True)
class Camera:
    """A pinhole camera beside the mat looking at `target`; pixel projection matches the renderer."""

    position: tuple[float, float, float]
    target: tuple[float, float, float]
    size: tuple[int, int] = (480, 360)
    hfov_deg: float = 62.0

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
                 floor_colour=(0.62, 0.47, 0.33), wall_colour=(0.86, 0.84, 0.80)) -> None:
        import moderngl

        self.camera = camera
        self.faces = faces
        self.ctx = moderngl.create_standalone_context(backend="egl")
        self.ctx.enable(moderngl.DEPTH_TEST)
        w, h = camera.size
        self.fbo = self.ctx.simple_framebuffer((w * SUPERSAMPLE, h * SUPERSAMPLE))
        self.prog = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=FRAGMENT_SHADER)
        self.prog["mvp"].write(camera.mvp().T.astype("f4").tobytes())
        self.prog["eye"].value = tuple(camera.position)
        self.room = []
        self._body = None
        self._body_buffer = None
        floor = _quad([(-6, -4, 0), (6, -4, 0), (6, 3, 0), (-6, 3, 0)], (0, 0, 1))
        wall = _quad([(-6, 3, 0), (6, 3, 0), (6, 3, 3), (-6, 3, 3)], (0, -1, 0))
        skirting = _box((0, 2.99, 0.05), (12, 0.02, 0.1))
        mat = _box((0, 0, MAT_TOP / 2), MAT_SIZE)
        for (pos, nrm), colour, kind in ((floor, floor_colour, 1), (wall, wall_colour, 2),
                                         (skirting, (0.95, 0.95, 0.93), 2), (mat, mat_colour, 2)):
            self.room.append((self._vao(pos, nrm, np.tile(colour, (len(pos), 1))), kind))

    def _vao(self, pos: np.ndarray, nrm: np.ndarray, col: np.ndarray):
        data = np.hstack([pos, nrm, col]).astype("f4")
        buf = self.ctx.buffer(data.tobytes())
        return self.ctx.vertex_array(self.prog, [(buf, "3f 3f 3f", "in_pos", "in_normal", "in_colour")])

    def render(self, vertices: np.ndarray, colours: np.ndarray) -> np.ndarray:
        """One BGR frame of the room with the body (vertices in world metres)."""
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
        self.fbo.use()
        self.fbo.clear(0.0, 0.0, 0.0, 1.0)
        for vao, kind in self.room:
            self.prog["kind"].value = kind
            vao.render()
        self.prog["kind"].value = 0
        self._body.render()
        w, h = self.camera.size
        raw = np.frombuffer(self.fbo.read(components=3), dtype=np.uint8)
        img = raw.reshape(h * SUPERSAMPLE, w * SUPERSAMPLE, 3)[::-1]
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
        return cv2.cvtColor(img, cv2.COLOR_RGB2BGR)

    def close(self) -> None:
        self.ctx.release()
