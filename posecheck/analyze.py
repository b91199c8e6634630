"""`posecheck analyze SOURCE --exercise NAME`: one exercise over a video or a landmark recording.

Prints the reps and faults with their times, records the run as a session (landmarks, events, and
the video when the source is one) and writes its form-feedback report.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import exercise_rules
from posecheck import pipeline
from posecheck.desktop import open_report
from posecheck.events import Event, EventKind
from posecheck.models import DEFAULT_VARIANT, VARIANTS
from posecheck.plan import plan_for, step_on
from posecheck.report.targets import Targets, targets_for
from posecheck.session import SessionWriter, new_session_dir
from posecheck.sources import is_video_file
from posecheck.words import count

SHOWN = {EventKind.CALIBRATED, EventKind.REP_COMPLETED, EventKind.FAULT, EventKind.ABSTAINED,
         EventKind.NOT_IN_START_POSITION, EventKind.CANNOT_SEE_YOU, EventKind.SET_COMPLETED,
         EventKind.WAITING, EventKind.NOTHING_COUNTED, EventKind.PACING, EventKind.BREATHING,
         EventKind.REMINDER, EventKind.SIDE_READ_AGAIN}


def describe(e: Event) -> str:
    t = f"{e.timestamp_ms / 1000:7.2f}s"
    if e.kind is EventKind.REP_COMPLETED:
        hold = "paced, not seen" if e.paced else "hold unseen" if e.hold_ms is None else f"held {e.hold_ms / 1000:.1f}s"
        side = f" {e.side}" if e.side else ""
        breaths = "" if e.breaths is None else f", {count(e.breaths, 'breath')} seen"
        return f"{t}  rep {e.rep}{side} done, {hold}{breaths}"
    if e.kind is EventKind.FAULT:
        return f"{t}  rep {e.rep}: {e.check} - \"{e.cue}\" ({e.detail})"
    if e.kind is EventKind.ABSTAINED:
        return f"{t}  rep {e.rep}: {e.check} not judged ({e.detail})"
    if e.kind is EventKind.NOTHING_COUNTED:
        return f"{t}  no rep counted: {e.detail}"
    if e.kind is EventKind.SIDE_READ_AGAIN:
        return f"{t}  rep {e.rep} was to the {e.side} ({e.detail})"
    if e.kind is EventKind.REMINDER:
        return f"{t}  reminder - {e.cue} ({e.check} said, not judged: {e.detail})"
    return f"{t}  {e.kind.value.replace('_', ' ')}" + (f" - {e.cue}" if e.cue else "")


@dataclass(frozen=True)
class Analysis:
    session: Path
    reps: int
    faults: int
    frames: int
    frames_with_pose: int
    events: list[Event]


def _keep_video(source: str, target: Path) -> None:
    """The session keeps the video for the report's snapshots: a hard link where possible, else a copy."""
    try:
        # The file itself: link(2) of a symbolic link (the demo's clip in a checkout) links the link, dangling here.
        os.link(os.path.realpath(source), target)
    except OSError:
        shutil.copyfile(source, target)


def analyze(source: str, exercise: str, settings: dict, session_dir: str | Path | None = None,
            variant: str = DEFAULT_VARIANT, model: str | None = None, echo=print,
            targets: Targets | None = None, plan: dict[str, Any] | None = None) -> Analysis:
    """source -> pose -> rules -> events, recorded into a session folder as it goes.

    `targets` are the plan's for the exercise (default: the sheet's); `plan` is the plan's record
    (`Plan.record`) kept in the session.
    """
    module = exercise_rules.get(exercise)
    header, poses = pipeline.poses(source, variant, model, exercise=exercise)
    targets = targets or targets_for(exercise)
    with_video = is_video_file(str(source))
    events: list[Event] = []
    frames = seen = 0
    with SessionWriter(new_session_dir(session_dir), name=f"{module.TITLE}: {Path(source).name}",
                       profile={"source": str(source), **settings}) as session:
        if plan is not None:
            session.data["plan"] = plan  # saved with the exercise
        run = module.run(**settings)
        with session.start_exercise(exercise, targets.to_dict() if targets else None, header,
                                    video=with_video) as writer:
            if with_video and writer.video_path is not None:
                _keep_video(source, writer.video_path)
            for frame in poses:
                new = run.update(frame)
                writer.write_frame(frame)
                writer.write_events(new)
                frames += 1
                seen += frame.has_pose
                events.extend(new)
                for e in new:
                    if e.kind in SHOWN:
                        echo(describe(e))
            last = run.finish()
            writer.write_events(last)
            events.extend(last)
            for e in last:
                echo(describe(e))
    faults = sum(e.kind is EventKind.FAULT for e in events)
    return Analysis(session.path, len(run.reps), faults, frames, seen, events)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("analyze", help="reps and faults of one exercise in a video or recording",
                              description=__doc__.splitlines()[0])
    p.add_argument("source", help="a video file, a folder of images, or a landmark recording (.jsonl)")
    p.add_argument("--exercise", required=True, choices=exercise_rules.NAMES, metavar="NAME",
                   help=f"the exercise done in the source: {', '.join(exercise_rules.NAMES)}")
    p.add_argument("--knee-problem", action="store_true", help="heels stretch: flag sitting on the heels")
    p.add_argument("--plan", help="the plan whose targets the set is judged against (default: plan.toml in the "
                   "config folder if there is one, else the routine sheet)")
    p.add_argument("--variant", default=DEFAULT_VARIANT, choices=VARIANTS, help="pose model for video")
    p.add_argument("--model", help="an explicit .task model file (overrides --variant)")
    p.add_argument("--session-dir", help="where to record the session (default: a new folder in your data folder)")
    p.add_argument("--no-report", action="store_true", help="record the session but write no report")
    p.add_argument("--no-history", action="store_true", help="do not add the session to your history")
    p.add_argument("--no-open", action="store_true", help="do not open the report in the browser")
    p.set_defaults(func=_main)


def settings_for(exercise: str, knee_problem: bool) -> dict:
    """Only the settings an exercise understands: the knee problem matters to the heels stretch."""
    return {"knee_problem": True} if knee_problem and exercise == "heels_stretch" else {}


def summarise(analysis: Analysis, exercise: str, history: bool, report: bool) -> Path | None:
    """Print the counts and the session's folder; write the report and return its HTML file's path."""
    module = exercise_rules.get(exercise)
    print(f"{module.TITLE}: {count(analysis.reps, 'rep')}, {count(analysis.faults, 'fault')} "
          f"(a person in {analysis.frames_with_pose} of {analysis.frames} frames)")
    print(f"session: {analysis.session}")
    if analysis.frames == 0:
        print("posecheck: the source gave no frames", file=sys.stderr)
    if report:
        from posecheck.report import make_report

        files = make_report(analysis.session, history=history)
        print(f"report: {files.html}")
        return files.html
    return None


def _main(args: argparse.Namespace) -> int:
    today = date.today()
    plan = plan_for(args.plan)
    planned = step_on(plan, args.exercise, today)
    if plan.source is not None and planned is None:
        print(f"{args.exercise} is not in the plan {plan.source}: judged against the sheet's targets")
    settings = settings_for(args.exercise, args.knee_problem or bool(plan.knee_problem))
    analysis = analyze(args.source, args.exercise, settings, args.session_dir, args.variant, args.model,
                       targets=planned.targets if planned else None, plan=plan.record(today))
    html = summarise(analysis, args.exercise, history=not args.no_history, report=not args.no_report)
    if html is not None:
        open_report(html, no_open=args.no_open)
    return 0 if analysis.frames else 2
