"""Labelled kinematic sets for the exercise tests, generated deterministically and cached per session.

The generator lives in tools/ (not an installed package), so it is imported by path here.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import exercise_rules  # noqa: E402
from posecheck.events import Event, EventKind  # noqa: E402
from tools.make_kinematic_samples import (  # noqa: E402
    FAULTS,
    HELDOUT_SEED_BASE,
    HELDOUT_V4_SEED_BASE,
    HELDOUT_V9_SEED_BASE,
    HELDOUT_V15_SEED_BASE,
    HELDOUT_V26_SEED_BASE,
    LabelledSet,
    SetPlan,
    make_set,
    plans,
    set_name,
    write_set,
)

__all__ = [
    "FAULTS",
    "HELDOUT_SEED_BASE",
    "HELDOUT_V4_SEED_BASE",
    "HELDOUT_V9_SEED_BASE",
    "HELDOUT_V15_SEED_BASE",
    "HELDOUT_V26_SEED_BASE",
    "LabelledSet",
    "SetPlan",
    "events_of",
    "judged_faults",
    "labelled",
    "make_set",
    "plans",
    "reminded_faults",
    "set_name",
    "write_set",
]


@cache
def labelled(exercise: str, kind: str, seed: int, split: str = "dev", max_reps: int | None = None) -> LabelledSet:
    return make_set(SetPlan(exercise, kind, seed, split, 15.0, max_reps))


@cache
def events_of(
    exercise: str, kind: str, seed: int, split: str = "dev", max_reps: int | None = None
) -> tuple[Event, ...]:
    s = labelled(exercise, kind, seed, split, max_reps)
    run = exercise_rules.get(exercise).run(**s.labels["profile"])
    return tuple(e for frame in s.frames for e in run.update(frame))


def faults_by_rep(events: tuple[Event, ...]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for e in events:
        if e.kind is EventKind.FAULT and e.rep is not None and e.check:
            out.setdefault(e.rep, set()).add(e.check)
    return out


def reps_of(events: tuple[Event, ...]) -> list[Event]:
    return [e for e in events if e.kind is EventKind.REP_COMPLETED]


def reminded_faults(exercise: str) -> set[str]:
    """The labelled faults of `exercise` that are reminders (said, not judged: posecheck.exercise.Reminder)."""
    return {r.name for r in exercise_rules.get(exercise).EXERCISE.reminders}


def judged_faults(exercise: str) -> set[str]:
    """The labelled faults of `exercise` that a check judges."""
    return set(FAULTS[exercise]) - reminded_faults(exercise)
