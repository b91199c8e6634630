"""Deep abdominal strengthening: paced holds are counted; whatever moves during a hold is flagged."""

from exercise_asserts import assert_counted_without_faults, assert_fault_found
from kinematic_sets import events_of, reps_of

import exercise_rules.deep_abdominal as deep_abdominal


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
