"""`posecheck analyze SOURCE --exercise NAME`: run one exercise over a recording or a video and
print the reps and faults with their times."""

from __future__ import annotations

import argparse
from pathlib import Path

import exercise_rules
from posecheck.errors import PosecheckError
from posecheck.events import Event, EventKind
from posecheck.recording import iter_recording

RECORDING_SUFFIXES = (".jsonl",)


def _frames(source: str, variant: str):
    if Path(source).suffix.lower() in RECORDING_SUFFIXES:
        return iter_recording(source)[1]
    try:
        from posecheck.pipeline import poses  # the video pipeline: source -> MediaPipe -> PoseFrames
    except ImportError as error:
        raise PosecheckError(
            f"{source}: analysing video needs posecheck.pipeline; record landmarks first and analyse the .jsonl"
        ) from error
    return poses(source, variant=variant)[1]


def describe(e: Event) -> str:
    t = f"{e.timestamp_ms / 1000:7.2f}s"
    if e.kind is EventKind.REP_COMPLETED:
        hold = "hold unseen" if e.hold_ms is None else f"held {e.hold_ms / 1000:.1f}s"
        side = f" {e.side}" if e.side else ""
        return f"{t}  rep {e.rep}{side} done, {hold}"
    if e.kind is EventKind.FAULT:
        return f"{t}  rep {e.rep}: {e.check} - \"{e.cue}\" ({e.detail})"
    if e.kind is EventKind.ABSTAINED:
        return f"{t}  rep {e.rep}: {e.check} not judged ({e.detail})"
    return f"{t}  {e.kind.value.replace('_', ' ')}" + (f" - {e.cue}" if e.cue else "")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("analyze", help="reps and faults of one exercise in a recording or video",
                              description=__doc__.splitlines()[0])
    p.add_argument("source", help="a landmark recording (.jsonl) or a video file")
    p.add_argument("--exercise", required=True, choices=exercise_rules.NAMES)
    p.add_argument("--knee-problem", action="store_true", help="heels stretch: flag sitting on the heels")
    p.add_argument("--variant", default="full", choices=["lite", "full", "heavy"], help="pose model for video")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    module = exercise_rules.get(args.exercise)
    settings = {"knee_problem": True} if args.knee_problem and args.exercise == "heels_stretch" else {}
    run = module.run(**settings)
    shown = {EventKind.CALIBRATED, EventKind.REP_COMPLETED, EventKind.FAULT, EventKind.ABSTAINED,
             EventKind.NOT_IN_START_POSITION, EventKind.CANNOT_SEE_YOU, EventKind.SET_COMPLETED}
    for frame in _frames(args.source, args.variant):
        for e in run.update(frame):
            if e.kind in shown:
                print(describe(e))
    faults = sum(e.kind is EventKind.FAULT for e in run.events)
    print(f"{module.TITLE}: {len(run.reps)} reps, {faults} faults")
    return 0
