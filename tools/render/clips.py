"""Which clips to render, and each clip's timeline: when every rep moves, holds and rests."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from exercise_rules.deep_abdominal import HOLD_S as PACED_HOLD_S
from exercise_rules.deep_abdominal import PREPARE_S, RELAX_S
from posecheck.calibration import CALIBRATION_S
from posecheck.phases import PacedHoldCounter

from . import exercises as ex
from .exercises import Rep

LEAD_IN_S = 1.2  # still in the start position before the first rep
HOLD_S = {  # a correct hold, from the routine
    "heels_stretch": 4.0,  # "hold this position for one deep breath"
    "knee_rolls": 4.0,  # "hold the stretch for one deep breath"
    "back_extensions": 6.0,  # "hold for 5-10 seconds"
    "deep_abdominal": 16.0,  # "5-10 breaths"
    "pelvic_tilts": 0.4,  # a rocking movement: no hold
}
SHORT_HOLD_S = {"heels_stretch": 0.8, "knee_rolls": 0.8, "back_extensions": 1.5, "deep_abdominal": 4.0}
REPS = {"heels_stretch": 3, "knee_rolls": 4, "back_extensions": 3, "deep_abdominal": 2, "pelvic_tilts": 6}


@dataclass(frozen=True)
class ClipSpec:
    exercise: str
    variant: str  # "correct" or the fault label (the name of the check that is violated)
    body: str
    facing: str  # "right": head toward the image's right; "left": the mirror image

    @property
    def name(self) -> str:
        return f"{self.exercise}__{self.variant}__{self.facing}__{self.body}"


CLIPS: tuple[ClipSpec, ...] = (
    ClipSpec("heels_stretch", "correct", "b0", "right"),
    ClipSpec("heels_stretch", "elbows_locked", "b1", "left"),
    ClipSpec("heels_stretch", "sitting_on_heels", "b2", "right"),
    ClipSpec("knee_rolls", "correct", "b1", "right"),
    ClipSpec("knee_rolls", "shoulders_on_floor", "b0", "left"),
    ClipSpec("back_extensions", "correct", "b2", "left"),
    ClipSpec("back_extensions", "hips_grounded", "b0", "right"),
    ClipSpec("deep_abdominal", "correct", "b1", "left"),
    ClipSpec("pelvic_tilts", "correct", "b0", "right"),
    ClipSpec("pelvic_tilts", "hips_grounded", "b2", "left"),
    # The other faults; new clips go at the end so that earlier clips keep their seeded variation.
    ClipSpec("heels_stretch", "knees_under_hips", "b0", "left"),
    ClipSpec("heels_stretch", "hands_under_shoulders", "b1", "right"),
    ClipSpec("heels_stretch", "neck_long", "b2", "left"),
    ClipSpec("heels_stretch", "back_overarched", "b0", "right"),
    ClipSpec("heels_stretch", "hold_too_short", "b1", "right"),
    ClipSpec("knee_rolls", "knees_together", "b2", "right"),
    ClipSpec("knee_rolls", "feet_on_floor", "b1", "left"),
    ClipSpec("knee_rolls", "hold_too_short", "b0", "right"),
    ClipSpec("knee_rolls", "alternate_sides", "b2", "left"),
    ClipSpec("back_extensions", "neck_long", "b1", "left"),
    ClipSpec("back_extensions", "hold_too_short", "b2", "right"),
    ClipSpec("deep_abdominal", "pelvis_still", "b2", "right"),
    ClipSpec("deep_abdominal", "legs_still", "b0", "left"),
    ClipSpec("deep_abdominal", "head_and_shoulders_relaxed", "b1", "right"),
    ClipSpec("deep_abdominal", "hold_too_short", "b2", "left"),
    ClipSpec("pelvic_tilts", "head_down", "b1", "right"),
)

# The heels stretch straight and sagging on more bodies: the back's outline (posecheck.silhouette) is
# the body's own shape, so its limit is set across five builds (rendered with --outline-study).
OUTLINE_STUDY: tuple[ClipSpec, ...] = tuple(
    ClipSpec("heels_stretch", variant, body, facing)
    for body in ("b1", "b2", "b3", "b4")
    for variant, facing in (("correct", "left"), ("back_overarched", "right"))
)
OUTLINE_STUDY_INDEX = 100  # clip i of the study draws its randomness as clip 100 + i


@dataclass(frozen=True)
class Segment:
    """A stretch of time in which the movement value goes from where it was to `u` (smoothly)."""

    start_s: float
    end_s: float
    u: float
    rep: int  # index into the clip's reps; -1 before the first rep
    kind: str  # "move", "hold" or "rest"


def reps_for(spec: ClipSpec, rng: np.random.Generator, paced_n: int | None = None) -> list[Rep]:
    """`paced_n`: how many deep abdominal holds (default PACED_REPS: 3 correct, 2 with a fault)."""
    if spec.exercise == "deep_abdominal":
        return paced_reps(spec, rng, paced_n)
    n = REPS[spec.exercise]
    reps = []
    for i in range(n):
        faults: tuple[str, ...] = ()
        hold = HOLD_S[spec.exercise] * rng.uniform(0.9, 1.15)
        side = 1 if i % 2 == 0 else -1
        if spec.variant == "hold_too_short":
            hold = SHORT_HOLD_S[spec.exercise] * rng.uniform(0.9, 1.1)
            faults = ("hold_too_short",)
        elif spec.variant == "alternate_sides":
            side = 1
            faults = ("alternate_sides",) if i > 0 else ()
        elif spec.variant != "correct":
            faults = (spec.variant,)
        reps.append(Rep(faults=faults, hold_s=round(hold, 2), side=side, amplitude=rng.uniform(0.9, 1.05)))
    return reps


def timeline(spec: ClipSpec, reps: list[Rep], rng: np.random.Generator) -> list[Segment]:
    if spec.exercise == "deep_abdominal":
        return paced_timeline(reps)
    segs = [Segment(0.0, LEAD_IN_S, 0.0, -1, "rest")]
    t = LEAD_IN_S
    for i, rep in enumerate(reps):
        move = rng.uniform(1.3, 1.8)
        rest = rng.uniform(0.8, 1.3)
        if spec.exercise == "pelvic_tilts":
            parts = [(move * 0.7, 1.0, "move"), (rep.hold_s, 1.0, "hold"), (move * 1.2, -1.0, "move"),
                     (rep.hold_s, -1.0, "hold"), (move * 0.7, 0.0, "move"), (rest * 0.5, 0.0, "rest")]
        else:
            parts = [(move, 1.0, "move"), (rep.hold_s, 1.0, "hold"), (move, 0.0, "move"), (rest, 0.0, "rest")]
        for length, u, kind in parts:
            segs.append(Segment(t, t + length, u, i, kind))
            t += length
    segs.append(Segment(t, t + 0.8, 0.0, -1, "rest"))
    return segs


# ---------------------------------------------------------------- paced holds (deep abdominal)
# The app paces these holds with a breath timer (exercise_rules.deep_abdominal, PacedHoldCounter): the
# person lies still in the start position, the app calibrates after CALIBRATION_S of stillness (at
# 1.0 s: the clip starts with the person already still) and its timer starts there: breathe in for
# PREPARE_S, hold for PACED_HOLD_S, relax for RELAX_S, again. The person draws up REACT_S after the hold
# cue and lets go over the hold's last out-breath (DRAW_S), so that the contraction stays inside the
# app's hold; the labels are the app's timer.
PACED_REPS = {"correct": 3}  # other variants: 2 (both reps carry the fault)
REACT_S = 0.5  # the person draws up this long after the app's hold cue
DRAW_S = 1.5  # breathing out and drawing up (the pelvis tips 3 degrees), and letting go again
TAIL_S = 3.0  # the clip runs on this long after the app's last hold ends (a late calibration still counts)
FAULT_RAMP_S = 1.0  # a fault comes (and goes) over this long
SLIDE_S = 1.5  # hold_too_short: the heels slide out (and back) over this long
LEAVE_S = PacedHoldCounter.leave_s  # the app ends a hold once the body is out of the start position this long


def paced_reps(spec: ClipSpec, rng: np.random.Generator, n: int | None = None) -> list[Rep]:
    """A person following the app's timer: each rep's fault (inside the hold) and the app's labels."""
    n = n or PACED_REPS.get(spec.variant, 2)
    reps = []
    prepare = CALIBRATION_S
    first = bool(rng.random() < 0.5)  # which form of the fault comes first
    for i in range(n):
        hold_start = prepare + PREPARE_S
        end = hold_start + PACED_HOLD_S
        hold = PACED_HOLD_S
        faults: tuple[str, ...] = () if spec.variant == "correct" else (spec.variant,)
        way, size, ramp = "", 0.0, FAULT_RAMP_S
        window = (0.0, 0.0, 0.0)
        if spec.variant == "hold_too_short":
            # Gives up 6-12 s into the hold: the heels slide out and the legs stay out for a few seconds.
            # The app sees the legs leave the start position (knee past 140 degrees) 74% of the way
            # into the eased slide (85% of the distance) and ends the hold LEAVE_S later.
            leave = hold_start + rng.uniform(6.0, 12.0)
            out_for = rng.uniform(3.5, 5.0)
            way, size, ramp = "legs_out", 1.0, SLIDE_S
            window = (leave, leave + SLIDE_S, leave + SLIDE_S + out_for)
            seen_out = leave + SLIDE_S * _eased_fraction_at(ex.LEGS_OUT_SEEN)
            hold, end = seen_out - hold_start, seen_out + LEAVE_S
        elif spec.variant != "correct":
            # The fault comes 5-14 s into the hold, stays 3-5 s and goes before the hold ends.
            at = hold_start + REACT_S + DRAW_S + rng.uniform(3.0, PACED_HOLD_S - 12.0)
            full = at + FAULT_RAMP_S
            window = (at, full, full + rng.uniform(3.0, 5.0))
            way, size = _fault_form(spec.variant, (i % 2 == 0) == first, rng)
        reps.append(Rep(faults=faults, hold_s=round(hold, 2), amplitude=1.0, fault_way=way, fault_size=size,
                        fault_s=window, fault_ramp_s=ramp, timer=(hold_start, end, hold)))
        prepare = end + RELAX_S
    return reps


def _fault_form(variant: str, first: bool, rng: np.random.Generator) -> tuple[str, float]:
    """The fault's form (the first or the second) and its size; a clip's two reps take both forms."""
    if variant == "pelvis_still":
        return "pelvis_lift", rng.uniform(*ex.PELVIS_LIFT_M)
    if variant == "legs_still":
        if first:
            return "knees_drop", float(rng.choice([-1.0, 1.0])) * rng.uniform(*ex.KNEES_DROP_DEG)
        return "foot_slide", rng.uniform(*ex.FOOT_SLIDE_M)
    if variant == "head_and_shoulders_relaxed":
        return "head_lift", rng.uniform(*ex.HEAD_LIFT_DEG)
    raise ValueError(f"no deep abdominal fault {variant!r}")


def _eased_fraction_at(value: float) -> float:
    """The time fraction x at which the smoothstep x*x*(3-2x) reaches `value`."""
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mid * mid * (3 - 2 * mid) < value else (lo, mid)
    return lo


def paced_timeline(reps: list[Rep]) -> list[Segment]:
    """The person's movement value: 1 while drawn up (from the hold cue to the relax cue, or giving up)."""
    segs = [Segment(0.0, CALIBRATION_S, 0.0, -1, "rest")]
    t = CALIBRATION_S
    for i, rep in enumerate(reps):
        assert rep.timer is not None
        hold_start, end, hold = rep.timer
        draw = hold_start + REACT_S
        gives_up = rep.fault_way == "legs_out"
        # Drawn up just after the hold cue; let go over the last out-breath, relaxed by the relax cue.
        let_go = rep.fault_s[0] if gives_up else hold_start + hold - DRAW_S
        parts = [(draw, 0.0, "rest"), (draw + DRAW_S, 1.0, "move"), (let_go, 1.0, "hold"),
                 (let_go + (SLIDE_S if gives_up else DRAW_S), 0.0, "move")]
        last = i == len(reps) - 1
        parts.append((max(end + TAIL_S, rep.fault_s[2] + 2 * SLIDE_S) if last else end + RELAX_S, 0.0, "rest"))
        for until, u, kind in parts:
            segs.append(Segment(t, until, u, i, kind))
            t = until
    return segs


def movement_at(segs: list[Segment], t: float) -> tuple[float, Segment]:
    """The movement value at time t (seconds), eased in and out, and the segment it falls in."""
    prev = 0.0
    for seg in segs:
        if t < seg.end_s:
            x = (t - seg.start_s) / (seg.end_s - seg.start_s)
            ease = x * x * (3 - 2 * x)
            return prev + (seg.u - prev) * ease, seg
        prev = seg.u
    return prev, segs[-1]


def duration(segs: list[Segment]) -> float:
    return segs[-1].end_s


def frame_count(segs: list[Segment], fps: float) -> int:
    return math.floor(duration(segs) * fps)


# ---------------------------------------------------------------- realistic pelvic tilts (--realistic-tilts)
# Rendered outside the repository to study what a side camera sees of a real pelvic tilt (issue 14): the
# pelvis turns 5-15 degrees under the still chest and thighs (exercises.realistic_tilt_pose), ~10 rocks a
# clip, continuous or paused, press or arch first; and people lying still, breathing (negatives). Camera
# lens 0.05-1.0 m high (spread over the clips), 1.5-3.5 m away.
@dataclass(frozen=True)
class RealTiltSpec:
    kind: str  # "rocks" or "still"
    body: str
    facing: str
    number: int

    @property
    def name(self) -> str:
        return f"pelvic_tilts__real_{self.kind}{self.number:02d}__{self.facing}__{self.body}"

    exercise = "pelvic_tilts"

    @property
    def variant(self) -> str:
        return f"real_{self.kind}"


_REAL_BODIES = ("b0", "b1", "b2", "b3", "b4")
REAL_TILT_CLIPS: tuple[RealTiltSpec, ...] = tuple(
    RealTiltSpec("rocks", _REAL_BODIES[i % 5], "right" if i % 2 == 0 else "left", i + 1) for i in range(12)
) + tuple(RealTiltSpec("still", _REAL_BODIES[(i + 2) % 5], "left" if i % 2 == 0 else "right", i + 1)
          for i in range(4))
REAL_TILT_INDEX = 200  # clip i draws its randomness as clip 200 + i
REAL_HEIGHT_BANDS = ((0.05, 0.2), (0.2, 0.45), (0.45, 0.7), (0.7, 1.0))  # lens heights, one per clip in turn


@dataclass(frozen=True)
class RealTiltPlan:
    reps: list
    segs: list[Segment]
    style: ex.RealTilt
    continuous: bool
    press_first: bool
    camera_height: float
    camera_distance: float


def real_tilt_plan(spec: RealTiltSpec, number: int, rng: np.random.Generator) -> RealTiltPlan:
    """The person's style (tilt sizes, breathing, clothes), the rocks' timeline and the camera's place."""
    swing = rng.uniform(5.0, 15.0)  # press to arch, degrees of pelvis turn
    share = rng.uniform(0.4, 0.6)
    style = ex.RealTilt(
        rest_deg=0.0, press_deg=swing * share, arch_deg=swing * (1 - share),
        bow_deg=swing / 2 * rng.uniform(0.9, 1.4), rest_bow_deg=rng.uniform(2.0, 6.0),
        gap_swing_m=rng.uniform(0.01, 0.03),  # bow_deg is then solved for this (exercises.with_gap_swing)
        belly_m=rng.uniform(0.005, 0.02), chest_m=rng.uniform(0.005, 0.015), breath_s=rng.uniform(3.5, 6.0),
        breath_phase=rng.uniform(0, 1), loose=bool(rng.random() < 0.4))
    lo, hi = REAL_HEIGHT_BANDS[number % len(REAL_HEIGHT_BANDS)]
    height, distance = rng.uniform(lo, hi), rng.uniform(1.5, 3.5)
    continuous = bool(rng.random() < 0.5)
    press_first = bool(rng.random() < 0.5)
    lead = rng.uniform(1.5, 3.0)
    segs = [Segment(0.0, lead, 0.0, -1, "rest")]
    reps: list[Rep] = []
    t = lead
    if spec.kind == "still":
        length = rng.uniform(30.0, 40.0)
        segs = [Segment(0.0, length, 0.0, -1, "rest")]
        return RealTiltPlan([], segs, style, continuous, press_first, height, distance)
    n = int(rng.integers(9, 12))
    period = rng.uniform(3.0, 5.0)  # continuous: one rock
    first = 1.0 if press_first else -1.0
    for i in range(n):
        e1, e2 = first * rng.uniform(0.75, 1.25), -first * rng.uniform(0.75, 1.25)
        reps.append(Rep(real=style, amplitude=round(abs(e1), 3)))
        if continuous:
            p = period * rng.uniform(0.85, 1.15)
            parts = [((p / 4) if i == 0 else (p / 2), e1, "move"), (p / 2, e2, "move")]
            if i == n - 1:
                parts.append((p / 4, 0.0, "move"))
        else:
            parts = [(rng.uniform(0.9, 1.5), e1, "move"), (rng.uniform(0.4, 1.2), e1, "hold"),
                     (rng.uniform(1.4, 2.4), e2, "move"), (rng.uniform(0.4, 1.2), e2, "hold"),
                     (rng.uniform(0.9, 1.5), 0.0, "move"), (rng.uniform(0.5, 2.0), 0.0, "rest")]
        for length, u, kind in parts:
            segs.append(Segment(t, t + length, u, i, kind))
            t += length
    segs.append(Segment(t, t + rng.uniform(1.5, 3.0), 0.0, -1, "rest"))
    return RealTiltPlan(reps, segs, style, continuous, press_first, height, distance)


def real_rep_times(segs: list[Segment], n: int) -> list[tuple[float, float]]:
    """Each rock's (start, end) seconds: leaving the centre (or crossing it, rocking on) and back to it."""
    bounds: list[float] = []
    prev = 0.0
    starts: dict[int, float] = {}
    ends: dict[int, float] = {}
    for seg in segs:
        if seg.rep >= 0 and seg.rep not in starts:
            if prev == 0.0:
                starts[seg.rep] = seg.start_s
            else:  # rocking on through the centre: the rock starts where the movement crosses it
                x = _eased_fraction_at(prev / (prev - seg.u))
                starts[seg.rep] = seg.start_s + x * (seg.end_s - seg.start_s)
                ends[seg.rep - 1] = starts[seg.rep]
        if seg.rep >= 0 and seg.u == 0.0 and prev != 0.0:
            ends[seg.rep] = seg.end_s
        prev = seg.u
    bounds = [(starts[i], ends[i]) for i in range(n)]
    return bounds
