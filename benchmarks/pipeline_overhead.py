"""posecheck's frame pipeline against bare MediaPipe PoseLandmarker on the same frames.

Both sides run VIDEO mode over the same decoded frames held in memory and ask MediaPipe for the same
(one pose; the segmentation mask when the rules read the back's outline, or with no --rules), so the
ratio is what posecheck adds: the back's outline read from the mask, the PoseFrame conversion, the
search for a bystander every two seconds, and (with --rules) an exercise run's update. Against MediaPipe with
its default options see benchmarks/plain_mediapipe.py. Runs alternate (bare,
posecheck, bare, ...) and the median of each is kept, so drift in the machine's load hits both alike.

    .venv/bin/python benchmarks/pipeline_overhead.py [--video V] [--variants lite full heavy] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from posecheck.models import resolve_model
from posecheck.pipeline import estimate, needs_mask
from posecheck.pose import PoseEstimator
from posecheck.sources import Frame, open_source

REPO = Path(__file__).resolve().parents[1]


def default_frames(n: int) -> list[Frame]:
    """A side-view floor exercise video when there is one, else the astronaut photo panned."""
    clips = sorted((REPO / "samples" / "video").glob("*.mp4"))
    if clips:
        with open_source(str(clips[0])) as source:
            return [f for _, f in zip(range(n), source.frames(), strict=False)]
    from skimage import data

    image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    return [Frame(i, i * 33, np.ascontiguousarray(np.roll(image, i, axis=1))) for i in range(n)]


def bare(frames: list[Frame], model: Path, mask: bool) -> float:
    """Frames per second of MediaPipe alone (with the BGR->RGB conversion any caller needs)."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)), running_mode=vision.RunningMode.VIDEO,
        output_segmentation_masks=mask,
    )
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        start = time.perf_counter()
        for frame in frames:
            rgb = np.ascontiguousarray(frame.image[:, :, ::-1])
            landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), frame.timestamp_ms)
        return len(frames) / (time.perf_counter() - start)


def posecheck_fps(frames: list[Frame], model: Path, mask: bool, rules: str | None) -> float:
    run = None
    if rules:
        import exercise_rules

        run = exercise_rules.get(rules).run()
    with PoseEstimator(model, mode="video", needs_mask=mask) as estimator:
        start = time.perf_counter()
        for pose in estimate(iter(frames), estimator):
            if run is not None:
                run.update(pose)
        return len(frames) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--video", help="frames from this video (default: a sample clip)")
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--variants", nargs="+", default=["lite", "full", "heavy"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rules", help="also run this exercise's rules on every frame (e.g. knee_rolls)")
    args = parser.parse_args()
    mask = needs_mask(args.rules)
    if args.video:
        with open_source(args.video) as source:
            frames = [f for _, f in zip(range(args.frames), source.frames(), strict=False)]
    else:
        frames = default_frames(args.frames)
    print(f"{len(frames)} frames of {frames[0].image.shape[1]}x{frames[0].image.shape[0]}, "
          f"mask={'yes' if mask else 'no'}, rules={args.rules or 'none'}, {args.repeats} alternating runs")
    print(f"{'variant':8s} {'bare fps':>9s} {'posecheck fps':>14s} {'ratio':>7s} {'overhead':>9s}")
    for variant in args.variants:
        model = resolve_model(variant).path
        bares, ours = [], []
        for _ in range(args.repeats):
            bares.append(bare(frames, model, mask))
            ours.append(posecheck_fps(frames, model, mask, args.rules))
        b, o = statistics.median(bares), statistics.median(ours)
        print(f"{variant:8s} {b:9.1f} {o:14.1f} {o / b:7.3f} {(b / o - 1) * 100:8.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
