"""Never silent: calibration from the brief rests real people take, a cue when there is no rest at all,
a reason for every set that ends with no rep, and paced holds that survive someone sitting up."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from kinematic_sets import labelled

import exercise_rules
from posecheck.calibration import BRIEF_REST_S, CALIBRATION_S, WAITED_S
from posecheck.events import EventKind
from posecheck.landmarks import PoseFrame
from posecheck.phases import PacedHoldCounter, Phase, Started

FPS = 15


def _still_frame() -> PoseFrame:
    """A kinematic person lying in the knee-rolls start position, at rest (the set's first frame)."""
    s = labelled("knee_rolls", "correct", 1002, max_reps=1)
    return next(f for f in s.frames if f.has_pose)


def _moved(frame: PoseFrame, t_s: float, shift: float) -> PoseFrame:
    """The same pose at `t_s`, slid along the mat by `shift` (image widths): still in the start position."""
    image = frame.image.copy()
    image[:, 0] += shift
    return replace(frame, timestamp_ms=round(t_s * 1000), image=image)


def _fidgeting_then_resting(moving_s: float, rest_s: float, period_s: float = 2.0) -> list[PoseFrame]:
    """Rocking along the mat without a pause (about 0.6 torso lengths a second), then lying still."""
    base = _still_frame()
    frames = []
    n_moving, n_rest = round(moving_s * FPS), round(rest_s * FPS)
    for i in range(n_moving + n_rest):
        t = i / FPS
        phase = min(t, moving_s)
        frames.append(_moved(base, t, 0.03 * np.sin(2 * np.pi * phase / period_s)))
    return frames


def _events(frames: list[PoseFrame], exercise: str = "knee_rolls"):
    run = exercise_rules.get(exercise).run()
    events = [e for f in frames for e in run.update(f)]
    return run, events + run.finish()


def test_a_person_who_begins_still_calibrates_after_the_usual_second():
    _run, events = _events(_fidgeting_then_resting(0.0, 3.0))
    calibrated = [e for e in events if e.kind is EventKind.CALIBRATED]
    assert len(calibrated) == 1
    assert calibrated[0].timestamp_ms / 1000 >= CALIBRATION_S


def test_a_brief_rest_calibrates_someone_who_has_been_moving_in_the_start_position():
    # Moving for longer than WAITED_S, then a rest shorter than a full calibration but longer than a brief one.
    rest = (BRIEF_REST_S + CALIBRATION_S) / 2
    run, events = _events(_fidgeting_then_resting(WAITED_S + 1.0, rest))
    assert run.calibration is not None
    calibrated = next(e for e in events if e.kind is EventKind.CALIBRATED)
    assert calibrated.timestamp_ms / 1000 <= WAITED_S + 1.0 + rest


def test_the_same_short_rest_at_the_very_start_is_not_enough():
    # A still moment before WAITED_S in the start position is not taken: someone settling in moves again.
    rest = (BRIEF_REST_S + CALIBRATION_S) / 2
    frames = _fidgeting_then_resting(0.0, rest)
    frames += [replace(f, timestamp_ms=f.timestamp_ms + frames[-1].timestamp_ms + 67)
               for f in _fidgeting_then_resting(1.0, 0.0)]
    run, _ = _events(frames)
    assert run.calibration is None


def test_moving_all_the_time_in_the_start_position_is_asked_to_hold_still_and_told_why_at_the_end():
    run, events = _events(_fidgeting_then_resting(20.0, 0.0, period_s=0.8))
    assert run.calibration is None
    waiting = [e for e in events if e.kind is EventKind.WAITING]
    assert waiting and all(e.cue for e in waiting)
    assert 2 <= len(waiting) <= 3  # at 3.5 s, then every 10 s: a reminder, not a nag
    nothing = [e for e in events if e.kind is EventKind.NOTHING_COUNTED]
    assert len(nothing) == 1 and "still" in (nothing[0].detail or "")


def test_a_set_with_nobody_in_it_says_so_at_the_end():
    run = exercise_rules.get("pelvic_tilts").run()
    for t in range(0, 3000, 66):
        run.update(PoseFrame.empty(t, (640, 480)))
    (last,) = run.finish()
    assert last.kind is EventKind.NOTHING_COUNTED and "no person" in (last.detail or "")
    assert run.finish() == []  # said once


def test_a_set_with_reps_ends_without_an_excuse():
    s = labelled("knee_rolls", "correct", 1002, max_reps=2)
    run = exercise_rules.get("knee_rolls").run()
    for f in s.frames:
        run.update(f)
    assert run.reps and run.finish() == []


def test_paced_breathing_in_pauses_while_the_person_sits_up_briefly():
    counter = PacedHoldCounter(prepare_s=4.0, hold_s=10.0, relax_s=2.0, prepare_reset_s=3.0)
    out = []
    # 2 s lying, 1.5 s sat up (a sit-up), 2 s lying: 4 s of breathing in all told, the hold begins.
    for i in range(0, 70):
        t = i / 10
        out += counter.update(t, 0.0, in_start=not (2.0 <= t < 3.5))
    # Counted from frame to frame in the start position: 1.9 s before the sit-up, the other 2.1 s after it.
    assert [type(tr) for tr in out] == [Started] and 5.5 <= out[0].t <= 5.7
    assert counter.phase is Phase.OUT


def test_paced_breathing_in_starts_again_after_a_long_departure():
    counter = PacedHoldCounter(prepare_s=4.0, hold_s=10.0, relax_s=2.0, prepare_reset_s=3.0)
    out = []
    for i in range(0, 130):
        t = i / 10
        out += counter.update(t, 0.0, in_start=not (3.0 <= t < 7.0))  # 3 s in, 4 s away, then back
    assert len(out) == 1 and out[0].t >= 7.0 + 4.0 - 0.15
