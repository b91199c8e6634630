"""What a side camera sees of a realistic pelvic tilt: candidate picture-level signals against the
generator's ground truth (clips of `python -m tools.render --realistic-tilts`).

    .venv/bin/python tools/render/tilt_signal.py /work/pt_real [--model models/pose_landmarker_full.task]
        [--json /work/pt_real/signals.json]

Runs in the project's venv (MediaPipe, OpenCV, SciPy). Per clip, once (cached in `<clip>.signals.npz`):
MediaPipe PoseLandmarker (video mode, one pose, with its segmentation mask) and, per frame,

- `hip_angle`: (a) the near shoulder-hip-knee angle from MediaPipe's landmarks (`gt_hip_angle`: the same
  from the ground-truth landmarks);
- `flow_*`: (b) dense optical flow (Farneback) between consecutive frames in the pelvis and lower back
  (a band along the line from the near hip toward the near shoulder and knee), in torso lengths per frame:
  `flow_lumbar` / `flow_pelvis` the mean flow across the body's long axis (up from the mat positive) over the
  lower back (0.1-0.45 of the way hip to shoulder) and over the pelvis (-0.15-0.1), `flow_rot` the
  pelvis region's rotation (slope of the across-flow along the axis, radians per frame), `flow_along` the
  mean flow along the axis; integrated over time they are displacements and a turn;
- `gap`: (c) from the mask, the lower back's lower edge against the mat line (the line through the lowest
  points of the mask at the shoulder blades and at the buttocks), the largest gap over 0.1-0.45 of the way
  hip to shoulder, torso lengths; `belly`: the upper outline's height above the hip-shoulder line at
  0.25-0.5 of the way (belly), `chest` at 0.55-0.8;
- `hip_y`: (d) the near hip landmark's height across the body's long axis (torso lengths).

The body's long axis and the torso length come from a causal running median (3 s) of the landmarks, as a
live counter would hold them. Each signal is then band-passed (`BAND_HZ`) and its rocks counted with a
hysteresis counter (`cycles`); the threshold is set per signal between the still clips' noise and
the rock clips' ends (see `analyse`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import cv2
import numpy as np
from scipy.signal import butter, sosfiltfilt

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from posecheck.native import quiet_stderr  # noqa: E402
from posecheck.silhouette import outline_heights  # noqa: E402

BAND_HZ = (0.08, 0.6)  # rocks take 3-8 s (0.12-0.33 Hz); breaths 3.5-6 s
BREATH_HZ = (0.12, 0.45)
MEDIAN_S = 3.0
PERSON = 0.5
LUMBAR = (0.1, 0.45)  # along hip -> shoulder
PELVIS = (-0.15, 0.1)
SIGNALS = ("hip_angle", "gt_hip_angle", "flow_lumbar", "flow_pelvis", "flow_rot", "flow_along", "gap",
           "belly", "chest", "hip_y")
INTEGRATED = ("flow_lumbar", "flow_pelvis", "flow_rot", "flow_along")


def angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    u, v = a - b, c - b
    cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def lower_edge(mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, along: np.ndarray) -> np.ndarray:
    """How far below the hip-shoulder line (toward the mat) the mask's lower edge is at each `along`
    fraction, in torso lengths (NaN where not found)."""
    axis = shoulder - hip
    length = float(np.hypot(*axis))
    down = np.array([-axis[1], axis[0]]) / length
    if down[1] < 0:
        down = -down
    steps = np.arange(-0.2 * length, 0.8 * length, 0.5)
    h, w = mask.shape
    out = np.full(len(along), np.nan)
    for i, s in enumerate(along):
        pts = hip + s * axis + steps[:, None] * down
        x, y = np.rint(pts[:, 0]).astype(int), np.rint(pts[:, 1]).astype(int)
        inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        person = np.zeros(len(steps), bool)
        person[inside] = mask[y[inside], x[inside]] > PERSON
        start = int(np.searchsorted(steps, 0.0))
        j = start
        while j >= 0 and not person[j]:
            j -= 1
        if j < 0:
            continue
        while j + 1 < len(person) and person[j + 1]:
            j += 1
        out[i] = steps[j] / length
    return out


def extract(video: Path, labels: dict, model: Path) -> dict[str, np.ndarray]:
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)), running_mode=vision.RunningMode.VIDEO,
        num_poses=1, output_segmentation_masks=True)
    fps = labels["fps"]
    near = 0 if labels["near_side"] == "left" else 1
    sh_i, hip_i, knee_i = 11 + near, 23 + near, 25 + near
    gt = np.asarray(labels["landmarks"]["xy"], float)
    n = labels["frame_count"]
    out = {k: np.full(n, np.nan) for k in SIGNALS}
    window = max(1, int(MEDIAN_S * fps))
    history: list[np.ndarray] = []
    prev_gray = None
    along_low = np.linspace(-0.15, 0.95, 23)
    cap = cv2.VideoCapture(str(video))
    with quiet_stderr():
        landmarker = vision.PoseLandmarker.create_from_options(options)
    try:
        for i in range(n):
            ok, image = cap.read()
            if not ok:
                break
            out["gt_hip_angle"][i] = angle_at(gt[i, sh_i], gt[i, hip_i], gt[i, knee_i])
            gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
            rgb = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image[:, :, ::-1]))
            result = landmarker.detect_for_video(rgb, round(i * 1000 / fps))
            if not result.pose_landmarks:
                prev_gray = gray
                continue
            h, w = gray.shape
            pts = np.array([[p.x * w, p.y * h] for p in result.pose_landmarks[0]])
            sh, hip, knee = pts[sh_i], pts[hip_i], pts[knee_i]
            out["hip_angle"][i] = angle_at(sh, hip, knee)
            history.append(pts[[sh_i, hip_i, knee_i]])
            ref = np.median(np.array(history[-window:]), axis=0)
            r_sh, r_hip = ref[0], ref[1]
            axis = r_sh - r_hip
            torso = float(np.hypot(*axis))
            e = axis / torso
            up = np.array([e[1], -e[0]])
            if up[1] > 0:
                up = -up
            out["hip_y"][i] = float(np.dot(hip - r_hip, up)) / torso
            mask = result.segmentation_masks[0].numpy_view()
            mask = mask[..., 0] if mask.ndim == 3 else mask
            low = lower_edge(mask, r_hip, r_sh, along_low)
            if np.isfinite(low).sum() > 15:
                butt = (along_low >= -0.15) & (along_low <= 0.05)
                blade = (along_low >= 0.7) & (along_low <= 0.95)
                if np.isfinite(low[butt]).any() and np.isfinite(low[blade]).any():
                    bi = np.flatnonzero(butt)[np.nanargmax(low[butt])]
                    si = np.flatnonzero(blade)[np.nanargmax(low[blade])]
                    line = low[bi] + (low[si] - low[bi]) * (along_low - along_low[bi]) / (along_low[si] - along_low[bi])
                    zone = (along_low >= LUMBAR[0]) & (along_low <= LUMBAR[1])
                    out["gap"][i] = float(np.nanmax(line[zone] - low[zone]))
            top = outline_heights(mask, r_hip, r_sh)  # at silhouette.ALONG 0.25..0.75 (6 points)
            out["belly"][i] = float(np.nanmean(top[:3]))
            out["chest"][i] = float(np.nanmean(top[3:]))
            if prev_gray is not None:
                out.update(_flow(prev_gray, gray, r_hip, r_sh, torso, e, up, i, out))
            prev_gray = gray
    finally:
        landmarker.close()
        cap.release()
    return out


def _flow(prev: np.ndarray, gray: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, torso: float,
          e: np.ndarray, up: np.ndarray, i: int, out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Farneback flow in a box around the pelvis and lower back; the region is a band along the
    body's axis from 0.3 torso lengths before the hip to 0.5 past it, 0.35 torso lengths either side."""
    h, w = gray.shape
    corners = [hip + a * torso * e + b * torso * up for a in (-0.3, 0.55) for b in (-0.4, 0.4)]
    x0, y0 = np.floor(np.min(corners, axis=0)).astype(int) - 4
    x1, y1 = np.ceil(np.max(corners, axis=0)).astype(int) + 4
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return {}
    flow = cv2.calcOpticalFlowFarneback(prev[y0:y1, x0:x1], gray[y0:y1, x0:x1], None, 0.5, 3, 9, 3, 5, 1.1, 0)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    rel = np.stack([xx - hip[0], yy - hip[1]], -1) / torso
    s = rel @ e  # along the axis, torso lengths
    d = rel @ up  # across (up from the mat)
    across = (flow @ up) / torso
    along = (flow @ e) / torso
    band = np.abs(d) < 0.35
    lumbar = band & (s >= LUMBAR[0]) & (s <= LUMBAR[1])
    pelvis = band & (s >= PELVIS[0]) & (s <= PELVIS[1])
    region = band & (s >= -0.25) & (s <= 0.45)
    result = {}
    for key, m, val in (("flow_lumbar", lumbar, across), ("flow_pelvis", pelvis, across),
                        ("flow_along", region, along)):
        series = out[key].copy()
        series[i] = float(val[m].mean()) if m.any() else np.nan
        result[key] = series
    rot = out["flow_rot"].copy()
    if region.sum() > 20:
        ss = s[region]
        rot[i] = float(np.polyfit(ss, across[region], 1)[0])  # d(across)/d(along): radians per frame
    result["flow_rot"] = rot
    return result


def band(x: np.ndarray, fps: float, hz: tuple[float, float] = BAND_HZ) -> np.ndarray:
    x = np.asarray(x, float).copy()
    ok = np.isfinite(x)
    if ok.sum() < 10:
        return np.zeros_like(x)
    x[~ok] = np.interp(np.flatnonzero(~ok), np.flatnonzero(ok), x[ok])
    sos = butter(2, hz, btype="band", fs=fps, output="sos")
    return sosfiltfilt(sos, x - x.mean())


def prepared(sig: dict[str, np.ndarray], name: str, fps: float) -> np.ndarray:
    x = np.nan_to_num(sig[name], nan=0.0) if name in INTEGRATED else sig[name]
    if name in INTEGRATED:
        x = np.cumsum(x)
    return band(x, fps)


def cycles(x: np.ndarray, threshold: float) -> int:
    """Full cycles: each visit to +threshold that follows a visit to -threshold (or opens the clip) counts
    once when the other end has also been seen; a signal sitting within +-threshold counts none."""
    state, ends = 0, 0
    for v in x:
        if v > threshold and state != 1:
            state, ends = 1, ends + 1
        elif v < -threshold and state != -1:
            state, ends = -1, ends + 1
    return ends // 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", type=Path, default=REPO / "models" / "pose_landmarker_full.task")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--redo", action="store_true", help="run MediaPipe again (ignore the cached signals)")
    args = parser.parse_args(argv)
    clips = []
    for path in sorted(args.folder.glob("pelvic_tilts__real_*.json")):
        labels = json.loads(path.read_text())
        cache = path.with_suffix(".signals.npz")
        if cache.exists() and not args.redo:
            sig = dict(np.load(cache))
        else:
            sig = extract(path.with_name(labels["video"]), labels, args.model)
            np.savez_compressed(cache, **sig)
        clips.append((path.stem, labels, sig))
        print(f"{path.stem}: {np.isfinite(sig['hip_angle']).mean():.0%} detected", file=sys.stderr, flush=True)
    report = analyse(clips)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


# Counting modes: `counted` a fixed threshold per signal (between still noise and rock ends, above);
# `counted_adaptive` ADAPTIVE times the clip's own 95th percentile of |signal| (a live counter would use a
# running one); `counted_floor` that, but never below the still clips' noise (99th percentile of |signal|).
ADAPTIVE = 0.35
CANDIDATES = ("hip_angle", "gt_hip_angle", "flow_lumbar", "flow_pelvis", "flow_rot", "flow_along", "gap",
              "hip_y")


def analyse(clips: list[tuple[str, dict, dict]]) -> dict:
    per_clip: list[dict] = []
    fps = clips[0][1]["fps"]
    # Sign of each candidate (pooled over the rock clips): positive when it follows the press.
    sign: dict[str, float] = {}
    for name in CANDIDATES:
        num = 0.0
        for _, labels, sig in clips:
            if labels["reps"]:
                num += float(np.dot(prepared(sig, name, fps), band(np.asarray(labels["movement"]), fps)))
        sign[name] = 1.0 if num >= 0 else -1.0
    for stem, labels, sig in clips:
        mv = np.asarray(labels["movement"], float)
        row = {"clip": stem, "rocks": len(labels["reps"]), "camera_height_m": labels["camera"]["position_m"][2],
               "camera_distance_m": -labels["camera"]["position_m"][1], "loose": labels["style"]["loose"],
               "continuous": labels["style"]["continuous"], "press_first": labels["style"]["press_first"],
               "swing_deg": labels["style"]["press_deg"] + labels["style"]["arch_deg"],
               "gap_swing_cm": 100 * float(np.ptp(labels["lumbar_gap_m"])),
               "detected": float(np.isfinite(sig["hip_angle"]).mean()),
               "hip_angle_p2p": float(np.nanpercentile(sig["hip_angle"], 98) - np.nanpercentile(sig["hip_angle"], 2)),
               "gt_hip_angle_p2p": float(np.ptp(sig["gt_hip_angle"])), "signals": {}}
        bmv = band(mv, fps)
        for name in CANDIDATES:
            x = sign[name] * prepared(sig, name, fps)
            r = float(np.corrcoef(x, bmv)[0, 1]) if labels["reps"] and np.std(x) > 0 else float("nan")
            row["signals"][name] = {"r": r, "p2p": float(np.percentile(x, 99) - np.percentile(x, 1)),
                                    "rms": float(np.sqrt(np.mean(x**2)))}
        breath = np.asarray(labels["breath_m"], float)
        bb = band(breath, fps, BREATH_HZ)
        for name in ("belly", "chest"):
            x = band(sig[name], fps, BREATH_HZ)
            row["signals"][name] = {"r_breath": float(np.corrcoef(x, bb)[0, 1]) if np.std(x) > 0 else float("nan"),
                                    "p2p": float(np.percentile(x, 99) - np.percentile(x, 1))}
        per_clip.append(row)
    # Threshold per candidate: the geometric mean of the still clips' noise (99th percentile of |x|) and
    # the rock clips' typical end (median of the per-clip 95th percentile of |x|).
    thresholds, counts = {}, {}
    for name in CANDIDATES:
        noise = [np.percentile(np.abs(sign[name] * prepared(sig, name, fps)), 99)
                 for _, labels, sig in clips if not labels["reps"]]
        ends = [np.percentile(np.abs(sign[name] * prepared(sig, name, fps)), 95)
                for _, labels, sig in clips if labels["reps"]]
        thr = float(math.sqrt(max(np.max(noise), 1e-12) * np.median(ends)))
        thresholds[name] = {"threshold": thr, "still_noise_max": float(np.max(noise)),
                            "rock_end_median": float(np.median(ends)),
                            "snr": float(np.median(ends) / max(np.max(noise), 1e-12))}
        floor = float(np.max(noise))
        for row, (_, _labels, sig) in zip(per_clip, clips, strict=True):
            x = sign[name] * prepared(sig, name, fps)
            own = ADAPTIVE * float(np.percentile(np.abs(x), 95))
            row["signals"][name]["counted"] = cycles(x, thr)
            row["signals"][name]["counted_adaptive"] = cycles(x, own)
            row["signals"][name]["counted_floor"] = cycles(x, max(own, floor))
        counts[name] = {"rock_clips": sum(1 for r in per_clip if r["rocks"])}
        for mode in ("counted", "counted_adaptive", "counted_floor"):
            counts[name][mode] = {
                "exact": sum(r["signals"][name][mode] == r["rocks"] for r in per_clip if r["rocks"]),
                "within_1": sum(abs(r["signals"][name][mode] - r["rocks"]) <= 1 for r in per_clip if r["rocks"]),
                "false_on_still": sum(r["signals"][name][mode] for r in per_clip if not r["rocks"]),
            }
    return {"sign": sign, "thresholds": thresholds, "counts": counts, "clips": per_clip}


def print_report(report: dict) -> None:
    names = list(report["thresholds"])
    print("clip | h m | d m | loose | cont | rocks | swing deg | gap cm | MP hip p2p | GT hip p2p | "
          + " | ".join(f"{n} r/fixed/adaptive/floor" for n in names))
    for row in report["clips"]:
        cells = [f"{row['signals'][n]['r']:+.2f}/{row['signals'][n]['counted']}/{row['signals'][n]['counted_adaptive']}"
                 f"/{row['signals'][n]['counted_floor']}" for n in names]
        print(f"{row['clip'][14:]} | {row['camera_height_m']:.2f} | {row['camera_distance_m']:.1f} | "
              f"{int(row['loose'])} | {int(row['continuous'])} | {row['rocks']} | {row['swing_deg']:.1f} | "
              f"{row['gap_swing_cm']:.1f} | {row['hip_angle_p2p']:.1f} | {row['gt_hip_angle_p2p']:.1f} | "
              + " | ".join(cells))
    for n in names:
        t, c = report["thresholds"][n], report["counts"][n]
        print(f"{n}: sign {report['sign'][n]:+.0f} threshold {t['threshold']:.4g} "
              f"(still noise {t['still_noise_max']:.4g}, "
              f"rock ends {t['rock_end_median']:.4g}, ratio {t['snr']:.2f}); of {c['rock_clips']} rock clips "
              + "; ".join(f"{m}: exact {c[m]['exact']}, within 1 {c[m]['within_1']}, false rocks on still "
                          f"{c[m]['false_on_still']}" for m in ("counted", "counted_adaptive", "counted_floor")))
    heights = ((0.0, 0.2), (0.2, 0.45), (0.45, 0.7), (0.7, 1.01))
    print("median r by lens height: " + ", ".join(f"{a}-{b} m" for a, b in heights))
    for n in names:
        cells = []
        for a, b in heights:
            rs = [r["signals"][n]["r"] for r in report["clips"] if r["rocks"] and a <= r["camera_height_m"] < b]
            cells.append(f"{np.median(rs):+.2f} (n={len(rs)})" if rs else "-")
        print(f"{n}: " + " | ".join(cells))
    for n in ("belly", "chest"):
        rs = [row["signals"][n]["r_breath"] for row in report["clips"]]
        print(f"breath {n}: r with the belly's rise per clip " + " ".join(f"{r:+.2f}" for r in rs))


if __name__ == "__main__":
    sys.exit(main())
