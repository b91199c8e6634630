"""The history keeps every reported session, exercise, rep, hold and fault, and shows progress over days.

The sessions are real exercise runs (tests/session_builders.py); the figures expected come from the sets'
labels.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import cv2
import pytest
from session_builders import ExercisePlan, RealSet, record_live_session, record_session

import exercise_rules
from posecheck import cli
from posecheck.errors import PosecheckError
from posecheck.history import data_dir, open_history
from posecheck.history.store import MIGRATIONS, HistoryStore, migrate, schema_version
from posecheck.report import build_report
from posecheck.session import SESSION_FILE, load_session

# Three days of back extensions getting better: short holds in some reps, then the hips lifting in fewer
# reps with longer holds, then clean; and knee rolls each day.
DAYS = (
    (RealSet("back_extensions", "hold_too_short", 1001), RealSet("knee_rolls", "correct", 1003)),
    (RealSet("back_extensions", "hips_grounded", 1005), RealSet("knee_rolls", "correct", 1001)),
    (RealSet("back_extensions", "correct", 1002), RealSet("knee_rolls", "correct", 1000)),
)
# The rules time a hold from when the body is near its furthest to when it leaves: a little of the way up
# and down that the labels' hold leaves out.
HOLD_SLACK_S = 1.5


def _faulty(s: RealSet) -> list[int]:
    return [] if s.kind == "correct" else s.reps_with(s.kind)


def _mean_hold_s(s: RealSet) -> float:
    return sum(r["hold_ms"] for r in s.labels["reps"]) / 1000 / s.reps_done


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = []
    root = tmp_path_factory.mktemp("history")
    for day, sets in enumerate(DAYS, start=1):
        folder = record_live_session(root / f"day{day}", list(sets))
        data = json.loads((folder / SESSION_FILE).read_text())
        data["started_at"] = f"2026-11-{20 + day}T08:00:00+00:00"
        (folder / SESSION_FILE).write_text(json.dumps(data))
        out.append(build_report(load_session(folder)).data)
    return out


def test_the_days_get_better_by_their_labels():
    backs = [back for back, _ in DAYS]
    shares = [len(_faulty(s)) / s.reps_done for s in backs]
    assert shares[0] > shares[1] > shares[2] == 0
    holds = [_mean_hold_s(s) for s in backs]
    assert holds[0] < holds[1] < holds[2]


def test_a_report_adds_every_session_exercise_rep_hold_and_fault(reports: list[dict], tmp_path: Path) -> None:
    back, knees = DAYS[0]
    reps = back.reps_done + knees.reps_done
    with open_history(tmp_path / "h.sqlite3") as store:
        store.add_report(reports[0], "/sessions/day1")
        assert store.count("sessions") == 1
        assert store.count("exercises") == 2
        assert store.count("reps") == reps
        assert store.count("holds") == reps  # every hold was seen
        assert store.count("faults") == len(_faulty(back))
        checks = store.connection.execute("SELECT DISTINCT check_name, cue FROM faults").fetchall()
    cue = next(c.cue for c in exercise_rules.get(back.exercise).CHECKS if c.name == back.kind)
    assert [tuple(row) for row in checks] == [(back.kind, cue)]


def test_adding_the_same_report_again_changes_nothing(reports: list[dict], tmp_path: Path) -> None:
    reps = sum(s.reps_done for s in (*DAYS[0], *DAYS[1]))
    with open_history(tmp_path / "h.sqlite3") as store:
        for report in (reports[0], reports[1], reports[0]):
            store.add_report(report)
        counts = [store.count(t) for t in ("sessions", "exercises", "reps", "holds", "faults")]
    assert counts == [2, 4, reps, reps, len(_faulty(DAYS[0][0])) + len(_faulty(DAYS[1][0]))]


def test_progress_shows_faults_per_rep_falling_and_holds_growing(reports: list[dict], tmp_path: Path) -> None:
    with open_history(tmp_path / "h.sqlite3") as store:
        for report in reversed(reports):
            store.add_report(report)
        rows = store.progress("back_extensions")
    backs = [back for back, _ in DAYS]
    assert [r["started_at"][:10] for r in rows] == ["2026-11-21", "2026-11-22", "2026-11-23"]
    assert [r["faults_per_rep"] for r in rows] == pytest.approx([len(_faulty(s)) / s.reps_done for s in backs],
                                                                abs=0.005)
    for row, s in zip(rows, backs, strict=True):
        assert _mean_hold_s(s) <= row["mean_hold_s"] <= _mean_hold_s(s) + HOLD_SLACK_S
    assert [r["mean_hold_s"] for r in rows] == sorted(r["mean_hold_s"] for r in rows), "holds growing"
    assert [r["reps_done"] for r in rows] == [s.reps_done for s in backs]


def test_a_new_history_file_is_at_the_latest_schema(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.sqlite3") as store:
        assert schema_version(store.connection) == len(MIGRATIONS)
    with open_history(tmp_path / "h.sqlite3") as store:  # opening again migrates nothing
        assert schema_version(store.connection) == len(MIGRATIONS)


def test_migrations_bring_an_older_file_up_to_date_keeping_its_data(reports: list[dict], tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with open_history(path) as store:
        store.add_report(reports[0])
    later = (*MIGRATIONS, "ALTER TABLE sessions ADD COLUMN mood TEXT; CREATE INDEX sessions_by_day ON sessions "
             "(started_at)")
    with HistoryStore(path, later) as store:
        assert schema_version(store.connection) == len(MIGRATIONS) + 1
        assert store.count("faults") == len(_faulty(DAYS[0][0]))
        columns = [row[1] for row in store.connection.execute("PRAGMA table_info(sessions)")]
        assert "mood" in columns
        store.add_report(reports[1])
        assert store.count("sessions") == 2


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    open_history(path).close()
    broken = (*MIGRATIONS, "ALTER TABLE sessions ADD COLUMN mood TEXT; ALTER TABLE nowhere ADD COLUMN x")
    connection = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrate(connection, broken)
    assert schema_version(connection) == len(MIGRATIONS)
    assert "mood" not in [row[1] for row in connection.execute("PRAGMA table_info(sessions)")]
    connection.close()


def test_a_history_from_a_newer_posecheck_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 3}")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(PosecheckError, match="newer than this posecheck"):
        open_history(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_text("not a database " * 100)
    with pytest.raises(PosecheckError, match="cannot be read"):
        open_history(path)


def test_the_data_folder_follows_posecheck_data_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"
    with open_history() as store:
        assert store.path == tmp_path / "mine" / "history.sqlite3"


def test_history_command_prints_the_table_and_writes_the_progress_plot(
    reports: list[dict], tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path))
    with open_history() as store:
        for report in reports:
            store.add_report(report)
    assert cli.main(["history"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["date", "exercise", "reps", "target", "faults/rep", "avg", "hold", "in", "view"]
    back = [line for line in out if "Back extensions" in line]
    assert len(back) == 3
    local = datetime.fromisoformat("2026-11-21T08:00:00+00:00").astimezone().strftime("%Y-%m-%d %H:%M")
    first = DAYS[0][0]
    assert back[0].split()[:7] == [*local.split(), "Back", "extensions", str(first.reps_done), "8-10",
                                   f"{len(_faulty(first)) / first.reps_done:.2f}"]
    plot = cv2.imread(str(tmp_path / "progress.png"))
    assert plot is not None and plot.shape[0] > 400
    assert cli.main(["history", "--exercise", "knee_rolls", "--plot", str(tmp_path / "k.png")]) == 0
    assert "Back extensions" not in capsys.readouterr().out
    assert (tmp_path / "k.png").is_file()


def test_an_empty_history_says_how_to_fill_it(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path))
    assert cli.main(["history"]) == 0
    assert "posecheck report SESSION" in capsys.readouterr().out
    assert not (tmp_path / "progress.png").exists()


def test_deleting_a_session_removes_its_folder_and_its_history_entries(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))
    kept, gone = (record_session(tmp_path / name, [ExercisePlan("knee_rolls", 3)]) for name in ("kept", "gone"))
    for folder in (kept, gone):
        assert cli.main(["report", str(folder)]) == 0  # the report adds the session to the history
    with open_history() as store:
        assert store.count("sessions") == 2
    assert cli.main(["history", "--delete", str(gone)]) == 0
    assert "1 history entry" in capsys.readouterr().out
    assert not gone.exists() and (kept / SESSION_FILE).exists()
    with open_history() as store:
        assert store.count("sessions") == 1 and store.count("exercises") == 1
        (folder,) = store.connection.execute("SELECT folder FROM sessions").fetchone()
    assert Path(folder) == kept.resolve()


def test_deleting_a_folder_that_is_not_a_session_deletes_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"not a session")
    assert cli.main(["history", "--delete", str(tmp_path / "photos")]) == 2
    assert "not a posecheck session folder" in capsys.readouterr().err
    assert (tmp_path / "photos" / "cat.jpg").exists()
