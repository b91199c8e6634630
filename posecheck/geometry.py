"""Pure geometry on image-plane points: angles in degrees, distances in body units.

Image coordinates are pixels with x to the right and y down. Body coordinates (see
`posecheck.calibration`) are u along the body towards the head and v up, in torso lengths.
"""

from __future__ import annotations

import math

import numpy as np


def angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle a-b-c at b in degrees (0..180)."""
    v1 = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    v2 = np.asarray(c, dtype=float) - np.asarray(b, dtype=float)
    n = float(np.linalg.norm(v1) * np.linalg.norm(v2))
    if n == 0.0:
        return float("nan")
    return math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(v1, v2)) / n))))


def direction(a: np.ndarray, b: np.ndarray) -> float:
    """Direction of the vector a->b in degrees, counter-clockwise from +u (body coordinates: v up)."""
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return math.degrees(math.atan2(d[1], d[0]))


def wrap(deg: float) -> float:
    """An angle in degrees folded into (-180, 180]."""
    out = (deg + 180.0) % 360.0 - 180.0
    return 180.0 if out == -180.0 else out


def tilt_from_vertical(top: np.ndarray, bottom: np.ndarray) -> float:
    """Signed angle (deg) of the segment bottom->top from straight up; positive leans towards +u (the head)."""
    d = np.asarray(top, dtype=float) - np.asarray(bottom, dtype=float)
    return math.degrees(math.atan2(d[0], d[1]))


def elevation(a: np.ndarray, b: np.ndarray) -> float:
    """Angle (deg) of a->b above the horizontal (negative: below), whichever way it points along u."""
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return math.degrees(math.atan2(d[1], abs(d[0])))


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)))


def to_body(xy: np.ndarray, origin: np.ndarray, scale: float, facing: int) -> np.ndarray:
    """Pixels -> body coordinates: u towards the head (`facing` +1: head to the image's right), v up,
    both in units of `scale` pixels (the torso length), measured from `origin`."""
    rel = (np.asarray(xy, dtype=float) - np.asarray(origin, dtype=float)) / float(scale)
    out = np.empty_like(rel)
    out[..., 0] = facing * rel[..., 0]
    out[..., 1] = -rel[..., 1]
    return out
