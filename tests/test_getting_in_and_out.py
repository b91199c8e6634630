"""People with habits (kinematic habit sets, dev seeds): walking in, getting down onto the mat and up
again count no rep and raise no fault; someone who never rests long still gets counted."""

from __future__ import annotations

import pytest
from kinematic_sets import SetPlan, make_set

import exercise_rules
from posecheck.evaluate import score_item, score_transitions
from tools.make_kinematic_samples import HABITS_DEV_SEED_BASE


def _first_habit_set(exercise: str, **wanted: object) -> SetPlan:
    """The first dev habit set of `exercise` whose habits match `wanted` (labels only: quick to find)."""
    for seed in range(HABITS_DEV_SEED_BASE, HABITS_DEV_SEED_BASE + 200):
        plan = SetPlan(exercise, "correct", seed, "habits-dev", 15.0, None, True)
        habits = make_set(plan, with_frames=False).labels["habits"]
        if all(habits.get(k) == v for k, v in wanted.items()):
            return plan
    raise LookupError(f"no {exercise} habit set with {wanted}")


def _score(plan: SetPlan) -> dict:
    s = make_set(plan)
    run = exercise_rules.get(plan.exercise).run(**s.labels["profile"])
    events = [e for f in s.frames for e in run.update(f)] + run.finish()
    return {**score_item(s.labels, events, [c.name for c in run.checks]),
            "moved": score_transitions(s.labels, events)}


@pytest.mark.parametrize("exercise", ["knee_rolls", "back_extensions", "heels_stretch", "deep_abdominal"])
def test_getting_down_and_up_counts_no_rep_and_raises_no_fault(exercise):
    # Deep abdominal holds are paced by the app, so they have no range of movement to vary.
    full = {} if exercise == "deep_abdominal" else {"range": "full"}
    scored = _score(_first_habit_set(exercise, get_in_out=True, **full))
    assert scored["moved"]["reps_counted"] == 0
    assert scored["moved"]["faults"] == 0
    assert scored["false_alarms"] == 0


@pytest.mark.parametrize("exercise", ["back_extensions", "heels_stretch"])
def test_a_person_who_rests_only_briefly_between_reps_is_counted(exercise):
    scored = _score(_first_habit_set(exercise, rests="brief", range="full"))
    assert scored["rep_exact"], (scored["reps_expected"], scored["reps_detected"])
