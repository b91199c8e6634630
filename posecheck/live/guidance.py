"""The moments a person on the mat needs told, in words for the voice and the screen: when a hold has
begun and when it has lasted long enough, how far through the set they are, and how the set went.

`HoldWatch` follows the movement signal the rules count from and says when the body has arrived where it
holds and when that hold reaches its target; `SetSummary` is a finished set's end screen. No drawing,
no speaking here; time only from the frames.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from posecheck.events import Event, EventKind, rep_sides
from posecheck.phases import HoldCounter
from posecheck.report.targets import Targets
from posecheck.words import count

# The body has arrived where it holds once its movement has made no new high (by more than the hold band)
# for this long: longer than a slowing on the way out, short enough to say "hold" early in a 3 s hold.
HOLD_SETTLED_S = 0.4
# The hold band, as the rules' HoldCounter measures a hold: within this share of the peak (and never
# narrower than the signal's wobble at a hold) the body is holding.
HOLD_BAND = HoldCounter.hold_band
HOLD_NOISE = HoldCounter.hold_noise
# The movement is followed as its median over this long: one glitched frame is neither a new high nor a dip.
SMOOTH_S = 0.3
# Below the hold's level by this share of it (and at least twice the wobble) the body is on its way back;
# a hold wobbles by less (kinematic knee rolls: 0.27-0.38 around a 0.33 hold).
AWAY_SHARE = 0.3
# The sheet says "return to the starting position"; for back extensions that is down onto the elbows.
HOLD_DONE_WORDS = {"back_extensions": "And come back down"}
HOLD_DONE_DEFAULT = "And come back"
HOLD_DONE_SHOWN = "Hold done: come back"
# The end screen names at most this many things to work on: more is a list nobody remembers.
FOCUS_CUES = 2


@dataclass
class HoldWatch:
    """When a rep's hold begins and when it reaches `target_s`, from the rep's movement signal.

    Feed `update` every frame of a rep under way (`reset` between reps); it returns "hold" on the frame
    the hold is known to have begun (dated back to when the body arrived) and "done" on the frame the
    hold has lasted `target_s` with the body still there.
    """

    target_s: float
    band: float = HOLD_BAND
    noise: float = HOLD_NOISE
    began_s: float | None = None  # when the body arrived where it holds
    done: bool = False
    _recent: deque[tuple[float, float]] = field(default_factory=deque)
    _high: float = -math.inf
    _rise: float | None = None  # the level at the last clear rise, and when
    _rise_t: float = 0.0
    _left: bool = False  # came away before the hold's target: nothing more to say for this rep

    def reset(self) -> None:
        self.began_s, self.done, self._high, self._rise, self._left = None, False, -math.inf, None, False
        self._recent.clear()

    def _width(self, level: float) -> float:
        return max(self.band * abs(level), self.noise)

    def update(self, t: float, signal: float | None) -> str | None:
        if signal is None or self.done or self._left:
            return None
        self._recent.append((t, signal))
        while t - self._recent[0][0] > SMOOTH_S:
            self._recent.popleft()
        level = float(np.median([s for _, s in self._recent]))
        if self._rise is None or level > self._rise + self._width(self._rise):
            self._rise, self._rise_t = level, t  # still on the way out
        self._high = max(self._high, level)
        if level < self._high - max(AWAY_SHARE * abs(self._high), 2 * self.noise):
            self._left = True  # on the way back
            return None
        if self.began_s is None:
            if t - self._rise_t >= HOLD_SETTLED_S:
                self.began_s = self._rise_t
                return "hold"
            return None
        if t - self.began_s >= self.target_s:
            self.done = True
            return "done"
        return None

    def held_s(self, t: float) -> float | None:
        """How long the body has held so far (None: not holding, or already on its way back)."""
        return None if self.began_s is None or self._left else max(0.0, t - self.began_s)


def hold_words(targets: Targets) -> str:
    """The target hold in words: "one deep breath", "5-10 seconds", "5-10 breaths" ("" without a hold)."""
    if targets.hold_s:
        lo, hi = targets.hold_s
        return f"{lo:g} seconds" if lo == hi else f"{lo:g} to {hi:g} seconds"
    if targets.hold_breaths:
        lo, hi = targets.hold_breaths
        if hi == 1:
            return "one deep breath"
        return count(lo, "breath") if lo == hi else f"{lo} to {hi} breaths"
    return ""


def hold_phrase(targets: Targets) -> str:
    """Said as a hold begins: "Hold for one deep breath"."""
    words = hold_words(targets)
    return f"Hold for {words}" if words else "Hold"


def hold_done_phrase(exercise: str) -> str:
    """Said as a hold reaches its target: the sheet's "return to the starting position", short."""
    return HOLD_DONE_WORDS.get(exercise, HOLD_DONE_DEFAULT)


def of_target(reps: int, target: tuple[int, int]) -> str:
    """"That's 3 of 8": out of the fewest the target asks, and past that out of the most."""
    lo, hi = target
    return f"That's {reps} of {lo if reps <= lo else hi}"


@dataclass(frozen=True)
class SetSummary:
    """A finished set as its end screen shows it: reps, holds, and what to work on next time."""

    title: str
    reps: int
    reps_target: tuple[int, int]
    by_side: dict[str, int]
    holds: tuple[float, ...]  # seconds, each counted rep whose hold was timed
    hold_target_s: float | None
    hold_words: str
    focus: tuple[tuple[str, int], ...]  # (a fault's cue, how many reps it was seen in), most first
    paced: int = 0  # reps the app paced (the camera could not see them)

    @classmethod
    def of(cls, title: str, targets: Targets, events: list[Event], hold_target_s: float | None,
           ignore_checks: tuple[str, ...] = ()) -> SetSummary:
        """The summary of one set from its events."""
        reps = [e for e in events if e.kind is EventKind.REP_COMPLETED]
        sides = Counter(rep_sides(events).values())
        faults: dict[str, set[int | None]] = {}
        for e in events:
            if e.kind is EventKind.FAULT and e.cue and e.check not in ignore_checks:
                faults.setdefault(e.cue, set()).add(e.rep)
        # Most reps first; equal ones in the order they were first seen (dicts keep insertion order).
        focus = sorted(((cue, len(seen)) for cue, seen in faults.items()), key=lambda f: -f[1])[:FOCUS_CUES]
        holds = tuple(e.hold_ms / 1000.0 for e in reps if e.hold_ms is not None)
        return cls(title=title, reps=len(reps), reps_target=targets.reps, by_side=dict(sides),
                   holds=holds if hold_target_s else (), hold_target_s=hold_target_s,
                   hold_words=hold_words(targets), focus=tuple(focus), paced=sum(bool(e.paced) for e in reps))

    def lines(self) -> tuple[str, ...]:
        lo, hi = self.reps_target
        target = f"{lo}" if lo == hi else f"{lo}-{hi}"
        sides = ", ".join(f"{side} {n}" for side, n in sorted(self.by_side.items()))
        reps = f"{count(self.reps, 'rep')} (target {target})" + (f": {sides}" if sides else "")
        if self.paced:
            reps += f", {self.paced} paced"
        lines = [reps]
        if self.holds and self.hold_target_s:
            reached = sum(h >= self.hold_target_s for h in self.holds)
            lines.append(f"Holds: {reached} of {len(self.holds)} lasted {self.hold_words}")
        if self.focus:
            lines += [f"Work on: {cue} ({count(n, 'rep')})" for cue, n in self.focus]
        else:
            lines.append("No faults seen")
        return tuple(lines)

    def spoken(self) -> tuple[str, ...]:
        """Said as the set ends: the count, and the one thing to work on."""
        said = [f"Well done, {count(self.reps, 'rep')}"]
        if self.focus:
            said.append(f"Next time: {self.focus[0][0]}")
        return tuple(said)
