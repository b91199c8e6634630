"""Soak: a 30-minute session replayed from a recording; memory must stay flat.

The recording is a sample clip's landmarks (recorded once with MediaPipe, lite model, and cached) looped
with advancing timestamps until it lasts the session's length. Every frame goes the way it goes in a live
session: the exercise's rules (`update`), the landmark recording and the event log of a session folder.
The resident set size (RSS) is read from /proc at the start (after the first minute, once every lazy
import and cache is warm), every few minutes, in the middle and at the end; then the session's report is
written and timed.

    .venv/bin/python benchmarks/soak.py [--minutes 30] [--clip samples/video/knee_rolls__correct__right__b1.mp4]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import exercise_rules
from posecheck.landmarks import PoseFrame
from posecheck.pipeline import poses
from posecheck.recording import RecordingHeader, iter_recording, write_recording
from posecheck.report import make_report
from posecheck.session import SessionWriter

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = REPO / "samples" / "video" / "knee_rolls__correct__right__b1.mp4"
SAMPLE_EVERY_MIN = 5


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def clip_landmarks(clip: Path, cache: Path) -> tuple[RecordingHeader, list[PoseFrame]]:
    """The clip's poses, from the cache or from MediaPipe (lite) once."""
    if not cache.exists():
        header, frames = poses(str(clip), variant="lite", show_progress=False)
        write_recording(cache, header, frames)
    header, frames = iter_recording(cache)
    return header, list(frames)


def looped(frames: list[PoseFrame], minutes: float, fps: float) -> Iterator[PoseFrame]:
    """The clip again and again, timestamps running on, until `minutes` of session."""
    step = round(1000 / fps)
    period = frames[-1].timestamp_ms + step
    total = int(minutes * 60 * fps)
    for i in range(total):
        lap, frame = divmod(i, len(frames))
        f = frames[frame]
        yield PoseFrame(f.timestamp_ms + lap * period, f.image_size, f.image, f.visibility, f.presence, f.world)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--exercise", help="the clip's exercise (default: from its file name)")
    args = parser.parse_args()
    exercise = args.exercise or args.clip.name.split("__")[0]
    cache = Path(tempfile.gettempdir()) / f"posecheck-soak-{args.clip.stem}.jsonl"
    header, frames = clip_landmarks(args.clip, cache)
    fps = header.fps or 15.0
    total = int(args.minutes * 60 * fps)
    print(f"{args.clip.name}: {len(frames)} frames looped to {args.minutes:g} min = {total} frames at {fps:g} fps")
    run = exercise_rules.get(exercise).run()
    samples: list[tuple[float, float]] = []
    warm_at = int(60 * fps)
    with tempfile.TemporaryDirectory(prefix="posecheck-soak-") as tmp:
        folder = Path(tmp) / "session"
        start = time.perf_counter()
        with SessionWriter(folder, name="soak") as session:
            writer = session.start_exercise(exercise, {}, header)
            for i, frame in enumerate(looped(frames, args.minutes, fps)):
                events = run.update(frame)
                writer.write_frame(frame)
                writer.write_events(events)
                minute = frame.timestamp_ms / 60000
                if i == warm_at or i == total // 2 or i == total - 1 or (
                        i > warm_at and i % int(SAMPLE_EVERY_MIN * 60 * fps) == 0):
                    samples.append((minute, rss_mb()))
            writer.close()
        replay_s = time.perf_counter() - start
        print(f"replayed in {replay_s:.1f} s ({replay_s / total * 1000:.3f} ms a frame, rules + recording); "
              f"{len(run.reps)} reps, {len(run.events)} events")
        for minute, mb in samples:
            print(f"  at {minute:5.1f} min of session: RSS {mb:7.1f} MB")
        first, middle, last = samples[0][1], samples[len(samples) // 2][1], samples[-1][1]
        print(f"RSS start {first:.1f} MB, middle {middle:.1f} MB, end {last:.1f} MB: "
              f"growth {last - first:+.1f} MB over {args.minutes - 1:g} min")
        start = time.perf_counter()
        files = make_report(folder, history=False)
        report_s = time.perf_counter() - start
        size = folder.joinpath("01-" + exercise + ".landmarks.jsonl").stat().st_size / 1e6
        print(f"report of the {args.minutes:g}-minute session ({size:.0f} MB of landmarks): {report_s:.2f} s "
              f"({files.html.stat().st_size / 1e6:.1f} MB html); RSS after it {rss_mb():.1f} MB, "
              f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
