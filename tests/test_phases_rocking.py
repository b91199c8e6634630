"""The rock counter of pelvic tilts, fed synthetic hip-angle signals (degrees, the closing press negative,
the opening arch positive): a rock is one full back-and-forth whatever its order, rhythm, tempo or range.

Each set is built rock by rock, so the expected count and where each rock lies in time come from the
construction. Noise: 0.5 degrees, and now and then a one-frame MediaPipe glitch that the landmark
smoothing spreads over three frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from exercise_rules.pelvic_tilts import BRIDGE_SWING, EXERCISE
from posecheck.phases import Completed, Phase, RockingCounter, RockPhase, Started

PRESS, ARCH = -6.0, 7.0  # a usual rock's ends (kinematic and rendered sets read -2.2 to -12 and +2 to +17)
CYCLE_S = 4.0  # a usual rock (the kinematic sets: 3-5.5 s)
NOISE = 0.5
GLITCH_EVERY_S = 7.0


@dataclass
class Set:
    """A synthetic set: the signal per frame and, per rock, when it lies (start, end) and its big
    excursions (frames past a bridge)."""

    fps: int
    signal: list[float | None] = field(default_factory=list)
    rocks: list[tuple[float, float]] = field(default_factory=list)

    @property
    def t(self) -> float:
        return len(self.signal) / self.fps

    def rest(self, seconds: float) -> Set:
        self.signal += [0.0] * round(seconds * self.fps)
        return self

    def unseen(self, seconds: float) -> Set:
        self.signal += [None] * round(seconds * self.fps)
        return self

    def ramp(self, a: float, b: float, seconds: float) -> Set:
        n = round(seconds * self.fps)
        self.signal += [a + (b - a) * (i + 1) / n for i in range(n)]
        return self

    def paused_rock(self, first: float, second: float, cycle_s: float = CYCLE_S) -> Set:
        """To one end, a stop, to the other, a stop, back to the centre, a rest (a trapezoid)."""
        start = self.t
        hold = 0.1 * cycle_s
        self.ramp(0, first, 0.25 * cycle_s).rest_at(first, hold).ramp(first, second, 0.3 * cycle_s)
        self.rest_at(second, hold).ramp(second, 0, 0.25 * cycle_s)
        self.rocks.append((start, self.t))
        return self.rest(0.5)

    def rest_at(self, value: float, seconds: float) -> Set:
        self.signal += [value] * round(seconds * self.fps)
        return self

    def continuous_rocks(self, ends: list[tuple[float, float]], cycle_s: float = CYCLE_S) -> Set:
        """One rocking movement, no stop: each rock half a sine to its first end, half to the other."""
        for first, second in ends:
            start, n = self.t, round(cycle_s * self.fps)
            for i in range(n):
                phase = 2 * math.pi * (i + 1) / n
                end = first if phase <= math.pi else -second
                self.signal.append(end * math.sin(phase))
            self.rocks.append((start, self.t))
        return self

    def noisy(self, seed: int = 0) -> list[float | None]:
        """The signal with MediaPipe's wobble and a smoothed glitch every GLITCH_EVERY_S."""
        rng = np.random.default_rng(seed)
        out = [None if s is None else s + float(rng.normal(0, NOISE)) for s in self.signal]
        every = round(GLITCH_EVERY_S * self.fps)
        for i in range(every // 2, len(out) - 3, every):
            jolt = float(rng.choice([-1, 1]) * rng.uniform(20, 40))
            for k, share in enumerate((1.0, 0.6, 0.25)):
                if out[i + k] is not None:
                    out[i + k] += jolt * share
        return out


def _arch_first(ends: tuple[float, float] = (PRESS, ARCH)) -> tuple[float, float]:
    return ends[1], ends[0]


@dataclass
class Counted:
    reps: list[tuple[float, float]]  # (started, completed) per counted rock, in the engine's numbering
    under_way: list[tuple[int, int | None]]  # per frame: the rep under way (1-based), None at rest


def count(signal: list[float | None], fps: int) -> Counted:
    """Feed the pelvic-tilt counter as the engine does: a rep is under way from Started, numbered after
    the reps completed so far."""
    counter = EXERCISE.counter()
    reps: list[tuple[float, float]] = []
    under_way: list[tuple[int, int | None]] = []
    for i, s in enumerate(signal):
        for tr in counter.update(i / fps, s):
            if isinstance(tr, Completed):
                reps.append((tr.started, tr.t))
        under_way.append((i, len(reps) + 1 if counter.phase is Phase.OUT else None))
    return Counted(reps, under_way)


def assert_each_rock_counted_once(s: Set, seed: int = 0) -> Counted:
    """The count is right and each counted rep lies mostly within its own rock (its middle inside it):
    the ends are paired as the rocks were made."""
    got = count(s.noisy(seed), s.fps)
    assert len(got.reps) == len(s.rocks)
    for (start, end), (a, b) in zip(s.rocks, got.reps, strict=True):
        assert start < (a + b) / 2 < end, ((start, end), (a, b))
    return got


FPS = (15, 30)


@pytest.mark.parametrize("fps", FPS)
@pytest.mark.parametrize("first", ["press", "arch"])
def test_rocks_with_pauses_are_counted_once_each_whichever_end_comes_first(fps, first):
    ends = (PRESS, ARCH) if first == "press" else (ARCH, PRESS)
    s = Set(fps).rest(3)
    for _ in range(10):
        s.paused_rock(*ends)
    assert_each_rock_counted_once(s.rest(2))


@pytest.mark.parametrize("fps", FPS)
def test_continuous_press_first_rocking_counts_every_rock(fps):
    s = Set(fps).rest(3).continuous_rocks([(PRESS, ARCH)] * 10).rest(2)
    assert_each_rock_counted_once(s)


@pytest.mark.parametrize("fps", FPS)
def test_continuous_arch_first_rocking_counts_the_first_half_rock_and_the_last(fps):
    # Issue 12: counted 9 of 10 when the press was taken for the first end.
    s = Set(fps).rest(3).continuous_rocks([_arch_first()] * 10).rest(2)
    assert_each_rock_counted_once(s)


@pytest.mark.parametrize("tempo", [0.5, 2.0])
@pytest.mark.parametrize("rhythm", ["paused", "continuous"])
def test_rocks_at_half_and_double_speed_are_counted(tempo, rhythm):
    s = Set(15).rest(3)
    if rhythm == "paused":
        for _ in range(10):
            s.paused_rock(ARCH, PRESS, cycle_s=CYCLE_S / tempo)
    else:
        s.continuous_rocks([_arch_first()] * 10, cycle_s=CYCLE_S / tempo)
    assert_each_rock_counted_once(s.rest(2))


HALF_RANGE_ARCH_FIRST = pytest.mark.xfail(strict=True, reason=(
    "known limit (issue 12): before the habit is known a rock begins at the arch only when it is clear "
    "(4 degrees, FAR_ALONE: the angle wanders up to 2.8 at rest), so a half-range arch-first set's rocks "
    "are paired press-arch and its last press (3 degrees) is lost"))


@pytest.mark.parametrize("first", ["press", pytest.param("arch", marks=HALF_RANGE_ARCH_FIRST)])
@pytest.mark.parametrize("rhythm", ["paused", "continuous"])
def test_rocks_of_half_the_usual_range_still_count(first, rhythm):
    ends = (PRESS / 2, ARCH / 2) if first == "press" else _arch_first((PRESS / 2, ARCH / 2))
    s = Set(15).rest(3)
    if rhythm == "paused":
        for _ in range(10):
            s.paused_rock(*ends)
    else:
        s.continuous_rocks([ends] * 10)
    assert_each_rock_counted_once(s.rest(2))


@pytest.mark.parametrize("fps", FPS)
def test_a_bridge_during_continuous_arch_first_rocking_lands_on_its_own_rep(fps):
    # Issue 12: 8 of 10 counted and the bridges' faults one rep early. Reps 7-9 lift into a bridge
    # (the hip angle opens 35 degrees) at their arch, the first end of each rock.
    bridge = 35.0
    ends = [_arch_first() if k not in (7, 8, 9) else (bridge, PRESS) for k in range(1, 11)]
    s = Set(fps).rest(3).continuous_rocks(ends).rest(2)
    got = assert_each_rock_counted_once(s)
    signal = s.signal
    big = {i for i, v in enumerate(signal) if v is not None and v >= BRIDGE_SWING}
    assert big
    for i, rep in got.under_way:
        if i in big:
            rock = next(k for k, (a, b) in enumerate(s.rocks, 1) if a <= i / fps < b)
            assert rep == rock, (i / fps, rep, rock)


def test_a_press_too_small_to_see_followed_by_a_clear_arch_is_one_rock():
    # The press (1 degree) hides in MediaPipe's wobble: the arch alone counts it, first rock or later.
    s = Set(15).rest(3).paused_rock(-1.0, ARCH)
    for _ in range(3):
        s.paused_rock(PRESS, ARCH)
    s.paused_rock(-1.0, ARCH)
    for _ in range(3):
        s.paused_rock(PRESS, ARCH)
    assert_each_rock_counted_once(s.rest(2))


@pytest.mark.xfail(strict=True, reason=(
    "known limit (issue 12): a press of 1 degree (inside the wobble, short of the 1.5-degree lean) over "
    "a whole half-rock reads as a rest; the count is right but that rock is taken from its arch to the "
    "next press"))
def test_a_small_press_in_continuous_rocking_does_not_shift_the_pairing():
    ends = [(PRESS, ARCH)] * 10
    ends[4] = (-1.0, ARCH)
    s = Set(15).rest(3).continuous_rocks(ends).rest(2)
    assert_each_rock_counted_once(s)


@pytest.mark.parametrize("fps", FPS)
def test_lying_still_is_no_rock(fps):
    s = Set(fps).rest(30)
    assert count(s.noisy(), fps).reps == []


def test_a_wobble_at_rest_under_the_usual_swing_is_no_rock():
    s = Set(15).rest(3)
    for _ in range(4):  # 2.5 degrees each way, slowly: MediaPipe's wander, not a tilt
        s.ramp(0, -2.5, 1).ramp(-2.5, 2.5, 1.5).ramp(2.5, 0, 1)
    assert count(s.rest(2).noisy(), 15).reps == []


def test_a_set_that_stops_right_after_its_last_rock_still_counts_it():
    # Still for just under a second after the last rock, then the set ends.
    s = Set(15).rest(3).continuous_rocks([_arch_first()] * 6).rest(0.9)
    assert_each_rock_counted_once(s)


def test_the_counter_starts_at_either_end_and_names_its_phases():
    counter = RockingCounter(level=2.0, release=2.5, swing=6.0, far=1.5)
    seen = []
    s = Set(15).rest(1).paused_rock(ARCH, PRESS).rest(1)
    for i, v in enumerate(s.signal):
        for tr in counter.update(i / 15, v):
            seen.append(type(tr))
        if not seen or counter.stage is not seen[-1]:
            seen.append(counter.stage)
    stages = [x for x in seen if isinstance(x, RockPhase)]
    assert stages == [RockPhase.AT_REST, RockPhase.FIRST_END, RockPhase.SWING, RockPhase.FAR_END,
                      RockPhase.RETURN, RockPhase.AT_REST]
    assert [x for x in seen if x in (Started, Completed)] == [Started, Completed]


def test_a_rock_under_way_when_the_counter_starts_begins_at_its_first_frame_not_at_time_zero():
    """Calibrated 8 s into a recording (the person got down onto the mat first), with the signal already
    at a rock's first end: that rock began no earlier than the counter's first frame."""
    counter = EXERCISE.counter()
    s = Set(15).rest_at(PRESS, 0.6).ramp(PRESS, ARCH, 1.2).rest_at(ARCH, 0.4).ramp(ARCH, 0, 1.0).rest(2)
    started = [tr.t for i, v in enumerate(s.signal) for tr in counter.update(8.0 + i / 15, v)
               if isinstance(tr, Started)]
    assert started and min(started) >= 8.0
