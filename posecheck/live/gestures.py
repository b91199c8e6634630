"""Hands-free control from the mat: an arm raised and held pauses or goes on, both arms raised stop for pain.

    watch = GestureWatch()
    for frame in frames:
        gesture = watch.update(frame)   # Gesture.PAUSE, Gesture.PAIN or None
        watch.progress                   # (gesture, 0..1) while one is being held: the window's ring

"Raised" is read in two frames at once, so it means the same whatever way the person lies or kneels:

- the room's: the wrist well above the shoulder in the image (the camera is level, beside the mat), which
  is "towards the ceiling" for someone on their back, front or all fours, and "up" for someone kneeling;
- the body's: the wrist beyond the head along the hips-to-shoulders line, "above the head" for someone
  upright, "overhead" for someone lying down.

An arm counts as raised when it is straight, reaches far from the shoulder, and points towards the ceiling,
or overhead while still off the floor. The exercises never do that: their arms rest on the floor, prop the
body up (the wrist under the shoulder), reach forward along the floor (the heels stretch), or bend to the
face or clothes (a fidget). Time comes only from the frames' timestamps.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from posecheck.landmarks import Landmark, PoseFrame

# Held this long, a raised arm is meant: a stretch or a wave passes sooner, and 1.5 s is short to hold.
HOLD_S = 1.5
# A raised arm lost for this long (a frame the model misread, a landmark gone) does not restart the hold.
GAP_S = 0.3
# After a gesture, the arms must be down this long before the next one counts (holding on fires once).
REARM_S = 0.5
# A straight arm: the shoulder-to-wrist distance at least this share of the upper arm plus forearm
# (0.9 is an elbow angle of about 130 degrees); a hand to the face bends it far more.
STRAIGHT = 0.9
# The wrist at least this far from the shoulder, in torso lengths (shoulders to hips): a straight arm in
# the image is about 1.0-1.1; 0.7 allows for an arm leaning towards or away from the camera.
REACH = 0.7
# Towards the ceiling: the arm's direction within about 40 degrees of straight up in the image.
UP_COS = 0.75
# Overhead: the arm within about 35 degrees of the head's direction along the body ...
OVERHEAD_COS = 0.8
# ... and the wrist above the shoulder by this many torso lengths, so arms stretched forward along the
# floor (the heels stretch) or resting overhead on it never count.
OFF_FLOOR = 0.3
# Landmarks scored below this are not trusted to say an arm is up.
MIN_VISIBILITY = 0.5

ARMS = (
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
)
_SHOULDERS = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]
_HIPS = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]


class Gesture(StrEnum):
    PAUSE = "pause"  # one arm raised and held: pause, or go on when paused
    PAIN = "pain"  # both arms raised and held: stop for pain


# What the window shows while a gesture is held, and what the hold is doing.
LABELS = {Gesture.PAUSE: "Hold for pause", Gesture.PAIN: "Hold for pain stop"}


def raised_arms(frame: PoseFrame) -> tuple[bool, bool]:
    """(left, right): whether each arm is raised, straight and far from its shoulder (see the module)."""
    if not frame.has_pose:
        return (False, False)
    xy = frame.xy
    shoulders = xy[_SHOULDERS].mean(axis=0)
    torso = shoulders - xy[_HIPS].mean(axis=0)
    length = float(np.linalg.norm(torso))
    if length < 1.0:
        return (False, False)
    head = torso / length  # hips -> shoulders: where "overhead" is along the body
    ceiling = np.array([0.0, -1.0])  # image y grows downwards
    out = []
    for shoulder, elbow, wrist in ARMS:
        if min(frame.visibility[shoulder], frame.visibility[elbow], frame.visibility[wrist]) < MIN_VISIBILITY:
            out.append(False)
            continue
        s, e, w = xy[shoulder], xy[elbow], xy[wrist]
        arm = w - s
        reach = float(np.linalg.norm(arm))
        bones = float(np.linalg.norm(e - s) + np.linalg.norm(w - e))
        if bones <= 0 or reach < STRAIGHT * bones or reach < REACH * length:
            out.append(False)
            continue
        direction = arm / reach
        up = float(direction @ ceiling) >= UP_COS
        overhead = float(direction @ head) >= OVERHEAD_COS and float(arm @ ceiling) >= OFF_FLOOR * length
        out.append(up or overhead)
    return (out[0], out[1])


def gesture_of(frame: PoseFrame) -> Gesture | None:
    """The gesture this frame shows, if any: both arms raised is pain, one arm is pause."""
    left, right = raised_arms(frame)
    if left and right:
        return Gesture.PAIN
    if left or right:
        return Gesture.PAUSE
    return None


class GestureWatch:
    """Turns frames into gestures: one is given once it has been held HOLD_S; then arms down to re-arm."""

    def __init__(self, hold_s: float = HOLD_S) -> None:
        self.hold_s = hold_s
        self._held: Gesture | None = None  # the gesture being held
        self._since_ms: int | None = None  # when it began
        self._seen_ms: int | None = None  # when it was last seen
        self._fired = False  # the held gesture has been given: wait for the arms to come down
        self._down_since_ms: int | None = None
        self._now_ms = 0

    def update(self, frame: PoseFrame) -> Gesture | None:
        """The gesture completed on this frame, or None."""
        t = frame.timestamp_ms
        self._now_ms = t
        seen = gesture_of(frame)
        if seen is None:
            if self._seen_ms is not None and t - self._seen_ms <= GAP_S * 1000 and not self._fired:
                return None  # a short gap in a hold: the arm is probably still up
            if self._down_since_ms is None:
                self._down_since_ms = t
            if self._fired and t - self._down_since_ms < REARM_S * 1000:
                return None
            self._held, self._since_ms, self._seen_ms, self._fired = None, None, None, False
            return None
        self._down_since_ms = None
        if self._fired:
            self._seen_ms = t
            return None
        if seen is not self._held:
            # One arm up first on the way to both, or one lowered from both: the hold starts again.
            self._held, self._since_ms = seen, t
        self._seen_ms = t
        assert self._since_ms is not None
        if t - self._since_ms >= self.hold_s * 1000:
            self._fired = True
            return seen
        return None

    @property
    def progress(self) -> tuple[Gesture, float] | None:
        """(gesture, how far through its hold 0..1) while one is being held and not yet given."""
        if self._held is None or self._since_ms is None or self._fired:
            return None
        return self._held, min(1.0, max(0.0, (self._now_ms - self._since_ms) / (self.hold_s * 1000)))

    def reset(self) -> None:
        """Forget a hold under way (the stage it was meant for has gone)."""
        self._held, self._since_ms, self._seen_ms = None, None, None
