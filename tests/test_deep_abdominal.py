"""Deep abdominal strengthening: paced holds are counted; whatever moves during a hold is flagged."""

import json
from pathlib import Path

import numpy as np
from exercise_asserts import assert_counted_without_faults, assert_fault_found
from kinematic_sets import events_of, reps_of

import exercise_rules.deep_abdominal as deep_abdominal
from posecheck.calibration import CALIBRATION_S, Body, landmark_index

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "video"


def test_still_holds_are_counted_and_raise_no_fault():
    assert_counted_without_faults("deep_abdominal", 1001)


def test_the_pelvis_lifting_during_a_hold_is_flagged():
    assert_fault_found("deep_abdominal", "pelvis_still", 1000)


def test_legs_moving_during_a_hold_is_flagged():
    assert_fault_found("deep_abdominal", "legs_still", 1000)


def test_head_or_shoulders_tensing_is_flagged():
    assert_fault_found("deep_abdominal", "head_and_shoulders_relaxed", 1000)


def test_leaving_the_position_early_ends_the_hold_short():
    assert_fault_found("deep_abdominal", "hold_too_short", 1000)
    short = [r for r in reps_of(events_of("deep_abdominal", "hold_too_short", 1000, max_reps=5))
             if r.hold_ms is not None and r.hold_ms < deep_abdominal.HOLD_MIN_S * 1000]
    assert short


def test_holds_are_paced_within_five_to_ten_breaths():
    assert 5 <= deep_abdominal.BREATHS_PER_HOLD <= 10
    assert deep_abdominal.HOLD_S == deep_abdominal.BREATH_S * deep_abdominal.BREATHS_PER_HOLD


def _lying_body(knee_drops: tuple[float, float] = (0.0, 0.0)) -> Body:
    """A body lying knees-up in body coordinates (torso lengths), its knees `knee_drops` (near, far)
    below where the hold began."""
    rest = np.zeros((33, 2))
    for name, p in {"near_shoulder": (1.0, 0.05), "near_hip": (0.0, 0.0), "near_knee": (-0.45, 0.6),
                    "far_knee": (-0.45, 0.6), "near_ankle": (-0.8, 0.0)}.items():
        rest[landmark_index(name, "left")] = p
    now = rest.copy()
    for name, drop in zip(("near_knee", "far_knee"), knee_drops, strict=True):
        now[landmark_index(name, "left"), 1] -= drop
    return Body(now, np.ones(33, bool), np.zeros(33), "left", rest, 80.0, rest)


def test_knees_falling_to_a_side_are_flagged_as_the_legs_moving():
    # Both knees come down as they fall to a side, the lower one 5 cm (0.1 torso lengths).
    assert deep_abdominal.legs_moved(_lying_body((0.1, 0.06))) > deep_abdominal.LEGS_MOVE


def test_breathing_sized_leg_movements_are_not_nagged():
    # Still legs on MediaPipe's landmarks wander up to about 0.05 torso lengths over a hold.
    assert deep_abdominal.legs_moved(_lying_body((0.03, 0.02))) < deep_abdominal.LEGS_MOVE


def test_rendered_holds_follow_the_apps_breath_timer():
    """The rendered person holds when the app's timer says so: the app calibrates after CALIBRATION_S
    of stillness, then breathes in, holds and relaxes on its schedule."""
    labels = json.loads((SAMPLES / "deep_abdominal__correct__left__b1.json").read_text())
    cycle = deep_abdominal.PREPARE_S + deep_abdominal.HOLD_S + deep_abdominal.RELAX_S
    for k, rep in enumerate(labels["reps"]):
        start = CALIBRATION_S + deep_abdominal.PREPARE_S + k * cycle
        assert rep["start_ms"] == round(1000 * start)
        assert rep["end_ms"] == round(1000 * (start + deep_abdominal.HOLD_S))
        assert rep["hold_s"] == deep_abdominal.HOLD_S
