"""`posecheck export`: the history as a CSV file a physiotherapist opens in a spreadsheet, one row per exercise
per session, with the targets each day was set."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from session_builders import ExercisePlan, record_session

from posecheck.events import Event, EventKind
from posecheck.export import COLUMNS
from posecheck.report import make_report
from posecheck.report.targets import ROUTINE_TARGETS, Targets
from posecheck.session import SESSION_FILE

SHOULDERS = ("shoulders_on_floor", "Keep both shoulders on the floor")
KNEES = ("knees_together", "Keep your knees together")
HIPS = ("hips_grounded", "Keep your hips on the floor")
NOTES = 'Sore after the rolls, then "fine"; said so,\nnext time slower'
OWN_NAME = 'knee_rolls, "cushion between knees"'  # a hand-named exercise: a comma and quotes
ABSTAINED = ("knees_together", 2)  # a check the rules could not judge, twice
PAIN = {"before": 4, "after": 2}
FIRST = datetime(2026, 11, 20, 9, 30)  # local time


def _rolls_sides(reps: int) -> str:
    """The builder alternates from the left: odd reps left, even right."""
    return f"left:{(reps + 1) // 2};right:{reps // 2}"


def _faults(plan: ExercisePlan) -> str:
    counts: dict[str, int] = {}
    for faults in plan.faults.values():
        for check, _ in faults:
            counts[check] = counts.get(check, 0) + 1
    return ";".join(f"{c}:{n}" for c, n in sorted(counts.items()))


DAYS = [  # (day offset, exercises, notes, pain, targets a plan set)
    (0, [ExercisePlan("knee_rolls", 8, faults={2: [SHOULDERS]}, hold_s=3.0)], "", None, None),
    (1, [ExercisePlan("knee_rolls", 9, faults={1: [SHOULDERS, KNEES], 5: [SHOULDERS]}, hold_s=3.5),
         ExercisePlan("back_extensions", 6, faults={3: [HIPS]}, hold_s=4.0, rep_s=6.0)], NOTES, PAIN,
     {"back_extensions": Targets(reps=(5, 7), hold_s=(3.0, 6.0))}),
    (3, [ExercisePlan("pelvic_tilts", 11)], "", None, None),
]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("export")
    data = root / "data"
    folders = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POSECHECK_DATA_DIR", str(data))
        for offset, plans, notes, pain, targets in DAYS:
            folder = record_session(root / f"day{offset}", plans, notes=notes, targets=targets)
            session = json.loads((folder / SESSION_FILE).read_text())
            session["started_at"] = (FIRST + timedelta(days=offset)).astimezone().isoformat()
            if pain:
                session["pain"] = pain
            if offset == 1:
                session["exercises"][0]["exercise"] = OWN_NAME
                events = folder / session["exercises"][0]["files"]["events"]
                with events.open("a", encoding="utf-8") as file:
                    for n in range(ABSTAINED[1]):
                        event = Event(EventKind.ABSTAINED, 3000 + n, OWN_NAME, rep=n + 1, check=ABSTAINED[0],
                                      detail="the far knee is hidden")
                        file.write(json.dumps(event.to_dict()) + "\n")
            (folder / SESSION_FILE).write_text(json.dumps(session))
            make_report(folder)
            folders.append(folder)
    return {"data": data, "folders": folders}


def export(history: dict, out: Path, *args: str) -> tuple[list[str], list[dict[str, str]]]:
    done = run_cli("export", *args, "--to", str(out), env={"POSECHECK_DATA_DIR": str(history["data"])})
    assert done.returncode == 0, done.stderr
    with out.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


def test_export_writes_one_row_per_exercise_per_session_in_the_date_range(history, tmp_path):
    since = FIRST + timedelta(days=1)
    until = FIRST + timedelta(days=2)
    header, rows = export(history, tmp_path / "out.csv", "--since", since.date().isoformat(),
                          "--until", until.date().isoformat())
    assert header == list(COLUMNS)
    [(_, plans, _, _, targets)] = [d for d in DAYS if since.date() <= (FIRST + timedelta(days=d[0])).date()
                                   <= until.date()]
    assert len(rows) == len(plans)
    rolls, back = rows
    assert {r["date"] for r in rows} == {since.date().isoformat()}
    assert {r["session"] for r in rows} == {history["folders"][1].name}
    # The hand-named exercise comes back whole, comma and quotes included.
    assert rolls["exercise"] == OWN_NAME
    assert rolls["reps_done"] == str(plans[0].reps)
    assert rolls["target"] == ROUTINE_TARGETS["knee_rolls"].describe()  # "8-10 reps, alternating sides, ..."
    assert rolls["faults"] == _faults(plans[0])
    assert rolls["abstentions"] == f"{ABSTAINED[0]}:{ABSTAINED[1]}"
    assert float(rolls["hold_mean_s"]) == pytest.approx(plans[0].hold_s)
    assert float(rolls["hold_min_s"]) == pytest.approx(plans[0].hold_s)
    # The back extensions were set the plan's targets that day, not the sheet's.
    assert back["target"] == targets["back_extensions"].describe()
    assert (int(back["target_reps_min"]), int(back["target_reps_max"])) == targets["back_extensions"].reps
    assert back["faults"] == _faults(plans[1])
    assert back["reps_by_side"] == "" and back["abstentions"] == ""
    for row in rows:
        assert row["notes"] == NOTES
        assert (row["pain_before"], row["pain_after"]) == (str(PAIN["before"]), str(PAIN["after"]))


def test_a_knee_roll_row_counts_each_side_and_a_session_without_pain_ratings_leaves_them_empty(history, tmp_path):
    day = FIRST.date().isoformat()
    _, rows = export(history, tmp_path / "out.csv", "--since", day, "--until", day)
    [(_, [plan], _, _, _)] = [d for d in DAYS if d[0] == 0]
    [row] = rows
    assert row["reps_by_side"] == _rolls_sides(plan.reps)
    assert row["pain_before"] == row["pain_after"] == ""
    assert row["notes"] == ""


def test_without_until_every_later_session_is_exported_oldest_first(history, tmp_path):
    _, rows = export(history, tmp_path / "out.csv", "--since", FIRST.date().isoformat())
    assert len(rows) == sum(len(plans) for _, plans, _, _, _ in DAYS)
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)


def test_commas_quotes_and_line_breaks_are_quoted_the_csv_way(history, tmp_path):
    out = tmp_path / "out.csv"
    day = (FIRST + timedelta(days=1)).date().isoformat()
    export(history, out, "--since", day, "--until", day)
    text = out.read_bytes().decode("utf-8")  # as written: no newline translation
    # A field with a comma, a quote or a line break is in quotes, its quotes doubled.
    assert '"' + NOTES.replace('"', '""') + '"' in text
    assert '"' + OWN_NAME.replace('"', '""') + '"' in text
    assert '"' + ROUTINE_TARGETS["knee_rolls"].describe() + '"' in text
    assert text.endswith("\r\n")  # the csv module's line ends (RFC 4180)


def test_a_session_whose_folder_is_gone_is_exported_from_the_history(history, tmp_path):
    day = (FIRST + timedelta(days=3)).date().isoformat()
    _, before = export(history, tmp_path / "before.csv", "--since", day, "--until", day)
    gone = tmp_path / "gone"
    shutil.copytree(history["folders"][2], gone)
    shutil.rmtree(history["folders"][2])
    try:
        _, after = export(history, tmp_path / "after.csv", "--since", day, "--until", day)
    finally:
        shutil.copytree(gone, history["folders"][2])
    kept = ("date", "session", "exercise", "target", "target_reps_min", "target_reps_max", "reps_done",
            "reps_by_side", "hold_mean_s", "hold_min_s", "faults")
    assert [{k: r[k] for k in kept} for r in after] == [{k: r[k] for k in kept} for r in before]


@pytest.mark.parametrize("args, says", [
    (("--since", "20 Nov"), "--since"),
    (("--since", "2026-11-22", "--until", "2026-11-21"), "before --since"),
])
def test_bad_dates_are_one_line_and_exit_2(history, tmp_path, args, says):
    done = run_cli("export", *args, "--to", str(tmp_path / "x.csv"), env={"POSECHECK_DATA_DIR": str(history["data"])})
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert says in line
    assert not (tmp_path / "x.csv").exists()
