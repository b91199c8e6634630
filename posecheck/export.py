"""`posecheck export --since DATE [--until DATE] --to OUT.csv`: the history as a spreadsheet for a physiotherapist.

One row per exercise per session, oldest first. Which sessions: the history's, by the day they started (local
time). What a row says comes from the session's report (`report.json` in its folder, or the report made again
from the folder when that file is gone), so it holds the targets the session was set, the plan's in force that
day; a session whose folder is gone is read from the history alone (no abstentions then).
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from posecheck.errors import PosecheckError
from posecheck.history.store import open_history
from posecheck.pain import ratings
from posecheck.plan_command import parse_day
from posecheck.report.targets import Targets
from posecheck.session import SESSION_FILE, SessionError, load_session
from posecheck.words import count

COLUMNS: tuple[str, ...] = (
    "date", "session", "exercise", "target", "target_reps_min", "target_reps_max", "reps_done", "reps_by_side",
    "hold_mean_s", "hold_min_s", "faults", "abstentions", "pain_before", "pain_after", "notes",
)


def local_day(iso: str | None) -> date | None:
    """The local calendar day of an ISO time (session times are kept in UTC)."""
    try:
        return datetime.fromisoformat(iso).astimezone().date() if iso else None
    except ValueError:
        return None


def counts_text(counts: dict[str, int]) -> str:
    """`check:count;...` by name, so the same faults read the same in every row."""
    return ";".join(f"{name}:{n}" for name, n in sorted(counts.items()))


def rows_from_report(report: dict[str, Any], folder: Path | None, pain: tuple[int | None, int | None]
                     ) -> list[dict[str, Any]]:
    """The rows of one session from its report's content."""
    session = report["session"]
    day = local_day(session.get("started_at"))
    rows = []
    for exercise in report.get("exercises", []):
        target = exercise["reps"].get("target") or [None, None]
        holds = exercise["holds"]
        rows.append({
            "date": day.isoformat() if day else "",
            "session": folder.name if folder else session.get("folder") or "",
            "exercise": exercise["exercise"],
            "target": exercise.get("target_text") or "",
            "target_reps_min": target[0],
            "target_reps_max": target[1],
            "reps_done": exercise["reps"]["done"],
            "reps_by_side": counts_text(exercise["reps"].get("by_side") or {}),
            "hold_mean_s": holds.get("mean_s"),
            "hold_min_s": holds.get("min_s"),
            "faults": counts_text({f["check"]: f["count"] for f in exercise.get("faults", [])}),
            "abstentions": counts_text(exercise.get("notices", {}).get("abstained") or {}),
            "pain_before": pain[0],
            "pain_after": pain[1],
            "notes": session.get("notes") or "",
        })
    return rows


def rows_from_history(db: sqlite3.Connection, session: sqlite3.Row) -> list[dict[str, Any]]:
    """A session whose folder is gone: what the history's tables hold of it."""
    day = local_day(session["started_at"])
    rows = []
    for exercise in db.execute("SELECT * FROM exercises WHERE session_id = ? ORDER BY position", (session["id"],)):
        reps = db.execute("SELECT side FROM reps WHERE exercise_id = ? AND completed = 1", (exercise["id"],))
        holds = db.execute("SELECT AVG(h.hold_s), MIN(h.hold_s) FROM holds h JOIN reps r ON h.rep_id = r.id "
                           "WHERE r.exercise_id = ?", (exercise["id"],)).fetchone()
        faults = db.execute("SELECT check_name, COUNT(*) FROM faults WHERE exercise_id = ? GROUP BY check_name",
                            (exercise["id"],))
        lo, hi = exercise["target_reps_min"], exercise["target_reps_max"]
        rows.append({
            "date": day.isoformat() if day else "",
            "session": Path(session["folder"] or "").name,
            "exercise": exercise["exercise"],
            "target": Targets((lo, hi)).describe() if lo is not None else "",
            "target_reps_min": lo,
            "target_reps_max": hi,
            "reps_done": exercise["reps_done"],
            "reps_by_side": counts_text(Counter(side for (side,) in reps if side)),
            "hold_mean_s": None if holds[0] is None else round(holds[0], 1),
            "hold_min_s": holds[1],
            "faults": counts_text(dict(faults.fetchall())),
            "abstentions": "",
            "pain_before": None,
            "pain_after": None,
            "notes": session["notes"] or "",
        })
    return rows


def pain_ratings(folder: Path) -> tuple[int | None, int | None]:
    """(before, after) when the session recorded pain ratings, read as the report reads them (posecheck.pain)."""
    try:
        data = json.loads((folder / SESSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    rated = ratings(data.get("pain") if isinstance(data, dict) else None)
    return rated["before"], rated["after"]


def session_report(folder: Path) -> dict[str, Any] | None:
    """The session's report content: its report.json, else made again from the folder; None if neither."""
    try:
        return json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    if not (folder / SESSION_FILE).is_file():
        return None
    from posecheck.report import build_report

    try:
        return build_report(load_session(folder)).data
    except SessionError:
        return None


def export_rows(db: sqlite3.Connection, since: date, until: date | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for session in db.execute("SELECT * FROM sessions ORDER BY started_at, id").fetchall():
        day = local_day(session["started_at"])
        if day is None or day < since or (until is not None and day > until):
            continue
        folder = Path(session["folder"]) if session["folder"] else None
        report = session_report(folder) if folder else None
        if report is not None and folder is not None:
            rows.extend(rows_from_report(report, folder, pain_ratings(folder)))
        else:
            rows.extend(rows_from_history(db, session))
    return rows


def write_csv(rows: list[dict[str, Any]], out: Path) -> None:
    """The rows under a header line; the csv module quotes commas, quotes and line breaks."""
    try:
        with open(out, "w", encoding="utf-8", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    except OSError as error:
        raise PosecheckError(f"cannot write {out}: {error.strerror}") from error


def run(args: argparse.Namespace) -> int:
    since = parse_day(args.since, "--since")
    until = parse_day(args.until, "--until") if args.until else None
    if until is not None and until < since:
        raise PosecheckError(f"--until {until.isoformat()} is before --since {since.isoformat()}")
    with open_history(args.file) as store:
        rows = export_rows(store.connection, since, until)
    out = Path(args.to).expanduser()
    write_csv(rows, out)
    sessions = len({(r["date"], r["session"]) for r in rows})
    span = f"{since.isoformat()} to {until.isoformat()}" if until else f"since {since.isoformat()}"
    print(f"{out}: {count(len(rows), 'row')} ({count(sessions, 'session')}, {span})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="your sessions as a CSV file for your physiotherapist",
        description="One row per exercise per session from your history: date, exercise, the targets set, reps "
        "done (per side), hold mean and shortest, faults and checks not judged (check:count;...), pain ratings "
        "when the session has them.",
    )
    parser.add_argument("--since", required=True, help="the first day, YYYY-MM-DD")
    parser.add_argument("--until", help="the last day, YYYY-MM-DD (default: no end)")
    parser.add_argument("--to", required=True, metavar="OUT.csv", help="the CSV file to write")
    parser.add_argument("--file", help="the history file (default: history.sqlite3 in the data folder)")
    parser.set_defaults(func=run)
