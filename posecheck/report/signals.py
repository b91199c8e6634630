"""Driving signals: one number per frame that shows an exercise's movement, for the report's plot.

By default the plot shows the signal the exercise's rules count reps on, replayed over the recorded
frames (same input, same signal). Where the rules count by a timer instead (deep abdominal holds), or
when asked for, a body angle from the landmarks is plotted: pluggable by name or callable, resolved
through `SIGNALS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from posecheck.errors import PosecheckError
from posecheck.geometry import angle_at
from posecheck.landmarks import Landmark, PoseFrame

# Replaying the rules costs about 0.1 ms a frame. A set of this routine lasts a few minutes; beyond
# 5 minutes at 30 fps the plot falls back to a body angle so that the report stays quick.
REPLAY_MAX_FRAMES = 9000
MIN_VISIBILITY = 0.5  # below this MediaPipe's landmark is a guess: no signal value rather than a wrong one

# (shoulder, hip, knee, ankle) of each side.
_SIDE_JOINTS: dict[str, tuple[Landmark, Landmark, Landmark, Landmark]] = {
    "left": (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    "right": (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
}


@dataclass(frozen=True)
class Signal:
    """A named per-frame measure: `measure(frame, side)` is a float, or NaN when it cannot be seen."""

    name: str
    label: str
    unit: str
    measure: Callable[[PoseFrame, str], float]


def _points(frame: PoseFrame, marks: Sequence[Landmark]) -> np.ndarray | None:
    if not frame.has_pose or any(frame.visibility[int(m)] < MIN_VISIBILITY for m in marks):
        return None
    return frame.xy[[int(m) for m in marks]]


def hip_angle(frame: PoseFrame, side: str) -> float:
    shoulder, hip, knee, _ = _SIDE_JOINTS[side]
    p = _points(frame, (shoulder, hip, knee))
    return float("nan") if p is None else angle_at(p[0], p[1], p[2])


def knee_angle(frame: PoseFrame, side: str) -> float:
    _, hip, knee, ankle = _SIDE_JOINTS[side]
    p = _points(frame, (hip, knee, ankle))
    return float("nan") if p is None else angle_at(p[0], p[1], p[2])


def trunk_angle(frame: PoseFrame, side: str) -> float:
    """How far the hip-to-shoulder line rises above the horizontal, in degrees."""
    shoulder, hip, _, _ = _SIDE_JOINTS[side]
    p = _points(frame, (shoulder, hip))
    if p is None:
        return float("nan")
    dx, dy = p[0] - p[1]
    return float(np.degrees(np.arctan2(-dy, abs(dx))))  # image y points down


def knee_height(frame: PoseFrame, side: str) -> float:
    """How high the knee is above the hip, in torso lengths (knee rolls lower it as the knees roll)."""
    shoulder, hip, knee, _ = _SIDE_JOINTS[side]
    p = _points(frame, (shoulder, hip, knee))
    if p is None:
        return float("nan")
    torso = float(np.linalg.norm(p[0] - p[1]))
    return float("nan") if torso == 0.0 else float((p[1][1] - p[2][1]) / torso)


SIGNALS: dict[str, Signal] = {
    s.name: s
    for s in (
        Signal("hip_angle", "Hip angle (shoulder-hip-knee)", "°", hip_angle),
        Signal("knee_angle", "Knee angle (hip-knee-ankle)", "°", knee_angle),
        Signal("trunk_angle", "Trunk lift above the floor (hip-shoulder line)", "°", trunk_angle),
        Signal("knee_height", "Knee height above the hip", "torso lengths", knee_height),
    )
}

# Which signal shows each exercise's movement best from a side view.
DEFAULT_SIGNALS: dict[str, str] = {
    "heels_stretch": "hip_angle",  # the hips fold as you lower back towards your heels
    "knee_rolls": "knee_height",  # the knees drop towards the floor as they roll to a side
    "back_extensions": "trunk_angle",  # the chest rises as you push up on your hands
    "deep_abdominal": "hip_angle",  # should stay still: a changing angle means moving the legs
    "pelvic_tilts": "hip_angle",  # the pelvis rocks, changing the hip angle a little
}


def resolve_signal(exercise: str, choice: str | Signal | Callable[[PoseFrame, str], float] | None) -> Signal:
    """The signal to plot: a `Signal`, a callable, a name from `SIGNALS`, or the exercise's default."""
    if isinstance(choice, Signal):
        return choice
    if callable(choice):
        name = getattr(choice, "__name__", "custom")
        return Signal(name, name.replace("_", " ").capitalize(), "", choice)
    name = choice or DEFAULT_SIGNALS.get(exercise, "hip_angle")
    if name not in SIGNALS:
        raise PosecheckError(f"unknown signal {name!r}; choose one of: {', '.join(SIGNALS)}")
    return SIGNALS[name]


def near_side(frames: Sequence[PoseFrame]) -> str:
    """The side facing the camera over the whole exercise: its shoulder, hip and knee are seen best."""
    totals = {side: 0.0 for side in _SIDE_JOINTS}
    for frame in frames:
        if frame.has_pose:
            for side, joints in _SIDE_JOINTS.items():
                totals[side] += float(sum(frame.visibility[int(j)] for j in joints[:3]))
    return max(totals, key=lambda side: totals[side])


def series(frames: Sequence[PoseFrame], signal: Signal, side: str) -> np.ndarray:
    """The signal's value for each frame (NaN where there is no pose or it is not visible)."""
    return np.array([signal.measure(f, side) if f.has_pose else np.nan for f in frames], dtype=float)


def rules_series(exercise: str, frames: Sequence[PoseFrame], profile: dict) -> tuple[np.ndarray, str, str] | None:
    """The movement the exercise's rules count reps on, per frame, its description and unit; None when the
    exercise is unknown or its rules measure no movement (a timer counts instead). The rules may count
    from the picture (pelvic tilts on video) or from the landmarks: the one they used is named."""
    import exercise_rules

    try:
        module = exercise_rules.get(exercise)
    except PosecheckError:
        return None
    settings = {k: v for k, v in (profile or {}).items() if k in module.EXERCISE.settings}
    run = module.run(**settings)
    values = np.full(len(frames), np.nan)
    landmarks = np.full(len(frames), np.nan)  # where the picture's counter also watched the landmarks'
    for i, frame in enumerate(frames):
        run.update(frame)
        if run.signal is not None:
            values[i] = run.signal
        if run.landmark_signal is not None:
            landmarks[i] = run.landmark_signal
    used = run.signal_source
    if used is module.EXERCISE.signal and np.isfinite(landmarks).any():
        values = landmarks  # the picture was too faint: the landmarks' count stood at the end
    if not np.isfinite(values).any():
        return None
    return values, used.__name__.replace("_", " ").capitalize(), signal_unit(used)


def signal_unit(signal: Callable) -> str:
    """The unit a movement signal says it is in (its docstring), or ''."""
    doc = signal.__doc__ or ""
    return "torso lengths" if "torso lengths" in doc else "°" if "degrees" in doc else ""
