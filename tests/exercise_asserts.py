"""Assertions shared by the per-exercise tests: a set's reps are counted, its faults found.

Detected reps are matched to labelled reps by time, as `posecheck evaluate` does, so one rep lost to
a stretch of low visibility does not shift every later rep's faults.
"""

from __future__ import annotations

from kinematic_sets import events_of, faults_by_rep, labelled, reps_of

import exercise_rules
from posecheck.evaluate import score_item
from posecheck.events import Event, EventKind

# Sets are cut after this many reps to keep the suite fast.
MAX_REPS = {"deep_abdominal": 5}
DEFAULT_MAX_REPS = 6


def _checks(exercise: str, profile: dict) -> list[str]:
    return [c.name for c in exercise_rules.get(exercise).run(**profile).checks]


def assert_counted_without_faults(exercise: str, seed: int) -> None:
    """A correct set: the count matches the labels (per side too) and no fault is raised."""
    n = MAX_REPS.get(exercise, DEFAULT_MAX_REPS)
    s = labelled(exercise, "correct", seed, max_reps=n)
    events = events_of(exercise, "correct", seed, max_reps=n)
    reps = reps_of(events)
    assert len(reps) == s.labels["rep_count"]["total"]
    for side, count in s.labels["rep_count"].items():
        if side != "total":
            assert sum(r.side == side for r in reps) == count, side
    assert faults_by_rep(events) == {}


def assert_fault_found(exercise: str, check: str, seed: int, max_missed: int = 0, max_false: int = 0) -> None:
    """A set where some reps break `check`: those reps are flagged, the others are not."""
    n = MAX_REPS.get(exercise, DEFAULT_MAX_REPS)
    s = labelled(exercise, check, seed, max_reps=n)
    events = events_of(exercise, check, seed, max_reps=n)
    assert any(check in r["faults"] for r in s.labels["reps"]), "the set has no faulty rep to find"
    scored = score_item(s.labels, list(events), _checks(exercise, s.labels["profile"]))
    this = scored["checks"][check]
    assert this["tp"] >= 1
    assert this["fn"] <= max_missed, f"missed {this['fn']} faulty reps"
    others = sum(c["fp"] for c in scored["checks"].values())
    assert others <= max_false, f"false alarms: { {k: c['fp'] for k, c in scored['checks'].items() if c['fp']} }"


def assert_reminded_not_judged(exercise: str, check: str, seed: int) -> None:
    """A check that is a reminder (posecheck.exercise.Reminder): on a set whose reps all break it, its cue
    is said once, when the set starts, and it is never raised as a fault; its sentence is the sheet's."""
    module = exercise_rules.get(exercise)
    reminder = next(r for r in module.EXERCISE.reminders if r.name == check)
    assert reminder.source in " ".join(module.__doc__.split())
    assert check not in _checks(exercise, {}), "a reminder is not also judged"
    n = MAX_REPS.get(exercise, DEFAULT_MAX_REPS)
    s = labelled(exercise, check, seed, max_reps=n)
    assert any(check in r["faults"] for r in s.labels["reps"]), "the set breaks it"
    assert_reminders_said_at_calibration(exercise, check, list(events_of(exercise, check, seed, max_reps=n)))


def assert_reminders_said_at_calibration(exercise: str, check: str, events: list[Event]) -> None:
    """In a run's events, the exercise's reminders are each said once, when the set starts (at calibration),
    `check`'s with its reason, and `check` is never raised as a fault."""
    reminders = exercise_rules.get(exercise).EXERCISE.reminders
    said = [e for e in events if e.kind is EventKind.REMINDER]
    at = next(e for e in events if e.kind is EventKind.CALIBRATED).timestamp_ms
    assert [(e.check, e.cue, e.timestamp_ms) for e in said] == [(r.name, r.cue, at) for r in reminders]
    assert next(e for e in said if e.check == check).detail == next(r for r in reminders if r.name == check).reason
    assert not any(e.kind is EventKind.FAULT and e.check == check for e in events)
