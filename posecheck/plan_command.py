"""`posecheck plan init / show / check`: write, read and check the exercise plan (posecheck.plan)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from posecheck.errors import EXIT_USAGE, PosecheckError
from posecheck.plan import default_plan_path, plan_for, plan_text, read_plan, sheet_plan
from posecheck.report.targets import title


def parse_day(text: str | None, option: str = "--date") -> date:
    """YYYY-MM-DD, or today when not given."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise PosecheckError(f"{option} takes a day as YYYY-MM-DD, not {text!r}") from error


def init(args: argparse.Namespace) -> int:
    path = Path(args.path).expanduser() if args.path else default_plan_path()
    if path.exists() and not args.force:
        raise PosecheckError(f"{path} already exists: edit it, or add --force to replace it with the sheet's routine")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(plan_text(sheet_plan()), encoding="utf-8")
    except OSError as error:
        raise PosecheckError(f"cannot write the plan {path}: {error.strerror}") from error
    print(f"plan: {path} (the routine sheet's exercises and targets; edit it with your physiotherapist)")
    return 0


def show(args: argparse.Namespace) -> int:
    day = parse_day(args.date)
    plan = plan_for(args.plan)
    planned = plan.is_planned_day(day)
    print(f"plan: {plan.source_text()}")
    print(f"{day.isoformat()} ({day.strftime('%A')}): {'a planned day' if planned else 'not a planned day'} "
          f"(plan: {plan.schedule_text()})")
    step = plan.in_force(day)
    if step is not None:
        print(f"targets from {step.start.isoformat()} (progression)")
    for number, exercise in enumerate(plan.on(day), start=1):
        print(f"{number}. {title(exercise.exercise)}: {exercise.targets.describe()}")
        if exercise.note:
            print(f"   note: {exercise.note}")
    knee = {None: "from the profile", True: "yes (the heels stretch warns about sitting on your heels)",
            False: "no"}[plan.knee_problem]
    print(f"knee problem: {knee}")
    return 0


def check(args: argparse.Namespace) -> int:
    _, problems = read_plan(args.path)
    for problem in problems:
        print(f"{args.path}: {problem}")
    if problems:
        return EXIT_USAGE
    print("ok")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan", help="your exercise plan: which exercises, targets, notes and days",
        description="The plan a physiotherapist sets: which exercises in what order, their targets and notes, "
        f"how often, and targets that change from a date. Default file: {default_plan_path()}; without one "
        "the routine sheet is the plan.",
    )
    sub = parser.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    p = sub.add_parser("init", help="write the routine sheet as a commented plan file")
    p.add_argument("path", nargs="?", help=f"where to write it (default {default_plan_path()})")
    p.add_argument("--force", action="store_true", help="replace a plan file that is there")
    p.set_defaults(func=init)
    p = sub.add_parser("show", help="what a day's session will ask: exercises, targets, notes, planned day")
    p.add_argument("--plan", help="the plan file (default: the one in the config folder, else the sheet)")
    p.add_argument("--date", help="the day, YYYY-MM-DD (default today)")
    p.set_defaults(func=show)
    p = sub.add_parser("check", help="check a plan file: one line per problem, exit 2 if there is any")
    p.add_argument("path", help="the plan file")
    p.set_defaults(func=check)
