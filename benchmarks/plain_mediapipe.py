"""posecheck's default pipeline against plain MediaPipe with its default options (issue 15).

Plain: `PoseLandmarker` with default options (one pose, no segmentation mask), VIDEO mode, fed the
decoded frames (with the BGR->RGB conversion any caller needs). posecheck: the pipeline as `analyze`
and `live` build it for the exercise (`pipeline.estimate` over a `PoseEstimator` asking for what the
exercise's checks read) and the exercise's rules' `update` on every frame. Same frames in memory
(150 of the exercise's sample clip, resized to 640x480), runs alternating plain, posecheck, plain, ...;
medians. Each run is timed by the wall clock and by the CPU time the process used (all its threads):
on a machine shared with other work the wall clock moves with their load, the CPU time much less, so
both ratios are printed. `--before` adds posecheck's policy before issue 15 (two poses searched on every frame, the
mask always) as a third alternating run.

    .venv/bin/python benchmarks/plain_mediapipe.py [--variants lite full heavy] [--exercises back_extensions
        heels_stretch] [--repeats 5] [--before]

2 cores, idle, 2026-12-04, `--before`, the bystander search every 2 s; fps by the wall clock (by CPU time):

    variant  exercise         mask      plain fps  posecheck fps       ratio     before fps       ratio
    lite     back_extensions    no   80.1 ( 79.3)   72.3 ( 71.3) 0.90 (0.90)   38.2 ( 36.6) 0.48 (0.46)
    lite     heels_stretch     yes   79.4 ( 78.5)   66.3 ( 61.7) 0.83 (0.79)   39.5 ( 37.8) 0.50 (0.48)
    full     back_extensions    no   59.0 ( 58.2)   55.7 ( 55.1) 0.94 (0.95)   32.8 ( 31.4) 0.56 (0.54)
    full     heels_stretch     yes   59.1 ( 58.8)   51.7 ( 48.9) 0.87 (0.83)   33.4 ( 32.3) 0.57 (0.55)

(2026-12-03, the search every second: lite back extensions 0.89, full 0.95; 2026-12-04 without `--before`,
every 2 s: 0.92 and 0.94; every second: 0.91 and 0.92.)
2 cores, idle, 2026-12-05, pelvic tilts with the lower back's optical flow (posecheck.lumbar) that
`analyze` and `live` add for them since then: lite 0.77 (0.75), full 0.82 (0.79) of plain MediaPipe
(62.7 and 49.1 fps; back extensions in the same runs 0.92 and 0.95): the flow costs about 3 ms a frame at
640x480.
2 cores, idle, 2026-12-06, lite back extensions, 5 runs each: with the dim-picture check
(posecheck.dim_light) measuring every frame's brightness, as frozen at 0f278a3, 0.86 and 0.88; measuring it
only while the person is lost (since), 0.88-0.93 in four runs: the measurement cost about 0.5 ms a frame.
The same machine under others' load (5-9) gave wall-clock ratios from 0.59 to 1.15 and CPU-time ratios of
0.94 / 0.73 / 0.91 / 0.81: read wall-clock figures only from an idle machine.
2 cores, idle, 2026-12-06, with the search for a small person in parts of the picture (posecheck.zoom, at
e29612b: per frame it maps the found points into the part in use), 5 runs each: lite back extensions 0.88
and 0.89 in two runs, full 0.92 and 0.94, lite and full heels stretch 0.92 and 0.90: as before it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

import exercise_rules
from posecheck.lumbar import LumbarFlow
from posecheck.models import resolve_model
from posecheck.native import quiet_stderr
from posecheck.pipeline import estimate, needs_lumbar, needs_mask, search_every_ms
from posecheck.pose import PoseEstimator
from posecheck.sources import Frame, open_source

REPO = Path(__file__).resolve().parents[1]
SIZE = (640, 480)


def clip_frames(exercise: str, n: int, size: tuple[int, int] = SIZE) -> list[Frame]:
    """`n` frames of the exercise's correct sample clip (else its first clip), resized to `size`."""
    folder = REPO / "samples" / "video"
    clips = sorted(folder.glob(f"{exercise}__correct__*.mp4")) or sorted(folder.glob(f"{exercise}__*.mp4"))
    if not clips:
        raise SystemExit(f"no sample clip of {exercise} in {folder}")
    with open_source(str(clips[0])) as source:
        return [Frame(f.index, f.timestamp_ms, cv2.resize(f.image, size, interpolation=cv2.INTER_LINEAR))
                for _, f in zip(range(n), source.frames(), strict=False)]


class Clock:
    """Wall-clock and process CPU time since it was made."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def fps(self, frames: int) -> tuple[float, float]:
        """(frames per wall-clock second, frames per CPU second)."""
        return frames / (time.perf_counter() - self.wall), frames / (time.process_time() - self.cpu)


def plain_fps(frames: list[Frame], model: Path) -> tuple[float, float]:
    """MediaPipe's PoseLandmarker with its default options."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                           running_mode=vision.RunningMode.VIDEO)
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        clock = Clock()
        for frame in frames:
            rgb = np.ascontiguousarray(frame.image[:, :, ::-1])
            landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), frame.timestamp_ms)
        return clock.fps(len(frames))


def posecheck_fps(frames: list[Frame], model: Path, exercise: str, before: bool = False) -> tuple[float, float]:
    """The default pipeline and the exercise's rules; `before`: every frame searched, the mask always."""
    run = exercise_rules.get(exercise).run()
    policy = {"search_every_ms": 0, "needs_mask": True} if before else {
        "needs_mask": needs_mask(exercise), "search_every_ms": search_every_ms(exercise)}
    with PoseEstimator(model, mode="video", **policy) as estimator:
        clock = Clock()
        lumbar = LumbarFlow() if needs_lumbar(exercise) and not before else None  # as `analyze` and `live` add it
        for pose in estimate(iter(frames), estimator, lumbar):
            run.update(pose)
        return clock.fps(len(frames))


def cell(x: tuple[float, ...]) -> str:
    return f"{x[0]:6.1f} ({x[1]:5.1f})"


def ratio(x: tuple[float, ...], plain: tuple[float, ...]) -> str:
    return f"{x[0] / plain[0]:4.2f} ({x[1] / plain[1]:4.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--variants", nargs="+", default=["lite", "full"])
    parser.add_argument("--exercises", nargs="+", default=["back_extensions", "heels_stretch"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", action="store_true", help="also posecheck's policy before issue 15")
    args = parser.parse_args()
    print(f"{args.frames} frames at {SIZE[0]}x{SIZE[1]}, VIDEO mode, {args.repeats} alternating runs, medians; "
          "fps by the wall clock (by CPU time)")
    print(f"{'variant':8s} {'exercise':16s} {'mask':>4s} {'plain fps':>14s} {'posecheck fps':>14s} {'ratio':>11s}"
          + (f" {'before fps':>14s} {'ratio':>11s}" if args.before else ""))
    for variant in args.variants:
        model = resolve_model(variant).path
        for exercise in args.exercises:
            frames = clip_frames(exercise, args.frames)
            runs: dict[str, list[tuple[float, float]]] = {"plain": [], "ours": [], "before": []}
            with quiet_stderr():  # MediaPipe's set-up messages, once per landmarker
                for _ in range(args.repeats):
                    runs["plain"].append(plain_fps(frames, model))
                    runs["ours"].append(posecheck_fps(frames, model, exercise))
                    if args.before:
                        runs["before"].append(posecheck_fps(frames, model, exercise, before=True))
            med = {k: tuple(statistics.median(r[i] for r in v) for i in (0, 1)) for k, v in runs.items() if v}
            p, o = med["plain"], med["ours"]

            line = (f"{variant:8s} {exercise:16s} {'yes' if needs_mask(exercise) else 'no':>4s} {cell(p):>14s} "
                    f"{cell(o):>14s} {ratio(o, p):>11s}")
            if args.before:
                line += f" {cell(med['before']):>14s} {ratio(med['before'], p):>11s}"
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
