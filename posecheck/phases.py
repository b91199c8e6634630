"""Phase machines that turn a movement signal (or a paced timer) into reps.

Each machine gets `update(t, signal, in_start)` on every frame (signal `None` when the landmarks
that drive it are not visible: the machine then waits, it never guesses) and returns what changed.
Hysteresis (separate enter and exit levels) and minimum durations keep jitter from counting reps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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


Transition = Started | Completed


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
    phase: Phase = Phase.REST
    _pending_since: float | None = None
    _started: float = 0.0
    _trace: list[tuple[float, float | None]] = field(default_factory=list)
    _last_seen: tuple[float, float] | None = None

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        if signal is None:
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
            if last[1] < peak / 2 and signal < peak / 2:
                self.phase, self._pending_since = Phase.REST, None
                done = Completed(last[0], self._started, self._hold(peak), peak)
                return [done, *self.update(t, signal, in_start)]
        if self.phase is Phase.REST:
            if signal >= self.enter:
                if self._pending_since is None:
                    self._pending_since, self._trace = t, []
                self._trace.append((t, signal))  # the hold may begin while the start settles
                if t - self._pending_since >= self.settle_s:
                    self.phase, self._started, self._pending_since = Phase.OUT, self._pending_since, None
                    return [Started(self._started)]
            else:
                self._pending_since = None
            return []
        self._trace.append((t, signal))
        if signal <= self.exit:
            if self._pending_since is None:
                self._pending_since = t
            if t - self._pending_since >= self.settle_s:
                self.phase, self._pending_since = Phase.REST, None
                peak = self._peak()
                return [Completed(t, self._started, self._hold(peak), peak)]
        else:
            self._pending_since = None
        return []

    def split(self, gap_start: float, t: float) -> list[Transition]:
        """The rep under way ended unseen (at `gap_start`) and another began: close it, start anew.
        Its hold is unknown: its end was not seen."""
        if self.phase is not Phase.OUT:
            return []
        seen = [(u, s) for u, s in self._trace if s is not None and u < gap_start]
        peak = sorted(s for _, s in seen)[int(0.9 * (len(seen) - 1))] if seen else 0.0
        done = Completed(gap_start, self._started, None, peak)
        self._started, self._trace, self._pending_since = t, [], None
        return [done, Started(t)]

    def _peak(self) -> float:
        # A high quantile, not the maximum: one glitched frame must not set the bar for the hold.
        values = sorted(s for _, s in self._trace if s is not None)
        return values[int(0.9 * (len(values) - 1))]

    def _hold(self, peak: float) -> float | None:
        # From first coming within the band to last leaving it: a wobble in between is still holding.
        # If the signal was unseen right where the hold began or ended, the hold's length is unknown.
        floor = peak - max(self.hold_band * abs(peak), self.hold_noise)
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


@dataclass
class RockingCounter:
    """Back-and-forth reps about a centre: a rep starts when the signal passes `level` on one side
    (one end of the rock), swings at least `swing` back from that end and past the centre by `far`
    (the other end), and is complete when it comes back from the other end by `release` and at least
    `return_share` of the way back to the centre.

    The two ends need not be alike: from the side one end of a rock may show twice as much as the
    other, so the far end is judged by the swing between the ends. Which end comes first is `first`
    when the exercise knows it, else the first rep's (later reps start at the end the first one did,
    so a half-hidden rock cannot put the count out of step). A rep may also be seen from its far end
    alone, when that end is clear (`far_alone`) and the signal was on the first end's side just before
    (a first end too small to see), or a gap may have hidden the first end (a gap at rest, or one
    past the far end that hid the way back: the next rock's first end may have gone with it). A
    swing past `bridge` is always the far end: one big excursion (hips lifted off the floor),
    whichever way the rock started.
    A gap of `hidden_rock_s` or more that leaves a rock at its first end and shows it back there after
    a visit off it hid the far end: that rock is complete and the next one has begun."""

    level: float
    release: float
    swing: float = 0.0  # 0: twice `level`
    far: float = 0.0  # how far past the centre the other end must be
    # The way back also covers this share of the way from the other end to the centre: a wobble at a
    # big far end (a bridge) is not the way back.
    return_share: float = 0.3
    settle_s: float = 0.15
    centre_follow_s: float = 0.0  # > 0: the centre follows slow drift (near the centre) with this time constant
    unseen_s: float = 0.3  # a gap this long may hide the first half of a rock
    after_unseen_s: float = 1.0  # ... if its far end shows within this long after it
    hidden_rock_s: float = 0.8  # a gap this long mid-rock may hide its far end and the way back
    median_s: float = 0.0  # > 0: the signal's median over this window (a glitch of a frame or two is not a swing)
    far_alone: float = 0.0  # > 0: a far end this clear counts a rock whose first end was too small to see
    bridge: float = 0.0  # > 0: a swing this far past the centre is always the far end
    first: float = 0.0  # the end a rock starts at (-1 or +1) when known; 0: the first rep's
    phase: Phase = Phase.REST
    _unseen_since: float | None = None
    _gap: tuple[float, float] | None = None  # a gap at rest that may have hidden a first end
    _out_gap: tuple[float, float] | None = None  # a gap mid-rock that may have hidden its far end
    _back_gap: float | None = None  # the end of a gap past the far end: it may have hidden the next first end
    _left_first: bool = False
    _again_since: float | None = None
    _recent: list[tuple[float, float]] = field(default_factory=list)
    _centre: float = 0.0
    _last_t: float | None = None
    _first: float = -1.0  # which end the rock starts at (-1 or +1); the person's habit, once seen
    _habit_known: bool = False
    _toward_first: bool = False  # at rest, the signal has been on the first end's side since the last rep
    _reached_far: bool = False
    _pending_since: float | None = None
    _started: float = 0.0
    _peak: float = 0.0
    _end1: float = 0.0  # the first end's extreme, signed towards the first end
    _end2: float = 0.0  # the other end's extreme, same sign convention

    def __post_init__(self) -> None:
        if self.first:
            self._first, self._habit_known = self.first, True

    def _settled(self, t: float, condition: bool) -> bool:
        if not condition:
            self._pending_since = None
            return False
        if self._pending_since is None:
            self._pending_since = t
        if t - self._pending_since >= self.settle_s:
            self._pending_since = None
            return True
        return False

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

    def _seen_again(self, t: float) -> None:
        unseen = t - self._unseen_since if self._unseen_since is not None else 0.0
        if unseen >= self.unseen_s:
            self._recent.clear()
            if self.phase is Phase.REST:
                self._gap = (t - unseen, t)
        if (unseen >= self.hidden_rock_s and self.phase is Phase.OUT and not self._reached_far
                and self._end1 >= (self.swing or 2 * self.level) / 2):
            self._out_gap, self._left_first, self._again_since = (t - unseen, t), False, None
        if unseen >= self.unseen_s and self.phase is Phase.OUT and self._reached_far:
            self._back_gap = t
        self._unseen_since = None

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        if signal is None:
            self._pending_since = None
            if self._unseen_since is None:
                self._unseen_since = t
            return []
        self._seen_again(t)
        s = self._centred(t, self._median(t, signal))
        swing = self.swing or 2 * self.level
        big = self.bridge if self.bridge > 0 else float("inf")
        if self.phase is Phase.REST:
            return self._rest(t, s, big)
        self._peak = max(self._peak, abs(s))
        x = self._first * s
        if not self._reached_far and self._out_gap is not None:
            # Seen again off the first end and then back at it: the far end and the way back were unseen.
            if x < self.level:
                self._left_first, self._again_since = True, None
            elif self._left_first and self._again_since is None:
                self._again_since = t
            elif self._left_first and self._again_since is not None and t - self._again_since >= self.settle_s:
                gap, started, peak = self._out_gap, self._started, self._peak
                self._out_gap, self._again_since = None, None
                self._started, self._end1, self._peak = t, x, abs(s)
                return [Completed(gap[1], started, 0.0, peak), Started(t)]
        if not self._reached_far:
            self._end1 = max(self._end1, x)
            if self._end1 >= big:
                # The first end was a bridge: it is this rep's far end.
                self._first, self._reached_far, self._end2, self._habit_known = -self._first, True, -self._end1, True
                return []
            if self._settled(t, self._end1 - x >= swing and x <= -self.far):
                self._reached_far, self._end2, self._out_gap = True, x, None
            return []
        self._end2 = min(self._end2, x)
        back = max(self.release, self.return_share * -self._end2)
        if -self._end2 >= big:
            back = max(back, -self._end2 - big / 2)  # a bridge is back down under half a bridge
        if self._settled(t, x - self._end2 >= back):
            # Back near the centre just after a gap past the far end: the gap hid the way back and
            # may have hidden the next rock's first end too, like a gap at rest.
            hid_back = self._back_gap is not None and x >= -self.far
            self._gap = (t, self._back_gap) if hid_back and self._back_gap is not None else None
            self.phase, self._habit_known, self._out_gap, self._back_gap = Phase.REST, True, None, None
            return [Completed(t, self._started, 0.0, self._peak)]
        return []

    def _rest(self, t: float, s: float, big: float) -> list[Transition]:
        first = self._first if self._habit_known else (-1.0 if s < 0 else 1.0)
        x = first * s
        recent_gap = self._gap is not None and t - self._gap[1] <= self.after_unseen_s
        if x >= self.far:
            self._toward_first = True  # past the centre towards the first end, by as much as the far end must
        alone = self.far_alone if self.far_alone > 0 else float("inf")
        far_first = self._habit_known and (-x >= big or (-x >= alone and (recent_gap or self._toward_first)))
        if not self._settled(t, x >= self.level or far_first):
            return []
        self._first, self.phase, self._peak = first, Phase.OUT, abs(s)
        if x >= self.level:
            self._started, self._reached_far, self._end1 = t, False, x
        else:
            # Its far end first: a first end too small to see or hidden, or a bridge.
            hidden = recent_gap and self._gap is not None and -x < big
            self._started = self._gap[0] if hidden and self._gap is not None else t
            self._reached_far, self._end1, self._end2 = True, 0.0, x
        self._gap, self._toward_first = None, False
        return [Started(self._started)]


@dataclass
class PacedHoldCounter:
    """Holds paced by a timer, for a contraction the camera cannot see: breathe in for `prepare_s`,
    hold for `hold_s`, relax for `relax_s`, again. A hold starts only in the start position and ends
    early when the body leaves it for `leave_s`; a rep is counted when its hold ends."""

    prepare_s: float
    hold_s: float
    relax_s: float
    leave_s: float = 1.0
    phase: Phase = Phase.REST
    stage: str = "prepare"  # prepare / hold / relax (the cue the person is given)
    _stage_since: float | None = None
    _out_since: float | None = None

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        if self.stage == "prepare" and in_start is False:
            self._stage_since = None  # wait for the start position before breathing in
            return []
        if self._stage_since is None:
            self._stage_since = t
        elapsed = t - self._stage_since
        if self.stage == "prepare":
            if elapsed >= self.prepare_s:
                self.stage, self.phase, self._stage_since, self._out_since = "hold", Phase.OUT, t, None
                return [Started(t)]
            return []
        if self.stage == "hold":
            if in_start is False:
                if self._out_since is None:
                    self._out_since = t
            elif in_start:
                self._out_since = None
            left = self._out_since is not None and t - self._out_since >= self.leave_s
            if elapsed >= self.hold_s or left:
                end = self._out_since if left and self._out_since is not None else t
                started = self._stage_since
                self.stage, self.phase, self._stage_since = "relax", Phase.REST, t
                return [Completed(t, started, end - started, 0.0)]
            return []
        if elapsed >= self.relax_s:
            self.stage, self._stage_since = "prepare", t
        return []
