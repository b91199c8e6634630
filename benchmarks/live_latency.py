"""The live trainer's speed: frame-to-cue latency and window refresh rate against the camera's rate.

A rendered sample clip plays as the camera in real time (optionally faster, `--speed 2` makes a 15 fps
clip a 30 fps camera). For each model variant the loop runs headless and, when a screen is there (or
Xvfb can give one), with its window. Reported per run:

- camera fps (frames the camera thread read), window fps (frames drawn and shown), pose fps (frames
  inferred; the rest were dropped, never queued);
- frame-to-cue latency: from the moment a frame was read to the moment the rules' events for it were
  out ("cue", printed headless), and with a window to the moment the picture carrying them was shown
  ("screen"; the window redraws on the next camera frame), median and 95th percentile, against the bound
  "one inference + one camera frame", the inference time being bare MediaPipe's median on the same
  frames in VIDEO mode.

    .venv/bin/python benchmarks/live_latency.py [--video V] [--variants auto lite full] [--speed 1] [--seconds 20]

`auto` is what `live` and `routine` do by default: the model is chosen by timing them at start
(posecheck.auto_variant) for the camera's rate; the row names the one chosen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from posecheck.auto_variant import AUTO, present_models, resolve_auto
from posecheck.live.loop import LiveLoop, NewestFrame
from posecheck.live.routine import step
from posecheck.live.trainer import Trainer
from posecheck.models import ResolvedModel, resolve_model
from posecheck.pipeline import header_for, needs_mask, search_every_ms
from posecheck.pose import PoseEstimator
from posecheck.session import SessionWriter
from posecheck.sources import Frame, Source, open_source

REPO = Path(__file__).resolve().parents[1]


class FasterSource(Source):
    """A video whose timestamps are divided by `speed`: a faster camera from the same frames."""

    def __init__(self, inner: Source, speed: float) -> None:
        self.inner, self.speed = inner, speed
        self.description, self.size, self.live = inner.description, inner.size, False
        self.fps = inner.fps * speed
        self.frame_count = inner.frame_count

    def frames(self) -> Iterator[Frame]:
        for f in self.inner.frames():
            yield Frame(f.index, round(f.timestamp_ms / self.speed), f.image)

    def close(self) -> None:
        self.inner.close()


def bare_inference_ms(video: str, model: Path, n: int = 90) -> float:
    """Median time of one MediaPipe inference (VIDEO mode, same options) on the clip's frames."""
    with open_source(video) as source:
        frames = [f for _, f in zip(range(n), source.frames(), strict=False)]
    times = []
    exercise = exercise_of(video)
    with PoseEstimator(model, mode="video", needs_mask=needs_mask(exercise),
                       search_every_ms=search_every_ms(exercise)) as estimator:
        for f in frames:
            start = time.perf_counter()
            estimator.detect(f.image, f.timestamp_ms)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[5:])


def exercise_of(video: str) -> str:
    name = Path(video).name.split("__")[0]
    return name if name in ("heels_stretch", "knee_rolls", "back_extensions", "deep_abdominal",
                            "pelvic_tilts") else "knee_rolls"


def model_for(variant: str, video: str, speed: float) -> ResolvedModel:
    """The model `live --variant VARIANT` would run with this clip as its camera."""
    if variant != AUTO:
        return resolve_model(variant)
    source = FasterSource(open_source(video), speed)
    source.close()
    exercise = exercise_of(video)
    return resolve_auto(present_models(), source.fps, source.size, needs_mask(exercise),
                        search_every_ms(exercise) == 0)[0]


def run_once(video: str, resolved: ResolvedModel, speed: float, seconds: float, window: bool) -> dict[str, float]:
    source = FasterSource(open_source(video), speed)
    with tempfile.TemporaryDirectory() as tmp:
        session = SessionWriter(Path(tmp) / "session")
        trainer = Trainer([step(exercise_of(video))], session, header_for(source, resolved),
                          instructions_s=0.0, setup_check=False)
        shown = None
        if window:
            from posecheck.live.window import Window

            shown = Window("posecheck benchmark")
        with PoseEstimator(resolved.path, mode="live") as estimator:
            reader = NewestFrame(source, realtime=True)
            loop = LiveLoop(reader, estimator, trainer, shown, max_seconds=seconds)
            loop.run()
            reader.close()
        if shown is not None:
            shown.close()
        trainer.finish("time_up")
        session.close()
    return {**loop.stats.rates(), "camera_rate": source.fps}


def start_xvfb() -> subprocess.Popen | None:
    xvfb = shutil.which("Xvfb")
    if os.environ.get("DISPLAY") or xvfb is None:
        return None
    server = subprocess.Popen([xvfb, "-displayfd", "1", "-screen", "0", "1280x760x24", "-nolisten", "tcp"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    os.environ["DISPLAY"] = ":" + server.stdout.readline().strip()
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--video", help="the clip standing in for the camera (default: a rendered sample)")
    parser.add_argument("--variants", nargs="+", default=["lite", "full"])
    parser.add_argument("--speed", type=float, default=1.0, help="play the clip this many times faster")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    args = parser.parse_args()
    # A clip is complete once its labels are written beside it.
    labelled = sorted((REPO / "samples" / "video").glob("*__correct__*.json"))
    video = args.video or next((str(p.with_suffix(".mp4")) for p in labelled if p.with_suffix(".mp4").exists()), None)
    if video is None:
        print("no sample clip: pass --video", file=sys.stderr)
        return 2
    server = start_xvfb()
    windows = [False, True] if os.environ.get("DISPLAY") else [False]
    print(f"camera: {Path(video).name} at {args.speed:g}x real time, {args.seconds:g} s per run, "
          f"{os.cpu_count()} cores{', Xvfb screen' if server else ''}")
    print(f"{'variant':7s} {'window':6s} {'camera':>7s} {'window':>7s} {'pose':>6s} {'infer':>6s} "
          f"{'bound':>6s} {'cue med':>8s} {'cue p95':>8s} {'scr med':>8s} {'scr p95':>8s}")
    print(f"{'':7s} {'':6s} {'fps':>7s} {'fps':>7s} {'fps':>6s} {'ms':>6s} {'ms':>6s} {'ms':>8s} {'ms':>8s} "
          f"{'ms':>8s} {'ms':>8s}")
    try:
        for variant in args.variants:
            resolved = model_for(variant, video, args.speed)
            infer = bare_inference_ms(video, resolved.path)
            name = variant if variant != AUTO else f"auto:{resolved.variant}"
            for window in windows:
                r = run_once(video, resolved, args.speed, args.seconds, window)
                bound = infer + 1000.0 / r["camera_rate"]
                print(f"{name:7s} {'yes' if window else 'no':6s} {r['camera_fps']:7.1f} {r['window_fps']:7.1f} "
                      f"{r['inference_fps']:6.1f} {infer:6.1f} {bound:6.1f} {r['latency_median_ms']:8.1f} "
                      f"{r['latency_p95_ms']:8.1f} {r['screen_latency_median_ms']:8.1f} "
                      f"{r['screen_latency_p95_ms']:8.1f}", flush=True)
    finally:
        if server is not None:
            server.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
