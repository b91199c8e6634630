"""Knee rolls: rolls are counted per side; shoulders, knees, feet, holds and alternation are checked."""

from exercise_asserts import assert_counted_without_faults, assert_fault_found

import exercise_rules.knee_rolls as knee_rolls


def test_correct_knee_rolls_raise_no_fault_and_are_counted_per_side():
    assert_counted_without_faults("knee_rolls", 1000)
    assert_counted_without_faults("knee_rolls", 1001)


def test_a_shoulder_lifting_during_knee_rolls_is_flagged():
    assert_fault_found("knee_rolls", "shoulders_on_floor", 1000)


def test_knees_coming_apart_in_the_roll_is_flagged():
    assert_fault_found("knee_rolls", "knees_together", 1001, max_missed=1)


def test_feet_leaving_the_floor_is_flagged():
    assert_fault_found("knee_rolls", "feet_on_floor", 1000)


def test_rolling_to_the_same_side_twice_is_flagged():
    assert_fault_found("knee_rolls", "alternate_sides", 1000)


def test_a_roll_not_held_for_a_breath_is_flagged():
    assert_fault_found("knee_rolls", "hold_too_short", 1001)


def test_knee_rolls_module_reads_like_the_sheet():
    assert knee_rolls.TARGETS.sides == ("left", "right")
    for check in knee_rolls.CHECKS:
        assert check.source in " ".join(knee_rolls.__doc__.split()), check.name
        assert check.cue and check.reason
