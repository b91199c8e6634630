"""A part of the picture searched for a person too small to be found in the whole.

MediaPipe's detector sees the picture shrunk to a small square: a person far from a wide lens on a
640x480 webcam lies on the mat a few dozen pixels high there, and may not be found at all. Their part of
the picture, handed over alone, can be. Once nobody has been found for `LOST_MS`, each frame goes to
MediaPipe as one of a few overlapping parts (`PARTS`, in turn); the part in which the person is found,
wholly inside it, is kept while they are found there, clear of its edges. Lost there, or reaching an
edge, the whole picture is tried again among the parts. A picture in which MediaPipe finds the person
is never cut.

Measured on the 20 sets of randomised blocks 3004-3008 where MediaPipe had found the person in under 60% of
the frames (the dim picture evened out, posecheck.dim_light, either way): found in 0 -> 96% of frames (3008
0083: far, a wide lens, 640x480, a window behind), 0 -> 68%, 63 -> 95%, 0 -> 27%, 2 -> 27%, 75 -> 90%, three
more up by 2-6%; nine the same within 1%, two lower by 2-3%. Counts: 3 exact either way, the mean count
error 2.15 -> 2.0, false alarms per correct rep 0.15 -> 0.13 (3007 0054: 4 back extensions for 3 -> 2). The
search begins after a second without anyone: `posecheck evaluate`'s set-up check, which reads only the
frames before the first rep (1.2 s on the rendered clips), still says nobody is there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from posecheck.dim_light import LOST_MS
from posecheck.lost import Lost

# (left, top, width, height) as shares of the picture. The whole first (a person who comes back into the
# whole picture is found there), then the middle, then the halves either side: a mat is laid across the
# middle of the view, and a person lying on it, small, fits well inside any of them.
Part = tuple[float, float, float, float]
WHOLE: Part = (0.0, 0.0, 1.0, 1.0)
PARTS: tuple[Part, ...] = (WHOLE, (0.2, 0.2, 0.6, 0.6), (0.0, 0.15, 0.6, 0.7), (0.4, 0.15, 0.6, 0.7))
# Found with its visible points this close to a part's edge (a share of the part) the person may be cut
# off by it: the part is not kept.
EDGE = 0.03


def cut(image: np.ndarray, part: Part) -> np.ndarray:
    """The part of the picture (a view: nothing copied)."""
    h, w = image.shape[:2]
    x0, y0 = round(part[0] * w), round(part[1] * h)
    return image[y0:y0 + round(part[3] * h), x0:x0 + round(part[2] * w)]


def to_whole(points: np.ndarray, part: Part) -> np.ndarray:
    """Normalised (x, y, z) in the part as normalised coordinates of the whole picture (z scales as x)."""
    x0, y0, w, h = part
    out = np.array(points, dtype=float, copy=True)
    out[:, 0] = x0 + out[:, 0] * w
    out[:, 1] = y0 + out[:, 1] * h
    out[:, 2] = out[:, 2] * w
    return out


def inside(points: np.ndarray, seen: np.ndarray) -> bool:
    """Whether the seen points (normalised to the part) keep clear of its edges."""
    if not seen.any():
        return False
    xy = points[seen, :2]
    return bool((xy.min() >= EDGE) and (xy.max() <= 1.0 - EDGE))


@dataclass
class Zoom:
    """Which part of the picture goes to MediaPipe: `part()` before each frame, `found` after it with the
    person's points in the whole picture (or None)."""

    kept: Part = WHOLE
    searching: bool = False
    lost: Lost = field(default_factory=Lost)
    _turn: int = 0

    def part(self) -> Part:
        return PARTS[self._turn % len(PARTS)] if self.searching else self.kept

    def found(self, timestamp_ms: int, points: np.ndarray | None, seen: np.ndarray | None = None) -> None:
        tried = self.part()
        person = points is not None and len(points) > 0
        lost_ms = self.lost.update(timestamp_ms, person)
        if person:
            seen = seen if seen is not None else np.ones(len(points), bool)
            clear = tried == WHOLE or inside(to_part(points, tried), seen)
            if self.searching and clear:
                self.kept, self.searching = tried, False
            elif self.searching:
                self._turn += 1  # found, but cut off by this part: try the next
            elif not clear:
                self.searching, self._turn = True, 0  # reaching the kept part's edge: the whole again first
            return
        if self.searching:
            self._turn += 1
        elif lost_ms >= LOST_MS:
            self.searching, self._turn = True, 0


def to_part(points: np.ndarray, part: Part) -> np.ndarray:
    """Normalised (x, y) of the whole picture as normalised coordinates of the part."""
    x0, y0, w, h = part
    return np.stack([(points[:, 0] - x0) / w, (points[:, 1] - y0) / h], axis=1)


def paste(mask: np.ndarray, part: Part, size: tuple[int, int]) -> np.ndarray:
    """A mask of the part laid into an empty mask of the whole picture (`size`: width, height)."""
    if part == WHOLE:
        return mask
    whole = np.zeros((size[1], size[0], *mask.shape[2:]), dtype=mask.dtype)
    region = cut(whole, part)
    region[...] = cv2.resize(mask, (region.shape[1], region.shape[0]), interpolation=cv2.INTER_LINEAR).reshape(
        region.shape)
    return whole
