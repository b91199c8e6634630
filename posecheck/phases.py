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
    phase: Phase = Phase.REST
    _pending_since: float | None = None
    _started: float = 0.0
    _trace: list[tuple[float, float | None]] = field(default_factory=list)

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        if signal is None:
            self._pending_since = None
            if self.phase is Phase.OUT:
                self._trace.append((t, None))
            return []
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
    a third of the way back to the centre.

    The two ends need not be alike: from the side one end of a rock may show twice as much as the
    other, so the far end is judged by the swing between the ends. The first rep may start at either
    end (people start a rock either way, and which way a side camera's signal swings first depends on
    the body); later reps start at the end the first one did, so a half-hidden rock cannot put the
    count out of step."""

    level: float
    release: float
    swing: float = 0.0  # 0: twice `level`
    far: float = 0.0  # how far past the centre the other end must be
    # The way back also covers this share of the way from the other end to the centre: a wobble at a
    # big far end (a bridge) is not the way back.
    return_share: float = 0.3
    settle_s: float = 0.15
    centre_follow_s: float = 0.0  # > 0: the centre follows slow drift with this time constant
    unseen_s: float = 0.3  # a gap this long may hide the first half of a rock
    phase: Phase = Phase.REST
    _unseen_since: float | None = None
    _centre: float = 0.0
    _last_t: float | None = None
    _first: float = -1.0  # which end the rock starts at (-1 or +1); the person's habit, once seen
    _habit_known: bool = False
    _reached_far: bool = False
    _pending_since: float | None = None
    _started: float = 0.0
    _peak: float = 0.0
    _end1: float = 0.0  # the first end's extreme, signed towards the first end
    _end2: float = 0.0  # the other end's extreme, same sign convention

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

    def update(self, t: float, signal: float | None, in_start: bool | None = None) -> list[Transition]:
        if signal is None:
            self._pending_since = None
            if self._unseen_since is None:
                self._unseen_since = t
            return []
        unseen_since, self._unseen_since = self._unseen_since, None
        if self.centre_follow_s > 0:
            if self._last_t is not None:
                a = min(max(t - self._last_t, 0.0) / self.centre_follow_s, 1.0)
                self._centre += a * (signal - self._centre)
            self._last_t = t
            signal -= self._centre
        swing = self.swing or 2 * self.level
        if self.phase is Phase.REST:
            x = self._first * signal
            if (self._habit_known and unseen_since is not None and t - unseen_since >= self.unseen_s
                    and x <= -self.level):
                # Back in sight at the far end: the first half of the rock happened while unseen.
                self.phase, self._started, self._reached_far = Phase.OUT, unseen_since, True
                self._peak, self._end1, self._end2 = abs(signal), 0.0, x
                return [Started(unseen_since)]
            first = self._first if self._habit_known else (-1.0 if signal < 0 else 1.0)
            if self._settled(t, first * signal >= self.level):
                self._first = first
                self.phase, self._started, self._reached_far = Phase.OUT, t, False
                self._peak, self._end1 = abs(signal), first * signal
                return [Started(t)]
            return []
        self._peak = max(self._peak, abs(signal))
        x = self._first * signal
        if not self._reached_far:
            self._end1 = max(self._end1, x)
            if self._settled(t, self._end1 - x >= swing and x <= -self.far):
                self._reached_far, self._end2 = True, x
            return []
        self._end2 = min(self._end2, x)
        back = max(self.release, self.return_share * -self._end2)
        if self._settled(t, x - self._end2 >= back):
            self.phase, self._habit_known = Phase.REST, True
            return [Completed(t, self._started, 0.0, self._peak)]
        return []


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
