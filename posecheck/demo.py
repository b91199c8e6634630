"""`posecheck demo`: the whole job on a bundled sample clip, no webcam needed.

A rendered person does knee rolls on a mat, seen by the routine's side camera; posecheck finds the
pose in every frame, checks the form, records the session and writes the report.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from posecheck.analyze import analyze, summarise
from posecheck.errors import PosecheckError
from posecheck.models import DEFAULT_VARIANT, VARIANTS

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "video"
DEMO_CLIP = "knee_rolls__shoulders_on_floor__left__b0.mp4"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="analyse a bundled sample clip and write its report (no webcam)")
    parser.add_argument("--clip", default=DEMO_CLIP, help=f"a clip in samples/video (default {DEMO_CLIP})")
    parser.add_argument("--variant", default=DEFAULT_VARIANT, choices=VARIANTS)
    parser.add_argument("--session-dir", help="where to record the session (default: your data folder)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    clip = SAMPLES / args.clip
    if not clip.is_file():
        raise PosecheckError(f"no sample clip {clip}: the demo runs from a source checkout of posecheck")
    exercise = clip.name.split("__")[0]
    print(f"posecheck demo: {exercise.replace('_', ' ')} from {clip.name}")
    analysis = analyze(str(clip), exercise, {}, args.session_dir, args.variant)
    # A demo is not one of your sessions: keep it out of your history.
    summarise(analysis, exercise, history=False, report=True)
    return 0
