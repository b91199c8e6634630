"""How well MediaPipe sees the rendered sample clips: detection rate, landmark error in pixels against the
ground truth, and error in degrees of the angles the rules use.

    .venv/bin/python tools/render/measure.py samples/video [--models full heavy] [--json out.json]

Runs in the project's venv (mediapipe only; no torch). Angles are measured in the image, on the side of
the body nearest the camera (the label's `near_side`), the same way for ground truth and for MediaPipe.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from posecheck.pose import PoseEstimator  # noqa: E402

# Landmarks the rules use, by MediaPipe index (left, right pairs, then the nose).
KEY = {"ear": (7, 8), "shoulder": (11, 12), "elbow": (13, 14), "wrist": (15, 16), "hip": (23, 24),
       "knee": (25, 26), "ankle": (27, 28), "heel": (29, 30), "foot_index": (31, 32)}
NOSE = 0
# Angle name -> the three landmarks (by part) at whose middle it is measured; trunk is against the floor.
ANGLES = {"hip": ("shoulder", "hip", "knee"), "knee": ("hip", "knee", "ankle"),
          "elbow": ("shoulder", "elbow", "wrist")}


def inner_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    u, v = a - b, c - b
    cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def trunk_to_floor(shoulder: np.ndarray, hip: np.ndarray) -> float:
    """Angle of the hip-to-shoulder line above the image's horizontal, 0-90 degrees."""
    d = shoulder - hip
    return math.degrees(math.atan2(abs(d[1]), abs(d[0])))


def side_points(xy: np.ndarray, side: int) -> dict[str, np.ndarray]:
    return {part: xy[pair[side]] for part, pair in KEY.items()}


def angles_of(xy: np.ndarray, side: int) -> dict[str, float]:
    p = side_points(xy, side)
    out = {name: inner_angle(p[a], p[b], p[c]) for name, (a, b, c) in ANGLES.items()}
    out["trunk"] = trunk_to_floor(p["shoulder"], p["hip"])
    return out


def measure_clip(video: Path, labels: dict, model: Path) -> dict:
    gt = np.asarray(labels["landmarks"]["xy"], dtype=float)
    near = 0 if labels["near_side"] == "left" else 1
    key_near = [pair[near] for pair in KEY.values()] + [NOSE]
    key_all = [i for pair in KEY.values() for i in pair] + [NOSE]
    cap = cv2.VideoCapture(str(video))
    fps = labels["fps"]
    detected = 0
    err_near: list[float] = []
    err_all: list[float] = []
    swapped = 0
    angle_err: dict[str, list[float]] = defaultdict(list)
    frames = 0
    with PoseEstimator(model, mode="video") as estimator:
        while True:
            ok, image = cap.read()
            if not ok:
                break
            i = frames
            frames += 1
            pose = estimator.detect(image, round(i * 1000 / fps))
            if not pose.has_pose:
                continue
            detected += 1
            xy = pose.xy.astype(float)
            d = np.linalg.norm(xy - gt[i], axis=1)
            # Seen side-on, MediaPipe may name the near limbs "left" when they are the right ones.
            flip = [j for pair in KEY.values() for j in pair[::-1]]
            d_flip = np.linalg.norm(xy[flip] - gt[i][[j for pair in KEY.values() for j in pair]], axis=1)
            if d_flip.mean() < d[[j for pair in KEY.values() for j in pair]].mean():
                swapped += 1
            err_near.extend(d[key_near])
            err_all.extend(d[key_all])
            truth, seen = angles_of(gt[i], near), angles_of(xy, near)
            for name in truth:
                angle_err[name].append(abs(truth[name] - seen[name]))
    cap.release()
    if frames != labels["frame_count"]:
        raise SystemExit(f"{video.name}: {frames} frames decoded, labels say {labels['frame_count']}")
    return {"frames": frames, "detected": detected, "swapped": swapped, "err_near": err_near,
            "err_all": err_all, "angle_err": dict(angle_err)}


def summarise(results: list[dict]) -> dict:
    frames = sum(r["frames"] for r in results)
    detected = sum(r["detected"] for r in results)
    near = np.concatenate([r["err_near"] for r in results]) if detected else np.zeros(0)
    every = np.concatenate([r["err_all"] for r in results]) if detected else np.zeros(0)
    out = {"frames": frames, "detection_rate": detected / frames if frames else 0.0,
           "lr_swapped_rate": sum(r["swapped"] for r in results) / detected if detected else 0.0,
           "px_near_median": float(np.median(near)) if len(near) else None,
           "px_near_mean": float(np.mean(near)) if len(near) else None,
           "px_all_median": float(np.median(every)) if len(every) else None}
    for name in ("hip", "knee", "elbow", "trunk"):
        errs = np.concatenate([r["angle_err"].get(name, []) for r in results]) if detected else np.zeros(0)
        out[f"deg_{name}_median"] = float(np.median(errs)) if len(errs) else None
        out[f"deg_{name}_mean"] = float(np.mean(errs)) if len(errs) else None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=REPO / "samples" / "video")
    parser.add_argument("--models", nargs="+", default=["full", "heavy"])
    parser.add_argument("--only", nargs="*", default=None, help="clip name prefixes")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    clips = sorted(args.folder.glob("*.json"))
    clips = [c for c in clips if not args.only or any(c.stem.startswith(p) for p in args.only)]
    if not clips:
        print(f"no labelled clips in {args.folder}", file=sys.stderr)
        return 2
    table: dict[str, dict] = {}
    for variant in args.models:
        model = REPO / "models" / f"pose_landmarker_{variant}.task"
        per_exercise: dict[str, list[dict]] = defaultdict(list)
        per_clip = {}
        for path in clips:
            labels = json.loads(path.read_text())
            result = measure_clip(path.with_name(labels["video"]), labels, model)
            per_exercise[labels["exercise"]].append(result)
            per_clip[path.stem] = summarise([result])
            s = per_clip[path.stem]
            print(f"  {variant:5s} {path.stem:50s} detected {s['detection_rate']:6.1%}  "
                  f"near px {fmt(s['px_near_median'])}  hip {fmt(s['deg_hip_median'])}  "
                  f"knee {fmt(s['deg_knee_median'])}  elbow {fmt(s['deg_elbow_median'])}  "
                  f"trunk {fmt(s['deg_trunk_median'])}", file=sys.stderr, flush=True)
        table[variant] = {"exercises": {ex: summarise(rs) for ex, rs in sorted(per_exercise.items())},
                          "clips": per_clip}
    print("model  exercise          frames detected  L/R-swap  px near (median/mean)  px all  "
          "deg hip  knee  elbow  trunk (median)")
    for variant, figures in table.items():
        for ex, s in figures["exercises"].items():
            print(f"{variant:6s} {ex:17s} {s['frames']:6d} {s['detection_rate']:8.1%} {s['lr_swapped_rate']:8.1%}  "
                  f"{fmt(s['px_near_median'])} / {fmt(s['px_near_mean'])}         {fmt(s['px_all_median'])}  "
                  f"{fmt(s['deg_hip_median'])}  {fmt(s['deg_knee_median'])}  {fmt(s['deg_elbow_median'])}  "
                  f"{fmt(s['deg_trunk_median'])}")
    if args.json:
        args.json.write_text(json.dumps(table, indent=1) + "\n")
    return 0


def fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.1f}"


if __name__ == "__main__":
    sys.exit(main())
