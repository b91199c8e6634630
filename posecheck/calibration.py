"""Calibration at rest in the start position: which way the body lies, which side faces the camera,
the body's scale (torso length in pixels) and its rest positions; and `Body`, one frame seen in those terms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from posecheck.geometry import to_body
from posecheck.landmarks import Landmark

SIDES = ("left", "right")
# Parts that exist on both sides; "near_knee" is the knee of the side facing the camera.
PAIRED = {
    "eye": "EYE", "ear": "EAR", "mouth": "MOUTH", "shoulder": "SHOULDER", "elbow": "ELBOW",
    "wrist": "WRIST", "pinky": "PINKY", "index": "INDEX", "thumb": "THUMB", "hip": "HIP",
    "knee": "KNEE", "ankle": "ANKLE", "heel": "HEEL", "foot_index": "FOOT_INDEX",
}

# How long the body must be still in the start position before baselines are taken.
CALIBRATION_S = 1.0
# Real people may never rest that long: between bridges or sit-ups they lie back for half a second.
# Once someone has spent WAITED_S in the start position without a full second's rest, a rest of
# BRIEF_REST_S is taken instead: a baseline from fewer frames, but a baseline (without one nothing is
# judged). People who begin still calibrate after CALIBRATION_S as before.
BRIEF_REST_S = 0.4
WAITED_S = 2.5
# A pass through the rest pose at least this long can stand for a rest (see Calibrator._passed).
PASS_S = 0.2
# Still enough: the torso and knees move less than this many torso lengths per second.
STILL_SPEED = 0.35
# ... measured over this span, not frame to frame: in a dim, noisy picture MediaPipe's smoothed points
# wobble about 0.012 torso lengths a frame (a dim randomised render at 28 fps: 0.29 a second from frame to
# frame, 0.11 over a quarter second), which read as moving, so the baseline came late, often in the first
# rep's hold: 43 of 223 sets of randomised blocks 3000-3002 calibrated after their first rep began, 24 now.
STILL_SPAN_S = 0.25
# The head turned towards the camera (to look at the screen beside the mat): the ears this much further
# apart than at calibration, torso lengths. In profile they overlap (MediaPipe on rendered side views:
# 0.02-0.05 apart); turned 40-80 degrees they part by 0.1-0.2 (kinematic habit sets, whose far ear is
# noisier: it wobbles up to 0.07 over its rest separation at the 99th percentile).
HEAD_TURNED = 0.08


def other(side: str) -> str:
    return "right" if side == "left" else "left"


@lru_cache(maxsize=512)
def landmark_index(name: str, near: str) -> int:
    """`near_hip`, `far_knee`, `left_wrist` or a `Landmark` name such as `nose` -> its index."""
    head, _, part = name.partition("_")
    if head in ("near", "far", "left", "right") and part in PAIRED:
        side = near if head == "near" else other(near) if head == "far" else head
        if part == "mouth":
            return int(Landmark[f"MOUTH_{side.upper()}"])
        return int(Landmark[f"{side.upper()}_{PAIRED[part]}"])
    return int(Landmark[name.upper()])


@dataclass(frozen=True)
class Calibration:
    """What calibration at rest found. `facing` +1: the head is towards the image's right."""

    timestamp_ms: int
    facing: int
    near: str  # "left" or "right": the body side facing the camera
    scale_px: float  # near-side torso length (shoulder to hip) in pixels
    origin_px: np.ndarray  # (2,) hip midpoint at rest, pixels
    rest: np.ndarray  # (33, 2) rest positions in body coordinates
    rest_depth: np.ndarray | None = None  # (33,) MediaPipe's depth at rest, torso lengths
    rest_s: float = CALIBRATION_S  # how long the rest it was taken from lasted (shorter: a brief rest)

    def body(self, xy: np.ndarray) -> np.ndarray:
        return to_body(xy, self.origin_px, self.scale_px, self.facing)


def guess_orientation(xy: np.ndarray, z: np.ndarray, visibility: np.ndarray) -> tuple[int, str, float]:
    """(facing, near side, torso length px) from one frame, before any calibration."""
    hips = (xy[Landmark.LEFT_HIP] + xy[Landmark.RIGHT_HIP]) / 2
    head = xy[[Landmark.NOSE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR]].mean(axis=0)
    facing = 1 if head[0] >= hips[0] else -1
    core_l = [Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP]
    core_r = [Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP]
    # MediaPipe's z is smaller for what is nearer the camera; the near side is also the better seen one.
    seen = float(visibility[core_l].mean() - visibility[core_r].mean())
    nearness = float(z[core_r].mean() - z[core_l].mean()) + 0.5 * seen
    near = "left" if nearness >= 0 else "right"
    s = landmark_index("near_shoulder", near)
    h = landmark_index("near_hip", near)
    return facing, near, float(np.linalg.norm(xy[s] - xy[h]))


class Body:
    """One smoothed frame in body coordinates (u towards the head, v up, torso lengths), with the
    rest reference it is compared against. Parts are named `near_hip`, `far_knee`, `nose`..."""

    def __init__(self, points: np.ndarray, visible: np.ndarray, z: np.ndarray, near: str,
                 rest: np.ndarray | None, scale_px: float, calibrated: np.ndarray | None = None,
                 rest_depth: np.ndarray | None = None, lumbar: float = float("nan"),
                 belly: float = float("nan")) -> None:
        self.points = points
        self.visible_mask = visible
        self.z = z  # MediaPipe's relative depth in torso lengths (smaller: nearer the camera)
        self.near = near
        self.rest_points = rest
        self.scale_px = scale_px
        self.calibrated = calibrated  # rest positions at calibration (the person's own neutral)
        self.rest_depth = rest_depth  # MediaPipe's depth at calibration
        self.lumbar = lumbar  # the lower back's band-passed movement (posecheck.lumbar)
        self.belly = belly  # the belly's outline over the hip-shoulder line (posecheck.breath counts breaths)

    def index(self, name: str) -> int:
        return landmark_index(name, self.near)

    def p(self, name: str) -> np.ndarray:
        return self.points[self.index(name)]

    def rest(self, name: str) -> np.ndarray:
        if self.rest_points is None:
            return self.p(name)
        return self.rest_points[self.index(name)]

    def rise(self, name: str) -> float:
        """How far `name` is above its rest position (torso lengths; negative: below)."""
        return float(self.p(name)[1] - self.rest(name)[1])

    def neutral(self, name: str) -> np.ndarray:
        """Where `name` was at calibration."""
        if self.calibrated is None:
            return self.rest(name)
        return self.calibrated[self.index(name)]

    def shift(self, name: str) -> float:
        """How far `name` has moved from its rest position, any direction (torso lengths)."""
        return float(np.linalg.norm(self.p(name) - self.rest(name)))

    def visible(self, *names: str) -> bool:
        return all(bool(self.visible_mask[self.index(n)]) for n in names)

    def head_turn(self) -> float:
        """How much further apart the ears are than at calibration (torso lengths; 0 when one is not
        seen): the head turned towards the camera, as people do to read the screen beside the mat.
        A neck's line read from the near ear then says nothing about the neck."""
        if not self.visible("near_ear", "far_ear"):
            return 0.0
        now = float(np.linalg.norm(self.p("near_ear") - self.p("far_ear")))
        then = float(np.linalg.norm(self.neutral("near_ear") - self.neutral("far_ear")))
        return now - then

    def depth(self, name: str) -> float:
        return float(self.z[self.index(name)])

    def nearer(self, name: str, than: str) -> float:
        """How much nearer the camera `name` has come than `than` since calibration (torso lengths);
        MediaPipe's depths carry steady offsets, so only the change is trusted."""
        now = self.depth(than) - self.depth(name)
        if self.rest_depth is None:
            return now
        return now - float(self.rest_depth[self.index(than)] - self.rest_depth[self.index(name)])


def provisional_body(xy: np.ndarray, z: np.ndarray, visibility: np.ndarray, visible: np.ndarray) -> Body:
    """One frame in body units, from its own orientation and size (before any calibration)."""
    facing, near, scale = guess_orientation(xy, z, visibility)
    scale = max(scale, 1.0)
    hips = (xy[Landmark.LEFT_HIP] + xy[Landmark.RIGHT_HIP]) / 2
    return Body(to_body(xy, hips, scale, facing), visible, z, near, None, scale)


Sample = tuple[float, np.ndarray, np.ndarray, np.ndarray]  # t, xy, z, visibility


class Calibrator:
    """Collects frames while the body is still in the start position; returns a `Calibration` once
    it has `CALIBRATION_S` of them (`BRIEF_REST_S` once the person has waited `WAITED_S` there).
    `rest_pose`, where given, narrows which still frames may become the rest: a held rep can pass for
    the start position (a small rock back on all fours still has hands and knees down)."""

    def __init__(self, in_start_position: Callable[[Body], bool], core: tuple[str, ...],
                 rest_pose: Callable[[Body], bool] | None = None) -> None:
        self.in_start_position = in_start_position
        self.core = core
        self.rest_pose = rest_pose
        self.samples: list[Sample] = []
        self._pass: list[Sample] = []  # frames in the rest pose since the body last came into it
        self.in_start_s = 0.0  # time seen in the start position so far, still or not
        self._last_t: float | None = None

    def reset(self) -> None:
        self.samples.clear()
        self._pass = []
        self.in_start_s, self._last_t = 0.0, None

    def still_s(self) -> float:
        """How long the body has been still in the start position up to the last frame."""
        return self.samples[-1][0] - self.samples[0][0] if self.samples else 0.0

    def rest_needed_s(self) -> float:
        """How long a rest calibration needs now."""
        return BRIEF_REST_S if self.in_start_s >= WAITED_S else CALIBRATION_S

    def update(self, t: float, xy: np.ndarray, z_norm: np.ndarray, visibility: np.ndarray,
               visible: np.ndarray, image_width: int) -> tuple[Calibration | None, bool]:
        """Feed one smoothed frame. Returns (calibration or None, whether the frame is in start position)."""
        body = provisional_body(xy, z_norm, visibility, visible)
        ok = body.visible(*self.core) and self.in_start_position(body)
        last, self._last_t = self._last_t, t
        frame = (t, xy.copy(), z_norm.copy(), visibility.copy())
        if not ok:
            self.samples.clear()
            return self._passed(t), False
        if last is not None:
            self.in_start_s += min(max(t - last, 0.0), 0.25)
        if self.rest_pose is not None and not self.rest_pose(body):
            self.samples.clear()
            return self._passed(t), True
        if self.rest_pose is not None:
            self._pass.append(frame)
        if self.samples:
            t0, xy0, _, _ = next((u for u in reversed(self.samples) if t - u[0] >= STILL_SPAN_S), self.samples[0])
            dt = max(t - t0, STILL_SPAN_S)
            idx = [body.index(n) for n in self.core]
            speed = float(np.max(np.linalg.norm(xy[idx] - xy0[idx], axis=1))) / body.scale_px / dt
            if speed > STILL_SPEED:
                self.samples.clear()
        self.samples.append(frame)
        if self.samples[-1][0] - self.samples[0][0] < self.rest_needed_s():
            return None, True
        return self._calibrate(self.samples, t), True

    def _passed(self, t: float) -> Calibration | None:
        """The body just left the rest pose. Someone moving in one continuous rhythm never rests in it:
        once they have waited `WAITED_S`, the pass through it (at least `PASS_S`) is the rest."""
        frames, self._pass = self._pass, []
        if self.in_start_s < WAITED_S or not frames or frames[-1][0] - frames[0][0] < PASS_S:
            return None
        return self._calibrate(frames, t)

    def _calibrate(self, samples: list[Sample], t: float) -> Calibration:
        xys = np.stack([s[1] for s in samples])
        zs = np.stack([s[2] for s in samples])
        vis = np.stack([s[3] for s in samples])
        med = np.median(xys, axis=0)
        facing, near, scale = guess_orientation(med, np.median(zs, axis=0), vis.mean(axis=0))
        origin = (med[Landmark.LEFT_HIP] + med[Landmark.RIGHT_HIP]) / 2
        rest = to_body(med, origin, scale, facing)
        calib = Calibration(round(t * 1000), facing, near, scale, origin, rest, np.median(zs, axis=0) / scale,
                            samples[-1][0] - samples[0][0])
        self.reset()
        return calib
