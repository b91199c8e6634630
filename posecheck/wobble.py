"""How much a still person's landmarks wobble in this picture, read by a stillness check at rest.

MediaPipe's points wander on a body that does not move, by an amount that depends on the picture (light,
noise, compression, clothes, the person's size in it). A check that judges a small movement (a knee
coming down 3 cm) against one fixed limit nags the people in the noisiest pictures. Such a check
(`Check.wobble_scale`) reads its own measure while the person rests between reps; its limit becomes that
many times the reading's wobble (the 90th percentile of how far each reading lies from the median of the
second around it), never below the check's own threshold nor above MAX_RAISE times it. The wobble is
taken about a running median, not as the reading itself, because at rest the reading can also sit
steadily off zero or drift (the rest reference still catching up with a body that moved): no noise.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

SPAN_S = 1.0  # the running median's span
# A limit is raised at most this many times: a person moving at rest (a leg slid out before the hold)
# also reads as wobble, and a movement twice the limit is a fault in any picture.
MAX_RAISE = 2.0
# Coming back from a rep is movement, not wobble (a leg sliding back after a hold where it slid out): rest
# readings this soon after a rep are left out.
AFTER_REP_S = 3.0
# Deviations needed before the wobble is trusted (a second at 30 fps), and how many are kept (the last
# 30 s at 30 fps): the picture's wobble now, not a minute ago.
MIN_SAMPLES = 30
KEEP = 900


@dataclass
class Wobble:
    """One check's readings at rest in this set."""

    recent: deque[tuple[float, float]] = field(default_factory=deque)
    deviations: deque[float] = field(default_factory=lambda: deque(maxlen=KEEP))
    # The level is read on every judged frame of a rep but changes only at rest: kept until a deviation comes.
    _level: float | None = field(default=None, init=False)
    _stale: bool = field(default=False, init=False)

    def add(self, t: float, reading: float | None, since_rep_s: float = math.inf) -> None:
        """A reading at rest, `since_rep_s` after the last rep ended."""
        if reading is None or not math.isfinite(reading) or since_rep_s < AFTER_REP_S:
            return
        self.recent.append((t, reading))
        while t - self.recent[0][0] > SPAN_S:
            self.recent.popleft()
        if len(self.recent) >= 5 and t - self.recent[0][0] >= SPAN_S / 2:
            # The middle reading against the median around it: a steady drift (a leg sliding back, the
            # rest reference catching up) has its middle at its median and adds nothing.
            middle = self.recent[len(self.recent) // 2][1]
            self.deviations.append(abs(middle - float(np.median([r for _, r in self.recent]))))
            self._stale = True

    def level(self) -> float | None:
        """The deviations' 90th percentile, or None before MIN_SAMPLES of them."""
        if self._stale:
            self._stale = False
            self._level = float(np.percentile(self.deviations, 90)) if len(self.deviations) >= MIN_SAMPLES else None
        return self._level

    def limit(self, threshold: float, scale: float) -> float:
        level = self.level()
        return threshold if level is None else min(max(threshold, scale * level), MAX_RAISE * threshold)
