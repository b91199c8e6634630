"""Floors on the newest held-out block of people with habits (issue 12): habits held-out v3, seeds
1030000+, 103 whole sets generated in memory (about three minutes), generated after the rules were
frozen on 2026-12-05 and measured once (samples/kinematic/README.md has the figures).

Most exercises miss the issue's goals here (reps exact on 95% of sets, F1 0.90 per check, one false
alarm per 30 correct reps). Where a goal is met the floor is the goal; where it is not, the floor is
the measured shortfall plus one set or rep, so that a worse rule still fails, and the reason is given.
"""

from __future__ import annotations

import pytest
from kinematic_sets import FAULTS, make_set, plans

from posecheck.evaluate import figures, score_labelled

# Sets per exercise whose count may be wrong: the goal (95% of 14-29 sets: 0-1) plus what was measured.
MISCOUNTED_MAX = {
    "back_extensions": 3,  # measured 2 of 17 (a small range and an abrupt end)
    "deep_abdominal": 1,  # measured 0 of 20
    "heels_stretch": 3,  # measured 2 of 29
    "knee_rolls": 16,  # measured 15 of 23: a roll of a third of the angle drops the knee inside rest noise
    "pelvic_tilts": 7,  # measured 6 of 14: half-range tilts move the hip angle inside its wobble (issue 14)
}
# Misses plus false alarms per check: one, as the goal allows at about ten faulty reps, or what was
# measured plus one where the check misses the goal.
WRONG_VERDICTS_MAX = {
    ("heels_stretch", "back_overarched"): 5,  # 4 missed: the back's line proxy (no outline) sees a sag
    # only when the hips and shoulders move
    ("heels_stretch", "elbows_locked"): 3,  # 2 missed
    ("heels_stretch", "hands_under_shoulders"): 3,  # 2 missed: the start position passed without rest
    ("heels_stretch", "knees_under_hips"): 5,  # 4 missed: in a continuous rhythm the start position is
    # never still, and it is judged only when still
    ("knee_rolls", "alternate_sides"): 22,  # 7 missed, 14 false: sides misread on small rolls
    ("knee_rolls", "hold_too_short"): 14,  # 11 missed, 2 false: small rolls not counted at all
    ("knee_rolls", "knees_together"): 7,  # 6 missed: judged only once rolled 0.15 torso lengths
    ("pelvic_tilts", "hips_grounded"): 11,  # 5 missed, 5 false: bridges attributed to miscounted rocks
}
DEFAULT_WRONG_VERDICTS_MAX = 1
# Measured 21 false alarms on 674 correct reps (0.031); the goal is one per 30 (0.033).
FALSE_ALARMS_PER_CORRECT_REP_MAX = 1 / 30


@pytest.fixture(scope="module")
def habits_v3() -> dict:
    sets = (make_set(plan) for plan in plans("habits-heldout", per_kind=3, correct=8))
    return figures([score_labelled(s.labels, s.frames) for s in sets])


def test_the_block_is_the_newest_habits_block(habits_v3):
    assert len(habits_v3["items"]) == 103
    assert all(i["split"] == "habits-heldout" for i in habits_v3["items"])


@pytest.mark.parametrize("exercise", sorted(FAULTS))
def test_reps_counted_on_habit_sets_of_each_exercise(habits_v3, exercise):
    items = [i for i in habits_v3["items"] if i["exercise"] == exercise]
    off = [(i["reps_expected"], i["reps_detected"]) for i in items if i["reps_expected"] != i["reps_detected"]]
    assert len(off) <= MISCOUNTED_MAX[exercise], off


@pytest.mark.parametrize("exercise", sorted(FAULTS))
def test_every_check_on_habit_sets(habits_v3, exercise):
    per_check = habits_v3["exercises"][exercise]["per_check"]
    assert set(per_check) == set(FAULTS[exercise])
    wrong = {check: (c["fn"], c["fp"]) for check, c in per_check.items()
             if c["fn"] + c["fp"] > WRONG_VERDICTS_MAX.get((exercise, check), DEFAULT_WRONG_VERDICTS_MAX)}
    assert not wrong, wrong  # (missed, false alarms)


def test_habits_rarely_nag_and_no_set_is_silent(habits_v3):
    overall = habits_v3["overall"]
    assert overall["false_alarms_per_correct_rep"] <= FALSE_ALARMS_PER_CORRECT_REP_MAX
    assert overall["silent_sets"] == 0


def test_nothing_is_flagged_and_next_to_nothing_counted_while_getting_down_or_up(habits_v3):
    moves = habits_v3["overall"]["transitions"]
    assert moves["sets"] > 40  # about half the sets get down first and up at the end
    assert moves["faults"] == 0
    assert moves["reps_counted"] <= 2  # measured 1 of 18 reps begun inside those stretches
