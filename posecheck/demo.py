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

# The installed package carries the default clip (posecheck/data links to it in samples/video); the
# other samples are in a source checkout only.
BUNDLED = Path(__file__).resolve().parent / "data"
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "video"
DEMO_CLIP = "knee_rolls__shoulders_on_floor__left__b0.mp4"


def clip_path(name: str) -> Path:
    """The bundled clip, or a clip of samples/video in a source checkout."""
    for folder in (BUNDLED, SAMPLES):
        if (folder / name).is_file():
            return folder / name
    raise PosecheckError(
        f"no sample clip {name}: installed, posecheck carries {DEMO_CLIP}; the others are in samples/video "
        "of a source checkout (or run `posecheck analyze YOUR_VIDEO --exercise NAME`)"
    )


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="analyse a bundled sample clip and write its report (no webcam)",
                            description="Analyse a bundled sample clip (a rendered person doing knee rolls) as "
                                        "`analyze` would, and write its report: try posecheck without a webcam.")
    parser.add_argument("--clip", default=DEMO_CLIP, help=f"a clip in samples/video (default {DEMO_CLIP})")
    parser.add_argument("--variant", default=DEFAULT_VARIANT, choices=VARIANTS, help="pose model (default %(default)s)")
    parser.add_argument("--session-dir", help="where to record the session (default: your data folder)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    clip = clip_path(args.clip)
    exercise = clip.name.split("__")[0]
    print(f"posecheck demo: {exercise.replace('_', ' ')} from {clip.name}")
    analysis = analyze(str(clip), exercise, {}, args.session_dir, args.variant)
    # A demo is not one of your sessions: keep it out of your history.
    summarise(analysis, exercise, history=False, report=True)
    return 0
