"""The lower back's movement in the picture: what a pelvic tilt shows where landmarks do not.

A real pelvic tilt turns the pelvis under the skin: the hip, knee and shoulder landmarks barely move (the
angle at the hip changes 1.3-3.8 degrees on renders that tilt like people, inside MediaPipe's wobble),
but the lower back lifts off the mat and settles back. Dense optical flow over the lower back sees it
(tools/render/README.md, "Realistic pelvic tilts"): the mean motion across the body's axis between 0.1
and 0.45 of the way from hip to shoulder, in torso lengths, summed over time and band-passed, follows the
tilt at every lens height measured (r 0.93-0.98).

`LumbarFlow` is one video's state: call it on every frame (the picture and its pose) for the frame with
`lumbar` filled in: the band-passed movement (torso lengths; + the lower back up). Causal, so the live
trainer and a recording read the same values.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from posecheck.band_pass import BandPass
from posecheck.landmarks import Landmark, PoseFrame

# Along the body from the hips (0) to the shoulders (1): the lower back; across it, either side.
LUMBAR = (0.1, 0.45)
ACROSS = 0.35
# The box flow is computed in: a little more than the lower back, for the flow's own smoothing window.
BOX_ALONG = (-0.3, 0.55)
BOX_ACROSS = 0.4
# The body's axis and size from a running median of the landmarks: the tilt itself must not move them.
AXIS_S = 3.0
# Rocks take 3-8 s (0.12-0.33 Hz), breaths 3.5-6 s: the band keeps both; slow drift and single-frame
# jitter go.
BAND_HZ = (0.08, 0.6)
MAX_STEP_S = 0.25  # a longer gap between frames restarts the flow (no motion to compare across it)
_SHOULDERS = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]
_HIPS = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]


@dataclass
class RunningAxis:
    """The body's axis over the last AXIS_S: the median hips and shoulders (image pixels), so that what is
    measured against it (a tilt, a breath) does not move it."""

    _recent: deque[tuple[float, np.ndarray, np.ndarray]] = field(default_factory=deque)

    def update(self, frame: PoseFrame) -> tuple[np.ndarray, np.ndarray]:
        """Add a frame with a pose; the median (hip, shoulder) midpoints of the last AXIS_S."""
        t = frame.timestamp_ms / 1000.0
        xy = frame.xy
        self._recent.append((t, xy[_HIPS].mean(axis=0), xy[_SHOULDERS].mean(axis=0)))
        while t - self._recent[0][0] > AXIS_S:
            self._recent.popleft()
        return (np.median([a[1] for a in self._recent], axis=0),
                np.median([a[2] for a in self._recent], axis=0))


@dataclass
class LumbarFlow:
    """Per video: the previous picture, the body's axis over the last AXIS_S, the filter's state."""

    _previous: np.ndarray | None = None
    _last_t: float | None = None
    _axis: RunningAxis = field(default_factory=RunningAxis)
    _sum: float = 0.0
    _band_pass: BandPass = field(default_factory=lambda: BandPass(*BAND_HZ))

    def __call__(self, image_bgr: np.ndarray, frame: PoseFrame) -> PoseFrame:
        t = frame.timestamp_ms / 1000.0
        gray = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
        previous, last = self._previous, self._last_t
        self._previous, self._last_t = gray, t
        if not frame.has_pose:
            return frame
        hip, shoulder = self._axis.update(frame)
        if previous is None or last is None or not 0 < t - last <= MAX_STEP_S or previous.shape != gray.shape:
            return replace(frame, lumbar=self._filtered(t - (last or t)))
        motion = across_motion(previous, gray, hip, shoulder)
        self._sum += 0.0 if motion is None else motion
        return replace(frame, lumbar=self._filtered(t - last))

    def _filtered(self, dt: float) -> float:
        """The summed motion band-passed."""
        return self._band_pass(self._sum, min(max(dt, 0.0), MAX_STEP_S))


def across_motion(previous: np.ndarray, gray: np.ndarray, hip: np.ndarray, shoulder: np.ndarray) -> float | None:
    """The lower back's mean motion across the body's axis between two pictures, in torso lengths (+ up in
    the picture); None when the body is too small or outside the picture."""
    axis = shoulder - hip
    torso = float(np.hypot(*axis))
    if torso < 20.0:
        return None
    along = axis / torso
    up = np.array([along[1], -along[0]])
    if up[1] > 0:  # image y grows downwards: "up" has a negative y
        up = -up
    corners = [hip + a * torso * along + b * torso * up for a in BOX_ALONG for b in (-BOX_ACROSS, BOX_ACROSS)]
    h, w = gray.shape
    x0, y0 = np.maximum(np.floor(np.min(corners, axis=0)).astype(int) - 4, 0)
    x1, y1 = np.minimum(np.ceil(np.max(corners, axis=0)).astype(int) + 4, [w, h])
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    flow = cv2.calcOpticalFlowFarneback(previous[y0:y1, x0:x1], gray[y0:y1, x0:x1], None,
                                        0.5, 3, 9, 3, 5, 1.1, 0)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    rel = np.stack([xx - hip[0], yy - hip[1]], -1) / torso
    s, d = rel @ along, rel @ up
    region = (np.abs(d) < ACROSS) & (s >= LUMBAR[0]) & (s <= LUMBAR[1])
    if not region.any():
        return None
    return float((flow[region] @ up).mean()) / torso
