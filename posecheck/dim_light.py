"""A dim picture evened out for the pose model, once the person is lost in it.

In a dark room MediaPipe can lose the person on the mat altogether: on randomised block 3007 four dim
clips (mean brightness 21-25 of 255) found them in 0, 0, 34 and 57% of their frames, and counted 0, 0, 0
and 1 of their reps. Evened out locally (CLAHE on the lightness, OpenCV) from the first second without
anyone, they were found in 75, 63, 93 and 62% and counted 3 of 4, 4 for 3, 2 of 3 and 2 of 4; a fifth,
found in 86%, went from 1 of 3 to 3 of 3. A picture where MediaPipe does find the person is left as it
is: the lift starts only after `LOST_MS` without anyone in a dim picture, and stops when the picture is
no longer dim. The set-up check still says "Turn the lights on".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from posecheck.lost import Lost

# Mean brightness (0-255) below which MediaPipe starts to lose a person on a dark floor.
DARK_MEAN = 50.0
# Nobody found for this long in a dim picture: even it out. A second: a person lost for a few frames
# in a turn is found again by MediaPipe's own detector.
LOST_MS = 1000
# CLAHE's contrast limit and tiles: 3 and 8x8 found the people of the dim clips above; the tiles keep
# a bright window from setting the lift of the whole picture.
CLIP_LIMIT = 3.0
TILES = (8, 8)


def brightness(image_bgr: np.ndarray) -> float:
    small = cv2.resize(image_bgr, (64, 36), interpolation=cv2.INTER_AREA)
    return float(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).mean())


def even_out(image_bgr: np.ndarray) -> np.ndarray:
    """The picture with its lightness evened out tile by tile, its colours kept."""
    lab = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2LAB)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=CLIP_LIMIT, tileGridSize=TILES).apply(lab[:, :, 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


@dataclass
class DimLight:
    """Whether the pictures go to MediaPipe evened out: `prepare` each one before it goes, tell `found`
    whether it found the person."""

    lifting: bool = False
    dim: bool = False
    lost: Lost = field(default_factory=Lost)

    def prepare(self, image_bgr: np.ndarray) -> np.ndarray:
        """The 8-bit BGR picture to hand to MediaPipe (itself, or evened out)."""
        if not self.lifting and self.lost.since_ms is None:
            # The person was found in the last picture: nothing to decide, and the brightness (half a
            # millisecond, 4% of a lite frame) is not spent. A first lost frame cannot start the lift.
            self.dim = False
            return image_bgr
        self.dim = brightness(image_bgr) < DARK_MEAN
        self.lifting = self.lifting and self.dim
        return even_out(image_bgr) if self.lifting else image_bgr

    def found(self, timestamp_ms: int, person: bool) -> None:
        if self.lost.update(timestamp_ms, person) >= LOST_MS and self.dim:
            self.lifting = True
