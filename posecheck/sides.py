"""Which way a rep went: a vote over the rep's frames, read against the rep before it.

A side reading carries the camera's own lean: seen from a little off the side view, or from the floor,
both ways a knee roll goes can read on the same side of zero. Two rolls of one person in one set share
that lean, so near zero what tells two ways apart is how far their readings differ, not their signs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class SideRule:
    """How a rep's mean side reading is read: beyond `sure` either way its sign decides; nearer zero,
    a reading within `apart` of the previous rep's went the same way, one further off the other way.
    `hidden_towards`: the way a rep went when the part that tells was hidden in every frame of it
    (None: not guessed)."""

    apart: float
    sure: float
    hidden_towards: bool | None = None


def went_towards(reading: float, before: tuple[float, bool] | None, rule: SideRule | None) -> bool:
    """Whether a rep with this mean side reading went towards the camera; `before` is the previous
    rep's reading and way. Without a rule or a previous rep the reading's sign decides."""
    if before is None or rule is None or abs(reading) >= rule.sure:
        return reading >= 0
    previous, towards = before
    return towards if abs(reading - previous) < rule.apart else not towards


@dataclass
class SideVote:
    """The side vote of the rep under way, and the previous rep's reading it is read against."""

    rule: SideRule | None = None
    total: float = 0.0  # readings weighted by how far the rep had gone
    weight: float = 0.0
    hidden: float = 0.0  # weight of frames whose reading was NaN: the part that tells was hidden
    before: tuple[float, bool] | None = None

    def add(self, reading: float, weight: float) -> None:
        if math.isnan(reading):
            self.hidden += weight
            return
        self.total += reading * weight
        self.weight += weight

    def clear(self) -> None:
        """The rep under way was dropped or split: its frames vote no more."""
        self.total = self.weight = self.hidden = 0.0

    def decide(self) -> bool | None:
        """The finished rep went towards the camera? Where no frame of it could read a side, the rule's
        `hidden_towards` if the telling part was seen hidden, else None: not guessed. Closes the vote;
        the next rep is read against this one, or, where it was not read, the last rep that was."""
        if self.weight <= 0.0:
            towards = self.rule.hidden_towards if self.rule is not None and self.hidden > 0.0 else None
            self.clear()
            return towards
        reading = self.total / self.weight
        towards = went_towards(reading, self.before, self.rule)
        self.before = (reading, towards)
        self.clear()
        return towards
