"""`posecheck history`: your sessions as tables (sets, sessions with pain and report, weeks against the plan,
streak), and a progress plot."""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import date
from pathlib import Path

from posecheck.errors import PosecheckError
from posecheck.history import programme, progress
from posecheck.history.store import data_dir, open_history
from posecheck.plan import EVERY_DAY, plan_for
from posecheck.report.targets import ROUTINE_TARGETS
from posecheck.session import SESSION_FILE
from posecheck.words import count


def delete(folder: Path, history_file: str | None) -> int:
    """`--delete FOLDER`: the session's folder (landmarks, any video, report) and its history entries."""
    if not (folder / SESSION_FILE).is_file():
        raise PosecheckError(f"{folder} is not a posecheck session folder (no {SESSION_FILE}): nothing deleted")
    try:
        session_id = json.loads((folder / SESSION_FILE).read_text()).get("id")
    except (OSError, ValueError, AttributeError):
        session_id = None  # a damaged session.json: found by its folder alone
    with open_history(history_file) as store:
        removed = store.delete_session(folder, session_id if isinstance(session_id, str) else None)
    shutil.rmtree(folder)
    entries = count(removed, "history entry", "history entries")
    print(f"deleted {folder} (its recording, any video and its report) and {entries}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.delete:
        return delete(Path(args.delete), args.file)
    with open_history(args.file) as store:
        everything = store.progress()
        sessions = store.sessions()
        where = store.path
    if not everything:
        print(f"No sessions in the history yet ({where}); `posecheck report SESSION` adds one.")
        return 0
    rows = [r for r in everything if args.exercise in (None, r["exercise"])]
    keys = {r["session_key"] for r in rows}
    sessions = [s for s in sessions if s["session_key"] in keys]
    plan = plan_for(args.plan)
    today = date.today()
    days = progress.exercised_days(everything)  # a day counts whichever exercises were done
    weeks = programme.weeks(days, plan.weekdays, today)
    print(progress.table(rows) if rows else f"No {args.exercise} in the history yet.")
    print("\nSessions, with pain (0-10) and each one's report:")
    print(progress.sessions_table(sessions))
    print()
    print(progress.weeks_table(weeks, plan.schedule_text()))
    print(progress.streak_line(programme.streak(days, plan.weekdays, today), plan.weekdays == EVERY_DAY))
    plot_path = progress.plot(rows, sessions, weeks, Path(args.plot) if args.plot else data_dir() / "progress.png",
                              today)
    print(f"\nprogress plot: {plot_path}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "history", help="show your sessions over time and plot your progress",
        description="Prints every reported exercise (oldest first; empty and stopped sets marked), each session's "
        "pain ratings and report, the days exercised per week against the plan and the current streak, and "
        "writes a progress plot: days per week, pain, and reps done, faults per rep and hold times per exercise "
        "over days.",
    )
    parser.add_argument("--exercise", choices=sorted(ROUTINE_TARGETS), help="only this exercise")
    parser.add_argument("--plot", help="where to write the progress plot (default: progress.png in the data folder)")
    parser.add_argument("--file", help="the history file (default: history.sqlite3 in the data folder)")
    parser.add_argument("--plan", help="the plan whose days a week to count against (default: plan.toml in the "
                        "config folder, else the sheet: every day)")
    parser.add_argument("--delete", metavar="SESSION_FOLDER",
                        help="delete a session: its folder (recording, video, report) and its history entries")
    parser.set_defaults(func=run)
