"""The routine's targets per exercise, as the report and the live trainer show and judge them.

They come from the exercise modules' own TARGETS (`exercise_rules`); this module adds how they are
written down, described and read back from a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import exercise_rules
from posecheck.exercise import Targets as ExerciseTargets


@dataclass(frozen=True)
class Targets:
    """What the routine asks of one exercise."""

    reps: tuple[int, int]  # inclusive range of repetitions (or holds)
    alternating_sides: bool = False  # reps counted in total, alternating left and right
    hold_s: tuple[float, float] | None = None  # hold length in seconds
    hold_breaths: tuple[int, int] | None = None  # hold length in breaths (not measured: shown, not judged)

    def describe(self) -> str:
        lo, hi = self.reps
        text = f"{lo}-{hi} reps" if lo != hi else f"{lo} reps"
        if self.alternating_sides:
            text += ", alternating sides"
        if self.hold_s:
            text += f", hold {_range(self.hold_s)} s"
        if self.hold_breaths:
            breaths = _range(self.hold_breaths)
            text += ", hold one deep breath" if breaths == "1" else f", hold {breaths} breaths"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "reps": list(self.reps),
            "alternating_sides": self.alternating_sides,
            "hold_s": list(self.hold_s) if self.hold_s else None,
            "hold_breaths": list(self.hold_breaths) if self.hold_breaths else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Targets:
        def pair(value: Any) -> tuple | None:
            return (value[0], value[1]) if isinstance(value, list | tuple) and len(value) == 2 else None

        reps = pair(data.get("reps"))
        if reps is None:
            raise ValueError("targets need a reps range")
        return cls(
            reps=(int(reps[0]), int(reps[1])),
            alternating_sides=bool(data.get("alternating_sides")),
            hold_s=pair(data.get("hold_s")),
            hold_breaths=pair(data.get("hold_breaths")),
        )


def _range(pair: tuple[float, float]) -> str:
    lo, hi = (f"{v:g}" for v in pair)
    return lo if lo == hi else f"{lo}-{hi}"


def from_exercise(targets: ExerciseTargets) -> Targets:
    """The report's view of an exercise module's TARGETS: holds counted in breaths stay in breaths."""
    seconds = (targets.hold_min_s, targets.hold_max_s) if targets.hold_max_s and not targets.hold_breaths else None
    return Targets(reps=(targets.reps_min, targets.reps_max), alternating_sides=bool(targets.sides),
                   hold_s=seconds, hold_breaths=targets.hold_breaths)


# One table: each exercise module's TARGETS, which quote the routine.
_MODULES = exercise_rules.all_exercises()
ROUTINE_TARGETS: dict[str, Targets] = {name: from_exercise(m.TARGETS) for name, m in _MODULES.items()}
TITLES: dict[str, str] = {name: m.TITLE for name, m in _MODULES.items()}


def title(exercise: str) -> str:
    return TITLES.get(exercise, exercise.replace("_", " ").capitalize())


def targets_for(exercise: str, recorded: dict[str, Any] | None = None) -> Targets | None:
    """The targets the session recorded for the exercise, else the routine's.

    A session records the targets it was set: the plan's in force that day (`posecheck.plan`), so a report
    made later, after the plan changed, still judges the day against that day's plan.
    """
    if recorded:
        try:
            return Targets.from_dict(recorded)
        except (ValueError, TypeError):
            pass
    return ROUTINE_TARGETS.get(exercise)
