"""Does asking MediaPipe for less change what the rules find? The rendered clips of samples/video
scored with two pose policies on the same decoded frames, by the same rules, in one run:

- "every frame": two poses searched on every frame and the segmentation mask always (posecheck
  before issue 15);
- "default": one tracked pose, a two-pose search on posecheck.pose's schedule (every 2 s) and when
  the pose is lost or jumps (on every frame for an exercise with DETECT_EVERY_FRAME), the mask only
  for exercises whose checks read the back's outline (`posecheck.pipeline`).

Prints `posecheck evaluate`'s figures for each (rep counts exact, fault precision/recall/F1, false
alarms per correct rep), the checks whose counts differ, and each policy's frames per second.

    .venv/bin/python benchmarks/pose_policy_accuracy.py [--variant full] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import exercise_rules
from posecheck.evaluate import RENDERED_VIDEO_FORMAT, figures, from_rendered_video, score_labelled
from posecheck.models import resolve_model
from posecheck.pipeline import needs_mask, search_every_ms
from posecheck.pose import PoseEstimator
from posecheck.sources import open_source

REPO = Path(__file__).resolve().parents[1]
POLICIES = {
    "every frame": {"search_every_ms": lambda exercise: 0, "mask": lambda exercise: True},
    "default": {"search_every_ms": search_every_ms, "mask": needs_mask},
}


def clips(folder: Path) -> list[tuple[Path, dict]]:
    out = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        if data.get("format") == RENDERED_VIDEO_FORMAT:
            out.append((folder / data["video"], from_rendered_video(data)))
    return out


def poses(frames: list, model: Path, exercise: str, policy: dict) -> tuple[list, float, int]:
    with PoseEstimator(model, mode="video", needs_mask=policy["mask"](exercise),
                       search_every_ms=policy["search_every_ms"](exercise)) as estimator:
        start = time.perf_counter()
        out = [estimator.detect(f.image, f.timestamp_ms) for f in frames]
        return out, len(frames) / (time.perf_counter() - start), estimator.searched


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, default=REPO / "samples" / "video")
    parser.add_argument("--variant", default="full")
    parser.add_argument("--json", type=Path, help="write both policies' full reports here")
    args = parser.parse_args()
    model = resolve_model(args.variant).path
    items: dict[str, list[dict]] = {name: [] for name in POLICIES}
    fps: dict[str, list[float]] = {name: [] for name in POLICIES}
    for video, labels in clips(args.folder):
        exercise_rules.get(labels["exercise"])
        with open_source(str(video)) as source:
            frames = list(source.frames())
        line = [video.name]
        # Alternate which policy runs first, so drift in the machine's load hits both alike.
        order = list(POLICIES) if len(fps["default"]) % 2 == 0 else list(reversed(POLICIES))
        for name in order:
            found, rate, searched = poses(frames, model, labels["exercise"], POLICIES[name])
            fps[name].append(rate)
            item = {"path": str(video), "kind": "video", **score_labelled(labels, found)}
            items[name].append(item)
            line.append(f"{name}: {item['reps_detected']}/{item['reps_expected']} reps, {rate:.1f} fps, "
                        f"{searched}/{len(frames)} searched")
        print("  ".join(line), flush=True)
    reports = {name: figures(found) for name, found in items.items()}
    keys = ("rep_exact_rate", "fault_precision", "fault_recall", "fault_f1", "false_alarms_per_correct_rep",
            "abstention_rate", "detection_rate")
    print(f"\n{args.variant} model, {len(items['default'])} clips")
    print(f"{'policy':12s}" + "".join(f"{k[:16]:>17s}" for k in keys) + f"{'median fps':>12s}")
    for name, report in reports.items():
        o = report["overall"]
        median_fps = sorted(fps[name])[len(fps[name]) // 2]
        print(f"{name:12s}" + "".join(f"{o.get(k) if o.get(k) is not None else '-':>17}" for k in keys)
              + f"{median_fps:12.1f}")
    print("checks whose counts differ (tp/fp/fn/abstained):")
    differ = False
    for exercise, figs in reports["default"]["exercises"].items():
        for check, c in figs["per_check"].items():
            old = reports["every frame"]["exercises"][exercise]["per_check"][check]
            a = (old["tp"], old["fp"], old["fn"], old["abstention_rate"])
            b = (c["tp"], c["fp"], c["fn"], c["abstention_rate"])
            if a != b:
                differ = True
                print(f"  {exercise}.{check}: every frame {a}, default {b}")
    if not differ:
        print("  none")
    if args.json:
        args.json.write_text(json.dumps(reports, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
