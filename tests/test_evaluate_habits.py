"""Floors on a block of people with habits (issue 12): habits held-out v4, seeds 1040000+, 103 whole sets
generated in memory (about three minutes), generated after the rules were frozen on 2026-12-05 and
measured once; then measured again after the seventh round (the reminders), which it was not tuned on,
so it is dev now. The newer blocks, habits v5 (1050000+), v6 (1060000+) and v7 (1070000+, `--split
habits-heldout`), were each measured once at the seventh, eighth and ninth rounds' rules; their figures are in
samples/kinematic/README.md.
The floors stay where v4 set them: setting them from a later block would copy that measurement into the test.

Most exercises miss the issue's goals here (reps exact on 95% of sets, F1 0.90 per check, one false
alarm per 30 correct reps). Where a goal is met the floor is the goal; where it is not, the floor is
the measured shortfall plus one set or rep, so that a worse rule still fails, and the reason is given.
"""

from __future__ import annotations

import pytest
from kinematic_sets import FAULTS, judged_faults, make_set, plans, reminded_faults

from posecheck.evaluate import figures, score_labelled
from tools.make_kinematic_samples import HABITS_HELDOUT_V4_SEED_BASE

# Sets per exercise whose count may be wrong: the goal (95% of 14-29 sets: 0-1) or what was measured plus one.
MISCOUNTED_MAX = {
    "back_extensions": 1,  # measured 1 of 17
    "deep_abdominal": 1,  # measured 0 of 20
    "heels_stretch": 1,  # measured 1 of 29
    "knee_rolls": 8,  # measured 7 of 23: a roll of a third of the angle drops the knee inside rest noise
    "pelvic_tilts": 8,  # measured 7 of 14: half-range tilts move the hip angle inside its wobble (issue 14)
}
# Misses plus false alarms per check: one, as the goal allows at about ten faulty reps, or what was
# measured plus one where the check misses the goal.
WRONG_VERDICTS_MAX = {
    ("knee_rolls", "alternate_sides"): 14,  # 7 missed, 6 false: sides misread on small rolls
    ("knee_rolls", "feet_on_floor"): 3,  # 2 missed
    ("knee_rolls", "hold_too_short"): 6,  # 5 false: small rolls' holds cut
    ("knee_rolls", "knees_together"): 5,  # 2 missed, 2 false: judged only once rolled 0.15 torso lengths
    ("knee_rolls", "shoulders_on_floor"): 6,  # 4 missed, 1 false
}
DEFAULT_WRONG_VERDICTS_MAX = 1
# Measured 23 false alarms on 672 correct reps (0.034: the goal is one per 30, 0.033); one more allowed.
FALSE_ALARMS_PER_CORRECT_REP_MAX = 24 / 672


@pytest.fixture(scope="module")
def habits_v4() -> dict:
    sets = (make_set(plan) for plan in plans("habits-heldout", per_kind=3, correct=8,
                                                 seed_base=HABITS_HELDOUT_V4_SEED_BASE))
    return figures([score_labelled(s.labels, s.frames) for s in sets])


def test_the_block_is_habits_v4(habits_v4):
    assert len(habits_v4["items"]) == 103
    assert all(i["split"] == "habits-heldout" for i in habits_v4["items"])


@pytest.mark.parametrize("exercise", sorted(FAULTS))
def test_reps_counted_on_habit_sets_of_each_exercise(habits_v4, exercise):
    items = [i for i in habits_v4["items"] if i["exercise"] == exercise]
    off = [(i["reps_expected"], i["reps_detected"]) for i in items if i["reps_expected"] != i["reps_detected"]]
    assert len(off) <= MISCOUNTED_MAX[exercise], off


@pytest.mark.parametrize("exercise", sorted(FAULTS))
def test_every_check_on_habit_sets(habits_v4, exercise):
    per_check = habits_v4["exercises"][exercise]["per_check"]
    assert set(per_check) == judged_faults(exercise)
    # Reminders are left out of the scores and said to be: their labelled faulty reps are counted apart.
    reminded = habits_v4["exercises"][exercise].get("reminders", {})
    assert set(reminded) == reminded_faults(exercise) and all(n > 0 for n in reminded.values())
    wrong = {check: (c["fn"], c["fp"]) for check, c in per_check.items()
             if c["fn"] + c["fp"] > WRONG_VERDICTS_MAX.get((exercise, check), DEFAULT_WRONG_VERDICTS_MAX)}
    assert not wrong, wrong  # (missed, false alarms)


def test_habits_rarely_nag_and_no_set_is_silent(habits_v4):
    overall = habits_v4["overall"]
    assert overall["false_alarms_per_correct_rep"] <= FALSE_ALARMS_PER_CORRECT_REP_MAX
    assert overall["silent_sets"] == 0


def test_nothing_is_flagged_and_next_to_nothing_counted_while_getting_down_or_up(habits_v4):
    moves = habits_v4["overall"]["transitions"]
    assert moves["sets"] > 40  # about half the sets get down first and up at the end
    assert moves["faults"] == 0
    assert moves["reps_counted"] <= 1  # measured 0 of 13 reps begun inside those stretches
