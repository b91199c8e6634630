"""The rule engine's time per frame for every exercise, and the time to write a 30-minute session's report.

Rules: each exercise's run is fed its labelled kinematic recording (samples/kinematic), looped to at least
`--frames` frames with advancing timestamps; every `update` is timed on its own (median, p99, mean).
Target: well under 1 ms a frame.

Report: a session folder holding a 30-minute exercise (the knee-rolls recording looped, with the events
its rules gave) is loaded, built and written (`make_report`, no history). Target: under 5 s.

    .venv/bin/python benchmarks/rules_and_report.py [--frames 5000] [--minutes 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import exercise_rules
from posecheck.landmarks import PoseFrame
from posecheck.recording import iter_recording
from posecheck.report import build_report, make_report, write_report
from posecheck.session import SessionWriter, load_session

REPO = Path(__file__).resolve().parents[1]
KINEMATIC = REPO / "samples" / "kinematic"


def recording_of(exercise: str) -> tuple[object, list[PoseFrame]]:
    path = sorted(KINEMATIC.glob(f"{exercise}__*.jsonl"))[0]
    header, frames = iter_recording(path)
    return header, list(frames)


def looped(frames: list[PoseFrame], n: int) -> Iterator[PoseFrame]:
    step = frames[1].timestamp_ms - frames[0].timestamp_ms
    period = frames[-1].timestamp_ms - frames[0].timestamp_ms + step
    for i in range(n):
        lap, k = divmod(i, len(frames))
        f = frames[k]
        yield PoseFrame(f.timestamp_ms + lap * period, f.image_size, f.image, f.visibility, f.presence, f.world)


def time_rules(n: int) -> None:
    print(f"rules: {n} frames per exercise (its kinematic recording looped), each update timed")
    print(f"{'exercise':28s} {'median ms':>10s} {'p99 ms':>8s} {'mean ms':>8s} {'reps':>5s}")
    runs = [(name, {}) for name in exercise_rules.NAMES] + [("heels_stretch", {"knee_problem": True})]
    for name, profile in runs:
        _, frames = recording_of(name)
        run = exercise_rules.get(name).run(**profile)
        times = []
        for frame in looped(frames, n):
            start = time.perf_counter()
            run.update(frame)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        label = name + (" (knee problem)" if profile else "")
        print(f"{label:28s} {statistics.median(times):10.3f} {times[int(0.99 * (len(times) - 1))]:8.3f} "
              f"{statistics.fmean(times):8.3f} {len(run.reps):5d}")


def time_report(minutes: float) -> None:
    header, frames = recording_of("knee_rolls")
    fps = 1000 / (frames[1].timestamp_ms - frames[0].timestamp_ms)
    n = int(minutes * 60 * fps)
    with tempfile.TemporaryDirectory(prefix="posecheck-bench-") as tmp:
        folder = Path(tmp) / "session"
        run = exercise_rules.get("knee_rolls").run()
        with SessionWriter(folder, name="benchmark") as session, \
                session.start_exercise("knee_rolls", {}, header) as writer:
            for frame in looped(frames, n):
                writer.write_frame(frame)
                writer.write_events(run.update(frame))
        print(f"report: a {minutes:g}-minute session, {n} frames, {len(run.reps)} reps, {len(run.events)} events")
        start = time.perf_counter()
        session = load_session(folder)
        loaded = time.perf_counter()
        report = build_report(session)
        built = time.perf_counter()
        write_report(report, Path(tmp) / "parts")
        written = time.perf_counter()
        print(f"  load {loaded - start:.2f} s, build {built - loaded:.2f} s, write html+json {written - built:.2f} s")
        start = time.perf_counter()
        make_report(folder, history=False)
        print(f"  make_report (what `posecheck report` does, no history): {time.perf_counter() - start:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--minutes", type=float, default=30.0)
    args = parser.parse_args()
    time_rules(args.frames)
    time_report(args.minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
