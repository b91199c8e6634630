"""Heels stretch: rocks back are counted; the all-fours start position and the hold are checked."""

import pytest
from exercise_asserts import assert_counted_without_faults, assert_fault_found
from kinematic_sets import faults_by_rep, labelled

import exercise_rules.heels_stretch as heels_stretch


def test_correct_heels_stretches_are_counted_and_raise_no_fault():
    assert_counted_without_faults("heels_stretch", 1001)


@pytest.mark.parametrize("check", ["knees_under_hips", "hands_under_shoulders", "elbows_locked", "neck_long",
                                   "back_overarched", "hold_too_short"])
def test_start_position_and_hold_faults_are_flagged(check):
    assert_fault_found("heels_stretch", check, 1000, max_missed=1, max_false=1)


def test_sitting_on_the_heels_is_flagged_only_for_a_knee_problem():
    s = labelled("heels_stretch", "sitting_on_heels", 1000, max_reps=6)
    assert s.labels["profile"]["knee_problem"] is True
    assert_fault_found("heels_stretch", "sitting_on_heels", 1000)
    run = heels_stretch.run(knee_problem=False)
    events = [e for frame in s.frames for e in run.update(frame)]
    assert not any("sitting_on_heels" in c for c in faults_by_rep(tuple(events)).values())


def test_an_unknown_setting_is_a_clear_error():
    from posecheck.errors import PosecheckError
    from posecheck.exercise import ExerciseRun

    with pytest.raises(PosecheckError, match="knee_problem"):
        ExerciseRun(heels_stretch.EXERCISE, {"bad_knee": True})
