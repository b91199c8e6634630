"""Which way a rep went (posecheck.sides): read against the rep before it where the camera's lean can
put both ways on one side of zero."""

import math

from posecheck.evaluate import _detected_reps
from posecheck.events import Event, EventKind, rep_sides
from posecheck.exercise import summarize
from posecheck.live.guidance import SetSummary
from posecheck.live.routine import step
from posecheck.live.trainer import Trainer
from posecheck.recording import RecordingHeader
from posecheck.report.build import _rep_rows
from posecheck.session import SessionWriter
from posecheck.sides import SideRule, SideVote, went_towards

RULE = SideRule(apart=0.075, sure=0.25)


def test_the_first_rep_and_a_run_without_a_rule_go_by_the_sign():
    assert went_towards(0.02, None, RULE) is True
    assert went_towards(-0.02, None, RULE) is False
    assert went_towards(-0.02, (0.2, True), None) is False


def test_near_zero_a_reading_close_to_the_last_went_the_same_way_and_one_far_off_the_other():
    # A camera leaning every reading up by 0.1: a roll away reads +0.03, the next roll towards +0.17.
    assert went_towards(0.17, (0.03, False), RULE) is True
    assert went_towards(0.05, (0.03, False), RULE) is False  # the same way again, though positive
    assert went_towards(-0.05, (0.01, True), RULE) is True  # within `apart`: the sign does not decide


def test_far_from_zero_the_sign_decides():
    # Two deep rolls the same way can differ by more than `apart`; beyond `sure` the sign holds.
    assert went_towards(-0.34, (-0.47, False), RULE) is False
    assert went_towards(0.30, (0.05, True), RULE) is True


def test_a_vote_weighs_frames_by_how_far_the_rep_had_gone_and_reads_each_rep_against_the_last():
    vote = SideVote(RULE)
    assert vote.decide() is None  # nothing read: not guessed
    vote.add(0.2, 0.1)
    vote.add(0.0, 0.3)  # mostly a deep frame reading 0: the mean is 0.05
    assert vote.decide() is True
    vote.add(0.06, 1.0)  # within `apart` of 0.05: the same way
    assert vote.decide() is True
    vote.add(-0.04, 1.0)  # 0.10 off the last: the other way
    assert vote.decide() is False
    vote.add(0.5, 1.0)
    vote.clear()  # a dropped rep votes no more
    assert vote.decide() is None


def test_a_rep_whose_telling_part_was_hidden_throughout_goes_the_rules_hidden_way():
    hidden_away = SideRule(apart=RULE.apart, sure=RULE.sure, hidden_towards=False)
    vote = SideVote(hidden_away)
    vote.add(0.3, 1.0)
    assert vote.decide() is True
    vote.add(math.nan, 1.0)  # rolled, the far knee hidden in every frame
    assert vote.decide() is False
    vote.add(0.28, 1.0)  # read against the last rep that was read: the same way as it
    assert vote.decide() is True
    vote.add(math.nan, 1.0)
    vote.add(-0.3, 0.5)  # one frame that can tell outweighs any number that cannot
    assert vote.decide() is False
    assert SideVote(RULE).decide() is None
    unruled = SideVote(RULE)
    unruled.add(math.nan, 1.0)
    assert unruled.decide() is None  # no hidden way given: not guessed


def test_cues_that_set_two_reps_apart_decide_the_other_way_whatever_the_readings():
    # Far off the side view: four alternating rolls all read about -0.3 (beyond `sure`), but the knees
    # swing along the body one way and the other, 0.4 torso lengths apart.
    cued = SideRule(apart=RULE.apart, sure=RULE.sure, cues_apart=(0.3, 0.7))
    assert went_towards(-0.30, (-0.31, False), cued, cues_differ=True) is True
    assert went_towards(-0.30, (-0.31, False), cued) is False
    vote = SideVote(cued)
    ways = []
    for along in (0.2, -0.2, 0.2, -0.2):
        vote.add(-0.3, 1.0, (along, math.nan))  # depth not seen: that cue does not vote
        ways.append(vote.decide())
    assert ways == [False, True, False, True]
    vote.add(-0.24, 1.0, (-0.1, 0.0))  # 0.1 along the body from the last, 0.06 in reading: the same way
    assert vote.decide() is True
    vote.add(0.3, 0.0, (0.9, 0.0))  # a frame of no weight moves no cue
    vote.add(0.3, 1.0, (-0.1, 0.0))
    assert vote.decide() is True  # beyond `sure`, no cue apart: the sign


def test_the_second_rep_reads_the_first_again_when_they_went_different_ways():
    # A camera leaning every reading down by 0.12: a roll towards it reads -0.03 (its sign says away),
    # the roll away after it -0.17. The one reading higher went towards the camera.
    vote = SideVote(RULE)
    vote.add(-0.03, 1.0)
    assert vote.decide(1) is False and vote.read_again is None  # alone, the sign decides
    vote.add(-0.17, 1.0)
    assert vote.decide(2) is False and vote.read_again == 1  # lower than the first: away, so the first went towards
    vote.add(-0.02, 1.0)
    assert vote.decide(3) is True and vote.read_again is None  # read against the second, once only
    # Read right the first time, nothing is read again; nor once either reading is clear on its own.
    right = SideVote(RULE)
    right.add(0.03, 1.0)
    right.decide(1)
    right.add(-0.12, 1.0)
    assert right.decide(2) is False and right.read_again is None
    clear = SideVote(RULE)
    clear.add(-0.3, 1.0)
    clear.decide(1)
    clear.add(-0.15, 1.0)  # higher, but the first's -0.3 is beyond `sure`: it went away
    assert clear.decide(2) is True and clear.read_again is None


def test_a_side_read_again_reaches_every_count_of_the_set(tmp_path):
    def ev(kind: EventKind, t: int, rep: int, side: str | None = None) -> Event:
        return Event(kind, t, "knee_rolls", rep=rep, side=side, hold_ms=3000 if side else None)

    events = [ev(EventKind.REP_STARTED, 0, 1), ev(EventKind.REP_COMPLETED, 5000, 1, "left"),
              ev(EventKind.REP_STARTED, 6000, 2), ev(EventKind.SIDE_READ_AGAIN, 11000, 1, "right"),
              ev(EventKind.REP_COMPLETED, 11000, 2, "left")]
    assert rep_sides(events) == {1: "right", 2: "left"}
    assert summarize(events).by_side == {"right": 1, "left": 1}
    assert [r["side"] for r in _detected_reps(events)] == ["right", "left"]
    assert [r["side"] for r in _rep_rows(events, 0)] == ["right", "left"]
    assert SetSummary.of("Knee rolls", step("knee_rolls").targets, events, None).by_side == {"right": 1, "left": 1}
    trainer = Trainer([step("knee_rolls")], SessionWriter(tmp_path / "session"),
                      RecordingHeader(source="test camera", fps=15.0, image_size=(320, 240)),
                      instructions_s=0.0, setup_check=False)
    for e in events:
        trainer._on_event(e)
    assert trainer.counters.by_side == {"left": 1, "right": 1} and trainer.counters.reps == 2
