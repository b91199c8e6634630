"""Landmark smoothing with little lag: a One-Euro filter per coordinate, gated by visibility.

The One-Euro filter smooths hard when a point is still (jitter) and lightly when it moves (lag), so
its delay stays around a tenth of a second, well under a rep. Time comes only from frame timestamps.
"""

from __future__ import annotations

import math

import numpy as np

# Below this MediaPipe visibility a landmark is not trusted: its smoothed value is held, not updated.
VISIBLE = 0.5
# A gap longer than this (no pose, or the landmark hidden) restarts the filter instead of gliding.
RESET_GAP_S = 0.5


def _alpha(cutoff_hz: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz))
    return 1.0 / (1.0 + tau / dt)


class OneEuro:
    """One-Euro filter over an array of values (any shape), in the values' own units per second."""

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.5, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff = min_cutoff_hz
        self.beta = beta
        self.d_cutoff = d_cutoff_hz
        self.value: np.ndarray | None = None
        self.speed: np.ndarray | None = None
        self.t: float | None = None

    def reset(self) -> None:
        self.value = self.speed = self.t = None

    def __call__(self, t: float, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Filter `x` observed at time `t` (seconds); entries where `mask` is False keep their old value."""
        x = np.asarray(x, dtype=float)
        if self.value is None or self.t is None or t - self.t > RESET_GAP_S:
            self.value, self.speed, self.t = x.copy(), np.zeros_like(x), t
            return self.value.copy()
        if t <= self.t:  # a repeated timestamp adds nothing
            return self.value.copy()
        dt = t - self.t
        speed = (x - self.value) / dt
        a_d = _alpha(self.d_cutoff, dt)
        speed = self.speed + a_d * (speed - self.speed)
        a = _alpha(self.min_cutoff + self.beta * np.abs(speed), dt)
        value = self.value + a * (x - self.value)
        if mask is not None:
            keep = ~np.broadcast_to(mask, x.shape)
            value[keep] = self.value[keep]
            speed[keep] = 0.0
        self.value, self.speed, self.t = value, speed, t
        return value.copy()


class LandmarkSmoother:
    """Smooths a pose's pixel positions and depths; a landmark hidden for a while is restarted when seen."""

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.02) -> None:
        # beta is per pixel/s: at 100 px/s (a steady rep) the cutoff doubles, so a moving joint lags little.
        self.xy = OneEuro(min_cutoff_hz, beta)
        self.z = OneEuro(min_cutoff_hz, 0.0)
        self.last_seen: np.ndarray | None = None

    def reset(self) -> None:
        self.xy.reset()
        self.z.reset()
        self.last_seen = None

    def __call__(self, t: float, xy: np.ndarray, z: np.ndarray, visible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.last_seen is None:
            self.last_seen = np.full(len(xy), t)
        stale = (t - self.last_seen) > RESET_GAP_S
        if self.xy.value is not None and np.any(stale & visible):
            # A landmark that comes back after a gap starts from where it is now, not from where it was.
            self.xy.value[stale & visible] = xy[stale & visible]
            self.z.value[stale & visible] = z[stale & visible]
        out_xy = self.xy(t, xy, visible[:, None])
        out_z = self.z(t, z, visible)
        self.last_seen[visible] = t
        return out_xy, out_z
