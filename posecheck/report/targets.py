"""The routine's targets per exercise, as the report judges them.

Kept here until the exercise rule modules expose their own targets; each line quotes the routine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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


ROUTINE_TARGETS: dict[str, Targets] = {
    # "Hold this position for one deep breath ... Repeat this 8-10 times."
    "heels_stretch": Targets(reps=(8, 10), hold_breaths=(1, 1)),
    # "Hold the stretch for one deep breath ... Repeat this exercise 8-10 times, alternating sides."
    # Read as 8-10 in total, alternating; the report shows each side's count.
    "knee_rolls": Targets(reps=(8, 10), alternating_sides=True, hold_breaths=(1, 1)),
    # "Breathe in and hold for 5-10 seconds ... Repeat 8-10 times."
    "back_extensions": Targets(reps=(8, 10), hold_s=(5, 10)),
    # "Hold this contraction while breathing from your abdomen for 5-10 breaths ...
    # Repeat this exercise 5 times."
    "deep_abdominal": Targets(reps=(5, 5), hold_breaths=(5, 10)),
    # "Repeat this 10-15 times, tilting your pelvis back and forth in a rocking motion."
    "pelvic_tilts": Targets(reps=(10, 15)),
}

TITLES: dict[str, str] = {
    "heels_stretch": "Heels stretch",
    "knee_rolls": "Knee rolls",
    "back_extensions": "Back extensions",
    "deep_abdominal": "Deep abdominal strengthening",
    "pelvic_tilts": "Pelvic tilts",
}


def title(exercise: str) -> str:
    return TITLES.get(exercise, exercise.replace("_", " ").capitalize())


def targets_for(exercise: str, recorded: dict[str, Any] | None = None) -> Targets | None:
    """The targets the session recorded for the exercise, else the routine's."""
    if recorded:
        try:
            return Targets.from_dict(recorded)
        except (ValueError, TypeError):
            pass
    return ROUTINE_TARGETS.get(exercise)
