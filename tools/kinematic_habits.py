"""Habits of real people for the kinematic sets (`SetPlan.habits`, `--split habits-dev`).

The plain sets' people begin still for 3-4 s, move in one order with a pause at each end and stop when
the set ends. A habit set draws, per set and each on its own, how this person moves:

- `start_direction`: pelvic tilts arch first (the pelvis towards the heels, then the press) or press
  first; knee rolls towards the camera first or away from it;
- `rhythm`: "paused" (a stop at each end and a rest between reps) or "continuous" (one rocking or
  rolling movement: no stop at the ends, no rest; where the sheet says hold, the hold is kept and only
  the rests go);
- `tempo`: 0.5-2 times the usual speed;
- `range`: "full" or "small" (knee rolls a third of the angle, pelvic tilts half, heels stretch and
  back extensions 60% of the way);
- `rests`: "long" (3-4 s still before the first rep) or "brief" (0.4-0.6 s, and 0.3-0.6 s between
  reps), and `end_still`: lying still for 2 s after the last rep, or stopping at once;
- `pauses`: none, a long pause mid-set, or a pause mid-rep at the end position;
- `fidgets`: a hand to the face or to the clothes (1-3 s) between reps and during holds, and a small
  shift on the mat;
- `look_at_screen`: the head turned 40-80 degrees towards the laptop beside the mat (the camera) and
  raised a little (< 8 degrees) for 1-3 s, between and during reps, 2-4 times a set (not a fault);
- `get_in_out`: walking in from the side of the image, getting down into the start position, and at
  the end getting up and walking out (labelled `transitions`).

Every draw here comes from the habit stream (`habit_rng`), apart from what a plain set of the same
seed also draws (rep count, faulty reps, holds, amplitudes), so the plain sets are unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tools.kinematic_body import (
    POSES,
    Camera,
    Pose,
    Proportions,
    all_fours,
    apply_habits,
    kneeling,
    sitting,
    squatting,
    standing,
    to_landmarks,
)
from tools.make_kinematic_samples import (
    EXERCISES,
    FAULTS,
    Rep,
    SetPlan,
    Timeline,
    _ease,
    _elbow_as_seen,
    _fault_reps,
    deep_abdominal,
)

HABIT_STREAM = 77  # the habit RNG's key next to the set's seed: np.random.default_rng([seed, 77, ...])
TEMPO_RANGE = (0.5, 2.0)
SLOW_TEMPO, FAST_TEMPO = 0.8, 1.3  # tempo factor levels: slow below, fast above, usual between
# Which habits each exercise has (deep abdominal is paced by the app's timer: no rhythm, tempo or range).
PACED = ("heels_stretch", "knee_rolls", "back_extensions", "pelvic_tilts")
START_DIRECTIONS = {"pelvic_tilts": ("press_first", "arch_first"), "knee_rolls": ("near_first", "far_first")}
SMALL_RANGE = {"knee_rolls": 1 / 3, "pelvic_tilts": 0.5, "heels_stretch": 0.6, "back_extensions": 0.6}
# Transitions: seconds per stage of getting down or up, walking speed (m/s).
STAGE_S = (0.8, 1.6)
WALK_SPEED = (0.8, 1.2)


def habit_rng_key(plan: SetPlan) -> list[int]:
    kinds = ("correct", *FAULTS[plan.exercise])
    return [plan.seed, HABIT_STREAM, EXERCISES.index(plan.exercise), kinds.index(plan.kind)]


def habit_rng(plan: SetPlan) -> np.random.Generator:
    return np.random.default_rng(habit_rng_key(plan))


@dataclass(frozen=True)
class Habits:
    """How one person moves through a set (levels drawn independently per set)."""

    start_direction: str | None
    rhythm: str | None
    tempo: float | None
    range: str | None
    rests: str | None  # None: deep abdominal, whose start and rests the app's timer sets
    end_still: bool
    pauses: str  # "none", "mid_set" or "mid_rep"
    fidgets: bool
    look_at_screen: bool
    get_in_out: bool

    @classmethod
    def draw(cls, exercise: str, rng: np.random.Generator) -> Habits:
        paced = exercise in PACED
        directions = START_DIRECTIONS.get(exercise)
        start = str(directions[int(rng.integers(2))]) if directions else None
        rhythm = ("paused", "continuous")[int(rng.integers(2))] if paced else None
        lo, hi = TEMPO_RANGE
        tempo = round(float(math.exp(rng.uniform(math.log(lo), math.log(hi)))), 2) if paced else None
        range_ = ("full", "small")[int(rng.integers(2))] if paced else None
        rests = ("long", "brief")[int(rng.integers(2))] if paced else None
        if not paced:
            rng.integers(2)  # drawn all the same: the later habits stay as they were
        end_still = bool(rng.random() < 0.5)
        pause_levels = ("none", "mid_set", "mid_rep") if paced else ("none", "mid_set")
        pauses = pause_levels[int(rng.integers(len(pause_levels)))]
        return cls(start, rhythm, tempo, range_, rests, end_still, pauses, bool(rng.random() < 0.5),
                   bool(rng.random() < 0.5), bool(rng.random() < 0.5))

    def labels(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def factors(self) -> dict[str, str]:
        """Categorical levels to group figures by (tempo bucketed)."""
        out = {k: v for k, v in self.labels().items() if isinstance(v, str)}
        if self.tempo is not None:
            out["tempo"] = "slow" if self.tempo < SLOW_TEMPO else "fast" if self.tempo > FAST_TEMPO else "usual"
        out["end"] = "still" if self.end_still else "abrupt"
        for name in ("fidgets", "look_at_screen", "get_in_out"):
            out[name] = "yes" if getattr(self, name) else "no"
        return out


@dataclass
class Bump:
    """A habit control raised from `start` to `end` with eased ramps (`step`: stays raised)."""

    start: float
    end: float
    ramp: float
    values: dict[str, float]
    fixed: dict[str, float] = field(default_factory=dict)
    step: bool = False

    def level(self, t: float) -> float:
        if t <= self.start:
            return 0.0
        rise = _ease((t - self.start) / self.ramp)
        return rise if self.step else min(rise, _ease((self.end - t) / self.ramp))


class Pace:
    """The habit timing of one set: lead-in, holds, rests, pauses, fidgets; collects the overlays."""

    def __init__(self, h: Habits, rng: np.random.Generator, n: int, speed: float) -> None:
        self.h, self.rng, self.n = h, rng, n
        self.speed = h.tempo if h.tempo is not None else speed
        self.continuous = h.rhythm == "continuous"
        self.bumps: list[Bump] = []
        self.pause_before = int(rng.integers(2, n + 1)) if h.pauses == "mid_set" and n > 1 else -1
        self.pause_in = int(rng.integers(1, n + 1)) if h.pauses == "mid_rep" else -1
        self.pause_after: tuple[int, float] | None = None  # (rep, length): a short hold's pause, in its rest
        fidget_count = int(rng.integers(1, 4)) if h.fidgets else 0
        slots = [int(x) for x in rng.choice(np.arange(1, 2 * n + 1), size=min(fidget_count, 2 * n), replace=False)]
        self.fidget_holds = {s for s in slots if s <= n}  # during rep s's hold
        self.fidget_gaps = {s - n for s in slots if s > n and s - n < n}  # in the rest after rep s - n
        self.shift_after = int(rng.integers(1, n)) if h.fidgets and n > 1 and rng.random() < 0.6 else -1

    def lead(self, tl: Timeline) -> None:
        tl.hold(self.rng.uniform(3.0, 4.0) if self.h.rests == "long" else self.rng.uniform(0.4, 0.6))

    def before(self, tl: Timeline, k: int) -> None:
        if k == self.pause_before:
            tl.hold(self.rng.uniform(6, 10))

    def flows_into(self, k: int) -> bool:
        """Whether rep k runs straight into rep k + 1 (continuous, nothing in between)."""
        return (self.continuous and k < self.n and k + 1 != self.pause_before and k not in self.fidget_gaps
                and k != self.shift_after and (self.pause_after is None or self.pause_after[0] != k))

    def hold(self, tl: Timeline, k: int, duration: float, short: bool = False) -> float:
        """The end position of rep k held `duration` (longer if this rep is paused mid-way); its length.
        A rep held too short (`short`) keeps its short hold and pauses in the rest after it: paused at the
        end position it would be held long, under a hold_too_short label (habits v19 knee 1190019 rep 1)."""
        if k == self.pause_in:
            pause = self.rng.uniform(4, 8)
            if short:
                self.pause_after = (k, pause)
            else:
                duration += pause
        t0 = tl.t
        tl.hold(duration)
        if k in self.fidget_holds and duration > 1.6:
            self.fidget(t0 + self.rng.uniform(0.1, 0.4), min(self.rng.uniform(1, 3), duration - 0.5))
        return duration

    def gap(self, tl: Timeline, k: int, usual: float) -> None:
        """The rest after rep k (the lead to rep k + 1)."""
        if self.pause_after is not None and self.pause_after[0] == k:
            tl.hold(self.pause_after[1])
        if k >= self.n:
            return
        rest = 0.0 if self.continuous else usual if self.h.rests == "long" else self.rng.uniform(0.3, 0.6)
        if rest > 0:
            tl.hold(rest)
        if k in self.fidget_gaps:
            length = self.rng.uniform(1, 3)
            self.fidget(tl.t + 0.1, length)
            tl.hold(length + 0.3)
        if k == self.shift_after:
            self.bumps.append(Bump(tl.t, math.inf, self.rng.uniform(0.8, 1.4),
                                   {"shift_a": float(self.rng.choice([-1, 1]) * self.rng.uniform(0.03, 0.08)),
                                    "shift_c": float(self.rng.uniform(-0.03, 0.03))}, step=True))
            tl.hold(1.6)

    def tail(self, tl: Timeline) -> None:
        tl.hold(2.0 if self.h.end_still else self.rng.uniform(0.1, 0.3))

    def fidget(self, start: float, length: float) -> None:
        self.bumps.append(Bump(start, start + length, min(0.5, length / 3), {"reach": 1.0},
                               {"reach_side": float(self.rng.choice([-1, 1])), "reach_to": float(self.rng.random())}))

    def look_at_screen(self, first: float, last: float) -> None:
        """2-4 looks at the laptop, anywhere between the first rep's start and the last rep's end."""
        count = int(self.rng.integers(2, 5))
        span = max(last - first, 1.0)
        for i in range(count):
            length = self.rng.uniform(1.0, 3.0)
            start = first + span * (i + self.rng.uniform(0.0, 0.6)) / count
            turn = {"look_yaw": float(self.rng.uniform(40, 80)), "look_lift": float(self.rng.uniform(0, 8))}
            self.bumps.append(Bump(start, start + length, min(0.4, length / 3), turn))

    def at(self, t: float) -> dict[str, float]:
        out: dict[str, float] = {}
        for b in self.bumps:
            level = b.level(t)
            if level <= 0:
                continue
            for k, v in b.values.items():
                out[k] = out.get(k, 0.0) + v * level
            out.update(b.fixed)
        return out


def _crossing(tl: Timeline, control: str) -> float:
    """When the last move of `tl` passes `control` through zero (the move goes from one sign to the other)."""
    (t0, a), (t1, b) = tl.keys[-2], tl.keys[-1]
    e = a[control] / (a[control] - b[control])
    return t0 + (t1 - t0) * math.acos(1 - 2 * e) / math.pi


# -- the four paced exercises with habits ------------------------------------------------------------------
def heels_stretch(plan: SetPlan, rng: np.random.Generator, pace_of: Callable[[int, float], Pace]
                  ) -> tuple[Timeline, list[Rep], dict[str, Any], Pace]:
    knee_problem = plan.kind == "sitting_on_heels" or (plan.kind == "correct" and rng.random() < 0.4)
    n = int(rng.integers(8, 11))
    pace = pace_of(n, float(rng.uniform(0.7, 1.45)))
    start_faults = {"knees_under_hips", "hands_under_shoulders", "elbows_locked", "neck_long", "back_overarched"}
    faulty = _fault_reps(rng, n, plan.kind, first=2 if plan.kind in start_faults else 1)
    neutral = {"p": 0.0, "depth": 50.0, "knee_off": float(rng.normal(0, 3)), "hand_off": float(rng.normal(0, 3)),
               "elbow": _elbow_as_seen(float(rng.uniform(155, 168))), "neck": float(rng.normal(0, 5)), "arch": 0.0,
               "arch_deg": float(rng.uniform(13, 17))}
    reach = SMALL_RANGE["heels_stretch"] if pace.h.range == "small" else 1.0

    def start_state(k: int) -> dict[str, float]:
        s = {key: neutral[key] for key in ("knee_off", "hand_off", "elbow", "neck", "arch")}
        if k in faulty:
            if plan.kind == "knees_under_hips":
                s["knee_off"] = float(rng.choice([-1, 1]) * rng.uniform(20, 28))
            elif plan.kind == "hands_under_shoulders":
                s["hand_off"] = float(rng.choice([-1, 1]) * rng.uniform(20, 28))
            elif plan.kind == "elbows_locked":
                s["elbow"] = _elbow_as_seen(float(rng.uniform(179, 181)))
            elif plan.kind == "neck_long":
                s["neck"] = float(rng.choice([-1, 1]) * rng.uniform(38, 52))
            elif plan.kind == "back_overarched":
                s["arch"] = 1.0
        return s

    tl = Timeline(neutral)
    pace.lead(tl)
    reps = []
    for k in range(1, n + 1):
        pace.before(tl, k)
        rep = Rep(start=tl.t)
        if k in faulty:
            rep.faults.append(plan.kind)
        if knee_problem:
            depth = rng.uniform(25, 38) if (plan.kind == "sitting_on_heels" and k in faulty) else rng.uniform(55, 66)
        else:
            depth = rng.uniform(28, 64)
        hold = rng.uniform(0.2, 0.8) if (plan.kind == "hold_too_short" and k in faulty) else rng.uniform(3.5, 6.0)
        # Sitting back on the heels is the fault itself: a person with a small range does it all the way too.
        back = 1.0 if (plan.kind == "sitting_on_heels" and k in faulty) else reach
        tl.move(rng.uniform(1.2, 2.5) / pace.speed, p=back, depth=float(depth))
        rep.hold = pace.hold(tl, k, hold, short=plan.kind == "hold_too_short" and k in faulty)
        tl.move(rng.uniform(1.2, 2.5) / pace.speed, p=0.0, **start_state(k + 1))
        rep.end = tl.t
        reps.append(rep)
        pace.gap(tl, k, rng.uniform(1.2, 2.5) / pace.speed)
    pace.tail(tl)
    return tl, reps, {"knee_problem": bool(knee_problem)}, pace


def back_extensions(plan: SetPlan, rng: np.random.Generator, pace_of: Callable[[int, float], Pace]
                    ) -> tuple[Timeline, list[Rep], dict[str, Any], Pace]:
    n = int(rng.integers(8, 11))
    pace = pace_of(n, float(rng.uniform(0.7, 1.45)))
    faulty = _fault_reps(rng, n, plan.kind)
    neck0 = float(rng.normal(0, 5))
    reach = SMALL_RANGE["back_extensions"] if pace.h.range == "small" else 1.0
    tl = Timeline({"p": 0.0, "psi_up": float(rng.uniform(48, 62)), "hip_lift": 0.0, "neck": neck0})
    pace.lead(tl)
    reps = []
    for k in range(1, n + 1):
        pace.before(tl, k)
        bad = k in faulty
        rep = Rep(start=tl.t)
        if bad:
            rep.faults.append(plan.kind)
        extra: dict[str, float] = {}
        if bad and plan.kind == "hips_grounded":
            extra["hip_lift"] = float(rng.uniform(0.07, 0.12))
        if bad and plan.kind == "neck_long":
            extra["neck"] = float(rng.uniform(35, 50))
        hold = rng.uniform(1.5, 3.0) if (bad and plan.kind == "hold_too_short") else rng.uniform(5.5, 9.0)
        tl.move(rng.uniform(1.2, 2.5) / pace.speed, p=reach, **extra)
        rep.hold = pace.hold(tl, k, hold, short=bad and plan.kind == "hold_too_short")
        tl.move(rng.uniform(1.2, 2.5) / pace.speed, p=0.0, hip_lift=0.0, neck=neck0)
        rep.end = tl.t
        reps.append(rep)
        pace.gap(tl, k, rng.uniform(1.5, 3.0) / pace.speed)
    pace.tail(tl)
    return tl, reps, {}, pace


def knee_rolls(plan: SetPlan, rng: np.random.Generator, pace_of: Callable[[int, float], Pace], near: str
               ) -> tuple[Timeline, list[Rep], dict[str, Any], Pace]:
    n = int(rng.integers(8, 11))
    pace = pace_of(n, float(rng.uniform(0.7, 1.45)))
    faulty = _fault_reps(rng, n, plan.kind, first=2 if plan.kind == "alternate_sides" else 1)
    far = "right" if near == "left" else "left"
    size = SMALL_RANGE["knee_rolls"] if pace.h.range == "small" else 1.0
    tl = Timeline({"roll": 0.0, "thigh_elev": float(rng.uniform(42, 58)), "gap": 0.0, "feet_lift": 0.0,
                   "shoulder_lift": 0.0})
    pace.lead(tl)
    reps: list[Rep] = []
    direction = 1.0 if pace.h.start_direction == "near_first" else -1.0
    flowing: tuple[Rep, float] | None = None  # the previous rep and its way back, still to be moved
    clear = {"gap": 0.0, "feet_lift": 0.0, "shoulder_lift": 0.0}
    for k in range(1, n + 1):
        if flowing is None:
            pace.before(tl, k)
        bad = k in faulty
        if bad and plan.kind == "alternate_sides":
            direction = -direction  # same side again
        extra: dict[str, float] = {}
        if bad and plan.kind == "shoulders_on_floor":
            extra["shoulder_lift"] = float(rng.uniform(0.06, 0.09))
        if bad and plan.kind == "knees_together":
            extra["gap"] = float(rng.uniform(30, 42))
        if bad and plan.kind == "feet_on_floor":
            extra["feet_lift"] = float(rng.uniform(0.08, 0.13))
        roll = direction * rng.uniform(50, 75) * size
        hold = rng.uniform(0.2, 0.8) if (bad and plan.kind == "hold_too_short") else rng.uniform(3.5, 6.0)
        out = rng.uniform(1.2, 2.5) / pace.speed
        if flowing is not None:
            prev, back = flowing
            tl.move(back + out, roll=float(roll), **{**clear, **extra})
            prev.end = _crossing(tl, "roll")
            rep = Rep(start=prev.end)
        else:
            rep = Rep(start=tl.t)
            tl.move(out, roll=float(roll), **extra)
        rep.side = near if direction > 0 else far
        if bad:
            rep.faults.append(plan.kind)
        rep.hold = pace.hold(tl, k, hold, short=bad and plan.kind == "hold_too_short")
        back = rng.uniform(1.2, 2.5) / pace.speed
        reps.append(rep)
        same_side_next = k + 1 in faulty and plan.kind == "alternate_sides"
        if pace.flows_into(k) and not same_side_next:
            flowing = (rep, back)
        else:
            flowing = None
            tl.move(back, roll=0.0, **clear)
            rep.end = tl.t
            pace.gap(tl, k, rng.uniform(1.0, 2.5) / pace.speed)
        direction = -direction
    pace.tail(tl)
    return tl, reps, {}, pace


def pelvic_tilts(plan: SetPlan, rng: np.random.Generator, pace_of: Callable[[int, float], Pace]
                 ) -> tuple[Timeline, list[Rep], dict[str, Any], Pace]:
    n = int(rng.integers(10, 16))
    pace = pace_of(n, float(rng.uniform(0.7, 1.45)))
    faulty = _fault_reps(rng, n, plan.kind)
    size = SMALL_RANGE["pelvic_tilts"] if pace.h.range == "small" else 1.0
    first_sign = 1.0 if pace.h.start_direction == "arch_first" else -1.0  # + : the arch
    tl = Timeline({"tilt": 0.0, "thigh_elev": float(rng.uniform(42, 58)), "pelvis_lift": 0.0, "head_lift": 0.0})
    pace.lead(tl)
    reps = []
    clear = {"pelvis_lift": 0.0, "head_lift": 0.0}
    flowing: tuple[Rep, float] | None = None
    for k in range(1, n + 1):
        if flowing is None:
            pace.before(tl, k)
        bad = k in faulty
        amp = rng.uniform(10, 18) * size
        cycle = rng.uniform(3.0, 5.5) / pace.speed
        extra: dict[str, float] = {}  # faults show at the arch
        if bad and plan.kind == "hips_grounded":
            extra["pelvis_lift"] = float(rng.uniform(0.08, 0.14))
        if bad and plan.kind == "head_down":
            extra["head_lift"] = float(rng.uniform(28, 40))
        arch_hold = rng.uniform(0.3, 1.2) if extra else rng.uniform(0.0, 0.6)
        press_hold = rng.uniform(0.0, 0.6)
        rest = rng.uniform(0.0, 0.8)
        if pace.continuous:
            arch_hold, press_hold = (min(arch_hold, 0.4) if extra else 0.0), 0.0
        ends = [(first_sign * amp, arch_hold if first_sign > 0 else press_hold),
                (-first_sign * amp, press_hold if first_sign > 0 else arch_hold)]
        for i, (tilt, hold) in enumerate(ends):
            changes = extra if tilt > 0 else clear
            if i == 0 and flowing is not None:
                prev, back = flowing
                tl.move(back + cycle * 0.3, tilt=float(tilt), **changes)
                prev.end = _crossing(tl, "tilt")
                rep = Rep(start=prev.end)
            else:
                if i == 0:
                    rep = Rep(start=tl.t)
                tl.move(cycle * (0.3 if i == 0 else 0.35), tilt=float(tilt), **changes)
            if tilt > 0:
                hold = pace.hold(tl, k, hold)  # a pause mid-rep is at the arch
            else:
                tl.hold(hold)
        if bad:
            rep.faults.append(plan.kind)
        reps.append(rep)
        if pace.flows_into(k):
            flowing = (rep, cycle * 0.35)
        else:
            flowing = None
            tl.move(cycle * 0.35, tilt=0.0, **clear)
            rep.end = tl.t
            pace.gap(tl, k, rest)
    pace.tail(tl)
    return tl, reps, {}, pace


# -- getting down onto the mat and up again ----------------------------------------------------------------
@dataclass
class Transition:
    """Landmarks (33, 3, body coordinates) over time for getting down (or, reversed, up)."""

    walk: tuple[float, float, float, float]  # (front, a_from, a_to, speed m/s)
    stages: list[tuple[float, np.ndarray]]  # (duration s, landmarks at its end), from standing at a_to
    stand_s: float

    @property
    def walk_s(self) -> float:
        _, a0, a1, speed = self.walk
        return abs(a1 - a0) / speed

    @property
    def duration(self) -> float:
        return self.walk_s + self.stand_s + sum(d for d, _ in self.stages)

    def down_at(self, t: float, body: Proportions, near: str) -> np.ndarray:
        """Walking in, standing, then getting down through the stages."""
        front, a0, a1, speed = self.walk
        if t < self.walk_s:
            a = a0 + (a1 - a0) * t / self.walk_s
            phase = 2 * math.pi * speed / (0.7 * body.height) * t
            return to_landmarks(standing(body, front, a, phase, 22.0), near)
        t -= self.walk_s + self.stand_s
        prev = to_landmarks(standing(body, front, a1), near)
        if t < 0:
            return prev
        for duration, pts in self.stages:
            if t < duration:
                return prev + (pts - prev) * _ease(t / duration)
            t -= duration
            prev = pts
        return prev

    def up_at(self, t: float, body: Proportions, near: str) -> np.ndarray:
        """The reverse: up through the stages, standing, walking out the other way."""
        total = self.duration
        return self.down_at(total - t, body, near)


def _centre(pose: Pose, part: str) -> np.ndarray:
    return (pose.points[f"near_{part}"] + pose.points[f"far_{part}"]) / 2


def transition(exercise: str, body: Proportions, near: str, camera: Camera, lying: Pose,
               rng: np.random.Generator, walk_out: bool) -> Transition:
    """Getting from off the image's side down into `lying` (the start or end pose), or (walk_out) the
    reverse path's walk leaving on the far side of the image."""
    half = camera.image_size[0] / 2 / camera.focal_px * camera.distance
    lm = lambda pose: to_landmarks(pose, near)  # noqa: E731
    stage = lambda: float(rng.uniform(*STAGE_S))  # noqa: E731
    if exercise in ("knee_rolls", "deep_abdominal", "pelvic_tilts"):
        # Standing facing the feet end, squat, sit down, lean back onto the elbows, lie back.
        front = -1.0
        foot_a = float(_centre(lying, "ankle")[0]) + 0.25
        stages = [(stage(), lm(squatting(body, front, foot_a))),
                  (stage(), lm(sitting(body, front, lying, 15.0))),
                  (stage(), lm(sitting(body, front, lying, 55.0))),
                  (stage(), lm(lying))]
        stand_a = foot_a
    else:
        # Standing facing the head end, kneel, onto all fours (and, for back extensions, down onto the front).
        front = 1.0
        knee_a = float(_centre(lying, "knee")[0])
        stages = [(stage(), lm(kneeling(body, front, knee_a)))]
        if exercise == "back_extensions":
            quad = all_fours(body, {"p": 0.0, "depth": 50.0, "elbow": 165.0})
            quad_pts = lm(quad)
            quad_pts[:, 0] += knee_a - float(_centre(quad, "knee")[0])
            stages.append((stage(), quad_pts))
        stages.append((stage(), lm(lying)))
        stand_a = knee_a
    # Walking in from the side the person faces away from (getting down), out the way they face (up).
    outside = camera.centre_a + (half + 0.5) * (front if walk_out else -front)
    return Transition((front, outside, stand_a, float(rng.uniform(*WALK_SPEED))), stages, float(rng.uniform(0.4, 1.0)))


# -- a whole habit set ----------------------------------------------------------------------------------
@dataclass
class HabitSet:
    """A habit set's timeline, reps and everything around them, in recording time."""

    exercise: str
    habits: Habits
    tl: Timeline
    reps: list[Rep]
    profile: dict[str, Any]
    pace: Pace
    offset: float = 0.0  # the exercise timeline starts here (after getting down)
    down: Transition | None = None
    up: Transition | None = None
    up_start: float = math.inf
    end: float = 0.0

    @classmethod
    def build(cls, plan: SetPlan, rng: np.random.Generator, near: str) -> HabitSet:
        hrng = habit_rng(plan)
        h = Habits.draw(plan.exercise, hrng)

        def pace_of(n: int, speed: float) -> Pace:
            return Pace(h, hrng, n, speed)

        if plan.exercise == "knee_rolls":
            tl, reps, profile, pace = knee_rolls(plan, rng, pace_of, near)
        elif plan.exercise == "deep_abdominal":
            tl, reps, profile = deep_abdominal(plan, rng, pause=h.pauses == "mid_set")
            pace = pace_of(len(reps), 1.0)
            for k, r in enumerate(reps, 1):  # fidgets during the paced holds and in the relax after them
                if k in pace.fidget_holds:
                    pace.fidget(r.start + hrng.uniform(3, max(r.end - r.start - 4, 3.5)), hrng.uniform(1, 3))
                if k in pace.fidget_gaps:
                    pace.fidget(r.end + hrng.uniform(0.5, 3), hrng.uniform(1, 3))
            if not h.end_still:
                tl.keys = [k for k in tl.keys if k[0] <= reps[-1].end + 1.0]
                tl.hold(max(reps[-1].end + 1.0 - tl.t, 0.0))
        else:
            tl, reps, profile, pace = globals()[plan.exercise](plan, rng, pace_of)
        if h.look_at_screen:
            pace.look_at_screen(reps[0].start - 0.5, reps[-1].end)
        return cls(plan.exercise, h, tl, reps, profile, pace)

    def place(self, plan: SetPlan, body: Proportions, near: str, camera: Camera, exercise_end: float) -> float:
        """Puts getting in and out around the exercise (which ends at `exercise_end` on its own timeline);
        shifts the reps to recording time; returns the recording's end."""
        if not self.habits.get_in_out:
            self.end = exercise_end
            return exercise_end
        hrng = np.random.default_rng([*habit_rng_key(plan), 1])
        pose_fn = POSES[plan.exercise]
        self.down = transition(plan.exercise, body, near, camera, pose_fn(body, self.tl.at(0.0)), hrng, False)
        end_q = {**self.tl.at(exercise_end), **self.pace.at(exercise_end)}
        end_pose = pose_fn(body, end_q)
        apply_habits(end_pose, body, end_q)
        self.up = transition(plan.exercise, body, near, camera, end_pose, hrng, True)
        self.offset = self.down.duration
        for r in self.reps:
            r.start += self.offset
            r.end += self.offset
        self.up_start = self.offset + exercise_end
        self.end = self.up_start + self.up.duration
        return self.end

    def points(self, t: float, body: Proportions, near: str, breath: float) -> np.ndarray:
        if self.down is not None and t < self.offset:
            return self.down.down_at(t, body, near)
        if self.up is not None and t >= self.up_start:
            return self.up.up_at(t - self.up_start, body, near)
        te = t - self.offset
        q = {**self.tl.at(te), **self.pace.at(te), "breath": breath}
        pose = POSES[self.exercise](body, q)
        apply_habits(pose, body, q)
        return to_landmarks(pose, near)

    def transitions(self) -> list[dict[str, Any]]:
        if self.down is None or self.up is None:
            return []
        return [{"kind": "get_down", "start_ms": 0, "end_ms": round(self.offset * 1000)},
                {"kind": "get_up", "start_ms": round(self.up_start * 1000), "end_ms": round(self.end * 1000)}]
