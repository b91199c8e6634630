"""The person's outline where landmarks have none: how high the torso's upper outline stands.

A sagging lower back on all fours moves no landmark (the upright thighs and arms hold hips and
shoulders where they are); only the outline of the back between them comes down. MediaPipe's
segmentation mask shows that outline.
"""

from __future__ import annotations

import numpy as np

# Where along the hip-to-shoulder line the outline is read: short of the ends, which are the buttocks'
# and the shoulder blades' own curves, not the back's.
ALONG = np.linspace(0.25, 0.75, 6)
# How far from the line the outline is looked for, in torso lengths (a torso is 0.3-0.5 thick).
SEARCH = (-0.3, 0.8)
PERSON = 0.5  # mask value from which a pixel is the person's


def torso_outline(mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray) -> float:
    """The lowest height of the torso's upper outline (the side towards the image's top) above the
    line from hip to shoulder, in torso lengths; NaN where the outline is not found. `mask` is (h, w)
    in [0, 1]; `hip` and `shoulder` are pixel positions."""
    heights = outline_heights(mask, hip, shoulder)
    return float(heights.min()) if np.isfinite(heights).all() else float("nan")


def belly_outline(mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray) -> float:
    """The upper outline's mean height over the belly (the first half of `ALONG`: 0.25-0.45 of the way
    from hip to shoulder) above the hip-to-shoulder line, torso lengths; NaN where not found."""
    heights = outline_heights(mask, hip, shoulder)[: len(ALONG) // 2]
    return float(heights.mean()) if np.isfinite(heights).all() else float("nan")


def outline_heights(mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray) -> np.ndarray:
    """The upper outline's height above the hip-to-shoulder line at each point of `ALONG`."""
    along = np.asarray(shoulder, float) - np.asarray(hip, float)
    length = float(np.hypot(*along))
    out = np.full(len(ALONG), np.nan)
    if not np.isfinite(length) or length < 4:
        return out
    up = np.array([along[1], -along[0]]) / length
    if up[1] > 0:
        up = -up
    steps = np.arange(SEARCH[0] * length, SEARCH[1] * length, 1.0)
    zero = int(np.searchsorted(steps, 0.0))
    h, w = mask.shape[:2]
    for i, s in enumerate(ALONG):
        pts = np.asarray(hip, float) + s * along + steps[:, None] * up
        x, y = np.rint(pts[:, 0]).astype(int), np.rint(pts[:, 1]).astype(int)
        inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        person = np.zeros(len(steps), bool)
        person[inside] = mask[y[inside], x[inside]] > PERSON
        top = _top_of_run(person, zero)
        if top is not None:
            out[i] = steps[top] / length
    return out


def _top_of_run(person: np.ndarray, start: int) -> int | None:
    """The last sample of the run of person pixels holding `start` (or the nearest run below it)."""
    i = min(start, len(person) - 1)
    while i >= 0 and not person[i]:
        i -= 1
    if i < 0:
        return None
    while i + 1 < len(person) and person[i + 1]:
        i += 1
    return i
