"""`posecheck history`: your sessions as a table, and a progress plot."""

from __future__ import annotations

import argparse
from pathlib import Path

from posecheck.history import progress
from posecheck.history.store import data_dir, open_history
from posecheck.report.targets import ROUTINE_TARGETS


def run(args: argparse.Namespace) -> int:
    with open_history(args.file) as store:
        rows = store.progress(args.exercise)
        where = store.path
    if not rows:
        print(f"No sessions in the history yet ({where}); `posecheck report SESSION` adds one.")
        return 0
    print(progress.table(rows))
    plot_path = progress.plot(rows, Path(args.plot) if args.plot else data_dir() / "progress.png")
    print(f"\nprogress plot: {plot_path}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "history", help="show your sessions over time and plot your progress",
        description="Prints every reported exercise (oldest first) and writes a progress plot: reps done, "
        "faults per rep and hold times per exercise over days.",
    )
    parser.add_argument("--exercise", choices=sorted(ROUTINE_TARGETS), help="only this exercise")
    parser.add_argument("--plot", help="where to write the progress plot (default: progress.png in the data folder)")
    parser.add_argument("--file", help="the history file (default: history.sqlite3 in the data folder)")
    parser.set_defaults(func=run)
