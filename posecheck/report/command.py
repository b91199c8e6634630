"""`posecheck report SESSION`: write the session's form-feedback report."""

from __future__ import annotations

import argparse

from posecheck.errors import PosecheckError
from posecheck.report import make_report
from posecheck.report.signals import SIGNALS


def _signal_choices(pairs: list[str]) -> dict[str, str]:
    choices = {}
    for pair in pairs:
        exercise, sep, name = pair.partition("=")
        if not sep or name not in SIGNALS:
            raise PosecheckError(
                f"--signal takes EXERCISE=SIGNAL, with SIGNAL one of {', '.join(SIGNALS)} (got {pair!r})"
            )
        choices[exercise] = name
    return choices


def run(args: argparse.Namespace) -> int:
    files = make_report(args.session, args.output, history=not args.no_history,
                        signal_choices=_signal_choices(args.signal))
    session = files.report.data["session"]
    print(f"report: {files.html}")
    print(f"data:   {files.json}")
    if not session["complete"]:
        print("note: the session is incomplete; the report shows what it holds")
    if not session["has_pose"]:
        print("note: no pose was found in this session")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write a session's form-feedback report (HTML and JSON)",
        description="Writes report.html (self-contained, opens offline) and report.json for a session folder, "
        "and adds the session to your history.",
    )
    parser.add_argument("session", help="the session folder (the one holding session.json)")
    parser.add_argument("-o", "--output", help="folder to write the report into (default: the session folder)")
    parser.add_argument("--no-history", action="store_true", help="do not add the session to the history")
    parser.add_argument("--signal", action="append", default=[], metavar="EXERCISE=SIGNAL",
                        help=f"the signal to plot for an exercise ({', '.join(SIGNALS)})")
    parser.set_defaults(func=run)
