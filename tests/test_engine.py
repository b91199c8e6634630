"""The engine: same input same events, timers advance on empty frames, phases debounce, checks abstain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from kinematic_sets import SetPlan, events_of, labelled, make_set

import exercise_rules
from posecheck.events import EventKind
from posecheck.exercise import ExerciseRun
from posecheck.landmarks import PoseFrame
from posecheck.phases import Completed, HoldCounter, PacedHoldCounter, Phase, RockingCounter, Started


def test_the_same_recording_gives_the_same_events():
    s = labelled("knee_rolls", "correct", 1002, max_reps=3)
    runs = exercise_rules.get("knee_rolls").run(), exercise_rules.get("knee_rolls").run()
    first = [e.to_dict() for f in s.frames for e in runs[0].update(f)]
    second = [e.to_dict() for f in s.frames for e in runs[1].update(f)]
    assert first == second
    assert any(e["kind"] == "rep_completed" for e in first)


def test_frames_with_nobody_advance_the_clock_and_say_so():
    run = exercise_rules.get("back_extensions").run()
    events = [e for t in range(0, 2000, 66) for e in run.update(PoseFrame.empty(t, (1280, 720)))]
    assert [e.kind for e in events] == [EventKind.CANNOT_SEE_YOU]
    assert events[0].timestamp_ms >= 700


def test_a_pose_with_nothing_usable_says_cannot_see_you_and_nothing_else():
    run = exercise_rules.get("knee_rolls").run()
    nan = np.full((33, 3), np.nan)
    frames = [PoseFrame(t, (640, 480), nan, np.full(33, np.nan), np.full(33, np.nan), nan)
              for t in range(0, 4000, 66)]
    events = [e for f in frames for e in run.update(f)]
    assert [e.kind for e in events] == [EventKind.CANNOT_SEE_YOU]


def test_calibration_finds_the_side_facing_the_camera_and_the_head_direction():
    for seed in (1000, 1001, 1002, 1003):
        s = labelled("back_extensions", "correct", seed, max_reps=1)
        run = exercise_rules.get("back_extensions").run()
        for frame in s.frames:
            run.update(frame)
        assert run.calibration is not None
        assert run.calibration.near == s.labels["near_side"]
        assert (run.calibration.facing > 0) == (s.labels["facing"] == "right")


def test_a_wobbling_picture_calibrates_in_the_first_rest():
    # A dim picture at 30 fps: MediaPipe's points wobble by about a hundredth of a torso length from frame to
    # frame (smoothed; measured on a dim randomised render), which read as moving when stillness was judged
    # frame to frame: the baseline came in the first roll's hold, and that roll was lost.
    s = make_set(SetPlan("knee_rolls", "correct", 1002, "dev", 30.0, 2))
    rng = np.random.default_rng(3)
    first = s.frames[0]
    w, h = first.image_size
    torso = np.linalg.norm((first.image[[11, 12], :2].mean(0) - first.image[[23, 24], :2].mean(0)) * [w, h])
    noisy = [replace(f, image=f.image + np.c_[rng.normal(0, 0.03 * torso, (33, 2)) / [w, h], np.zeros(33)])
             if len(f.image) else f for f in s.frames]
    run = exercise_rules.get("knee_rolls").run(**s.labels["profile"])
    events = [e for f in noisy for e in run.update(f)]
    calibrated = next(e.timestamp_ms for e in events if e.kind is EventKind.CALIBRATED)
    assert calibrated < s.labels["reps"][0]["start_ms"]
    assert sum(e.kind is EventKind.REP_COMPLETED for e in events) == len(s.labels["reps"])


def test_a_jittering_signal_near_the_threshold_does_not_count_reps():
    counter = HoldCounter(enter=0.2, exit=0.1)
    rng = np.random.default_rng(0)
    out = [tr for i in range(300) for tr in counter.update(i / 15, 0.15 + rng.normal(0, 0.03))]
    assert not any(isinstance(tr, Completed) for tr in out)


def test_a_held_rep_is_counted_once_with_its_hold_time():
    counter = HoldCounter(enter=0.2, exit=0.1)
    signal = [0.0] * 15 + [0.5] * 60 + [0.0] * 30  # 4 s out at 15 fps
    out = [tr for i, s in enumerate(signal) for tr in counter.update(i / 15, s)]
    assert [type(tr) for tr in out] == [Started, Completed]
    assert out[1].hold_s == pytest.approx(4.0, abs=0.15)


def _ramp(a: float, b: float, n: int) -> list[float]:
    return list(np.linspace(a, b, n, endpoint=False))


def test_rolling_from_one_side_straight_to_the_other_is_two_reps_each_with_its_hold():
    # Continuous rhythm: out, held 3 s, back through the start without resting there, out again, held 3 s.
    signal = ([0.0] * 15 + _ramp(0.0, 0.5, 8) + [0.5] * 45 + _ramp(0.5, 0.04, 8) + _ramp(0.04, 0.5, 8)
              + [0.5] * 45 + _ramp(0.5, 0.0, 8) + [0.0] * 15)
    through = HoldCounter(enter=0.12, exit=0.06, through_share=0.35)
    out = [tr for i, s in enumerate(signal) for tr in through.update(i / 15, s)]
    assert [type(tr) for tr in out] == [Started, Completed, Started, Completed]
    assert [tr.hold_s for tr in out if isinstance(tr, Completed)] == [pytest.approx(3.0, abs=0.2)] * 2
    assert out[1].t == pytest.approx((15 + 8 + 45 + 8) / 15, abs=0.1)  # ended at the centre, where the next began
    # Without the rule, the same movement never rests below `exit` for long enough: one long rep.
    plain = HoldCounter(enter=0.12, exit=0.06)
    assert [type(tr) for i, s in enumerate(signal) for tr in plain.update(i / 15, s)] == [Started, Completed]


@pytest.mark.parametrize("dip", [[0.3] * 8, [0.05]], ids=["sags to 0.6 of the hold", "one glitched frame"])
def test_a_hold_that_dips_and_recovers_is_still_one_rep(dip):
    signal = [0.0] * 15 + _ramp(0.0, 0.5, 8) + [0.5] * 30 + dip + [0.5] * 30 + _ramp(0.5, 0.0, 8) + [0.0] * 15
    counter = HoldCounter(enter=0.12, exit=0.06, through_share=0.35)
    out = [tr for i, s in enumerate(signal) for tr in counter.update(i / 15, s)]
    assert [type(tr) for tr in out] == [Started, Completed]


def _transitions(counter: HoldCounter, signal: list[float | None], in_start: bool | None = None
                 ) -> list[Started | Completed]:
    return [tr for i, s in enumerate(signal) for tr in counter.update(i / 15, s, in_start)]


def _counted(counter: HoldCounter, signal: list[float | None]) -> list[type]:
    return [type(tr) for tr in _transitions(counter, signal)]


def test_a_stiff_push_back_through_the_start_in_one_rhythm_is_two_reps():
    # Habits v17 1170013 (back extensions): pushes of 0.16 coming back to 0.04 for a second between holds,
    # never resting under `exit`.
    held = _ramp(0.0, 0.16, 15) + [0.16] * 105
    signal = [0.0] * 15 + held + _ramp(0.16, 0.045, 12) + [0.045] * 15 + held[5:] + _ramp(0.16, 0.0, 15) + [0.0] * 15
    back = exercise_rules.get("back_extensions").EXERCISE.counter
    assert _counted(back(), signal) == [Started, Completed, Started, Completed]
    assert _counted(HoldCounter(enter=0.08, exit=0.04), signal) == [Started, Completed]
    # A dip on the way up, before any hold (habits v17 1170006, a pause mid-push), starts no rep of its own.
    dip = [0.0] * 15 + _ramp(0.0, 0.11, 8) + [0.11] * 3 + [0.03] * 2 + _ramp(0.03, 0.16, 15) + [0.16] * 105 \
        + _ramp(0.16, 0.0, 15) + [0.0] * 15
    assert _counted(back(), dip) == [Started, Completed]


def test_one_misread_frame_on_the_way_down_is_no_low_to_rise_from():
    # Habits v23 1230006 (back extensions, fast and continuous): down from 0.27 through 0.21, one frame at
    # 0.005, then 0.08-0.095 for 0.3 s on the way on down to the start. Read from that frame, the 0.08s were
    # a rise out of a pass through the start: a rep split off its own way down.
    down = [0.24, 0.21, 0.005, 0.079, 0.092, 0.095, 0.093, 0.082, 0.076, 0.055, 0.044, 0.03, 0.028, 0.027, 0.028]
    signal = [0.0] * 15 + _ramp(0.0, 0.27, 8) + [0.27] * 120 + down + _ramp(0.05, 0.27, 8) + [0.27] * 120 \
        + _ramp(0.27, 0.0, 8) + [0.0] * 15
    back = exercise_rules.get("back_extensions").EXERCISE.counter
    assert _counted(back(), signal) == [Started, Completed] * 2


def test_a_baseline_taken_in_the_hold_ends_the_first_rep_when_the_body_comes_down_from_it():
    # Habits v23 1230011 (back extensions, brief rests): pushed up at 0.6 s, calibrated still in the hold at
    # 2.3 s, down at 9.3 s to -0.21 of it and straight up into the next push.
    held, down = [0.0] * 105, [-0.06, -0.21, -0.23, -0.18, -0.13]
    signal = held + down + _ramp(0.02, 0.2, 6) + [0.2] * 90 + _ramp(0.2, 0.0, 8) + [0.0] * 15
    back = exercise_rules.get("back_extensions").EXERCISE.counter
    out = _transitions(back(), signal)
    assert [type(tr) for tr in out] == [Started, Completed] * 2
    first = out[1]
    assert isinstance(first, Completed) and first.started == 0.0 and first.hold_s is None
    assert 7.0 < first.t < 7.5  # where it came down, not where the next push began
    assert _counted(HoldCounter(enter=0.08, exit=0.04), signal) == [Started, Completed]
    # Coming down out of the start position (lying flat) is no rep; nor is a drop after a first rep seen.
    assert _transitions(back(), held + [-0.3] * 30, in_start=False) == []
    after_a_rep = [0.0] * 15 + _ramp(0.0, 0.2, 6) + [0.2] * 90 + _ramp(0.2, 0.0, 8) + [0.0] * 15 + [-0.2] * 30
    assert [type(tr) for tr in _transitions(back(), after_a_rep)] == [Started, Completed]


def test_after_a_pause_the_baseline_stands_and_is_never_read_as_a_hold():
    run = exercise_rules.get("back_extensions").run(live=True)
    assert run.seen_counter.may_start_held  # a new set: its baseline may yet be a hold
    run.pause()
    counter = run.seen_counter
    assert not counter.may_start_held
    assert _transitions(counter, [0.0] * 30 + [-0.2] * 30) == []


def test_frames_replayed_from_below_the_baseline_are_the_way_up_not_a_rep_ending():
    # Habits v17 1170000: calibrated after a short rest, in the hold; the frames replayed from before it read
    # below the baseline (the person still down, then pushing up into it): no rep ended there.
    back = exercise_rules.get("back_extensions").EXERCISE.counter
    assert _transitions(back(), [-0.2] * 10 + _ramp(-0.2, 0.0, 8)) == []


@pytest.mark.parametrize(("misread", "split_unguarded"), [
    ([0.18, -0.37, 0.10, 0.13, 0.11, 0.10, 0.09, 0.07, 0.06], False),
    ([0.22, 0.2, 0.19, -0.15, -0.05, 0.07, 0.11, 0.13, 0.12, 0.1, 0.07], True),
], ids=["one frame (v18 1180009)", "two frames (v19 1190006)"])
def test_misread_frames_on_the_way_down_are_no_pass_through_the_start(misread, split_unguarded):
    signal = [0.0] * 15 + _ramp(0.0, 0.24, 15) + [0.24] * 120 + misread + _ramp(0.06, 0.0, 5) + [0.0] * 30
    back = exercise_rules.get("back_extensions").EXERCISE.counter
    assert _counted(back(), signal) == [Started, Completed]
    # Two frames pass the half-way guard every through rule has; only the time under the share stops them.
    unguarded = HoldCounter(enter=0.08, exit=0.04, through_share=0.35, through_after_s=1.0)
    assert _counted(unguarded, signal) == ([Started, Completed] * (2 if split_unguarded else 1))


def test_a_rep_last_seen_on_its_way_back_ended_in_the_gap_after_it():
    # Habits v17 1170014 (heels stretch): coming back from a hold, the arms go out of view for 2.4 s; seen
    # again, the person is rocked back in the next hold. The return and the next start happened unseen.
    held = _ramp(0.0, 0.32, 8) + [0.32] * 45
    signal = [0.0] * 15 + held + [0.30, 0.25, 0.16, 0.09] + [None] * 36 + [0.26] * 45 + _ramp(0.3, 0.0, 8) \
        + [0.0] * 15
    assert _counted(HoldCounter(enter=0.12, exit=0.06), signal) == [Started, Completed, Started, Completed]


@pytest.mark.parametrize(("after", "reps"), [(_ramp(0.08, 0.36, 12), 2), ([0.42] * 12, 1)],
                         ids=["seen at the start after it", "seen back in the hold"])
def test_a_rep_on_its_way_back_before_a_gap_and_at_the_start_after_it_ended_in_the_gap(after, reps):
    # Habits v21 1210000 (heels stretch): the way back eases from 0.42 to 0.30 (not yet under 0.6 of the
    # peak), 2.5 s unseen, then 0.08 and rising into the next hold. Seen in the same hold after the gap
    # instead, as when MediaPipe's last readings drift while it loses a person, it is one rep.
    held = _ramp(0.0, 0.42, 8) + [0.42] * 45
    way_back = [0.41, 0.40, 0.38, 0.36, 0.34, 0.31, 0.30]
    signal = [0.0] * 15 + held + way_back + [None] * 37 + after + [after[-1]] * 45 + _ramp(after[-1], 0.0, 8) \
        + [0.0] * 15
    heels = exercise_rules.get("heels_stretch").EXERCISE.counter
    assert _counted(heels(), signal) == [Started, Completed] * reps


@pytest.mark.parametrize(("gap", "reps"), [(24, 2), (12, 1)], ids=["gap of 1.6 s", "gap of 0.8 s"])
def test_a_rep_last_seen_in_its_hold_and_seen_at_rest_after_a_gap_ended_in_the_gap(gap, reps):
    # Habits v22 1220009 (heels stretch): last seen in the hold at 0.73, 1.6 s unseen, then 0.01, 0.08, 0.28
    # and on into the next hold: the rest is seen for less than it takes to settle. Under a second unseen,
    # nobody goes back and out again: the low reading is one misread frame, and the hold goes on.
    after = [0.01, 0.08, 0.28, 0.45, 0.6] + [0.73] * 45 + _ramp(0.73, 0.0, 8) + [0.0] * 15
    signal = [0.0] * 15 + _ramp(0.0, 0.73, 8) + [0.73] * 45 + [None] * gap + after
    heels = exercise_rules.get("heels_stretch").EXERCISE.counter
    assert _counted(heels(), signal) == [Started, Completed] * reps


@pytest.mark.parametrize("hold, before, gap", [(0.25, [0.24, 0.15], 30), (0.63, [0.52, 0.30], 20),
                                                (0.32, [0.30, 0.25, 0.16, 0.09], 12)],
                         ids=["MediaPipe losing the person", "a hand to the face", "too short a gap"])
def test_a_hold_lost_for_a_moment_is_still_one_rep(hold, before, gap):
    # MediaPipe's last reading as it loses a person jumps (habits v16 1160007: 0.25, 0.24, 0.15, then 2 s
    # unseen, back in the same hold), so does the reading as a hand goes to the face mid-hold (v18 1180015);
    # and under a second nobody comes back and goes out again.
    signal = [0.0] * 15 + _ramp(0.0, hold, 8) + [hold] * 45 + before + [None] * gap + [hold] * 45 \
        + _ramp(hold, 0.0, 8) + [0.0] * 15
    assert _counted(HoldCounter(enter=0.12, exit=0.06), signal) == [Started, Completed]


def test_out_and_back_quicker_than_a_rep_is_no_rep():
    # A leg misread for half a second (the knee jumping down and back) before a real roll: one rep, from
    # the real roll's start, and nothing said about the glitch.
    glitch = [0.0] * 15 + [0.4] * 8 + [0.0] * 15
    roll = _ramp(0.0, 0.5, 8) + [0.5] * 45 + _ramp(0.5, 0.0, 8) + [0.0] * 15
    counter = HoldCounter(enter=0.12, exit=0.06, through_share=0.35, min_rep_s=1.0)
    out = [tr for i, s in enumerate(glitch + roll) for tr in counter.update(i / 15, s)]
    assert [type(tr) for tr in out] == [Started, Completed]
    assert out[0].t > len(glitch) / 15
    # The same glitch counts as a rep without the minimum.
    plain = HoldCounter(enter=0.12, exit=0.06, through_share=0.35)
    assert sum(isinstance(tr, Completed) for i, s in enumerate(glitch + roll) for tr in plain.update(i / 15, s)) == 2


def test_a_short_spike_before_the_roll_does_not_split_it():
    # The knee jumps to 0.6 for 4 frames as the roll begins, falls back to the roll's true 0.15, then the
    # roll deepens: one rep. Without the minimum the spike's drop reads as a pass through the start.
    signal = [0.0] * 15 + [0.35, 0.6, 0.45, 0.3] + [0.15] * 8 + _ramp(0.15, 0.5, 10) + [0.5] * 45 \
        + _ramp(0.5, 0.0, 8) + [0.0] * 15
    counter = HoldCounter(enter=0.12, exit=0.06, through_share=0.35, min_rep_s=1.0)
    assert [type(tr) for i, s in enumerate(signal) for tr in counter.update(i / 15, s)] == [Started, Completed]
    plain = HoldCounter(enter=0.12, exit=0.06, through_share=0.35)
    assert sum(isinstance(tr, Completed) for i, s in enumerate(signal) for tr in plain.update(i / 15, s)) == 2


def test_rolling_straight_to_the_other_side_still_splits_with_a_minimum():
    signal = ([0.0] * 15 + _ramp(0.0, 0.5, 8) + [0.5] * 45 + _ramp(0.5, 0.04, 8) + _ramp(0.04, 0.5, 8)
              + [0.5] * 45 + _ramp(0.5, 0.0, 8) + [0.0] * 15)
    counter = HoldCounter(enter=0.12, exit=0.06, through_share=0.35, min_rep_s=1.0)
    out = [tr for i, s in enumerate(signal) for tr in counter.update(i / 15, s)]
    assert [type(tr) for tr in out] == [Started, Completed, Started, Completed]
    assert out[2].t == pytest.approx(out[1].t)  # the second began where the first ended, told a second later


def test_a_hold_whose_end_was_not_seen_has_no_length():
    counter = HoldCounter(enter=0.2, exit=0.1)
    signal = [0.0] * 15 + [0.5] * 30 + [None] * 30 + [0.0] * 30
    out = [tr for i, s in enumerate(signal) for tr in counter.update(i / 15, s)]
    assert isinstance(out[-1], Completed) and out[-1].hold_s is None


def test_a_rep_whose_return_was_unseen_is_closed_where_it_was_last_seen():
    # Going back down and the next rep's start both fell in a gap in the landmarks: two reps, not one.
    c = HoldCounter(enter=0.12, exit=0.05)
    signal = [0.0] * 10 + [0.3] * 45 + [0.2, 0.1] + [None] * 15 + [0.1, 0.2] + [0.3] * 45 + [0.0] * 10
    out = [tr for i, v in enumerate(signal) for tr in c.update(i / 15, v)]
    done = [tr for tr in out if isinstance(tr, Completed)]
    assert [type(tr) for tr in out] == [Started, Completed, Started, Completed]
    assert done[0].t == pytest.approx(56 / 15)  # the last frame seen before the gap
    assert done[0].hold_s == pytest.approx(44 / 15)


def test_a_rock_counts_only_after_both_ends_are_reached():
    counter = RockingCounter(level=1.0, release=0.3)
    half = [0.0, -1.5, -1.5, -1.5, -1.5, 0.0, 0.0, 0.0]  # flatten and back: not a rep
    full = [-1.5] * 4 + [1.5] * 4 + [0.0] * 4
    out = [tr for i, s in enumerate(half + full) for tr in counter.update(i / 10, s)]
    assert sum(isinstance(tr, Completed) for tr in out) == 1


def test_paced_holds_wait_for_the_start_position_and_end_early_when_left():
    counter = PacedHoldCounter(prepare_s=2, hold_s=10, relax_s=2)
    out = []
    for i in range(60):  # 6 s out of position: no hold starts
        out += counter.update(i / 10, 0.0, in_start=False)
    assert out == [] and counter.phase is Phase.REST
    for i in range(60, 200):  # in position from 6 s; leaves at 12 s
        out += counter.update(i / 10, 0.0, in_start=i < 120)
    assert isinstance(out[0], Started) and out[0].t == pytest.approx(8.0)
    assert isinstance(out[1], Completed) and out[1].hold_s == pytest.approx(4.0, abs=0.15)


def test_a_paced_hold_is_not_cut_by_a_moment_out_of_position_and_then_out_of_sight():
    # A dim picture: MediaPipe misreads one moment (out of the start position), then loses the person for
    # 1.5 s. Nobody was seen leaving, so the hold runs on; a hold cut there was called too short.
    counter = PacedHoldCounter(prepare_s=2, hold_s=10, relax_s=2)
    out = []
    for i in range(200):
        t = i / 10
        in_start = False if 60 <= i < 62 else None if 62 <= i < 77 else True
        out += counter.update(t, 0.0, in_start=in_start)
    assert isinstance(out[0], Started) and out[0].t == pytest.approx(2.0, abs=0.15)
    done = [tr for tr in out if isinstance(tr, Completed)]
    assert done and done[0].hold_s == pytest.approx(10.0, abs=0.15)


def test_a_check_whose_landmarks_are_hidden_abstains_instead_of_passing():
    s = labelled("heels_stretch", "correct", 1000, max_reps=2)
    run = exercise_rules.get("heels_stretch").run()
    events = []
    for f in s.frames:
        if run.calibration is not None:
            vis = f.visibility.copy()
            vis[[7, 8]] = 0.1  # both ears hidden: the neck cannot be judged
            f = PoseFrame(f.timestamp_ms, f.image_size, f.image, vis, f.presence, f.world) if f.has_pose else f
        events += run.update(f)
    abstained = {(e.rep, e.check) for e in events if e.kind is EventKind.ABSTAINED}
    reps = [e.rep for e in events if e.kind is EventKind.REP_COMPLETED]
    assert reps and all((n, "neck_long") in abstained for n in reps)
    assert not any(e.kind is EventKind.FAULT and e.check == "neck_long" for e in events)


def test_every_exercise_is_found_by_name_and_declares_its_checks():
    from posecheck.errors import PosecheckError

    for name in exercise_rules.NAMES:
        module = exercise_rules.get(name)
        assert name == module.NAME and module.CHECKS and module.TARGETS.reps_min >= 1
        assert module.run().update(PoseFrame.empty(0, (640, 480))) == []
    with pytest.raises(PosecheckError, match="choose one of"):
        exercise_rules.get("sit_ups")


def test_events_include_rep_side_and_hold():
    events = events_of("knee_rolls", "correct", 1000, max_reps=6)
    done = [e for e in events if e.kind is EventKind.REP_COMPLETED]
    assert {e.side for e in done} == {"left", "right"}
    assert all(e.hold_ms is None or e.hold_ms > 0 for e in done)


def _heels_with_arm_reading(reading: Callable[[int], float]) -> list:
    """A correct heels-stretch set whose hands-under-shoulders check reads `reading(k)` on the k-th frame
    it judges in each rest, instead of the landmarks."""
    exercise = exercise_rules.get("heels_stretch").EXERCISE
    judged: dict[int, int] = {}

    def measure(body: object) -> float:
        k = judged.get(run.rep_number, 0)
        judged[run.rep_number] = k + 1
        return reading(k)

    check = replace(exercise.check("hands_under_shoulders"), measure=measure)
    run = ExerciseRun(replace(exercise, checks=(check,)))
    events = []
    for f in labelled("heels_stretch", "correct", 1000).frames:
        events += run.update(f)
    return events


def test_a_reading_held_over_the_limit_is_flagged_once_per_rep_and_before_the_rep_starts():
    from exercise_rules.heels_stretch import ARM_TILT_MAX

    events = _heels_with_arm_reading(lambda k: ARM_TILT_MAX + 1)
    started = {e.rep: e.timestamp_ms for e in events if e.kind is EventKind.REP_STARTED}
    faults = [e for e in events if e.kind is EventKind.FAULT and e.rep in started]  # not the rest after the set
    assert len(started) >= 8 and sorted(e.rep for e in faults) == sorted(started)
    assert all(e.timestamp_ms <= started[e.rep] and e.value == pytest.approx(ARM_TILT_MAX + 1) for e in faults)


def test_a_reading_over_the_limit_for_less_than_its_duration_is_not_flagged():
    from exercise_rules.heels_stretch import ARM_TILT_MAX, START_FAULT_S

    frames = round(START_FAULT_S * 15) - 2  # 15 fps: over the limit for less than START_FAULT_S, once per rest
    events = _heels_with_arm_reading(lambda k: ARM_TILT_MAX + 5 if 4 <= k < 4 + frames else 2.0)
    assert any(e.kind is EventKind.REP_STARTED for e in events)
    assert not [e for e in events if e.kind is EventKind.FAULT]
