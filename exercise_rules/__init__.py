"""One module per exercise of the lower-back routine, found by name.

    from exercise_rules import get
    run = get("knee_rolls").run()               # or get("heels_stretch").run(knee_problem=True)
    events = [e for frame in frames for e in run.update(frame)]
"""

from __future__ import annotations

import importlib
from types import ModuleType

from posecheck.errors import PosecheckError

# The routine's order.
NAMES: tuple[str, ...] = ("heels_stretch", "knee_rolls", "back_extensions", "deep_abdominal", "pelvic_tilts")


def get(name: str) -> ModuleType:
    """The exercise module called `name` (it has NAME, TARGETS, CHECKS, EXERCISE and `run(**settings)`)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in NAMES:
        raise PosecheckError(f"no exercise called {name!r}; choose one of: {', '.join(NAMES)}")
    return importlib.import_module(f"exercise_rules.{key}")


def all_exercises() -> dict[str, ModuleType]:
    return {name: get(name) for name in NAMES}
