"""Which clips to render, and each clip's timeline: when every rep moves, holds and rests."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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


@dataclass(frozen=True)
class Segment:
    """A stretch of time in which the movement value goes from where it was to `u` (smoothly)."""

    start_s: float
    end_s: float
    u: float
    rep: int  # index into the clip's reps; -1 before the first rep
    kind: str  # "move", "hold" or "rest"


def reps_for(spec: ClipSpec, rng: np.random.Generator) -> list[Rep]:
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
