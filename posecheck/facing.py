"""Which way the person lies: the head to the image's left or right of the hips.

In a dim or heavily compressed picture MediaPipe sometimes reads a lying or kneeling body back to front
for a few frames at a time: the head drawn where the knees are, the ankles where the head is (randomised
block 3011: a knee roll set read so in 41% of its frames, alternating with the right reading every
0.1-0.5 s; another in 17%). Every exercise of the routine has the body along the mat with the head to one
side, and nobody turns end to end during a set, so a frame whose head lies clearly on the other side of
the hips than the person's own is not their pose: it is left out, as a frame with no one in it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.landmarks import Landmark

# The head must be this far along the body from the hips (torso lengths) for a frame to say which way it
# lies: sitting, kneeling up or standing, it is above them and says nothing. Lying, the ears are 1.2+
# away; read back to front, as far the other way.
FACING_MARGIN = 0.5
# Before calibration, the person's own way is the one most of their recent frames lie (weights halve every
# HALF_LIFE_S), once FACING_SETTLED of weight agrees: getting down, people may lie the other way first.
HALF_LIFE_S = 10.0
FACING_SETTLED = 5.0

_HEAD = [Landmark.NOSE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR]
_HIPS = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
_SHOULDERS = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]


def frame_facing(xy: np.ndarray) -> int:
    """+1: the head lies to the image's right of the hips, -1: to the left, 0: not clearly either (pixels in)."""
    head, hips = xy[_HEAD].mean(axis=0), xy[_HIPS].mean(axis=0)
    torso = float(np.linalg.norm(xy[_SHOULDERS].mean(axis=0) - hips))
    along = float(head[0] - hips[0])
    if torso <= 0.0 or abs(along) < FACING_MARGIN * torso:
        return 0
    return 1 if along > 0 else -1


@dataclass
class Facing:
    """The way the person has lain in their recent frames, each frame's weight halving every HALF_LIFE_S."""

    right: float = 0.0
    left: float = 0.0
    last_t: float | None = None

    def add(self, t: float, facing: int) -> None:
        if self.last_t is not None:
            decay = 0.5 ** (max(t - self.last_t, 0.0) / HALF_LIFE_S)
            self.right *= decay
            self.left *= decay
        self.last_t = t
        if facing > 0:
            self.right += 1.0
        elif facing < 0:
            self.left += 1.0

    def settled(self) -> int:
        """+1 or -1 once one way has FACING_SETTLED more weight than the other, else 0."""
        if self.right - self.left >= FACING_SETTLED:
            return 1
        if self.left - self.right >= FACING_SETTLED:
            return -1
        return 0


def back_to_front(facing: int, own: int) -> bool:
    """A frame lying the other way than the person's own (`own` 0: not known yet, nothing is)."""
    return facing != 0 and own != 0 and facing != own
