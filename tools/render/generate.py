"""Render the sample clips and write their ground-truth labels.

    /work/render-venv/bin/python -m tools.render --out samples/video --seed 0
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from .body import BODIES, Body
from .clips import (
    CLIPS,
    OUTLINE_STUDY,
    OUTLINE_STUDY_INDEX,
    REAL_TILT_CLIPS,
    REAL_TILT_INDEX,
    ClipSpec,
    RealTiltSpec,
    frame_count,
    movement_at,
    real_rep_times,
    real_tilt_plan,
    reps_for,
    timeline,
)
from .exercises import POSES, Rep, breath_level, breaths_between, realistic_tilt_pose, with_gap_swing
from .posture import Placed
from .scene import Camera, Renderer

FPS = 15.0
SIZE = (480, 360)
LABEL_FORMAT = "posecheck-sample-video/1"
LANDMARK_NAMES = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)


def pose_at(body: Body, spec: ClipSpec, reps, segs, t: float) -> tuple[Placed, float, int]:
    u, seg = movement_at(segs, t)
    # Lead-in and tail show the start position as the first and the last rep hold it.
    outside = reps[0] if t < segs[0].end_s else reps[-1]
    rep = reps[seg.rep] if seg.rep >= 0 else outside
    placed = POSES[spec.exercise](body, u, rep, t)
    if spec.facing == "left":
        placed = placed.mirrored()
    return placed, u, seg.rep


def camera_for(placed: Placed, rng: np.random.Generator) -> Camera:
    """The routine's side camera: beside the mat, lens between floor and hip height, 2-3 m away."""
    xs = placed.vertices[:, 0]
    centre = float((xs.min() + xs.max()) / 2)
    distance = rng.uniform(2.4, 2.85)
    height = rng.uniform(0.35, 0.6)
    return Camera(position=(centre + rng.uniform(-0.15, 0.15), -distance, height),
                  target=(centre, 0.0, rng.uniform(0.15, 0.3)), size=SIZE, hfov_deg=rng.uniform(58, 66))


def render_clip(spec: ClipSpec, index: int, seed: int, out: Path, bodies: dict[str, Body],
                clothed: bool = True, reach: float = 1.0) -> dict:
    """`reach`: the share of the usual movement each rep makes ("Move only as far as you can")."""
    rng = np.random.default_rng([seed, index])
    if spec.body not in bodies:
        bodies[spec.body] = Body(spec.body, clothed=clothed)
    body = bodies[spec.body]
    reps = [replace(r, amplitude=r.amplitude * reach) for r in reps_for(spec, rng)]
    segs = timeline(spec, reps, rng)
    n = frame_count(segs, FPS)
    start, _, _ = pose_at(body, spec, reps, segs, 0.0)
    camera = camera_for(start, rng)
    renderer = Renderer(camera, body.faces)
    video = out / f"{spec.name}.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
    xy = np.zeros((n, 33, 2))
    depth = np.zeros((n, 33))
    phase = np.zeros(n)
    try:
        for i in range(n):
            t = i / FPS
            placed, u, _ = pose_at(body, spec, reps, segs, t)
            writer.write(renderer.render(placed.vertices, body.colours))
            xy[i], depth[i] = camera.project(placed.landmarks)
            phase[i] = u
    finally:
        writer.release()
        renderer.close()
    labels = {
        **clip_labels(video, spec.exercise, spec, near_side(spec), seed, n, camera),
        **({"reach": reach} if reach != 1.0 else {}),
        "faults": sorted({f for r in reps for f in r.faults}),
        "reps": rep_labels(spec, reps, segs),
        **frame_labels(xy, depth, phase),
    }
    (out / f"{spec.name}.json").write_text(json.dumps(labels, separators=(",", ":")) + "\n")
    return labels


def clip_labels(video: Path, exercise: str, spec: object, near: str, seed: int, n: int, camera: Camera) -> dict:
    """The labels every clip has first: what, who, which camera (samples/video/README.md)."""
    return {
        "format": LABEL_FORMAT,
        "video": video.name,
        "exercise": exercise,
        "variant": spec.variant,
        "facing": spec.facing,
        "near_side": near,
        "body": {"name": spec.body, "phenotype": BODIES[spec.body]},
        "seed": seed,
        "fps": FPS,
        "image_size": list(SIZE),
        "frame_count": n,
        "camera": {"position_m": [round(v, 3) for v in camera.position],
                   "target_m": [round(v, 3) for v in camera.target], "hfov_deg": round(camera.hfov_deg, 2)},
    }


def frame_labels(xy: np.ndarray, depth: np.ndarray, phase: np.ndarray) -> dict:
    """Per frame: the landmarks' ground truth and where the movement is (0 at rest)."""
    return {
        "landmarks": {"names": list(LANDMARK_NAMES), "xy": np.round(xy, 1).tolist(),
                      "depth_m": np.round(depth, 3).tolist()},
        "movement": np.round(phase, 3).tolist(),
    }


def render_real_tilt_clip(spec: RealTiltSpec, index: int, seed: int, out: Path, bodies: dict[str, Body]) -> dict:
    """A realistic pelvic tilt clip (or lying still, breathing): labels as render_clip's, plus per frame
    the pelvis's turn, the lower back's gap to the mat and the breath (belly rise)."""
    rng = np.random.default_rng([seed, index])
    if spec.body not in bodies:
        bodies[spec.body] = Body(spec.body)
    body = bodies[spec.body]
    plan = real_tilt_plan(spec, index - REAL_TILT_INDEX, rng)
    segs, style = plan.segs, with_gap_swing(body, plan.style)
    n = frame_count(segs, FPS)

    def placed_at(t: float) -> tuple[object, float, int]:
        u, seg = movement_at(segs, t)
        placed = realistic_tilt_pose(body, u, Rep(real=style), t)
        if spec.facing == "left":
            placed = placed.mirrored()
        return placed, u, seg.rep

    start, _, _ = placed_at(0.0)
    xs = start.vertices[:, 0]
    centre = float((xs.min() + xs.max()) / 2)
    camera = Camera(position=(centre + rng.uniform(-0.15, 0.15), -plan.camera_distance, plan.camera_height),
                    target=(centre, 0.0, rng.uniform(0.12, 0.25)), size=SIZE, hfov_deg=rng.uniform(58, 66))
    renderer = Renderer(camera, body.faces)
    video = out / f"{spec.name}.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
    xy, depth = np.zeros((n, 33, 2)), np.zeros((n, 33))
    phase, turn, gap, breath = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    try:
        for i in range(n):
            t = i / FPS
            placed, u, _ = placed_at(t)
            writer.write(renderer.render(placed.vertices, body.colours))
            xy[i], depth[i] = camera.project(placed.landmarks)
            phase[i] = u
            turn[i] = (style.press_deg * u if u >= 0 else style.arch_deg * u)
            gap[i] = body.cache["real_last_gap"]
            breath[i] = breath_level(style, t) * style.belly_m
    finally:
        writer.release()
        renderer.close()
    reps = []
    for i, (a, b) in enumerate(real_rep_times(segs, len(plan.reps))):
        mine = [s for s in segs if s.rep == i]
        reps.append({"index": i + 1, "start_ms": round(a * 1000), "end_ms": round(b * 1000), "faults": [],
                     "hold_s": 0.0,
                     "holds_ms": [[round(s.start_s * 1000), round(s.end_s * 1000)] for s in mine if s.kind == "hold"],
                     "first_end": "press" if plan.press_first else "arch"})
    labels = {
        **clip_labels(video, "pelvic_tilts", spec, "right" if spec.facing == "right" else "left", seed, n, camera),
        "faults": [],
        "reps": reps,
        **frame_labels(xy, depth, phase),
        # Realistic tilts only: the person's style and, per frame, the ground truth of the tilt.
        "style": {"continuous": plan.continuous, "press_first": plan.press_first,
                  "press_deg": round(style.press_deg, 2), "arch_deg": round(style.arch_deg, 2),
                  "bow_deg": round(style.bow_deg, 2), "rest_bow_deg": round(style.rest_bow_deg, 2),
                  "belly_m": round(style.belly_m, 4), "chest_m": round(style.chest_m, 4),
                  "breath_s": round(style.breath_s, 2), "loose": style.loose},
        # Coarse levels for `posecheck evaluate`'s per-factor figures (the randomised block's bands).
        "factors": {"camera_height": ("floor" if plan.camera_height < 0.25 else
                                      "low" if plan.camera_height < 0.6 else "high"),
                    "camera_distance": ("near" if plan.camera_distance < 2.2 else
                                        "mid" if plan.camera_distance <= 2.9 else "far"),
                    "clothing": "loose" if style.loose else "tight",
                    "rhythm": "continuous" if plan.continuous else "paused",
                    "first_end": "press" if plan.press_first else "arch"},
        "pelvis_turn_deg": np.round(turn, 2).tolist(),  # + posterior (press), from the start position
        "lumbar_gap_m": np.round(gap, 4).tolist(),
        "breath_m": np.round(breath, 4).tolist(),  # the belly's rise at its top
    }
    (out / f"{spec.name}.json").write_text(json.dumps(labels, separators=(",", ":")) + "\n")
    return labels


def near_side(spec: ClipSpec) -> str:
    """Which of the body's sides faces the camera (prone with head right shows the right side)."""
    prone = spec.exercise in ("heels_stretch", "back_extensions")
    right = prone == (spec.facing == "right")
    return "right" if right else "left"


def rep_labels(spec: ClipSpec, reps, segs) -> list[dict]:
    out = []
    for i, rep in enumerate(reps):
        if rep.timer is not None:
            # Paced holds (deep abdominal): the rep is the app's timed hold, as the app reports it.
            start, end, hold = rep.timer
            out.append({"index": i + 1, "start_ms": round(start * 1000), "end_ms": round(end * 1000),
                        "faults": list(rep.faults), "hold_s": round(hold, 2),
                        "holds_ms": [[round(start * 1000), round((start + hold) * 1000)]],
                        "breaths": breaths_between(start, start + hold)})
            continue
        mine = [s for s in segs if s.rep == i]
        moving = [s for s in mine if s.kind != "rest"]
        holds = [s for s in mine if s.kind == "hold"]
        entry = {
            "index": i + 1,
            "start_ms": round(moving[0].start_s * 1000),
            "end_ms": round(moving[-1].end_s * 1000),
            "faults": list(rep.faults),
            "hold_s": round(sum(s.end_s - s.start_s for s in holds), 2) if spec.exercise != "pelvic_tilts" else 0.0,
            "holds_ms": [[round(s.start_s * 1000), round(s.end_s * 1000)] for s in holds],
        }
        if spec.exercise == "knee_rolls":
            # side +1 rolls the knees toward the body's left; mirroring (facing left) turns that side away.
            entry["side"] = "left" if rep.side > 0 else "right"
            entry["toward_camera"] = entry["side"] == near_side(spec)
        out.append(entry)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.render", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("samples/video"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", default=None, help="clip names (or prefixes) to render")
    parser.add_argument("--list", action="store_true", help="list the clips and exit")
    parser.add_argument("--reach", type=float, default=1.0,
                        help="each rep makes this share of the usual movement (a stiff person's small range)")
    parser.add_argument("--outline-study", action="store_true",
                        help="render the back-outline study clips (heels stretch on more bodies) instead")
    parser.add_argument("--bare", action="store_true",
                        help="no clothes (skin colour all over): to compare MediaPipe's detection")
    parser.add_argument("--realistic-tilts", action="store_true",
                        help="render the realistic pelvic tilt study (12 clips of ~10 rocks, 4 lying still) instead")
    parser.add_argument("--random-block", type=int, metavar="N", default=0,
                        help="render N randomised clips instead (bodies, clothes, rooms, cameras, pictures; "
                             "README: Randomised block)")
    parser.add_argument("--part", default=None, metavar="I/K",
                        help="--random-block: only the clips whose index %% K == I")
    args = parser.parse_args(argv)
    if args.random_block:
        from .random_block import render_block

        return render_block(args.random_block, args.seed, args.out, args.part, args.only)
    if args.list:
        for spec in REAL_TILT_CLIPS if args.realistic_tilts else CLIPS:
            print(spec.name)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    bodies: dict[str, Body] = {}
    if args.realistic_tilts:
        for index, spec in enumerate(REAL_TILT_CLIPS, start=REAL_TILT_INDEX):
            if args.only and not any(spec.name.startswith(p) for p in args.only):
                continue
            t0 = time.time()
            labels = render_real_tilt_clip(spec, index, args.seed, args.out, bodies)
            print(f"{spec.name}: {labels['frame_count']} frames, {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
        return 0
    clips, first = (OUTLINE_STUDY, OUTLINE_STUDY_INDEX) if args.outline_study else (CLIPS, 0)
    for index, spec in enumerate(clips, start=first):
        if args.only and not any(spec.name.startswith(p) for p in args.only):
            continue
        t0 = time.time()
        labels = render_clip(spec, index, args.seed, args.out, bodies, clothed=not args.bare, reach=args.reach)
        size = (args.out / labels["video"]).stat().st_size
        print(f"{spec.name}: {labels['frame_count']} frames, {size / 1e6:.2f} MB, {time.time() - t0:.0f} s",
              file=sys.stderr, flush=True)
    return 0
