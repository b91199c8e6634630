"""The exercise plan: a physiotherapist's TOML file sets the exercises, their order, targets, notes and days;
sessions follow the plan in force that day and reports judge against it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, run_cli
from session_builders import ExercisePlan, record_session

from posecheck import cli
from posecheck.history import open_history
from posecheck.landmarks import PoseFrame
from posecheck.live.routine import ROUTINE_ORDER
from posecheck.live.trainer import Trainer
from posecheck.plan import (
    HOLD_BREATHS_BOUNDS,
    HOLD_SECONDS_BOUNDS,
    PLAN_VERSION,
    REPS_BOUNDS,
    load_plan,
    parse_plan,
    plan_text,
    sheet_plan,
    spread,
    steps_on,
)
from posecheck.recording import RecordingHeader
from posecheck.report import make_report
from posecheck.report.targets import ROUTINE_TARGETS, Targets, from_exercise
from posecheck.session import SESSION_FILE, SessionWriter

KINEMATIC_DIR = REPO / "samples" / "kinematic"
MONDAY = date(2026, 12, 7)
NOTE = "Only to where it feels a gentle stretch"

# A plan a physiotherapist might write: three exercises in their own order, two days a week, a note,
# and longer back extensions from a date on.
PLAN = f"""
version = {PLAN_VERSION}
days = ["mon", "thursday"]
knee_problem = true

[[exercise]]
name = "back_extensions"
reps = [4, 6]
hold_seconds = [3, 5]

[[exercise]]
name = "knee_rolls"
reps = 6
note = "{NOTE}"

[[exercise]]
name = "heels_stretch"

[[progression]]
from = {(MONDAY + timedelta(days=14)).isoformat()}
back_extensions = {{ reps = [6, 8], hold_seconds = [5, 8] }}
"""


def plan_file(folder: Path, text: str = PLAN) -> Path:
    path = folder / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def check_plan(path: Path, capsys: pytest.CaptureFixture) -> tuple[int, list[str]]:
    """`posecheck plan check PATH` in this process (the refusals are many; each subprocess costs a second)."""
    status = cli.main(["plan", "check", str(path)])
    return status, capsys.readouterr().out.splitlines()


# -- the sheet as the default plan -----------------------------------------------------------------------
def test_without_a_plan_file_the_plan_is_the_sheets_five_exercises_every_day():
    import exercise_rules

    plan = sheet_plan()
    assert [e.exercise for e in plan.exercises] == list(ROUTINE_ORDER)
    # The targets are the exercise modules' own, not a copy.
    for planned in plan.exercises:
        assert planned.targets == from_exercise(exercise_rules.get(planned.exercise).TARGETS)
        assert planned.note == ""
    assert all(plan.is_planned_day(MONDAY + timedelta(days=n)) for n in range(7))
    assert plan.knee_problem is None  # the profile decides


def test_plan_init_writes_the_sheet_as_a_commented_plan_that_plan_check_passes(tmp_path):
    path = tmp_path / "mine" / "plan.toml"
    done = run_cli("plan", "init", str(path))
    assert done.returncode == 0, done.stderr
    text = path.read_text(encoding="utf-8")
    assert text.count("\n#") > 10  # commented for the person who edits it
    assert f"version = {PLAN_VERSION}" in text
    checked = run_cli("plan", "check", str(path))
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.strip() == "ok"
    plan, problems = parse_plan(text)
    assert problems == []
    assert plan == sheet_plan()
    # Written once: a second init refuses, in one line, unless --force.
    again = run_cli("plan", "init", str(path))
    assert again.returncode == 2
    assert len(again.stderr.strip().splitlines()) == 1 and "--force" in again.stderr
    path.write_text("version = 1\n", encoding="utf-8")
    assert run_cli("plan", "init", str(path), "--force").returncode == 0
    assert parse_plan(path.read_text(encoding="utf-8"))[0] == sheet_plan()


def test_plan_init_goes_into_the_config_folder_next_to_the_profile(tmp_path):
    done = run_cli("plan", "init", env={"XDG_CONFIG_HOME": str(tmp_path), "POSECHECK_PROFILE": ""})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "posecheck" / "plan.toml").is_file()


def test_a_plan_round_trips_through_its_written_text(tmp_path):
    plan = load_plan(plan_file(tmp_path))
    again, problems = parse_plan(plan_text(plan), plan.source)
    assert problems == []
    assert again == plan


def test_a_plan_sets_exercises_order_targets_notes_days_and_progression(tmp_path):
    plan = load_plan(plan_file(tmp_path))
    assert [e.exercise for e in plan.exercises] == ["back_extensions", "knee_rolls", "heels_stretch"]
    back, knees, heels = plan.on(MONDAY)
    assert back.targets == Targets(reps=(4, 6), hold_s=(3.0, 5.0))
    # A key left out keeps the sheet's target: knee rolls still alternate and hold a breath.
    assert knees.targets == Targets(reps=(6, 6), alternating_sides=True,
                                    hold_breaths=ROUTINE_TARGETS["knee_rolls"].hold_breaths)
    assert knees.note == NOTE
    assert heels.targets == ROUTINE_TARGETS["heels_stretch"]
    assert plan.knee_problem is True
    assert [d for d in range(7) if plan.is_planned_day(MONDAY + timedelta(days=d))] == [0, 3]
    # From the progression's date on, the back extensions' targets are the new ones; the rest stay.
    later = plan.on(MONDAY + timedelta(days=14))
    assert later[0].targets == Targets(reps=(6, 8), hold_s=(5.0, 8.0))
    assert later[1:] == plan.on(MONDAY)[1:]
    assert plan.on(MONDAY + timedelta(days=13))[0].targets == back.targets


@pytest.mark.parametrize("per_week", range(1, 8))
def test_days_per_week_are_spread_over_the_week(per_week):
    days = spread(per_week)
    assert len(days) == per_week and days[0] == 0
    plan, problems = parse_plan(f'version = 1\ndays_per_week = {per_week}\n[[exercise]]\nname = "knee_rolls"\n')
    assert problems == [] and plan.weekdays == days


# -- refusals: one clear line per problem ----------------------------------------------------------------
BASE = 'version = 1\n\n[[exercise]]\nname = "knee_rolls"\n'
TOO_MANY = REPS_BOUNDS[1] + 1
LONG_HOLD = HOLD_SECONDS_BOUNDS[1] + 1
MANY_BREATHS = HOLD_BREATHS_BOUNDS[1] + 1
REFUSALS = {
    "unknown exercise": (BASE + '[[exercise]]\nname = "toe_touches"\n', ["'toe_touches'", "unknown exercise"]),
    "duplicate exercise": (BASE + '[[exercise]]\nname = "knee_rolls"\n', ["knee_rolls", "already in the plan"]),
    "too many reps": (BASE + f"reps = [8, {TOO_MANY}]\n", [f"8-{TOO_MANY}", f"{REPS_BOUNDS[0]}-{REPS_BOUNDS[1]}"]),
    "no reps": (BASE + "reps = 0\n", ["reps 0", "outside"]),
    "min above max": (BASE + "reps = [10, 8]\n", ["min 10 is above max 8"]),
    "reps not whole": (BASE + "reps = [7.5, 8]\n", ["whole number"]),
    "hold too long": (BASE + f"hold_seconds = [5, {LONG_HOLD}]\n",
                      [f"hold_seconds 5-{LONG_HOLD}", f"{HOLD_SECONDS_BOUNDS[0]}-{HOLD_SECONDS_BOUNDS[1]}"]),
    "too many breaths": (BASE + f"hold_breaths = {MANY_BREATHS}\n", [f"hold_breaths {MANY_BREATHS}", "outside"]),
    "seconds and breaths": (BASE + "hold_seconds = 5\nhold_breaths = 1\n", ["not both"]),
    "a hold where there is none": ('version = 1\n[[exercise]]\nname = "pelvic_tilts"\nhold_seconds = 5\n',
                                   ["pelvic_tilts has no hold"]),
    "sides on one side": ('version = 1\n[[exercise]]\nname = "back_extensions"\nalternating_sides = true\n',
                          ["only knee_rolls alternate sides"]),
    "unknown key at the top": ("colour = 'red'\n" + BASE, ["unknown key 'colour'"]),
    "unknown key in an exercise": (BASE + "sets = 3\n", ["exercise 1 (knee_rolls)", "unknown key 'sets'"]),
    "unknown key in a progression": (BASE + "[[progression]]\nfrom = 2027-01-04\nknee_rolls = { pace = 2 }\n",
                                     ["progression 1 (from 2027-01-04), knee_rolls", "unknown key 'pace'"]),
    "a date that is no date": (BASE + "[[progression]]\nfrom = '2027-02-30'\nknee_rolls = { reps = 9 }\n",
                               ["progression 1", "'2027-02-30'"]),
    "a date with a time": (BASE + "[[progression]]\nfrom = 2027-01-04T08:00:00\nknee_rolls = { reps = 9 }\n",
                           ["progression 1", "from must be a date"]),
    "two steps on one day": (BASE + "[[progression]]\nfrom = 2027-01-04\nknee_rolls = { reps = 9 }\n"
                             "[[progression]]\nfrom = 2027-01-04\nknee_rolls = { reps = 10 }\n",
                             ["progression 2", "2027-01-04 too"]),
    "progressing what is not planned": (BASE + "[[progression]]\nfrom = 2027-01-04\npelvic_tilts = { reps = 12 }\n",
                                        ["pelvic_tilts is not in the plan"]),
    "a step that changes nothing": (BASE + "[[progression]]\nfrom = 2027-01-04\n", ["changes nothing"]),
    "unknown weekday": ('days = ["mon", "funday"]\n' + BASE, ["'funday'"]),
    "a weekday twice": ('days = ["tue", "tue"]\n' + BASE, ["tue is given twice"]),
    "days both ways": ('days = ["mon"]\ndays_per_week = 2\n' + BASE, ["not both"]),
    "eight days a week": ("days_per_week = 8\n" + BASE, ["from 1 to 7", "8"]),
    "knee problem not true or false": ("knee_problem = 'yes'\n" + BASE, ["knee_problem", "'yes'"]),
    "no version": (BASE.replace("version = 1\n", ""), [f"version = {PLAN_VERSION}"]),
    "a later version": (BASE.replace("version = 1", "version = 2"), ["version 2", f"version {PLAN_VERSION}"]),
    "no exercises": ("version = 1\n", ["no exercises"]),
    "not TOML": (BASE + "reps = [8, \n", ["not valid TOML"]),
    "a long note": (BASE + f'note = "{"x" * 300}"\n', ["300 characters"]),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_plan_check_names_each_problem_in_one_line_and_exits_2(case, tmp_path, capsys):
    text, expected = REFUSALS[case]
    path = plan_file(tmp_path, text)
    status, lines = check_plan(path, capsys)
    assert status == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: ")
    for part in expected:
        assert part in lines[0]


def test_plan_check_lists_every_problem_of_a_plan_at_once(tmp_path, capsys):
    cases = ["unknown exercise", "too many reps", "unknown key at the top"]
    text = "colour = 'red'\n" + BASE + f"reps = [8, {TOO_MANY}]\n" + '[[exercise]]\nname = "toe_touches"\n'
    status, lines = check_plan(plan_file(tmp_path, text), capsys)
    assert status == 2 and len(lines) == len(cases)


def test_a_missing_plan_file_is_one_line_not_a_traceback(tmp_path):
    done = run_cli("plan", "check", str(tmp_path / "none.toml"))
    assert done.returncode == 2
    assert done.stdout.strip().count("\n") == 0 and "plan init" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_session_refuses_a_bad_plan_in_one_line(tmp_path):
    path = plan_file(tmp_path, REFUSALS["too many reps"][0])
    for command in (["routine", "--headless"], ["analyze", str(KINEMATIC_DIR / "knee_rolls__correct__dev1000.jsonl"),
                                                "--exercise", "knee_rolls"]):
        done = run_cli(*command, "--plan", str(path), env={"POSECHECK_DATA_DIR": str(tmp_path / "data")})
        assert done.returncode == 2
        [line] = done.stderr.strip().splitlines()
        assert str(path) in line and "plan check" in line


# -- plan show -----------------------------------------------------------------------------------------
def test_plan_show_says_what_the_days_session_will_ask(tmp_path):
    path = plan_file(tmp_path)
    plan = load_plan(path)
    wednesday, later = MONDAY + timedelta(days=2), MONDAY + timedelta(days=14)
    for day in (MONDAY, wednesday, later):
        done = run_cli("plan", "show", "--plan", str(path), "--date", day.isoformat())
        assert done.returncode == 0, done.stderr
        out = done.stdout
        planned = "a planned day" if plan.is_planned_day(day) else "not a planned day"
        assert f"{day.isoformat()} ({day.strftime('%A')}): {planned}" in out
        lines = [line for line in out.splitlines() if line[:1].isdigit() and ". " in line]
        assert len(lines) == len(plan.exercises)
        for line, planned_exercise in zip(lines, plan.on(day), strict=True):
            assert line.endswith(planned_exercise.targets.describe())
        assert f"note: {NOTE}" in out
        assert ("progression" in out) == (plan.in_force(day) is not None)
    bad = run_cli("plan", "show", "--plan", str(path), "--date", "7 December")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_plan_show_without_a_plan_file_shows_the_sheet(tmp_path):
    done = run_cli("plan", "show", "--date", MONDAY.isoformat(),
                   env={"XDG_CONFIG_HOME": str(tmp_path), "POSECHECK_PROFILE": ""})
    assert done.returncode == 0, done.stderr
    assert "routine sheet" in done.stdout and "a planned day" in done.stdout
    for name in ROUTINE_ORDER:
        assert ROUTINE_TARGETS[name].describe() in done.stdout


# -- sessions follow the plan; reports judge against the plan in force that day ----------------------------
def test_the_trainer_follows_the_plans_order_notes_and_records_its_targets(tmp_path):
    plan = load_plan(plan_file(tmp_path))
    steps = steps_on(plan, MONDAY)
    assert [s.exercise for s in steps] == [e.exercise for e in plan.exercises]
    knees = steps[1]
    assert knees.instructions_for({})[-1] == NOTE  # the note is shown before the exercise
    session = SessionWriter(tmp_path / "session")
    header = RecordingHeader(source="test camera", fps=15.0, image_size=(320, 240))
    trainer = Trainer(steps, session, header, instructions_s=0.0, setup_check=False)
    trainer.on_pose(PoseFrame.empty(0, (320, 240)), np.zeros((240, 320, 3), np.uint8), people=0)
    trainer.finish("quit")
    session.close()
    [recorded] = json.loads((tmp_path / "session" / SESSION_FILE).read_text())["exercises"]
    assert recorded["exercise"] == steps[0].exercise
    assert recorded["targets"] == plan.on(MONDAY)[0].targets.to_dict()


def _status(done: int, targets: Targets) -> str:
    lo, hi = targets.reps
    return "below" if done < lo else "above" if done > hi else "met"


@pytest.mark.parametrize("reps", [(8, 10), (10, 12), (4, 6)])
def test_a_plan_that_changes_targets_changes_what_the_report_calls_met(reps, tmp_path, monkeypatch):
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))
    done = 8
    text = f'version = 1\n[[exercise]]\nname = "back_extensions"\nreps = [{reps[0]}, {reps[1]}]\nhold_seconds = 3\n'
    plan = load_plan(plan_file(tmp_path, text))
    [planned] = plan.on(MONDAY)
    folder = record_session(tmp_path / "s", [ExercisePlan("back_extensions", done, hold_s=2.5, rep_s=4.5)],
                            targets={"back_extensions": planned.targets})
    report = json.loads(make_report(folder).json.read_text())
    [exercise] = report["exercises"]
    assert exercise["reps"]["status"] == _status(done, planned.targets)
    assert exercise["target_text"] == planned.targets.describe()
    assert exercise["holds"]["target_s"] == list(planned.targets.hold_s)
    with open_history() as store:
        [row] = store.progress("back_extensions")
    assert (row["target_reps_min"], row["target_reps_max"]) == planned.targets.reps


def test_analyze_follows_the_plan_and_a_later_plan_does_not_change_that_days_report(tmp_path):
    source = KINEMATIC_DIR / "knee_rolls__correct__dev1000.jsonl"
    counted = json.loads(source.with_name(source.stem + ".labels.json").read_text())["rep_count"]["total"]
    config = tmp_path / "config"
    (config / "posecheck").mkdir(parents=True)
    # The plan in the config folder (no --plan) asks for more rolls than the recording holds.
    plan_file(config / "posecheck", f'version = 1\n[[exercise]]\nname = "knee_rolls"\nreps = [{counted + 2}, '
                                    f'{counted + 4}]\n')
    env = {"XDG_CONFIG_HOME": str(config), "POSECHECK_PROFILE": "", "POSECHECK_DATA_DIR": str(tmp_path / "data")}
    done = run_cli("analyze", str(source), "--exercise", "knee_rolls", "--session-dir", str(tmp_path / "s"),
                   "--no-open", env=env)
    assert done.returncode == 0, done.stderr
    recorded = json.loads((tmp_path / "s" / SESSION_FILE).read_text())
    assert recorded["exercises"][0]["targets"]["reps"] == [counted + 2, counted + 4]
    assert recorded["plan"]["file"] == str(config / "posecheck" / "plan.toml")
    report = json.loads((tmp_path / "s" / "report.json").read_text())
    assert report["exercises"][0]["reps"]["status"] == "below"
    # The plan changes later: the report made again still judges that day against that day's plan.
    plan_file(config / "posecheck", f'version = 1\n[[exercise]]\nname = "knee_rolls"\nreps = {counted}\n')
    again = run_cli("report", str(tmp_path / "s"), "--no-history", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "s" / "report.json").read_text())["exercises"][0]["reps"]["status"] == "below"
    # With --plan the file named is the one followed.
    met = plan_file(tmp_path, f'version = 1\n[[exercise]]\nname = "knee_rolls"\nreps = {counted}\n')
    done = run_cli("analyze", str(source), "--exercise", "knee_rolls", "--session-dir", str(tmp_path / "s2"),
                   "--plan", str(met), "--no-open", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "s2" / "report.json").read_text())["exercises"][0]["reps"]["status"] == "met"


def test_the_plans_knee_problem_turns_on_the_heels_stretch_caution(tmp_path):
    from posecheck.live.routine import KNEE_PROBLEM_LINE

    plan = load_plan(plan_file(tmp_path))
    heels = next(s for s in steps_on(plan, MONDAY) if s.exercise == "heels_stretch")
    # The plan's word goes over the profile's; a plan that says nothing leaves the profile's.
    assert KNEE_PROBLEM_LINE in heels.instructions_for(plan.settings({"knee_problem": False, "voice": True}))
    assert sheet_plan().settings({"knee_problem": False}) == {"knee_problem": False}
