"""Which way a rep went: a vote over the rep's frames, read against the rep before it.

A side reading carries the camera's own lean: seen from a little off the side view, or from the floor,
both ways a knee roll goes can read on the same side of zero. Two rolls of one person in one set share
that lean, so near zero what tells two ways apart is how far their readings differ, not their signs.
Further off the side view the lean can swallow that difference too; then other cues of the rep (where
the moving part went across the picture, or nearer the camera) can still tell two reps apart.

The first rep has no rep before it: its sign alone decides, lean and all, and every later rep is read
from it. So once the second rep went the other way, the two are read again against each other: the one
reading higher went towards the camera, whatever the lean (`SideVote.read_again`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SideRule:
    """How a rep's mean side reading is read: beyond `sure` either way its sign decides; nearer zero,
    a reading within `apart` of the previous rep's went the same way, one further off the other way.
    `hidden_towards`: the way a rep went when the part that tells was hidden in every frame of it
    (None: not guessed). `cues_apart`: two reps whose mean of the exercise's i-th side cue differs by
    `cues_apart[i]` or more went different ways, whatever their readings."""

    apart: float
    sure: float
    hidden_towards: bool | None = None
    cues_apart: tuple[float, ...] = ()


def went_towards(reading: float, before: tuple[float, bool] | None, rule: SideRule | None,
                 cues_differ: bool = False) -> bool:
    """Whether a rep with this mean side reading went towards the camera; `before` is the previous
    rep's reading and way, `cues_differ` whether the rule's cues set the two reps apart: then it went
    the other way, whatever the reading. Without a rule or a previous rep the reading's sign decides."""
    if before is None or rule is None:
        return reading >= 0
    previous, towards = before
    if cues_differ:
        return not towards
    if abs(reading) >= rule.sure:
        return reading >= 0
    return towards if abs(reading - previous) < rule.apart else not towards


@dataclass
class SideVote:
    """The side vote of the rep under way, and the previous rep's reading it is read against."""

    rule: SideRule | None = None
    total: float = 0.0  # readings weighted by how far the rep had gone
    weight: float = 0.0
    hidden: float = 0.0  # weight of frames whose reading was NaN: the part that tells was hidden
    before: tuple[float, bool] | None = None
    cues: dict[int, tuple[float, float]] = field(default_factory=dict)  # cue: (weighted sum, weight)
    cues_before: tuple[float, ...] = ()
    reads: int = 0  # reps read so far
    before_rep: int | None = None  # the rep `before` belongs to
    read_again: int | None = None  # the rep read before this one went the other way than first read

    def add(self, reading: float, weight: float, cues: tuple[float, ...] = ()) -> None:
        for i, cue in enumerate(cues):
            if math.isfinite(cue) and weight > 0:
                total, w = self.cues.get(i, (0.0, 0.0))
                self.cues[i] = (total + cue * weight, w + weight)
        if math.isnan(reading):
            self.hidden += weight
            return
        self.total += reading * weight
        self.weight += weight

    def clear(self) -> None:
        """The rep under way was dropped or split: its frames vote no more."""
        self.total = self.weight = self.hidden = 0.0
        self.cues = {}

    def decide(self, rep: int | None = None) -> bool | None:
        """The finished rep (number `rep`) went towards the camera? Where no frame of it could read a side,
        the rule's `hidden_towards` if the telling part was seen hidden, else None: not guessed. Closes the
        vote; the next rep is read against this one, or, where it was not read, the last rep that was.
        `read_again` names the first rep read when the second one turned its side round (else None); without
        rep numbers nothing is read again, as there would be no rep to name."""
        self.read_again = None
        if self.weight <= 0.0:
            towards = self.rule.hidden_towards if self.rule is not None and self.hidden > 0.0 else None
            self.clear()
            return towards
        reading = self.total / self.weight
        apart = self.rule.cues_apart if self.rule is not None else ()
        cues = tuple(self.cues[i][0] / self.cues[i][1] if i in self.cues else math.nan for i in range(len(apart)))
        # The first rep has no cues before it to differ from.
        differ = any(abs(now - then) >= limit
                     for now, then, limit in zip(cues, self.cues_before, apart, strict=False)
                     if math.isfinite(now) and math.isfinite(then))
        towards = went_towards(reading, self.before, self.rule, differ)
        if (self.reads == 1 and self.before is not None and self.before_rep is not None and self.rule is not None
                and towards != self.before[1] and max(abs(reading), abs(self.before[0])) < self.rule.sure
                and (reading > self.before[0]) != towards):
            # Two reps that went different ways, neither clear on its own: the lean is the same for both.
            towards = not towards
            self.read_again = self.before_rep
        self.reads += 1
        self.before = (reading, towards)
        self.before_rep = rep
        self.cues_before = cues
        self.clear()
        return towards
