"""Phase machines that turn a movement signal (or a paced timer) into reps.

Each machine gets `update(t, signal, in_start)` on every frame (signal `None` when the landmarks
that drive it are not visible: the machine then waits, it never guesses) and returns what changed.
Hysteresis (separate enter and exit levels) and minimum durations keep jitter from counting reps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise
from typing import Protocol

import numpy as np


class Phase(StrEnum):
    REST = "rest"  # in the start position, between reps
    OUT = "out"  # a rep under way: moving out, holding, coming back


@dataclass(frozen=True)
class Started:
    t: float


@dataclass(frozen=True)
class Completed:
    t: float
    started: float
    hold_s: float | None  # how long the end position was held (None: not seen where it began or ended)
    peak: float  # the signal's largest value in the rep
    paced: bool = False  # counted by the app's pace, not seen by the camera


Transition = Started | Completed


class Counter(Protocol):
    phase: Phase

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]: ...


@dataclass
class HoldCounter:
    """Out-hold-back reps: the signal (displacement from rest, body units) goes above `enter`, is held,
    and comes back below `exit`. Each crossing must last `settle_s` to count.

    The hold is the time from first coming within `hold_band` (a fraction of the rep's peak, at least
    `hold_noise`) of the peak to last leaving it: a slow return does not count as holding."""

    enter: float
    exit: float
    settle_s: float = 0.2
    hold_band: float = 0.08
    hold_noise: float = 0.05  # the band is never narrower than the signal's wobble at a hold
    gap_s: float = 0.5  # unseen this long mid-rep, and low on both sides of the gap: the rep ended in it
    # Unseen this long mid-rep, last seen on the way back (three frames and more out of the hold, each lower
    # than the one before, the last under `back_share` of the peak): the rep ended in the gap, whatever is
    # seen after it (out again: the next rep began unseen too). A return and a new start take a second and
    # more. A frame or two off the hold is not enough: MediaPipe's last reading as it loses a person jumps
    # (habits v16 1160007: 0.25, 0.24, 0.15, unseen 2 s, back in the same hold), and so does a hand going to
    # the face mid-hold (v18 1180015: 0.63, 0.52, 0.30, the hand unseen 1.3 s, back at 0.63). Habits v17: two
    # heels sets that hid a return in a gap of 1.2-2.4 s counted right (3 frames of the way back seen in each).
    # Seen at the start after the gap (under `enter`), the way back need not have got that far before it: habits
    # v21 1210000/1210001 (heels) eased from 0.42 to 0.30 and 0.38 to 0.26 (over 0.6 of the peak), unseen
    # 1.5-2.5 s, then 0.08-0.09 and rising into the next hold, and merged two reps into one.
    # Seen at rest (under `exit`) first thing after such a gap, the way back happened in it even if none of it
    # was seen: habits v22 1220009/1220002 (heels) were last seen in the hold (0.73, 0.59), unseen 1.6-2.2 s,
    # then 0.01 and rising into the next hold within 0.2 s, too soon for the rest to settle; two reps merged.
    back_out_s: float = 1.0
    back_share: float = 0.6
    # Continuous rhythm: a rep whose signal falls below this share of its peak and rises past `enter`
    # again went back through the start without stopping there; it ended at that lowest point and the
    # next rep began (0: a rep ends only by resting below `exit`).
    through_share: float = 0.0
    # ... once it has held at least this long before going back (a dip on the way up is no rep of its own).
    through_after_s: float = 0.0
    # ... and has stayed under that share this long (a misread frame or two is no pass; 0: any time).
    through_low_s: float = 0.0
    # Out for less than this from crossing `enter` to coming back, it was no rep: MediaPipe misreading a
    # leg for a few frames, or a wobble on the way back. A rep is started (and a pass through the start
    # split one off) only once it has lasted this long (0: at once).
    min_rep_s: float = 0.0
    # The baseline may be taken in a hold: people who rest only briefly push up before the app has its
    # baseline, and the first still moment it finds is the rep's hold, which the start position admits
    # (propped on the elbows, pushed up on the hands). Habits v23 1230011/1230012 (back extensions): up at
    # 0.6 s, calibrated at 2.1-2.3 s in the hold, down at 9-10 s to -0.17..-0.24 of it; the rest then followed
    # them down and the first rep was never counted. Before any rep, the signal `enter` below its baseline
    # for `settle_s`, still in the start position, ends a rep held from the first reading at the baseline; its
    # hold is unknown (it began before the baseline). Not after a pause (`ExerciseRun.pause`): the baseline stands.
    may_start_held: bool = False
    phase: Phase = Phase.REST
    _confirmed: bool = True
    _pending_since: float | None = None
    _started: float = 0.0
    _trace: list[tuple[float, float | None]] = field(default_factory=list)
    _last_seen: tuple[float, float] | None = None
    _held_from: float | None = None  # the first reading at the baseline, while it may be a hold
    _drop: tuple[float, float] | None = None  # below the baseline since, and how far at most

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        if signal is None:
            # A crossing seen on both sides of a short gap lasted through it: frames MediaPipe read back to
            # front (posecheck.facing) come and go every few frames in a poor picture.
            if self._last_seen is None or t - self._last_seen[0] >= self.gap_s:
                self._pending_since = None
            if self.phase is Phase.OUT:
                self._trace.append((t, None))
            return []
        last, self._last_seen = self._last_seen, (t, signal)
        if (self.phase is Phase.OUT and last is not None and t - last[0] >= self.gap_s
                and any(s is not None for _, s in self._trace)):
            # Coming back and going out again both happened unseen (MediaPipe lost the person between
            # two reps): close the rep where it was last seen, already on its way back.
            peak = self._peak()
            if (last[1] < peak / 2 and signal < peak / 2) or self._back_and_out(t, last[0], peak, signal):
                self.phase, self._pending_since = Phase.REST, None
                done = Completed(last[0], self._started, self._hold(peak), peak)
                # Its length is unknown (it ended unseen): counted as before, never dropped as too short.
                return [*self._begun(), done, *self.update(t, signal, in_start)]
        if self.phase is Phase.REST:
            held = self._down_from_hold(t, signal, in_start)
            if held:
                return held
            if signal >= self.enter:
                if self._pending_since is None:
                    self._pending_since, self._trace = t, []
                self._trace.append((t, signal))  # the hold may begin while the start settles
                if t - self._pending_since >= self.settle_s:
                    self.phase, self._started, self._pending_since = Phase.OUT, self._pending_since, None
                    self.may_start_held = False
                    self._confirmed = not self.min_rep_s
                    return [Started(self._started)] if self._confirmed else []
            else:
                self._pending_since = None
            return []
        self._trace.append((t, signal))
        begun = self._begun() if t - self._started >= self.min_rep_s else []
        if self.through_share and signal >= self.enter and self._confirmed:
            through = self._through_start(t)
            if through:
                return begun + through
        if signal <= self.exit:
            if self._pending_since is None:
                self._pending_since = t
            if t - self._pending_since >= self.settle_s:
                self.phase, self._pending_since = Phase.REST, None
                if not self._confirmed:
                    return []
                peak = self._peak()
                return [*begun, Completed(t, self._started, self._hold(peak), peak)]
        else:
            self._pending_since = None
        return begun

    def _down_from_hold(self, t: float, signal: float, in_start: bool | None) -> list[Transition]:
        """Before any rep, with `may_start_held`: the baseline was the first rep's hold if the body then
        settles `enter` below it, still in the start position, after a reading at it; that rep ends there."""
        if not self.may_start_held:
            return []
        if self._held_from is None:
            # From the first reading at the baseline: frames replayed from before it (a baseline taken
            # after a short rest) that read below it are the way up into the hold, seen.
            if abs(signal) <= self.exit:
                self._held_from = t
            return []
        if signal > -self.enter or in_start is False:
            self._drop = None
            return []
        since, depth = self._drop if self._drop is not None else (t, 0.0)
        depth = max(depth, -signal)
        self._drop = since, depth
        if t - since < self.settle_s:
            return []
        self.may_start_held, self._drop = False, None
        return [Started(self._held_from), Completed(t, self._held_from, None, depth)]

    def _back_and_out(self, t: float, last_t: float, peak: float, signal: float) -> bool:
        """Whether the rep ended in a gap of `back_out_s` and more since `last_t`: seen at rest after it
        (`signal` under `exit`), or last seen on its way back before it, far enough down (under `back_share`
        of the peak) or seen at the start (`signal` under `enter`) after it."""
        if t - last_t < self.back_out_s:
            return False
        if signal <= self.exit:
            return True
        seen = [s for _, s in self._trace if s is not None]
        held = max((i for i, s in enumerate(seen) if s >= self._hold_floor(peak)), default=None)
        if held is None:
            return False
        tail = seen[held + 1:]
        return len(tail) >= 3 and all(a > b for a, b in pairwise(tail)) and (
            tail[-1] < self.back_share * peak or signal < self.enter)

    def _through_start(self, t: float) -> list[Transition]:
        """The rep under way came back through the start and is going out again: close it at its lowest
        point since its hold and start the next there. Its hold is measured on what came before."""
        seen = [(i, u, s) for i, (u, s) in enumerate(self._trace) if s is not None]
        if len(seen) < 3:
            return []
        peak = self._peak()
        held = next((k for k, (_, _, s) in enumerate(seen) if s >= self._hold_floor(peak)), None)
        if held is None:
            return []
        # The low through a median of three: one misread frame is no low (habits v23 1230006: 0.005 once on
        # the way down from 0.21, then 0.08-0.095, read as a rise from it: a rep split off its own way down).
        def smoothed(k: int) -> float:
            return sorted(s for _, _, s in seen[k - 1:k + 2])[1] if 0 < k < len(seen) - 1 else seen[k][2]

        k_low = min(range(held, len(seen)), key=smoothed)
        i_low, t_low, _ = seen[k_low]
        low = smoothed(k_low)
        # A real pass through the start takes time below half the roll; a glitched frame does not.
        if _time_under(seen, k_low, peak / 2) < self.settle_s or (
                self.through_low_s and _time_under(seen, k_low, self.through_share * peak) < self.through_low_s):
            return []
        rising = [s for _, u, s in seen[k_low + 1:] if u > t - self.settle_s]
        # Low against the rep's peak, not below `exit`: feet lifted with a roll keep its centre off zero.
        if low > self.through_share * peak or t - t_low < self.settle_s or not rising \
                or t_low - seen[held][1] < self.through_after_s \
                or min(rising) < max(self.enter, 2 * low) or t_low - self._started < self.min_rep_s:
            return []
        after = self._trace[i_low:]
        self._trace = self._trace[: i_low + 1]  # the rep closed: its peak and hold from its own frames
        closed = self._peak()
        done = Completed(t_low, self._started, self._hold(closed), closed)
        self._started, self._trace, self._pending_since = t_low, after, None
        self._confirmed = not self.min_rep_s or t - t_low >= self.min_rep_s
        return [done, Started(t_low)] if self._confirmed else [done]

    def split(self, gap_start: float, t: float) -> list[Transition]:
        """The rep under way ended unseen (at `gap_start`) and another began: close it, start anew.
        Its hold is unknown: its end was not seen."""
        if self.phase is not Phase.OUT:
            return []
        seen = [(u, s) for u, s in self._trace if s is not None and u < gap_start]
        peak = sorted(s for _, s in seen)[int(0.9 * (len(seen) - 1))] if seen else 0.0
        done = Completed(gap_start, self._started, None, peak)
        begun = self._begun()  # ended unseen: its length is unknown, so it is not dropped as too short
        self._started, self._trace, self._pending_since = t, [], None
        return [*begun, done, Started(t)]

    def _begun(self) -> list[Transition]:
        """The rep under way told as started: `Started` the first time, nothing once it has been."""
        if self._confirmed:
            return []
        self._confirmed = True
        return [Started(self._started)]

    def _peak(self) -> float:
        # A high quantile, not the maximum: one glitched frame must not set the bar for the hold.
        values = sorted(s for _, s in self._trace if s is not None)
        return values[int(0.9 * (len(values) - 1))]

    def _hold_floor(self, peak: float) -> float:
        """Within this of the peak the body is holding (a band never narrower than the hold's wobble)."""
        return peak - max(self.hold_band * abs(peak), self.hold_noise)

    def _hold(self, peak: float) -> float | None:
        # From first coming within the band to last leaving it: a wobble in between is still holding.
        # If the signal was unseen right where the hold began or ended, the hold's length is unknown.
        floor = self._hold_floor(peak)
        above = [i for i, (_, s) in enumerate(self._trace) if s is not None and s >= floor]
        if not above:
            return 0.0
        first, last = above[0], above[-1]
        before = next((i for i in range(first - 1, -1, -1) if self._trace[i][1] is not None), -1)
        after = next((i for i in range(last + 1, len(self._trace)) if self._trace[i][1] is not None),
                     len(self._trace))
        if any(s is None for _, s in self._trace[before + 1:first] + self._trace[last + 1:after]):
            return None
        return self._trace[last][0] - self._trace[first][0]


def _time_under(seen: list[tuple[int, float, float]], k: int, level: float) -> float:
    """How long the seen frames (index, time, signal) around the `k`-th stay under `level`."""
    first = last = k
    while first > 0 and seen[first - 1][2] < level:
        first -= 1
    while last + 1 < len(seen) and seen[last + 1][2] < level:
        last += 1
    return seen[last][1] - seen[first][1]


class RockPhase(StrEnum):
    """Where a rock is. The engine sees AT_REST and RETURN as rest, the others as a rep under way."""

    AT_REST = "at rest"  # about the centre, no rock under way
    FIRST_END = "first end"  # beyond `level` at the end the rock began with (either end)
    SWING = "swing"  # off the first end, not yet clearly at the other
    FAR_END = "far end"  # at the other end
    RETURN = "return"  # coming back from the far end: the rock is counted


@dataclass(frozen=True)
class Gap:
    """A stretch without signal: last seen at `start`, seen again at `end`."""

    start: float
    end: float


@dataclass(frozen=True)
class HiddenStart:
    """A rock may have begun unseen from `since`: a gap at rest, or a gap over a far end's way back (the
    rock before is completed when seen again, and the next one's first end may have gone with the gap).
    The view came back at `seen_again`."""

    since: float
    seen_again: float


@dataclass(frozen=True)
class Lean:
    """At rest, the signal past `far` towards `side` from `since` until `last`: perhaps a first end too
    small to reach `level`."""

    side: float
    since: float
    last: float


@dataclass
class Rock:
    """The rock under way. Ends are signed towards its first end: `first_end` >= 0, `far_end` <= 0."""

    side: float  # the end it began with: -1 or +1
    started: float
    first_end: float = 0.0  # the first end's extreme
    far_end: float = 0.0  # the other end's extreme
    peak: float = 0.0  # the largest distance from the centre
    both_clear: bool = False  # both ends seen clearly: a rock that shows the person's habit
    off_since: float | None = None  # off the first end (short of `far` on its side) since
    centre_last: float = 0.0  # last within `level` of the centre
    paused: bool = False  # still about the centre for `between_s` since leaving the first end
    clear_s: float = 0.0  # how long the first end was clear (past `far_alone`)
    last_t: float | None = None  # the last frame at the first end
    gap_hid_far: bool = False  # a long gap after the first end: the far end and the way back may have gone with it


@dataclass
class Stillness:
    """Whether the signal has stayed within `near` of the centre, moving less than `band`, for `rest_s`."""

    near: float
    band: float
    rest_s: float
    _recent: list[tuple[float, float]] = field(default_factory=list)

    def update(self, t: float, s: float) -> float | None:
        """When this rest began (None: not at rest)."""
        if abs(s) >= self.near:
            self._recent.clear()
            return None
        self._recent.append((t, s))
        values = [v for _, v in self._recent]
        while max(values) - min(values) >= self.band:  # moving: the rest can only have begun since
            self._recent.pop(0)
            values.pop(0)
        while len(self._recent) > 1 and t - self._recent[1][0] >= self.rest_s:
            self._recent.pop(0)
        since = self._recent[0][0]
        return since if t - since >= self.rest_s else None

    def reset(self) -> None:
        self._recent.clear()


@dataclass
class Debounce:
    """A condition that must hold `settle_s` to count; `since` is when it began to hold."""

    settle_s: float
    since: float | None = None

    def __call__(self, t: float, condition: bool) -> bool:
        if not condition:
            self.since = None
            return False
        if self.since is None:
            self.since = t
        return t - self.since >= self.settle_s

    def reset(self) -> None:
        self.since = None


@dataclass
class RockingCounter:
    """Back-and-forth reps about a centre: a rock is one end, the other end and back, whichever end
    comes first. The signal is any float per frame (None when unseen); `stage` names the phase.

    AT_REST -> FIRST_END: the signal passes `level` on one side (Started, from when it left the
    centre). FIRST_END -> SWING: it leaves that end. SWING -> FAR_END: it has swung `swing` back from
    the first end's extreme and `far` past the centre. FAR_END -> RETURN: back `release` and
    `return_share` of the way to the centre (Completed). RETURN -> AT_REST: off the far end's side. In
    continuous rocking the next rock's first end follows at once, so the ends keep the pairing the set
    began with; the two ends need not be alike (from the side one may show twice the other).

    Which end comes first: `first` is expected (0: either) until the person's habit is seen, the first
    end of a rock whose both ends were clear. A rock begins at the other end only when that end is
    clear (`far_alone`), and is then the far end of a rock whose first end was too small to see (or
    unseen) when something shows that first end: a lean towards it (past `far`, short of `level`,
    within `after_unseen_s`), a gap (as long), rocking on from the last rock without a rest, or a
    `bridge`. Otherwise, before the habit is known it is the rock's first end; after, it is the first
    end of a rock begun against the habit, which, once it has paused about the centre (`between_s`
    still), gives way to a new rock at the habit's end.

    A rock that shows one end only and then rests (`rest_s` within `level` of the centre, moving less
    than `still_band`) or comes back to that end (after `between_s` off it, or a gap of `hidden_rock_s`
    that may have hidden its far end) counts when that end was clear for `lone_hold_s` (its other end
    too small to see) or a gap may have hidden the rest; else it was a wobble and no rep is counted."""

    level: float
    release: float
    swing: float = 0.0  # 0: twice `level`
    far: float = 0.0  # how far past the centre the other end must be
    # The way back also covers this share of the way from the other end to the centre: a wobble at a
    # big far end (a bridge) is not the way back.
    return_share: float = 0.3
    settle_s: float = 0.15
    centre_follow_s: float = 0.0  # > 0: the centre follows slow drift (near the centre) with this time constant
    unseen_s: float = 0.3  # a gap this long may hide a first end
    after_unseen_s: float = 1.0  # ... or a lean may be one, if a clear far end shows within this long after it
    hidden_rock_s: float = 0.8  # a gap this long after the first end may hide the far end and the way back
    median_s: float = 0.0  # > 0: the signal's median over this window (a glitch of a frame or two is not a swing)
    far_alone: float = 0.0  # > 0: one end this clear counts a rock whose other end was too small to see
    lone_hold_s: float = 0.0  # ... when it stayed that clear this long (a glitch's tail is briefer)
    # > 0: a far end this big is back only under half of it (a bridge's top wobbles); once the habit is
    # known, an end this big on its far side is always a far end; a smaller end after a first end this
    # big, on its side, is its way down
    bridge: float = 0.0
    rest_s: float = 1.0  # this long about the centre (within `level`, moving less than `still_band`) is at rest
    still_band: float = 1.0
    between_s: float = 0.3  # off the first end this long, and then back at it: a new rock
    stage: RockPhase = RockPhase.AT_REST
    phase: Phase = Phase.REST  # what the engine sees
    first: float = 0.0  # the end rocks are expected to begin with (-1 or +1) until the habit is seen; 0: either
    habit: float = 0.0  # the end the person's rocks begin with (-1 or +1), 0 until seen
    _rock: Rock | None = None
    _lean: Lean | None = None
    _hidden: HiddenStart | None = None  # at rest: a rock may have begun unseen
    _gap_at_far: Gap | None = None  # a gap at the far end: its way back (and the next first end) unseen
    _after_rock: float | None = None  # back about the centre from the last rock's far end at, not rested since
    _left_centre: float | None = None  # at rest, last within `level` of the centre (None: no frame yet)
    _crossed: bool = False  # at rest, the signal has been on the first end's side of the centre
    _unseen_since: float | None = None
    _still: Stillness = field(init=False)
    _pause: Stillness = field(init=False)
    _start: Debounce = field(init=False)
    _at_far: Debounce = field(init=False)
    _back: Debounce = field(init=False)
    _recent: list[tuple[float, float]] = field(default_factory=list)
    _centre: float = 0.0
    _last_t: float | None = None

    def __post_init__(self) -> None:
        self._start, self._at_far, self._back = (Debounce(self.settle_s) for _ in range(3))
        self._still = Stillness(self.level, self.still_band, self.rest_s)
        self._pause = Stillness(self.level, self.still_band, self.between_s)

    # -- the signal ---------------------------------------------------------------------------
    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        if self._left_centre is None:
            self._left_centre = t  # a rock under way from the first frame began there, not at time 0
        if signal is None:
            for d in (self._start, self._at_far, self._back):
                d.reset()
            if self._unseen_since is None:
                self._unseen_since = t
            return []
        self._seen_again(t)
        s = self._centred(t, self._median(t, signal))
        if self.stage in (RockPhase.AT_REST, RockPhase.RETURN):
            return self._at_rest(t, s)
        rock = self._rock
        assert rock is not None
        rock.peak = max(rock.peak, abs(s))
        if self.stage is RockPhase.FAR_END:
            return self._far_end(t, s, rock)
        return self._first_end(t, s, rock)

    def _seen_again(self, t: float) -> None:
        if self._unseen_since is None:
            return
        gap, self._unseen_since = Gap(self._unseen_since, t), None
        if gap.end - gap.start < self.unseen_s:
            return
        self._recent.clear()
        if self.stage in (RockPhase.AT_REST, RockPhase.RETURN):
            self._hidden = HiddenStart(gap.start, gap.end)
        elif self.stage is RockPhase.FAR_END:
            self._gap_at_far = gap
        elif self._rock is not None and gap.end - gap.start >= self.hidden_rock_s:
            self._rock.gap_hid_far = True

    def _median(self, t: float, signal: float) -> float:
        if self.median_s <= 0:
            return signal
        self._recent.append((t, signal))
        while t - self._recent[0][0] > self.median_s:
            self._recent.pop(0)
        values = sorted(v for _, v in self._recent)
        n = len(values)
        return values[n // 2] if n % 2 else 0.5 * (values[n // 2 - 1] + values[n // 2])

    def _centred(self, t: float, signal: float) -> float:
        if self.centre_follow_s > 0:
            if self._last_t is not None and abs(signal - self._centre) < self.level:
                # Followed only near the centre: the ends and a bridge do not drag it.
                a = min(max(t - self._last_t, 0.0) / self.centre_follow_s, 1.0)
                self._centre += a * (signal - self._centre)
            self._last_t = t
        return signal - self._centre

    def _to(self, stage: RockPhase) -> None:
        self.stage = stage
        self.phase = Phase.REST if stage in (RockPhase.AT_REST, RockPhase.RETURN) else Phase.OUT

    # -- the phases ---------------------------------------------------------------------------
    def _at_rest(self, t: float, s: float) -> list[Transition]:
        if self.stage is RockPhase.RETURN:
            assert self._rock is not None
            self._left_centre = t  # the next rock begins after this rock's return, at the earliest
            if self._rock.side * s <= -self.level:
                return []  # still on the far end's side: not the start of a rock
            self._to(RockPhase.AT_REST)
            self._after_rock = t if self._rock.side == self.habit else None
        if self._still.update(t, s) is not None:
            self._after_rock = None  # a rest since the last rock: the next one begins afresh
        side = 1.0 if s >= 0 else -1.0
        if abs(s) < self.level:
            self._left_centre = t
        if self.habit and self.habit * s > 0:
            self._crossed = True  # past the centre towards the first end since the last rock
        if abs(s) >= self.far and side == (self.habit or self.first):
            self._lean = Lean(side, self._lean.since if self._lean is not None else t, t)
        expected = self.habit or self.first
        if expected and side == -expected:
            # On the far side of the end rocks are expected to begin with: only a clear end counts (not
            # a wander at rest). Once the habit is known, or just after a lean towards the expected
            # first end or a gap, it is the far end of a rock whose first end was too small to see.
            if not self._start(t, abs(s) >= (self.far_alone or float("inf"))):
                return []
            started = self._hidden_first_end(t, s)
            if started is not None:
                self._rock = Rock(-side, started, peak=abs(s), far_end=-abs(s))
                self._begin(RockPhase.FAR_END)
                return [Started(started)]
        elif not self._start(t, abs(s) >= self.level):
            return []
        self._rock = Rock(side, self._left_centre, first_end=abs(s), peak=abs(s))
        self._begin(RockPhase.FIRST_END)
        return [Started(self._rock.started)]

    def _hidden_first_end(self, t: float, s: float) -> float | None:
        """When a rock seen first at its far end began, its first end too small to see or unseen (None:
        nothing shows a first end)."""
        if self._after_rock is not None and self._crossed:
            return self._after_rock  # rocking on without a rest, past the centre and back
        if self._hidden is not None and t - self._hidden.seen_again <= self.after_unseen_s:
            return self._hidden.since  # in a gap
        lean = self._lean
        if lean is not None and lean.side == (self.habit or self.first) and t - lean.last <= self.after_unseen_s:
            return lean.since  # a lean towards the first end
        if self.habit and self.bridge > 0 and abs(s) >= self.bridge:
            return self._left_centre  # a bridge swamps the first end
        return None

    def _begin(self, stage: RockPhase) -> None:
        self._lean, self._hidden, self._gap_at_far, self._after_rock = None, None, None, None
        self._crossed = False
        for d in (self._start, self._at_far, self._back):
            d.reset()
        self._still.reset()
        self._pause.reset()
        self._to(stage)

    def _first_end(self, t: float, s: float, rock: Rock) -> list[Transition]:
        x = rock.side * s
        if x >= self.level:
            again = self.stage is RockPhase.SWING and (
                (rock.off_since is not None and t - rock.off_since >= self.between_s) or rock.gap_hid_far)
            if again and self.bridge > 0 and rock.first_end >= self.bridge and x < self.bridge / 2:
                self._still.reset()  # a smaller end on a bridge's side is its way down, not a new rock
                return []
            if again:
                # Back at the first end after a while off it: that rock showed one end; a new one begins.
                if not self._start(t, True):
                    return []
                assert self._start.since is not None
                out = self._lone_end(rock)
                self._rock = Rock(rock.side, self._start.since, first_end=x, peak=abs(s))
                self._begin(RockPhase.FIRST_END)
                return [*out, Started(self._rock.started)]
            self._to(RockPhase.FIRST_END)
            if self.far_alone and x >= self.far_alone:
                rock.clear_s += min(t - rock.last_t, self.settle_s) if rock.last_t is not None else 0.0
            rock.first_end, rock.off_since, rock.last_t = max(rock.first_end, x), None, t
            self._start.reset()
            self._still.reset()
            return []
        self._start.reset()
        if self.stage is RockPhase.FIRST_END:
            self._to(RockPhase.SWING)
        if x < self.far and rock.off_since is None:
            rock.off_since = t
        if self._pause.update(t, s) is not None:
            rock.paused = True
        if abs(s) < self.level:
            rock.centre_last = t
        if self._at_far(t, rock.first_end - x >= (self.swing or 2 * self.level) and x <= -self.far):
            expected = self.habit or self.first
            if rock.paused and expected and rock.side != expected:
                # A rock begun against the habit that paused about the centre: it showed one end (its
                # first was too small to see); this is the first end of the next rock, which keeps the habit.
                out = self._lone_end(rock, rock.off_since)
                self._rock = Rock(-rock.side, rock.centre_last, first_end=-x, peak=abs(s))
                self._begin(RockPhase.FIRST_END)
                return [*out, Started(self._rock.started)]
            rock.far_end, rock.both_clear = x, True
            self._to(RockPhase.FAR_END)
            return []
        rest = self._still.update(t, s)
        if rest is None:
            return []
        # At rest after one end only.
        out = self._lone_end(rock, rest)
        self._begin(RockPhase.AT_REST)
        return out

    def _lone_end(self, rock: Rock, t: float | None = None) -> list[Transition]:
        """A rock that showed one end: counted when that end was clear (the other too small to see, or
        hidden by a long gap), else it was a wobble. Done when it left that end."""
        clear = rock.first_end >= (self.far_alone or float("inf")) and rock.clear_s >= self.lone_hold_s
        hidden = rock.gap_hid_far and rock.first_end >= (self.swing or 2 * self.level) / 2
        if not clear and not hidden:
            return []
        end = t if t is not None else (rock.off_since if rock.off_since is not None else rock.started)
        return [Completed(end, rock.started, 0.0, rock.peak)]

    def _far_end(self, t: float, s: float, rock: Rock) -> list[Transition]:
        x = rock.side * s
        rock.far_end = min(rock.far_end, x)
        back = max(self.release, self.return_share * -rock.far_end)
        if self.bridge > 0 and -rock.far_end >= self.bridge:
            back = max(back, -rock.far_end - self.bridge / 2)  # a bridge is back down under half a bridge
        if not self._back(t, x - rock.far_end >= back):
            return []
        if rock.both_clear:
            self.habit = rock.side
        gap = self._gap_at_far
        self._begin(RockPhase.RETURN)
        if gap is not None and x >= -self.far:
            # Back about the centre just after a gap at the far end: the gap hid the way back, and may
            # have hidden the next rock's first end too.
            self._hidden = HiddenStart(t, gap.end)
        return [Completed(t, rock.started, 0.0, rock.peak)]


@dataclass
class PacedHoldCounter:
    """Holds paced by a timer, for a contraction the camera cannot see: breathe in for `prepare_s`,
    hold for `hold_s`, relax for `relax_s`, again. A hold starts only in the start position and ends
    early when the body is seen out of it for `leave_s`; a rep is counted when its hold ends."""

    prepare_s: float
    hold_s: float
    relax_s: float
    leave_s: float = 1.0
    # Breathing in is timed only in the start position; a departure shorter than this pauses it (someone
    # sitting up between breaths, or doing sit-ups instead, still gets a hold to be judged on), a longer one
    # starts it again.
    prepare_reset_s: float = 3.0
    # What the person is told in each stage (prepare, hold, relax); empty: nothing.
    words: tuple[str, str, str] = ("", "", "")
    phase: Phase = Phase.REST
    stage: str = "prepare"  # prepare / hold / relax (the cue the person is given)
    _stage_since: float | None = None
    _out_since: float | None = None
    _prepared_s: float = 0.0
    _last_t: float | None = None

    @property
    def pace(self) -> tuple[str, float] | None:
        """What to do now and how far through it (0..1); None while waiting for the start position."""
        stages = ("prepare", "hold", "relax")
        text = self.words[stages.index(self.stage)]
        if not text or (self.stage == "prepare" and self._stage_since is None):
            return None
        if self.stage == "prepare":
            return text, min(self._prepared_s / self.prepare_s, 1.0)
        seconds = self.hold_s if self.stage == "hold" else self.relax_s
        elapsed = 0.0 if self._stage_since is None or self._last_t is None else self._last_t - self._stage_since
        return text, min(max(elapsed / seconds, 0.0), 1.0)

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        last, self._last_t = self._last_t, t
        if self.stage == "prepare":
            # Time counts from one frame in the start position to the next, not from a frame out of it.
            counted = last is not None and self._out_since is None and self._stage_since is not None
            return self._prepare(t, min(max(t - last, 0.0), 0.25) if counted and last is not None else 0.0,
                                 in_start)
        if self._stage_since is None:
            self._stage_since = t
        elapsed = t - self._stage_since
        if self.stage == "hold":
            # Left only when seen out of it throughout: a moment out of it and then out of sight (MediaPipe
            # losing a dim picture) is not leaving, and a hold cut there would be blamed on the person as
            # too short.
            if in_start is False:
                if self._out_since is None:
                    self._out_since = t
            else:
                self._out_since = None
            left = self._out_since is not None and t - self._out_since >= self.leave_s
            if elapsed >= self.hold_s or left:
                end = self._out_since if left and self._out_since is not None else t
                started = self._stage_since
                self.stage, self.phase, self._stage_since = "relax", Phase.REST, t
                return [Completed(t, started, end - started, 0.0)]
            return []
        if elapsed >= self.relax_s:
            self.stage, self._stage_since, self._prepared_s, self._out_since = "prepare", t, 0.0, None
        return []

    def _prepare(self, t: float, dt: float, in_start: bool | None) -> list[Transition]:
        if not in_start:  # out of the start position, or not seen: breathing in is not timed
            if self._out_since is None:
                self._out_since = t
            if t - self._out_since >= self.prepare_reset_s:
                self._prepared_s = 0.0
            return []
        self._out_since = None
        if self._stage_since is None:
            self._stage_since = t
        self._prepared_s += dt
        if self._prepared_s >= self.prepare_s - 1e-9:
            self.stage, self.phase, self._stage_since, self._out_since = "hold", Phase.OUT, t, None
            return [Started(t)]
        return []


@dataclass
class PacedRocks:
    """Rocks paced by the app, for a movement too small for the camera to see: the `stages` (what to do,
    seconds) in turn, a rep counted (as paced) at the end of each cycle, until `reps` are done. The pace
    runs only in the start position; out of it, or unseen, it waits."""

    stages: tuple[tuple[str, float], ...]
    reps: int
    phase: Phase = Phase.REST
    _into: float = 0.0  # seconds into the cycle under way
    _done: int = 0
    _started: float = 0.0
    _last_t: float | None = None

    @property
    def pace(self) -> tuple[str, float] | None:
        """What to do now and how far through it (0..1); None once the paced reps are done."""
        if self._done >= self.reps:
            return None
        into = self._into
        for text, seconds in self.stages:
            if into < seconds:
                return text, into / seconds
            into -= seconds
        return self.stages[-1][0], 1.0

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        last, self._last_t = self._last_t, t
        if self._done >= self.reps or not in_start:
            return []
        if self.phase is Phase.REST:
            self.phase, self._started, self._into = Phase.OUT, t, 0.0
            return [Started(t)]
        self._into += 0.0 if last is None else min(max(t - last, 0.0), 0.25)
        cycle = sum(seconds for _, seconds in self.stages)
        if self._into < cycle:
            return []
        self._done += 1
        out: list[Transition] = [Completed(t, self._started, None, 0.0, paced=True)]
        self.phase = Phase.REST
        if self._done < self.reps:  # rocking on: the next rep begins at once
            self.phase, self._started, self._into = Phase.OUT, t, self._into - cycle
            out.append(Started(t))
        return out


@dataclass
class PacedWhenUnseen:
    """The `seen` counter, until it has seen no rep in `give_up_s` of the start position: the
    movement is too small for the camera from here, so the app paces it (`paced`, made then). While
    pacing, `seen` keeps watching; `seen_again` reps seen on their own hand the count back to it. `changed`
    is True on the update whose mode changed; `pacing` says which mode holds."""

    seen: Counter
    paced: Callable[[], Counter]
    give_up_s: float
    seen_again: int = 2
    # A rep under way (`seen` out of rest) holds the pace back: the movement is seen, only slow or held
    # long. Off where a wobble can begin a rep that never ends (a rocking counter).
    wait_for_rep: bool = False
    pacing: bool = False
    changed: bool = False
    _pacer: Counter | None = None
    _waited: float = 0.0
    _rocked: bool = False  # a rep was seen before any pacing: the camera sees this person's movement
    _seen_while_pacing: int = 0
    _last_t: float | None = None

    @property
    def phase(self) -> Phase:
        return self._pacer.phase if self.pacing and self._pacer is not None else self.seen.phase

    @property
    def pace(self) -> tuple[str, float] | None:
        return getattr(self._pacer, "pace", None) if self.pacing else None

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        dt = 0.0 if self._last_t is None else min(max(t - self._last_t, 0.0), 0.25)
        self._last_t = t
        seen = self.seen.update(t, signal, in_start)
        self.changed = False
        if not self.pacing:
            if any(isinstance(tr, Completed) for tr in seen):
                self._rocked = True
            elif not self._rocked and in_start and not (self.wait_for_rep and self.seen.phase is Phase.OUT):
                self._waited += dt
            if self._rocked or self._waited < self.give_up_s:
                return seen
            # A rep begun and never finished (a wobble) does not hold the pace back.
            self.pacing, self.changed, self._pacer = True, True, self.paced()
        assert self._pacer is not None
        done = [tr for tr in seen if isinstance(tr, Completed)]
        self._seen_while_pacing += len(done)
        if done and self._seen_while_pacing >= self.seen_again:
            self.pacing, self.changed, self._rocked = False, True, True
            return done
        return self._pacer.update(t, signal, in_start)


@dataclass
class CycleCounter:
    """Rocks as full cycles of a signal about zero (a band-passed movement): one end past +T or -T begins
    a rock (Started), the other end completes it; in continuous rocking the next end begins the next.
    T is `share` of the signal's recent size (`size_percentile` of |signal| over `window_s`), never below
    `floor` (the signal's size lying still), so small and large rocks count alike and stillness none.

    With `per_side`, each end's T comes from that side's own recent size (a movement that goes further
    one way, as a pelvic tilt's arch does past its press, still shows its small end). With `clear`, once
    the recent size reaches `clear` times the floor (a movement is clearly under way), the floor falls to
    `clear_floor` times itself, and the window so far is counted afresh with it: the first rocks, as
    small as the later ones but made before their size was known, count then.

    With `lone_back`, at rest after a rock, the signal reaching that rock's last end again, clearly (twice
    its T), after coming back within `lone_back` of T from zero, is a rock whose other end was too small
    to see: counted. (Not while a rock is under way: a wobble before the first rock would pair with it.)"""

    floor: float
    share: float
    window_s: float = 20.0
    # The recent size is this percentile of |signal|: a movement bigger than the cycles, lasting under
    # (100 - it)% of the window, does not raise it.
    size_percentile: float = 95.0
    per_side: bool = False
    clear: float | None = None
    clear_floor: float = 1.0
    lone_back: float | None = None
    phase: Phase = Phase.REST
    _end: int = 0  # the last end reached: +1, -1, or 0 before any
    _back: float | None = None  # when the signal came back to the centre since the last end
    _started: float = 0.0
    size: float = 0.0  # the signal's recent size
    _peak: float = 0.0
    _cleared: bool = False
    _recent: deque[tuple[float, float]] = field(default_factory=deque)
    _completed_at: list[float] = field(default_factory=list)

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        if signal is None:
            return []
        self._recent.append((t, signal))
        while t - self._recent[0][0] > self.window_s:
            self._recent.popleft()
        values = np.array([v for _, v in self._recent])
        self.size = float(np.percentile(np.abs(values), self.size_percentile))
        if self.clear is not None and not self._cleared and self.size >= self.clear * self.floor:
            self._cleared = True
            return self._recount(*self._thresholds(values))
        return self._step(t, signal, *self._thresholds(values))

    def _thresholds(self, values: np.ndarray) -> tuple[float, float]:
        floor = self.floor * (self.clear_floor if self._cleared else 1.0)
        if not self.per_side:
            return (max(floor, self.share * self.size),) * 2
        return (max(floor, self.share * float(np.percentile(np.maximum(values, 0.0), 95))),
                max(floor, self.share * float(np.percentile(np.maximum(-values, 0.0), 95))))

    def _step(self, t: float, signal: float, above: float, below: float) -> list[Transition]:
        self._peak = max(self._peak, abs(signal))
        end = 1 if signal > above else -1 if signal < -below else 0
        if (self.lone_back is not None and self._end and self._back is None
                and signal * self._end < self.lone_back * (above if self._end > 0 else below)):
            self._back = t
        if end == 0:
            return []
        if end == self._end:
            return self._lone(t, signal) if abs(signal) >= 2 * (above if end > 0 else below) else []
        self._end, self._back = end, None
        if self.phase is Phase.REST:
            self.phase, self._started, self._peak = Phase.OUT, t, abs(signal)
            return [Started(t)]
        self.phase = Phase.REST
        self._completed_at.append(t)
        return [Completed(t, self._started, None, self._peak)]

    def _lone(self, t: float, signal: float) -> list[Transition]:
        """The same end again: after a return to the centre, the rock between showed one end only."""
        if self._back is None or self.phase is Phase.OUT:
            return []
        back, self._back = self._back, None
        self._completed_at.append(t)
        self._peak = abs(signal)
        return [Started(back), Completed(t, back, None, self._peak)]

    def _recount(self, above: float, below: float) -> list[Transition]:
        """Count the window so far afresh with these thresholds; the rocks it finds beyond those already
        counted in it are counted now (at the times they completed)."""
        since, was_out = self._recent[0][0], self.phase is Phase.OUT
        before = [c for c in self._completed_at if c < since]
        counted = len(self._completed_at) - len(before)
        self._completed_at, self.phase, self._end, self._peak, self._back = before, Phase.REST, 0, 0.0, None
        found: list[Transition] = []
        for t, signal in self._recent:
            found += [tr for tr in self._step(t, signal, above, below) if isinstance(tr, Completed)]
        out: list[Transition] = found[counted:]
        if self.phase is Phase.OUT and not was_out:
            out.append(Started(self._started))
        return out


@dataclass
class TwoViews:
    """One movement seen two ways: in the picture (`picture`, on the picture's signal, given to `update`)
    and by the landmarks (`landmarks`, on theirs, given to `see_landmarks` before each `update`). Reps are
    counted from the picture while its signal stands `clear` times its floor (its recent size), else from
    the landmarks: a faint picture (dark clothes leave the flow nothing to follow) misses rocks the
    landmarks see, and a movement too subtle for the landmarks shows in the picture. The lead changes
    only while both are at rest, so no rep is begun by one view and ended by the other; reps the new
    lead saw that the count lacks (the first rocks, seen before the picture's size was known) are
    counted then."""

    picture: CycleCounter
    landmarks: Counter
    clear: float
    by_picture: bool = False
    _landmark_signal: float | None = None
    _counted: int = 0
    _done: dict[bool, list[Completed]] = field(default_factory=lambda: {True: [], False: []})

    @property
    def phase(self) -> Phase:
        return (self.picture if self.by_picture else self.landmarks).phase

    def see_landmarks(self, signal: float | None) -> None:
        self._landmark_signal = signal

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        views = {True: self.picture.update(t, signal, in_start),
                 False: self.landmarks.update(t, self._landmark_signal, in_start)}
        self._landmark_signal = None
        for view, transitions in views.items():
            self._done[view] += [tr for tr in transitions if isinstance(tr, Completed)]
        out = views[self.by_picture]
        self._counted += sum(isinstance(tr, Completed) for tr in out)
        clear = self.picture.size >= self.clear * self.picture.floor
        if clear != self.by_picture and self.picture.phase is Phase.REST and self.landmarks.phase is Phase.REST:
            self.by_picture = clear
            missed = len(self._done[clear]) - self._counted
            if missed > 0:
                out = out + self._done[clear][-missed:]
                self._counted += missed
        return out
