"""The set-up check before each exercise: light, one person, whole body in frame, distance, side view.

`assess` judges one camera frame and its pose and names the first thing to change; `SetupCheck`
waits until nothing needs changing for SETTLE_S of camera time, so a lucky frame does not start
the exercise. Pure: no drawing, no I/O, time only from the frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posecheck.landmarks import Landmark, PoseFrame

# Mean brightness (0-255) below which MediaPipe starts to lose a person on a dark floor.
DARK_MEAN = 50.0
# Mean brightness above which most of the picture is washed out (a window or a lamp behind the mat).
BRIGHT_MEAN = 230.0
# A landmark closer than this fraction of the image to its edge is cut off (MediaPipe extrapolates there).
EDGE_MARGIN = 0.02
# Below this visibility a landmark is not seen (MediaPipe's own "probably in view" level).
SEEN = 0.5
# The torso (shoulders to hips) should be at least this fraction of the image's width: a 0.5 m torso
# is 0.12-0.18 of a 70-degree webcam's view from 2-3 m; under 0.08 (4.5 m and more) the joints are a
# few pixels apart and the angles the rules measure get noisy.
MIN_TORSO_FRACTION = 0.08
# Seen from the side, the left and right shoulders (and hips) nearly overlap; from the front or from the
# feet they are apart by most of a torso length (shoulder width is about 0.8 torso lengths).
MAX_SIDE_SPREAD = 0.5
# How long everything must be fine before the exercise starts.
SETTLE_S = 1.5

# The whole body: head, and on at least one side shoulder, hip, knee and ankle.
_HEAD = (Landmark.NOSE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR)
_SIDES = {
    side: tuple(Landmark[f"{side}_{part}"] for part in ("SHOULDER", "HIP", "KNEE", "ANKLE"))
    for side in ("LEFT", "RIGHT")
}


@dataclass(frozen=True)
class Advice:
    check: str  # "light", "person", "one_person", "whole_body", "distance", "side_view"
    text: str  # what to change, in a few words


# In the order they are checked: each one needs the ones before it to be fine to be judged.
CHECKS: tuple[str, ...] = ("light", "person", "one_person", "whole_body", "distance", "side_view")


def brightness(image_bgr: np.ndarray) -> float:
    small = cv2.resize(image_bgr, (64, 36), interpolation=cv2.INTER_AREA)
    return float(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).mean())


def _inside(frame: PoseFrame, marks: tuple[Landmark, ...]) -> np.ndarray:
    xy = frame.image[list(marks), :2]
    seen = frame.visibility[list(marks)] >= SEEN
    return seen & np.all((xy >= EDGE_MARGIN) & (xy <= 1 - EDGE_MARGIN), axis=1)


def _torso(frame: PoseFrame) -> float:
    """Shoulders to hips in pixels."""
    xy = frame.xy
    shoulders = xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=0)
    hips = xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=0)
    return float(np.linalg.norm(shoulders - hips))


def _spread(frame: PoseFrame) -> float:
    """Left-right separation of shoulders and hips in torso lengths (small when seen from the side)."""
    xy = frame.xy
    pairs = [(Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER), (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)]
    torso = _torso(frame)
    if torso < 1.0:
        return float("inf")
    return float(np.mean([np.linalg.norm(xy[a] - xy[b]) for a, b in pairs])) / torso


def assess(image_bgr: np.ndarray, frame: PoseFrame, people: int) -> Advice | None:
    """The first thing to change for the camera to see the exercise well, or None when all is fine."""
    light = brightness(image_bgr)
    if light < DARK_MEAN:
        return Advice("light", "Turn the lights on")
    if light > BRIGHT_MEAN:
        return Advice("light", "Too bright: turn the camera away from the light")
    if not frame.has_pose:
        return Advice("person", "Get onto the mat where the camera can see you")
    if people > 1:
        return Advice("one_person", "Only one person in view, please")
    head_in = _inside(frame, _HEAD).any()
    sides_in = [_inside(frame, marks).all() for marks in _SIDES.values()]
    if not (head_in and any(sides_in)):
        return Advice("whole_body", _cut_off_advice(frame))
    if _torso(frame) < MIN_TORSO_FRACTION * max(frame.image_size):
        return Advice("distance", "Move the camera closer")
    if _spread(frame) > MAX_SIDE_SPREAD:
        return Advice("side_view", "Put the camera at your side")
    return None


def _cut_off_advice(frame: PoseFrame) -> str:
    """Cut off at one edge only while not filling the picture: move over; otherwise: camera back."""
    xy = frame.image[:, :2]
    low = (xy < EDGE_MARGIN).any(axis=0)
    high = (xy > 1 - EDGE_MARGIN).any(axis=0)
    span = np.ptp(np.clip(xy, 0, 1), axis=0)
    if low[0] != high[0] and span[0] < 0.7 and not (low[1] or high[1]):
        return "Move to the middle of the picture"
    return "Move the camera back"


@dataclass(frozen=True)
class SetupStatus:
    ready: bool
    advice: Advice | None  # None when the current frame is fine
    fine_for_s: float


class SetupCheck:
    """Waits until `assess` has found nothing to change for SETTLE_S."""

    def __init__(self, settle_s: float = SETTLE_S) -> None:
        self.settle_s = settle_s
        self._fine_since: float | None = None

    def update(self, image_bgr: np.ndarray, frame: PoseFrame, people: int) -> SetupStatus:
        t = frame.timestamp_ms / 1000.0
        advice = assess(image_bgr, frame, people)
        if advice is not None:
            self._fine_since = None
            return SetupStatus(False, advice, 0.0)
        if self._fine_since is None:
            self._fine_since = t
        fine_for = t - self._fine_since
        return SetupStatus(fine_for >= self.settle_s, None, fine_for)
