"""The history: every reported session, exercise, rep, hold and fault, in one SQLite file.

The schema is versioned with SQLite's ``user_version``; `MIGRATIONS[n]` takes version n to n + 1, each in
one transaction. A file from a newer posecheck is refused, never altered.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from posecheck.errors import PosecheckError
from posecheck.pain import ratings
from posecheck.session import SESSION_FILE

DATA_DIR_VARIABLE = "POSECHECK_DATA_DIR"
HISTORY_FILE = "history.sqlite3"

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the first schema.
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        session_key TEXT NOT NULL UNIQUE,  -- session.json's id, else the folder's path
        folder TEXT, name TEXT, notes TEXT,
        started_at TEXT, ended_at TEXT, duration_s REAL,
        complete INTEGER NOT NULL, has_pose INTEGER NOT NULL,
        report_version INTEGER, added_at TEXT NOT NULL
    );
    CREATE TABLE exercises (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position INTEGER NOT NULL, exercise TEXT NOT NULL, started_at TEXT, duration_s REAL,
        reps_done INTEGER NOT NULL, target_reps_min INTEGER, target_reps_max INTEGER, in_view REAL,
        UNIQUE (session_id, position)
    );
    CREATE TABLE reps (
        id INTEGER PRIMARY KEY,
        exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
        rep INTEGER NOT NULL, side TEXT, start_s REAL, end_s REAL, completed INTEGER NOT NULL
    );
    CREATE TABLE holds (
        id INTEGER PRIMARY KEY,
        rep_id INTEGER NOT NULL REFERENCES reps(id) ON DELETE CASCADE,
        hold_s REAL NOT NULL, target_min_s REAL, target_max_s REAL
    );
    CREATE TABLE faults (
        id INTEGER PRIMARY KEY,
        exercise_id INTEGER NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
        rep INTEGER, t_s REAL, check_name TEXT NOT NULL, severity TEXT, cue TEXT, detail TEXT
    );
    CREATE INDEX exercises_by_session ON exercises (session_id);
    CREATE INDEX reps_by_exercise ON reps (exercise_id);
    CREATE INDEX holds_by_rep ON holds (rep_id);
    CREATE INDEX faults_by_exercise ON faults (exercise_id);
    """,
    # 1 -> 2: pain ratings and the report's path per session; how each set ended (issue 16 and 18).
    """
    ALTER TABLE sessions ADD COLUMN pain_before INTEGER;
    ALTER TABLE sessions ADD COLUMN pain_after INTEGER;
    ALTER TABLE sessions ADD COLUMN report_path TEXT;
    ALTER TABLE exercises ADD COLUMN set_status TEXT;  -- "done", "empty" or "stopped" (null: added before 2)
    ALTER TABLE exercises ADD COLUMN ended_by TEXT;
    """,
)


def data_dir() -> Path:
    """Where posecheck keeps its history: $POSECHECK_DATA_DIR, else the platform's user data folder."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "posecheck"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "posecheck"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "posecheck"


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, migrations: Sequence[str] = MIGRATIONS, name: str = "") -> int:
    """Bring the schema up to `len(migrations)`, one transaction per step; returns the version reached."""
    current = schema_version(connection)
    if current > len(migrations):
        raise PosecheckError(
            f"the history {name} has schema version {current}, newer than this posecheck knows "
            f"({len(migrations)}); upgrade posecheck, or set {DATA_DIR_VARIABLE} to use another folder"
        )
    for version in range(current, len(migrations)):
        try:
            connection.execute("BEGIN")
            for statement in _statements(migrations[version]):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {version + 1}")
            connection.execute("COMMIT")
        except sqlite3.Error:
            connection.execute("ROLLBACK")
            raise
    return len(migrations)


def _statements(script: str) -> list[str]:
    """The script's statements; plain `;`-separated SQL (no triggers) is all the migrations use."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


class HistoryStore:
    """An open history file; use `open_history()` and close it (or use it as a context manager)."""

    def __init__(self, path: Path, migrations: Sequence[str] = MIGRATIONS) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.connection = sqlite3.connect(path, isolation_level=None)
            self.connection.row_factory = sqlite3.Row
            self.connection.execute("PRAGMA foreign_keys = ON")
            migrate(self.connection, migrations, str(path))
        except sqlite3.DatabaseError as error:
            raise PosecheckError(
                f"the history {path} cannot be read ({error}); move it aside to start a new one"
            ) from error
        except OSError as error:
            raise PosecheckError(f"cannot open the history {path}: {error.strerror}") from error

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_report(self, report: dict[str, Any], folder: str | None = None, report_path: str | None = None) -> int:
        """Add (or replace) the session of a report; adding the same session again changes nothing.

        `report_path` is where its report.html was written, so the history can point to it."""
        session = report["session"]
        key = session.get("id") or f"path:{folder or session.get('folder')}"
        pain = ratings(report.get("pain"))
        db = self.connection
        db.execute("BEGIN")
        try:
            db.execute("DELETE FROM sessions WHERE session_key = ?", (key,))
            session_id = db.execute(
                "INSERT INTO sessions (session_key, folder, name, notes, started_at, ended_at, duration_s,"
                " complete, has_pose, report_version, added_at, pain_before, pain_after, report_path)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, folder or session.get("folder"), session.get("name"), session.get("notes"),
                 session.get("started_at"), session.get("ended_at"), session.get("duration_s"),
                 int(bool(session.get("complete"))), int(bool(session.get("has_pose"))),
                 report.get("version"), datetime.now(UTC).isoformat(timespec="seconds"),
                 pain["before"], pain["after"], report_path),
            ).lastrowid
            for exercise in report.get("exercises", []):
                self._add_exercise(session_id, exercise)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(session_id)

    def _add_exercise(self, session_id: int, exercise: dict[str, Any]) -> None:
        db = self.connection
        target = exercise["reps"].get("target") or [None, None]
        ended = exercise.get("set") or {}
        exercise_id = db.execute(
            "INSERT INTO exercises (session_id, position, exercise, started_at, duration_s, reps_done,"
            " target_reps_min, target_reps_max, in_view, set_status, ended_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, exercise["index"], exercise["exercise"], exercise.get("started_at"),
             exercise.get("duration_s"), exercise["reps"]["done"], target[0], target[1], exercise.get("in_view"),
             ended.get("status"), ended.get("ended_by")),
        ).lastrowid
        hold_target = exercise["holds"].get("target_s") or [None, None]
        for row in exercise["rep_table"]:
            if row["rep"] is not None:
                rep_id = db.execute(
                    "INSERT INTO reps (exercise_id, rep, side, start_s, end_s, completed)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (exercise_id, row["rep"], row["side"], row["start_s"], row["end_s"], int(row["completed"])),
                ).lastrowid
                if row["completed"] and row["hold_s"] is not None:
                    db.execute(
                        "INSERT INTO holds (rep_id, hold_s, target_min_s, target_max_s) VALUES (?, ?, ?, ?)",
                        (rep_id, row["hold_s"], hold_target[0], hold_target[1]),
                    )
            for fault in row["faults"]:
                db.execute(
                    "INSERT INTO faults (exercise_id, rep, t_s, check_name, severity, cue, detail)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (exercise_id, row["rep"], fault["t_s"], fault["check"], fault["severity"], fault["cue"],
                     fault["detail"]),
                )

    def progress(self, exercise: str | None = None) -> list[dict[str, Any]]:
        """One row per exercise done, oldest first: date, reps, target, faults per rep, mean hold, how the set
        ended ("done", "empty": no rep, "stopped": ended short of its target) and its session's key."""
        rows = self.connection.execute(
            """
            SELECT s.started_at, s.name, s.complete, s.session_key, s.folder, e.position, e.exercise,
                   e.reps_done, e.target_reps_min, e.target_reps_max, e.in_view, e.set_status, e.ended_by,
                   (SELECT COUNT(*) FROM faults f WHERE f.exercise_id = e.id) AS faults,
                   (SELECT AVG(h.hold_s) FROM holds h JOIN reps r ON h.rep_id = r.id
                     WHERE r.exercise_id = e.id) AS mean_hold_s,
                   (SELECT MIN(h.target_min_s) FROM holds h JOIN reps r ON h.rep_id = r.id
                     WHERE r.exercise_id = e.id) AS target_hold_min_s,
                   (SELECT MAX(h.target_max_s) FROM holds h JOIN reps r ON h.rep_id = r.id
                     WHERE r.exercise_id = e.id) AS target_hold_max_s
            FROM exercises e JOIN sessions s ON e.session_id = s.id
            WHERE ? IS NULL OR e.exercise = ?
            ORDER BY s.started_at, e.position
            """,
            (exercise, exercise),
        ).fetchall()
        out = []
        for row in rows:
            item = dict(row)
            item["faults_per_rep"] = item["faults"] / item["reps_done"] if item["reps_done"] else None
            if item["set_status"] is None:  # added before the history kept it: an empty set is still plain
                item["set_status"] = "empty" if not item["reps_done"] else "done"
            out.append(item)
        return out

    def sessions(self) -> list[dict[str, Any]]:
        """One row per session, oldest first, with its pain ratings and its report's path (None: none found)."""
        rows = self.connection.execute(
            "SELECT session_key, started_at, name, folder, complete, pain_before, pain_after, report_path"
            " FROM sessions ORDER BY started_at, id"
        ).fetchall()
        out = []
        for row in rows:
            item = dict(row)
            folder = Path(item["folder"]) if item["folder"] else None
            if item["pain_before"] is None and item["pain_after"] is None and folder is not None:
                item.update(_pain_in(folder))  # a session added before the history kept pain
            report = Path(item.pop("report_path") or (folder / "report.html" if folder else ""))
            item["report"] = report if report.name and report.is_file() else None
            out.append(item)
        return out

    def previous(self, exercise: str, before: datetime, session_key: str | None = None) -> dict[str, Any] | None:
        """The exercise in the latest session before `before` (other than `session_key`) where it had a rep."""
        earlier = [(moment, row) for row in self.progress(exercise)
                   if row["reps_done"] and row["session_key"] != session_key
                   and (moment := parse_moment(row["started_at"])) is not None and moment < before]
        return max(earlier, key=lambda pair: (pair[0], pair[1]["position"]))[1] if earlier else None

    def previous_pain(self, before: datetime, session_key: str | None = None) -> dict[str, Any] | None:
        """The latest session before `before` (other than `session_key`) with a pain rating."""
        earlier = [(moment, row) for row in self.sessions()
                   if (row["pain_before"] is not None or row["pain_after"] is not None)
                   and row["session_key"] != session_key
                   and (moment := parse_moment(row["started_at"])) is not None and moment < before]
        return max(earlier, key=lambda pair: pair[0])[1] if earlier else None

    def delete_session(self, folder: Path, session_id: str | None = None) -> int:
        """Remove a session (found by its folder or its session.json id) and all the history holds of it;
        returns how many sessions went."""
        done = self.connection.execute("DELETE FROM sessions WHERE folder = ? OR session_key = ?",
                                       (str(folder.resolve()), session_id or ""))
        return int(done.rowcount)

    def count(self, table: str) -> int:
        if table not in {"sessions", "exercises", "reps", "holds", "faults"}:
            raise ValueError(table)
        return int(self.connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def parse_moment(iso: str | None) -> datetime | None:
    """An ISO time as stored (UTC unless it says otherwise), or None."""
    try:
        moment = datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _pain_in(folder: Path) -> dict[str, int | None]:
    """{"pain_before", "pain_after"} from a session folder's session.json, read as the report reads it."""
    try:
        data = json.loads((folder / SESSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    pain = ratings(data.get("pain") if isinstance(data, dict) else None)
    return {"pain_before": pain["before"], "pain_after": pain["after"]}


def open_history(path: str | Path | None = None) -> HistoryStore:
    """The history file (default: `history.sqlite3` in `data_dir()`), created or migrated as needed."""
    return HistoryStore(Path(path) if path else data_dir() / HISTORY_FILE)
