"""Pelvic tilts: rocks are counted; a bridge is flagged; a lifted head is a reminder."""

import itertools

from exercise_asserts import assert_counted_without_faults, assert_fault_found, assert_reminded_not_judged


def test_correct_pelvic_tilts_are_counted_and_raise_no_fault():
    assert_counted_without_faults("pelvic_tilts", 1001)


def test_hips_lifting_into_a_bridge_is_flagged():
    assert_fault_found("pelvic_tilts", "hips_grounded", 1000)


def test_a_lifted_head_is_a_reminder_not_a_judgement():
    assert_reminded_not_judged("pelvic_tilts", "head_down", 1001)


# -- the rock counter, fed the angle at the hip (degrees, 15 frames a second) ----------------------
FPS = 15


def _hold(value: float | None, seconds: float) -> list[float | None]:
    return [value] * round(seconds * FPS)


def _ramp(a: float, b: float, seconds: float) -> list[float]:
    n = round(seconds * FPS)
    return [a + (b - a) * (i + 1) / n for i in range(n)]


def _rock(press: float, arch: float) -> list[float | None]:
    """From rest, the lower back pressed down (the angle closes), then the arch (it opens), then back."""
    return (_ramp(0, press, 0.8) + _hold(press, 0.3) + _ramp(press, arch, 1.0) + _hold(arch, 0.3)
            + _ramp(arch, 0, 0.8) + _hold(0.0, 0.5))


def _count(signal: list[float | None]) -> int:
    from exercise_rules.pelvic_tilts import EXERCISE
    from posecheck.phases import Completed

    counter = EXERCISE.counter()
    return sum(isinstance(tr, Completed) for i, s in enumerate(signal) for tr in counter.update(i / FPS, s))


def test_each_rock_of_the_pelvis_is_counted_once():
    assert _count(_hold(0.0, 2) + _rock(-6, 5) * 3 + _hold(0.0, 2)) == 3


def test_a_rock_with_a_press_too_small_to_see_still_counts_by_its_arch():
    assert _count(_hold(0.0, 2) + _rock(-6, 5) + _rock(-1.8, 6) + _rock(-6, 5) + _hold(0.0, 2)) == 3


def test_lying_still_with_a_glitch_and_a_wobble_is_not_a_rock():
    glitch = [*_hold(0.0, 2), -40.0, -25.0, *_hold(0.0, 2)]
    wobble = _ramp(0, -2.5, 1) + _ramp(-2.5, 2.5, 1.5) + _ramp(2.5, 0, 1)
    assert _count(glitch + wobble * 3 + _hold(0.0, 2)) == 0


def test_a_bridge_is_one_rock_even_when_its_top_wobbles():
    bridge = (_ramp(0, -6, 0.8) + _ramp(-6, 40, 1.0) + _hold(40, 0.4) + _ramp(40, 28, 0.3)
              + _ramp(28, 40, 0.3) + _hold(40, 0.3) + _ramp(40, 0, 0.8) + _hold(0.0, 0.5))
    assert _count(_hold(0.0, 2) + _rock(-6, 5) + bridge + _rock(-6, 5) + _hold(0.0, 2)) == 3


def test_a_bridge_that_swamps_the_press_is_one_rock_and_its_arch_no_second():
    # Rendered clips: the press end carries the bridge (+35), the arch after it reads a little more
    # than the dip between them.
    bridge = (_ramp(0, 35, 1.0) + _hold(35, 0.4) + _ramp(35, 3, 1.0) + _ramp(3, 7, 0.6) + _hold(7, 0.3)
              + _ramp(7, 0, 0.8) + _hold(0.0, 0.5))
    assert _count(_hold(0.0, 2) + bridge * 4 + _hold(0.0, 2)) == 4


def test_a_rock_whose_press_was_unseen_counts_when_its_arch_shows():
    hidden_press = _hold(0.0, 0.5) + _hold(None, 1.2) + _ramp(0, 6, 0.6) + _hold(6, 0.3) + _ramp(6, 0, 0.8)
    assert _count(_hold(0.0, 2) + _rock(-6, 5) + hidden_press + _hold(0.0, 0.5) + _rock(-6, 5)
                  + _hold(0.0, 2)) == 3


def test_a_rock_whose_arch_was_unseen_is_not_merged_with_the_next():
    hidden_arch = _ramp(0, -6, 0.8) + _hold(-6, 0.3) + _hold(None, 1.8) + _hold(0.0, 0.6)
    assert _count(_hold(0.0, 2) + _rock(-6, 5) + hidden_arch + _rock(-6, 5) + _hold(0.0, 2)) == 3


def test_a_gap_over_the_way_back_and_the_next_press_hides_neither_rock():
    # The view is lost at the arch for 2 s (the way back and the next press unseen); the next rock's
    # arch shows 1.4 s after the view is back.
    arch_then_gap = _ramp(0, -6, 0.8) + _hold(-6, 0.3) + _ramp(-6, 5, 1.0) + _hold(5, 0.3) + _hold(None, 2.0)
    hidden_press = _hold(0.0, 0.4) + _ramp(0, 6, 1.0) + _hold(6, 0.3) + _ramp(6, 0, 0.8)
    assert _count(_hold(0.0, 2) + _rock(-6, 5) + arch_then_gap + hidden_press + _hold(0.0, 0.5) + _rock(-6, 5)
                  + _hold(0.0, 2)) == 4


def test_a_smoothed_glitch_in_a_pause_is_not_the_end_of_a_rock():
    # Resting between rocks, the angle strays 2.8 degrees one way and 2 the other; a one-frame
    # MediaPipe glitch comes out of the landmark smoothing three frames long.
    pause = (_hold(0.0, 2) + _ramp(0, -2.8, 0.5) + _hold(-2.8, 0.5) + [-30.0, -20.0, -8.0] + _hold(-2.8, 0.3)
             + _ramp(-2.8, 2, 1.0) + _hold(2, 0.6) + _ramp(2, 0, 0.5) + _hold(0.0, 2))
    assert _count(_hold(0.0, 2) + _rock(-6, 5) + pause + _rock(-6, 5) + _hold(0.0, 2)) == 2


# -- tilts too small for the camera: live, the app paces them (issue 14) ------------------------------
def _events(frames, live: bool):
    from exercise_rules import pelvic_tilts

    run = pelvic_tilts.run(live=live)
    return [e for frame in frames for e in run.update(frame)] + run.finish()


def test_tilts_the_camera_cannot_see_are_paced_live_and_counted_as_paced():
    """A person in the start position whose landmarks barely move (a deep abdominal set: lying still,
    breathing; real tilts moved the angle at the hip 3-6 degrees, mostly drift): live, after
    PACE_AFTER_S without a rock the app paces the tilts, and every rep it counts is marked paced."""
    from kinematic_sets import labelled

    from exercise_rules.pelvic_tilts import PACE, PACE_AFTER_S, PACE_CUE, TARGETS
    from posecheck.events import EventKind

    events = _events(labelled("deep_abdominal", "correct", 1000).frames, live=True)
    calibrated = next(e.timestamp_ms for e in events if e.kind is EventKind.CALIBRATED)
    pacing = [e for e in events if e.kind is EventKind.PACING]
    assert [e.cue for e in pacing] == [PACE_CUE]
    assert abs(pacing[0].timestamp_ms - calibrated - PACE_AFTER_S * 1000) <= 500
    reps = [e for e in events if e.kind is EventKind.REP_COMPLETED]
    assert len(reps) == TARGETS.reps_min and all(e.paced for e in reps)
    cycle_ms = 1000 * sum(seconds for _, seconds in PACE)
    assert all(b.timestamp_ms - a.timestamp_ms >= cycle_ms - 100 for a, b in itertools.pairwise(reps))
    assert reps[0].timestamp_ms - pacing[0].timestamp_ms >= cycle_ms - 100


def test_offline_the_unseen_tilts_are_not_paced_and_the_empty_set_says_why():
    from kinematic_sets import labelled

    from exercise_rules.pelvic_tilts import UNSEEN_HINT
    from posecheck.events import EventKind

    frames = [f for f in labelled("deep_abdominal", "correct", 1000).frames if f.timestamp_ms <= 30_000]
    events = _events(frames, live=False)
    assert not [e for e in events if e.kind in (EventKind.PACING, EventKind.REP_COMPLETED)]
    (nothing,) = [e for e in events if e.kind is EventKind.NOTHING_COUNTED]
    assert UNSEEN_HINT in (nothing.detail or "")


def test_while_pacing_a_lifted_pelvis_is_still_flagged_where_it_was_lifted():
    """The landmarks keep watching while the app paces: a pelvis lifted off the mat in the holds of a deep
    abdominal set (labelled) is flagged as hips_grounded, inside the labelled windows only, also after
    the pacing began."""
    from kinematic_sets import labelled

    from posecheck.events import EventKind

    s = labelled("deep_abdominal", "pelvis_still", 1001)
    events = _events(s.frames, live=True)
    lifted = [(r["start_ms"], r["end_ms"]) for r in s.labels["reps"] if r["faults"]]
    faults = [e.timestamp_ms for e in events if e.kind is EventKind.FAULT and e.check == "hips_grounded"]
    pacing = next(e.timestamp_ms for e in events if e.kind is EventKind.PACING)
    assert faults and all(any(a <= t <= b + 1000 for a, b in lifted) for t in faults)
    assert any(t > pacing for t in faults)


def test_two_rocks_seen_while_pacing_hand_the_count_back_to_the_camera():
    from exercise_rules.pelvic_tilts import EXERCISE, PACE_AFTER_S
    from posecheck.phases import Completed, PacedWhenUnseen

    assert EXERCISE.paced is not None
    counter = PacedWhenUnseen(EXERCISE.counter(), EXERCISE.paced, PACE_AFTER_S)
    signal = _hold(0.0, PACE_AFTER_S + 8.0) + _rock(-8.0, 8.0) * 4 + _hold(0.0, 3.0)
    done: list[Completed] = []
    modes = []
    for i, s in enumerate(signal):
        done += [tr for tr in counter.update(i / FPS, s, True) if isinstance(tr, Completed)]
        modes.append(counter.pacing)
    assert modes[round(PACE_AFTER_S * FPS) + 2] and not modes[-1]
    paced, seen = [c for c in done if c.paced], [c for c in done if not c.paced]
    assert paced and len(seen) == 4 - 1  # the first rock seen while pacing is covered by the pace
