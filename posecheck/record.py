"""`posecheck landmarks SOURCE -o REC.jsonl`: record the poses of a video, images or a webcam."""

from __future__ import annotations

import argparse
import sys

from posecheck import pipeline
from posecheck.models import DEFAULT_VARIANT, VARIANTS
from posecheck.recording import RecordingWriter


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("landmarks", help="record the landmarks of a video, image folder or webcam")
    parser.add_argument("source", help="video file, folder of images, or webcam index (0) / device path")
    parser.add_argument("-o", "--output", required=True, help="the recording to write (.jsonl)")
    parser.add_argument("--variant", choices=VARIANTS, default=DEFAULT_VARIANT, help="pose model variant")
    parser.add_argument("--model", help="an explicit .task model file (overrides --variant)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    header, poses = pipeline.poses(args.source, args.variant, args.model)
    frames = seen = 0
    with RecordingWriter(args.output, header) as writer:
        for frame in poses:
            writer.write(frame)
            frames += 1
            seen += frame.has_pose
    if frames == 0:
        print(f"posecheck: {args.source} gave no frames", file=sys.stderr)
        return 2
    print(f"{frames} frames, a person in {seen} ({seen / frames:.0%}); written to {args.output}")
    return 0
