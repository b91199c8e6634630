"""Placing a posed body on the mat: orientation, pitch in the side view, and the planar geometry the
exercises need (limbs that must reach the floor at fixed points).

Everything is solved with the head toward +x; facing left is the mirror image (a half turn about the
vertical through the mat's centre), which also turns the body's other side to the camera.
"""

from __future__ import annotations

import math

import numpy as np

from .body import Body, Posed, rx
from .scene import MAT_TOP

# Body frame (x left, y back, z up) -> world, head toward +x.
PRONE = np.array([[0.0, 0, 1], [1, 0, 0], [0, 1, 0]])  # columns: images of body x, y, z
SUPINE = np.array([[0.0, 0, 1], [-1, 0, 0], [0, -1, 0]])
HALF_TURN = np.diag([-1.0, -1.0, 1.0])


def angle2d(v: np.ndarray) -> float:
    """Direction of a world vector in the side view (x, z), degrees anticlockwise from +x."""
    return math.degrees(math.atan2(v[2], v[0]))


def side_sign(orient: np.ndarray) -> float:
    """+1 when the body's left axis points away from the camera (a body-x rotation is about world +y)."""
    return float(orient[1, 0])


def to_world(points: np.ndarray, orient: np.ndarray, pitch: float) -> np.ndarray:
    return points @ (orient @ rx(pitch)).T


def rotation_for(orient: np.ndarray, current: float, target: float) -> float:
    """The body-x rotation (degrees) that turns a side-view direction `current` into `target`."""
    d = (current - target + 180.0) % 360.0 - 180.0
    return side_sign(orient) * d


def circle_meet(a: np.ndarray, ra: float, b: np.ndarray, rb: float, upper: bool = True) -> np.ndarray:
    """A point at distance ra from a and rb from b in the (x, z) plane; the higher one if `upper`."""
    d = float(np.linalg.norm(b - a))
    d = min(max(d, abs(ra - rb) + 1e-6), ra + rb - 1e-6)
    u = (b - a) / np.linalg.norm(b - a)
    along = (ra * ra - rb * rb + d * d) / (2 * d)
    h = math.sqrt(max(ra * ra - along * along, 0.0))
    n = np.array([-u[1], u[0]])
    p1, p2 = a + along * u + h * n, a + along * u - h * n
    return (p1 if p1[1] >= p2[1] else p2) if upper else (p1 if p1[1] < p2[1] else p2)


def xz(p: np.ndarray) -> np.ndarray:
    return np.array([p[0], p[2]])


class Placed:
    """A posed body in the world: vertices (V, 3) and the 33 landmarks (33, 3), in metres."""

    def __init__(self, vertices: np.ndarray, landmarks: np.ndarray) -> None:
        self.vertices = vertices
        self.landmarks = landmarks

    def mirrored(self) -> Placed:
        return Placed(self.vertices @ HALF_TURN.T, self.landmarks @ HALF_TURN.T)


def place(body: Body, posed: Posed, orient: np.ndarray, pitch: float, anchor: str, anchor_x: float,
          floor_bones: tuple[str, ...] | None = None, lift: float = 0.0) -> Placed:
    """Put `posed` in the room: the `anchor` joint at x = anchor_x, on the mat's midline, and the lowest
    vertex of `floor_bones` (all vertices when None) resting on the mat, raised by `lift`."""
    v = to_world(posed.vertices, orient, pitch)
    marks = to_world(posed.landmarks, orient, pitch)
    a = to_world(posed.joints[anchor][None], orient, pitch)[0]
    mask = body.bone_mask(*floor_bones) if floor_bones else slice(None)
    # Centred on the mat by the resting part only, so that moving limbs do not shift the whole body.
    shift = np.array([anchor_x - a[0], -np.mean(v[mask, 1]), MAT_TOP + lift - v[mask, 2].min()])
    return Placed(v + shift, marks + shift)


def joint_xz(posed: Posed, name: str, orient: np.ndarray, pitch: float) -> np.ndarray:
    return xz(to_world(posed.joints[name][None], orient, pitch)[0])


def mid_joint_xz(posed: Posed, base: str, orient: np.ndarray, pitch: float) -> np.ndarray:
    return (joint_xz(posed, base + ".L", orient, pitch) + joint_xz(posed, base + ".R", orient, pitch)) / 2
