"""The exercise plan: which exercises, in what order, with which targets and notes, on which days.

A physiotherapist writes it as a small commented TOML file (`posecheck plan init` starts one from the
sheet). Without a plan file the routine sheet is the plan: its five exercises, in its order, with the
targets of the exercise modules, every day ("at least once a day").

    version = 1
    days = ["mon", "wed", "fri"]      # or days_per_week = 3; neither: every day
    knee_problem = true               # optional: leave it out to use the profile's setting

    [[exercise]]
    name = "knee_rolls"
    reps = [6, 8]                     # [min, max], or one number
    hold_breaths = 1                  # or hold_seconds = [5, 10]
    alternating_sides = true          # knee rolls only
    note = "Only as far as it feels a gentle stretch"

    [[progression]]                   # from this date on, these targets (the rest stay)
    from = 2027-01-04
    knee_rolls = { reps = [8, 10] }

`parse_plan` returns the plan and the list of problems (one line each), so `posecheck plan check` can
say everything that is wrong at once; `load_plan` refuses a plan with any.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from posecheck.errors import PosecheckError
from posecheck.live.profile import default_path as profile_path
from posecheck.live.routine import ROUTINE_ORDER, Step, step
from posecheck.report.targets import ROUTINE_TARGETS, Targets, title

PLAN_VERSION = 1
PLAN_FILE = "plan.toml"
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
EVERY_DAY: tuple[int, ...] = tuple(range(7))

# What a plan may ask. Outside these a typo is likelier than a prescription: 50 reps is five times the
# sheet's most, a two-minute hold twelve times its longest.
REPS_BOUNDS = (1, 50)
HOLD_SECONDS_BOUNDS = (1, 120)
HOLD_BREATHS_BOUNDS = (1, 30)  # 30 slow breaths (4 s each) are the two minutes of the seconds' bound
NOTE_MAX_CHARS = 200  # read from the mat in the instructions' few seconds

TOP_KEYS = ("version", "days", "days_per_week", "knee_problem", "exercise", "progression")
TARGET_KEYS = ("reps", "hold_seconds", "hold_breaths", "alternating_sides")
EXERCISE_KEYS = ("name", *TARGET_KEYS, "note")
# Only knee rolls go side to side ("Repeat this exercise 8-10 times, alternating sides").
SIDED = frozenset(name for name, t in ROUTINE_TARGETS.items() if t.alternating_sides)
# Exercises the sheet holds (pelvic tilts rock without a hold).
HOLDING = frozenset(name for name, t in ROUTINE_TARGETS.items() if t.hold_s or t.hold_breaths)


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise of the plan: its targets and the note shown before it."""

    exercise: str
    targets: Targets
    note: str = ""


@dataclass(frozen=True)
class Progression:
    """From `start` on, the targets of the exercises this step or an earlier one changed."""

    start: date
    targets: dict[str, Targets] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    exercises: tuple[PlannedExercise, ...]
    weekdays: tuple[int, ...] = EVERY_DAY  # 0 is Monday
    days_per_week: int | None = None  # when the plan gave a number rather than named days
    knee_problem: bool | None = None  # None: the profile decides
    progression: tuple[Progression, ...] = ()  # by date
    source: Path | None = None  # the file; None: the routine sheet

    def in_force(self, day: date) -> Progression | None:
        """The latest progression step begun by `day`, if any."""
        begun = [p for p in self.progression if p.start <= day]
        return begun[-1] if begun else None

    def on(self, day: date) -> tuple[PlannedExercise, ...]:
        """The exercises with the targets in force on `day`."""
        step_in_force = self.in_force(day)
        changed = step_in_force.targets if step_in_force else {}
        return tuple(dataclasses.replace(e, targets=changed.get(e.exercise, e.targets)) for e in self.exercises)

    def settings(self, profile: dict[str, Any]) -> dict[str, Any]:
        """The profile's settings with the plan's knee_problem over them, when the plan sets it."""
        return profile if self.knee_problem is None else {**profile, "knee_problem": self.knee_problem}

    def is_planned_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays

    def schedule_text(self) -> str:
        if self.weekdays == EVERY_DAY:
            return "every day"
        days = ", ".join(WEEKDAYS[d].capitalize() for d in self.weekdays)
        return f"{self.days_per_week} days a week ({days})" if self.days_per_week else days

    def source_text(self) -> str:
        return str(self.source) if self.source else "the routine sheet (no plan file)"

    def record(self, day: date) -> dict[str, Any]:
        """What a session keeps of the plan it followed (each exercise also keeps its targets)."""
        step_in_force = self.in_force(day)
        return {"file": str(self.source) if self.source else None, "version": PLAN_VERSION,
                "date": day.isoformat(), "targets_from": step_in_force.start.isoformat() if step_in_force else None}


def sheet_plan() -> Plan:
    """The routine sheet as a plan: every exercise in its order, the exercise modules' targets, daily."""
    return Plan(tuple(PlannedExercise(name, ROUTINE_TARGETS[name]) for name in ROUTINE_ORDER))


def spread(days_per_week: int) -> tuple[int, ...]:
    """N days spread over the week from Monday: 3 -> Mon, Wed, Fri; 7 -> every day."""
    return tuple(sorted({i * 7 // days_per_week for i in range(days_per_week)}))


# -- reading ---------------------------------------------------------------------------------------------
def parse_plan(text: str, source: Path | None = None) -> tuple[Plan | None, list[str]]:
    """The plan in `text` and its problems, one line each; the plan is None when there is any."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [f"not valid TOML ({error})"]
    problems: list[str] = []
    _unknown_keys(data, TOP_KEYS, "top level", problems)
    version = data.get("version")
    if version is None:
        problems.append(f"no version: add `version = {PLAN_VERSION}` at the top")
    elif version != PLAN_VERSION or isinstance(version, bool):
        problems.append(f"version {version!r}: this posecheck reads plan version {PLAN_VERSION}")
    knee_problem = data.get("knee_problem")
    if knee_problem is not None and not isinstance(knee_problem, bool):
        problems.append(f"knee_problem must be true or false, not {knee_problem!r}")
        knee_problem = None
    weekdays, per_week = _schedule(data, problems)
    exercises = _exercises(data.get("exercise"), problems)
    progression = _progression(data.get("progression"), exercises, problems)
    if problems:
        return None, problems
    return Plan(tuple(exercises), weekdays, per_week, knee_problem, progression, source), []


def read_plan(path: str | Path) -> tuple[Plan | None, list[str]]:
    """`parse_plan` of a file; a file that cannot be read is one problem."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [f"no such plan file ({path}): `posecheck plan init {path}` writes one"]
    except (OSError, UnicodeDecodeError) as error:
        return None, [f"cannot read the plan ({error})"]
    return parse_plan(text, path)


def load_plan(path: str | Path) -> Plan:
    """The plan in `path`; any problem is a PosecheckError naming the first and how to see them all."""
    plan, problems = read_plan(path)
    if plan is None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PosecheckError(f"the plan {path}: {problems[0]}{more}; `posecheck plan check {path}` lists them")
    return plan


def default_plan_path() -> Path:
    """plan.toml in the config folder, next to the profile (~/.config/posecheck/plan.toml)."""
    return profile_path().parent / PLAN_FILE


def plan_for(path: str | Path | None) -> Plan:
    """The plan a session follows: the file asked for, else the one in the config folder, else the sheet."""
    if path:
        return load_plan(path)
    default = default_plan_path()
    return load_plan(default) if default.exists() else sheet_plan()


def steps_on(plan: Plan, day: date) -> list[Step]:
    """The trainer's steps for `day`: the plan's exercises in its order, with their targets and notes."""
    return [dataclasses.replace(step(e.exercise), targets=e.targets, note=e.note) for e in plan.on(day)]


def step_on(plan: Plan, exercise: str, day: date) -> Step | None:
    """The plan's step for one exercise on `day`, or None when the plan leaves the exercise out."""
    return next((s for s in steps_on(plan, day) if s.exercise == exercise), None)


def _unknown_keys(table: dict[str, Any], known: tuple[str, ...], where: str, problems: list[str]) -> None:
    for key in table:
        if key not in known:
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(known)})")


def _schedule(data: dict[str, Any], problems: list[str]) -> tuple[tuple[int, ...], int | None]:
    days, per_week = data.get("days"), data.get("days_per_week")
    if days is not None and per_week is not None:
        problems.append("give days or days_per_week, not both")
        return EVERY_DAY, None
    if per_week is not None:
        if not isinstance(per_week, int) or isinstance(per_week, bool) or not 1 <= per_week <= 7:
            problems.append(f"days_per_week must be a whole number from 1 to 7, not {per_week!r}")
            return EVERY_DAY, None
        return spread(per_week), per_week
    if days is None:
        return EVERY_DAY, None
    if not isinstance(days, list) or not days:
        problems.append(f"days must be a list of weekdays such as [\"mon\", \"thu\"], not {days!r}")
        return EVERY_DAY, None
    chosen: list[int] = []
    for day in days:
        name = day.strip().lower() if isinstance(day, str) else None
        index = next((i for i, d in enumerate(WEEKDAYS) if name in (d, _full_day(i))), None)
        if index is None:
            problems.append(f"days: unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
        elif index in chosen:
            problems.append(f"days: {WEEKDAYS[index]} is given twice")
        else:
            chosen.append(index)
    return tuple(sorted(chosen)) or EVERY_DAY, None


def _full_day(index: int) -> str:
    return date(2024, 1, 1 + index).strftime("%A").lower()  # 2024-01-01 was a Monday


def _exercises(entries: Any, problems: list[str]) -> list[PlannedExercise]:
    if entries is None or entries == []:
        problems.append("no exercises: add at least one [[exercise]] with a name")
        return []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append("exercise must be [[exercise]] tables, each with a name")
        return []
    planned: list[PlannedExercise] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        name = entry.get("name")
        where = f"exercise {number}" + (f" ({name})" if isinstance(name, str) else "")
        _unknown_keys(entry, EXERCISE_KEYS, where, problems)
        if name is None:
            problems.append(f"{where}: no name (one of {', '.join(ROUTINE_ORDER)})")
            continue
        if name not in ROUTINE_TARGETS:
            problems.append(f"{where}: unknown exercise {name!r} (use one of {', '.join(ROUTINE_ORDER)})")
            continue
        if name in seen:
            problems.append(f"{where}: {name} is already in the plan (exercise {seen[name]})")
            continue
        seen[name] = number
        targets = _targets(name, entry, ROUTINE_TARGETS[name], where, problems)
        note = entry.get("note", "")
        if not isinstance(note, str):
            problems.append(f"{where}: note must be text in quotes, not {note!r}")
            note = ""
        elif len(note) > NOTE_MAX_CHARS:
            problems.append(f"{where}: note is {len(note)} characters; keep it under {NOTE_MAX_CHARS} "
                            "to read from the mat")
        planned.append(PlannedExercise(name, targets, note.strip()))
    return planned


def _targets(exercise: str, table: dict[str, Any], start: Targets, where: str, problems: list[str]) -> Targets:
    """`start` with what `table` changes: reps, a hold (seconds or breaths, replacing the other), sides."""
    targets = start
    reps = _range(table.get("reps"), "reps", REPS_BOUNDS, whole=True, where=where, problems=problems)
    if reps:
        targets = dataclasses.replace(targets, reps=reps)
    if "hold_seconds" in table or "hold_breaths" in table:
        if exercise not in HOLDING:
            problems.append(f"{where}: {exercise} has no hold; remove hold_seconds and hold_breaths")
        elif "hold_seconds" in table and "hold_breaths" in table:
            problems.append(f"{where}: give hold_seconds or hold_breaths, not both")
        elif "hold_seconds" in table:
            seconds = _range(table["hold_seconds"], "hold_seconds", HOLD_SECONDS_BOUNDS, whole=False,
                             where=where, problems=problems)
            if seconds:
                targets = dataclasses.replace(targets, hold_s=seconds, hold_breaths=None)
        else:
            breaths = _range(table["hold_breaths"], "hold_breaths", HOLD_BREATHS_BOUNDS, whole=True,
                             where=where, problems=problems)
            if breaths:
                targets = dataclasses.replace(targets, hold_breaths=breaths, hold_s=None)
    sides = table.get("alternating_sides")
    if sides is not None:
        if not isinstance(sides, bool):
            problems.append(f"{where}: alternating_sides must be true or false, not {sides!r}")
        elif exercise not in SIDED:
            problems.append(f"{where}: only {', '.join(sorted(SIDED))} alternate sides")
        else:
            targets = dataclasses.replace(targets, alternating_sides=sides)
    return targets


def _range(value: Any, name: str, bounds: tuple[int, int], whole: bool, where: str,
           problems: list[str]) -> tuple | None:
    """[min, max] or one number, within `bounds`; None (and a problem) otherwise, None when absent."""
    if value is None:
        return None
    kinds = int if whole else int | float
    pair = (value, value) if isinstance(value, int | float) else tuple(value) if isinstance(value, list) else ()
    if len(pair) != 2 or not all(isinstance(v, kinds) and not isinstance(v, bool) for v in pair):
        number = "a whole number" if whole else "a number"
        problems.append(f"{where}: {name} must be {number} or [min, max], not {value!r}")
        return None
    lo, hi = pair
    if lo > hi:
        problems.append(f"{where}: {name} min {lo:g} is above max {hi:g}")
        return None
    if lo < bounds[0] or hi > bounds[1]:
        asked = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
        problems.append(f"{where}: {name} {asked} is outside {bounds[0]}-{bounds[1]}")
        return None
    return (lo, hi) if whole else (float(lo), float(hi))


def _progression(entries: Any, exercises: list[PlannedExercise], problems: list[str]) -> tuple[Progression, ...]:
    if entries is None:
        return ()
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append("progression must be [[progression]] tables, each with a from date")
        return ()
    in_plan = {e.exercise: e.targets for e in exercises}
    dated: list[tuple[date, int, dict[str, Any]]] = []
    for number, entry in enumerate(entries, start=1):
        where = f"progression {number}"
        start = _date(entry.get("from"))
        if start is None:
            problems.append(f"{where}: from must be a date such as 2027-01-04, not {entry.get('from')!r}")
        elif any(start == d for d, _, _ in dated):
            problems.append(f"{where}: another progression starts on {start.isoformat()} too")
        else:
            dated.append((start, number, entry))
        if set(entry) <= {"from"}:
            problems.append(f"{where}: changes nothing (add e.g. knee_rolls = {{ reps = [8, 10] }})")
    steps: list[Progression] = []
    current = dict(in_plan)  # each step builds on the ones before it
    touched: set[str] = set()
    for start, number, entry in sorted(dated, key=lambda d: d[0]):
        where = f"progression {number} (from {start.isoformat()})"
        for name, table in entry.items():
            if name == "from":
                continue
            if name not in ROUTINE_TARGETS:
                problems.append(f"{where}: unknown exercise {name!r} (use one of {', '.join(ROUTINE_ORDER)})")
            elif name not in in_plan:
                problems.append(f"{where}: {name} is not in the plan's exercises")
            elif not isinstance(table, dict):
                problems.append(f"{where}: {name} must be a table such as {{ reps = [8, 10] }}")
            else:
                _unknown_keys(table, TARGET_KEYS, f"{where}, {name}", problems)
                current[name] = _targets(name, table, current[name], f"{where}, {name}", problems)
                touched.add(name)
        steps.append(Progression(start, {name: current[name] for name in in_plan if name in touched}))
    return tuple(steps)


def _date(value: Any) -> date | None:
    """A TOML date (2027-01-04) or the same in quotes; a date with a time is not a day."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# -- writing ---------------------------------------------------------------------------------------------
HEADER = f"""\
# posecheck plan: the exercises, in the order they are done, with their targets and notes.
# Agree it with your physiotherapist; `posecheck plan check FILE` says what is wrong, if anything.
# posecheck reads it at the start of each session (`--plan FILE` uses another).
version = {PLAN_VERSION}

# How often: every day when neither is given ("Try to do the below routine at least once a day").
# days = ["mon", "wed", "fri"]   # named weekdays
# days_per_week = 3              # or a number, spread over the week from Monday (3: Mon, Wed, Fri)

# true: the heels stretch reminds you not to sit back on your heels ("Avoid sitting back on your heels
# if you have a knee problem"). Left out, the profile's knee_problem decides.
# knee_problem = true

# Each [[exercise]]: name (heels_stretch, knee_rolls, back_extensions, deep_abdominal, pelvic_tilts);
# reps = [min, max] ({REPS_BOUNDS[0]}-{REPS_BOUNDS[1]}) or one number; a hold as hold_seconds = [min, max] \
({HOLD_SECONDS_BOUNDS[0]}-{HOLD_SECONDS_BOUNDS[1]})
# or hold_breaths = [min, max] ({HOLD_BREATHS_BOUNDS[0]}-{HOLD_BREATHS_BOUNDS[1]}); alternating_sides for knee rolls.
# note = "..." is shown before the exercise, e.g. "Only to where it feels a gentle stretch".
# A key left out keeps the sheet's target; an exercise left out is not done.
"""

PROGRESSION_EXAMPLE = """\
# Progression: from a date on, new targets (the rest stay); later steps build on earlier ones.
# [[progression]]
# from = 2027-01-04
# back_extensions = { reps = [10, 12], hold_seconds = [8, 10] }
"""


def plan_text(plan: Plan) -> str:
    """The plan as a commented TOML file that `parse_plan` reads back as the same plan."""
    lines = [HEADER]
    if plan.days_per_week:
        lines.append(f"days_per_week = {plan.days_per_week}\n")
    elif plan.weekdays != EVERY_DAY:
        lines.append(f"days = [{', '.join(_string(WEEKDAYS[d]) for d in plan.weekdays)}]\n")
    if plan.knee_problem is not None:
        lines.append(f"knee_problem = {str(plan.knee_problem).lower()}\n")
    for planned in plan.exercises:
        lines.append(_exercise_text(planned))
    if plan.progression:
        lines.append("")
        for progression in plan.progression:
            lines.append(f"[[progression]]\nfrom = {progression.start.isoformat()}")
            for name, targets in progression.targets.items():
                lines.append(f"{name} = {{ {', '.join(_target_lines(name, targets))} }}")
    else:
        lines.append(PROGRESSION_EXAMPLE)
    return "\n".join(lines).rstrip("\n") + "\n"


def _exercise_text(planned: PlannedExercise) -> str:
    sheet = ROUTINE_TARGETS[planned.exercise].describe()
    return "\n".join([
        f"# {title(planned.exercise)} (the sheet: {sheet})",
        "[[exercise]]",
        f"name = {_string(planned.exercise)}",
        *_target_lines(planned.exercise, planned.targets),
        f"note = {_string(planned.note)}",
        "",
    ])


def _target_lines(exercise: str, targets: Targets) -> list[str]:
    lines = [f"reps = {_pair(targets.reps)}"]
    if targets.hold_s:
        lines.append(f"hold_seconds = {_pair(targets.hold_s)}")
    elif targets.hold_breaths:
        lines.append(f"hold_breaths = {_pair(targets.hold_breaths)}")
    if exercise in SIDED:
        lines.append(f"alternating_sides = {str(targets.alternating_sides).lower()}")
    return lines


def _pair(values: tuple) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, bar DEL, which TOML wants escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
