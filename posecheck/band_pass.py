"""A causal band-pass for a slow movement sampled at uneven times: the value minus its slow mean (drift
goes), then smoothed (frame-to-frame jitter goes). The lower back's rocks (posecheck.lumbar) and the
belly's breaths (posecheck.breath) are both read through one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class BandPass:
    low_hz: float
    high_hz: float
    _slow: float | None = None
    _band: float = 0.0

    def __call__(self, value: float, dt: float) -> float:
        """The band-passed value `dt` seconds after the last; the first value only starts the slow mean."""
        if self._slow is None:
            self._slow = value
            return 0.0
        self._slow += (1 - math.exp(-dt * 2 * math.pi * self.low_hz)) * (value - self._slow)
        self._band += (1 - math.exp(-dt * 2 * math.pi * self.high_hz)) * ((value - self._slow) - self._band)
        return self._band
