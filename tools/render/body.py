"""The rendered exerciser: Anny's body model posed by named joint angles, with clothing colours and the
ground-truth positions of MediaPipe's 33 landmarks.

Anny's rig uses rotations about world-aligned axes at each joint, each composed with its parent's
(body frame: +x the body's left, -y its front, +z up). A pose is a dict of named angles in degrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

# Phenotypes are Anny's sliders in [0, 1]; plainly different adults.
BODIES: dict[str, dict[str, float]] = {
    "b0": {"gender": 0.0, "age": 0.55, "muscle": 0.5, "weight": 0.5, "height": 0.5, "proportions": 0.5},
    "b1": {"gender": 1.0, "age": 0.6, "muscle": 0.6, "weight": 0.7, "height": 0.7, "proportions": 0.5},
    "b2": {"gender": 0.3, "age": 0.8, "muscle": 0.4, "weight": 0.35, "height": 0.35, "proportions": 0.5},
    # Two more, for the back-outline study only (tools.render --outline-study): very slim, and heavy.
    "b3": {"gender": 0.0, "age": 0.3, "muscle": 0.3, "weight": 0.15, "height": 0.8, "proportions": 0.5},
    "b4": {"gender": 1.0, "age": 0.5, "muscle": 0.4, "weight": 0.95, "height": 0.45, "proportions": 0.5},
}

# Clothing per body: (shirt, trousers, skin, hair), RGB in [0, 1].
OUTFITS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "b0": ((0.80, 0.20, 0.22), (0.12, 0.14, 0.22), (0.87, 0.67, 0.55), (0.20, 0.13, 0.08)),
    "b1": ((0.15, 0.45, 0.70), (0.20, 0.20, 0.20), (0.62, 0.44, 0.32), (0.08, 0.06, 0.05)),
    "b2": ((0.30, 0.60, 0.35), (0.55, 0.55, 0.58), (0.93, 0.76, 0.66), (0.70, 0.70, 0.70)),
    "b3": ((0.85, 0.75, 0.20), (0.10, 0.10, 0.12), (0.80, 0.60, 0.45), (0.35, 0.20, 0.10)),
    "b4": ((0.55, 0.25, 0.60), (0.25, 0.30, 0.45), (0.45, 0.30, 0.22), (0.05, 0.05, 0.05)),
}

SPINE = ("spine05", "spine04", "spine03", "spine02", "spine01")
NECK = ("neck01", "neck02", "neck03")
TWIST = ("spine05", "spine04", "spine03")

# MediaPipe landmark index -> the Anny bone whose head is that joint.
JOINT_LANDMARKS: dict[int, str] = {
    11: "upperarm01.L", 12: "upperarm01.R", 13: "lowerarm01.L", 14: "lowerarm01.R",
    15: "wrist.L", 16: "wrist.R", 17: "finger5-1.L", 18: "finger5-1.R", 19: "finger2-1.L",
    20: "finger2-1.R", 21: "finger1-2.L", 22: "finger1-2.R", 23: "upperleg01.L", 24: "upperleg01.R",
    25: "lowerleg01.L", 26: "lowerleg01.R", 27: "foot.L", 28: "foot.R",
}


def rx(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def ry(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rz(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


@dataclass
class Posed:
    """One posed body in the body frame: vertices (V, 3), joints by bone name, landmarks (33, 3)."""

    vertices: np.ndarray
    joints: dict[str, np.ndarray]
    landmarks: np.ndarray = field(repr=False)


def turn_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction a to direction b."""
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    axis = np.cross(a, b)
    s, c = np.linalg.norm(axis), float(np.dot(a, b))
    if s < 1e-9:
        return np.eye(3)
    k = axis / s
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + s * kx + (1 - c) * kx @ kx


def bone_rotations(angles: dict[str, float]) -> dict[str, np.ndarray]:
    """Local bone rotations for the named angles (degrees); missing angles are 0.

    Sagittal angles: spine_flex (+ bends forward), neck_flex (+ chin down), hip_flex_L/R, knee_flex_L/R,
    ankle_plantar_L/R, shoulder_flex_L/R (+ arm forward), elbow_flex_L/R, wrist_ext_L/R.
    Others: arm_abd_L/R (degrees away from the body, rest A-pose is 0; -42 hangs the arm by the side),
    hip_abd_L/R, pelvis_roll and chest_roll (about the body's long axis), leg_roll (extra roll of both
    thighs about the long axis).
    """
    a = lambda k: float(angles.get(k, 0.0))  # noqa: E731
    rot: dict[str, np.ndarray] = {}
    roll, chest = a("pelvis_roll"), a("chest_roll")
    rot["root"] = rz(roll)
    for name in SPINE:
        r = rx(a("spine_flex") / len(SPINE))
        if name in TWIST:
            r = rz((chest - roll) / len(TWIST)) @ r
        rot[name] = r
    for name in NECK:
        rot[name] = rx(a("neck_flex") / len(NECK))
    for side, sign in (("L", -1.0), ("R", 1.0)):
        rot[f"upperleg01.{side}"] = rz(a("leg_roll")) @ ry(sign * a(f"hip_abd_{side}")) @ rx(-a(f"hip_flex_{side}"))
        rot[f"lowerleg01.{side}"] = rx(a(f"knee_flex_{side}"))
        rot[f"foot.{side}"] = rx(a(f"ankle_plantar_{side}"))
        # The arms keep lying where they were when the chest rolls (their parent turns by chest_roll).
        rot[f"upperarm01.{side}"] = (rz(-chest) @ rx(-a(f"shoulder_flex_{side}"))
                                     @ ry(sign * a(f"arm_abd_{side}")))
        rot[f"lowerarm01.{side}"] = rx(-a(f"elbow_flex_{side}"))
        rot[f"wrist.{side}"] = rx(a(f"wrist_ext_{side}"))
    return rot


class Body:
    """Anny with one phenotype; `pose(angles)` gives vertices, joints and the 33 landmarks."""

    def __init__(self, name: str, clothed: bool = True, phenotype: dict[str, float] | None = None,
                 outfit: tuple | None = None, shorts: bool = False, long_sleeves: bool = False) -> None:
        """`phenotype` and `outfit` (shirt, trousers, skin, hair) default to BODIES[name] and OUTFITS[name];
        `shorts` shows the lower legs and the lower thighs' skin, `long_sleeves` covers the forearms."""
        import anny
        import torch

        self._torch = torch
        self.name = name
        self.clothed = clothed
        self.cache: dict = {}
        self.phenotype = phenotype if phenotype is not None else BODIES[name]
        self.outfit = outfit if outfit is not None else OUTFITS[name]
        self.shorts, self.long_sleeves = shorts, long_sleeves
        self.model = anny.Anny()
        self.labels: list[str] = list(self.model.bone_labels)
        self.faces = self.model.get_triangular_faces().numpy().astype(np.int32)
        idx = self.model.vertex_bone_indices.numpy()
        w = self.model.vertex_bone_weights.numpy()
        self.dominant = idx[np.arange(len(idx)), w.argmax(1)]
        rest = self._forward({})
        self._surface = self._pick_surface_vertices(rest[0], rest[1])
        self.colours = self._clothing(rest[0], rest[1])

    def _forward(self, rotations: dict[str, np.ndarray], skin: bool = True
                 ) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
        torch = self._torch
        params = {"root": torch.eye(4, dtype=torch.float32)[None]}
        for name, r in rotations.items():
            m = torch.eye(4, dtype=torch.float32)
            m[:3, :3] = torch.as_tensor(r, dtype=torch.float32)
            params[name] = m[None]
        with torch.no_grad():
            if not hasattr(self, "_rest"):
                # The phenotype's rest shape is the costly part of Anny's forward pass: make it once.
                phenotype = {k: torch.tensor([v]) for k, v in self.phenotype.items()}
                _, pheno, local, facial = self.model.get_tensor_inputs(params, phenotype, None, None)
                coeffs = self.model._get_phenotype_blendshape_coefficients(pheno, local, facial)
                self._rest = self.model.get_rest_model(coeffs)
            transforms, bone_poses = self.model.get_bone_transforms(params, self._rest["rest_bone_poses"])
            v = None
            if skin:
                v = self.model.get_skinned_vertices(
                    bone_transforms=transforms, rest_vertices=self._rest["rest_vertices"].expand(1, -1, -1))
                v = v[0].numpy().astype(np.float64)
        j = bone_poses[0, :, :3, 3].numpy().astype(np.float64)
        return v, {n: j[i] for i, n in enumerate(self.labels)}

    def bone_mask(self, *prefixes: str) -> np.ndarray:
        ids = [i for i, n in enumerate(self.labels) if n.startswith(prefixes)]
        return np.isin(self.dominant, ids)

    def _pick_surface_vertices(self, v: np.ndarray, j: dict[str, np.ndarray]) -> dict[int, int]:
        """Vertex indices (in the rest mesh) standing for MediaPipe's skin-surface landmarks."""
        head = self.bone_mask("head", "neck03")
        eye_l, eye_r = j["eye.L"], j["eye.R"]
        eye_z, eye_y = (eye_l[2] + eye_r[2]) / 2, (eye_l[1] + eye_r[1]) / 2
        out: dict[int, int] = {}

        def nearest(point: np.ndarray, mask: np.ndarray) -> int:
            cand = np.flatnonzero(mask)
            return int(cand[np.argmin(np.linalg.norm(v[cand] - point, axis=1))])

        mid = head & (np.abs(v[:, 0]) < 0.01) & (v[:, 2] < eye_z - 0.01) & (v[:, 2] > eye_z - 0.06)
        nose = int(np.flatnonzero(mid)[np.argmin(v[mid, 1])])
        out[0] = nose
        front = v[nose, 1]
        for sign, eye, (inner, centre, outer), ear, mouth in (
            (1, eye_l, (1, 2, 3), 7, 9), (-1, eye_r, (4, 5, 6), 8, 10),
        ):
            surface = head & (v[:, 1] < eye[1])
            out[centre] = nearest(eye + np.array([0, -0.012, 0]), surface)
            out[inner] = nearest(eye + np.array([-sign * 0.014, -0.008, 0]), surface)
            out[outer] = nearest(eye + np.array([sign * 0.016, -0.004, 0]), surface)
            band = head & (v[:, 2] > eye_z - 0.045) & (v[:, 2] < eye_z - 0.005) & (v[:, 1] > eye_y + 0.05)
            cand = np.flatnonzero(band)
            out[ear] = int(cand[np.argmax(sign * v[cand, 0])])
            out[mouth] = nearest(np.array([sign * 0.022, front + 0.012, v[nose, 2] - 0.035]), head)
        for side, heel, toe in (("L", 29, 31), ("R", 30, 32)):
            foot = self.bone_mask(f"foot.{side}")
            low = foot & (v[:, 2] < j[f"foot.{side}"][2] - 0.03)
            cand = np.flatnonzero(low)
            out[heel] = int(cand[np.argmax(v[cand, 1])])
            toes = self.bone_mask(f"toe2-3.{side}", f"toe2-2.{side}")
            cand = np.flatnonzero(toes)
            out[toe] = int(cand[np.argmin(v[cand, 1])])
        return out

    def _clothing(self, v: np.ndarray, j: dict[str, np.ndarray]) -> np.ndarray:
        shirt, trousers, skin, hair = (np.array(c) for c in self.outfit)
        colours = np.tile(skin, (len(v), 1))
        if not self.clothed:
            return colours
        sleeves = ("upperarm", "lowerarm") if self.long_sleeves else ("upperarm",)
        colours[self.bone_mask("spine", "clavicle", "shoulder01", *sleeves)] = shirt
        colours[self.bone_mask("root", "pelvis", "upperleg", "lowerleg")] = trousers
        if self.shorts:  # the legs bare below 40% of the way hip to knee (rest pose: standing)
            hip_z = (j["upperleg01.L"][2] + j["upperleg01.R"][2]) / 2
            knee_z = (j["lowerleg01.L"][2] + j["lowerleg01.R"][2]) / 2
            bare = self.bone_mask("upperleg", "lowerleg") & (v[:, 2] < hip_z - 0.4 * (hip_z - knee_z))
            colours[bare] = skin
        head = self.bone_mask("head")
        eye_z = j["eye.L"][2]
        scalp = head & ((v[:, 2] > eye_z + 0.035) | ((v[:, 1] > j["head"][1] + 0.02) & (v[:, 2] > eye_z - 0.06)))
        colours[scalp] = hair
        colours[self.bone_mask("eye")] = (0.9, 0.9, 0.9)
        return colours

    def elbow_flex_for(self, angle_deg: float) -> float:
        """The `elbow_flex_*` value that gives an elbow angle (shoulder-elbow-wrist) of `angle_deg`; Anny's
        rest arm is bent by about 42 degrees, so straight is negative."""
        if not hasattr(self, "_elbow_table"):
            flex = np.arange(-90.0, 61.0, 5.0)
            inner = []
            for e in flex:
                j = self.pose({"elbow_flex_L": e}).joints
                u = j["upperarm01.L"] - j["lowerarm01.L"]
                w = j["wrist.L"] - j["lowerarm01.L"]
                inner.append(math.degrees(math.acos(np.dot(u, w) / np.linalg.norm(u) / np.linalg.norm(w))))
            inner = np.array(inner)
            top = int(np.argmax(inner))
            self._elbow_table = (inner[top:][::-1], flex[top:][::-1])  # increasing angle, from the straightest
        angles, flexes = self._elbow_table
        return float(np.interp(angle_deg, angles, flexes))

    def joints(self, angles: dict[str, float], overrides: dict[str, np.ndarray] | None = None
               ) -> dict[str, np.ndarray]:
        """Only the joint positions of a pose (no skin): cheap, for solving poses."""
        return self._forward({**bone_rotations(angles), **(overrides or {})}, skin=False)[1]

    def skeleton(self, angles: dict[str, float], overrides: dict[str, np.ndarray] | None = None) -> Posed:
        """A pose with joints only (no vertices, no landmarks)."""
        return Posed(np.zeros((0, 3)), self.joints(angles, overrides), np.zeros((0, 3)))

    def pose(self, angles: dict[str, float], overrides: dict[str, np.ndarray] | None = None) -> Posed:
        """The body posed by named angles; `overrides` set some bones' local rotations directly."""
        v, j = self._forward({**bone_rotations(angles), **(overrides or {})})
        marks = np.zeros((33, 3))
        for index, vertex in self._surface.items():
            marks[index] = v[vertex]
        for index, bone in JOINT_LANDMARKS.items():
            marks[index] = j[bone]
        return Posed(v, j, marks)
