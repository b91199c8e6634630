"""The randomised block (issue 13): every clip's body, clothes, room, camera and picture drawn at random.

    /work/render-venv/bin/python -m tools.render --random-block 100 --seed 1 --out /tmp/block --part 0/2

Clip i is `block_cycle()[i % len]` (every fault of every exercise, and each exercise's correct set twice
per cycle, so about a third of the clips are correct sets), facing left or right at random; all the rest
is drawn per clip from `np.random.default_rng([seed, 13, i])`, so a clip depends only on the seed and its
index (`--part I/K` renders the clips with i % K == I). The ranges are in tools/render/README.md
("Randomised block"); each clip's labels carry `factors` (coarse levels, for `posecheck evaluate`) and
`variation` (the exact values drawn). Seeds 3000 and above are held-out blocks: rendered only after the
code they measure is frozen.
"""

from __future__ import annotations

import colorsys
import json
import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from .body import Body
from .clips import CLIPS, ClipSpec, frame_count, reps_for, timeline
from .exercises import _loosen
from .generate import LABEL_FORMAT, frame_labels, near_side, pose_at, rep_labels
from .posture import Placed
from .scene import Camera, Renderer, _box

SIZES = {"640x480": (640, 480), "1280x720": (1280, 720)}
FPS_CHOICES = (15.0, 24.0, 30.0)
# "Move only as far as you can": on this share of the correct clips the person makes this share of the usual
# movement in every rep (a stiff person: knee rolls a third of the angle, as the kinematic habit sets), drawn
# on a stream of its own so that every other draw of a clip stays what it was. Fault clips keep the full
# movement: a fault that grows with the movement (a shoulder lifted by the roll) would shrink with it.
SMALL_REACH = {"knee_rolls": 1 / 3, "pelvic_tilts": 0.5, "heels_stretch": 0.6, "back_extensions": 0.6}
SMALL_SHARE = 0.35
PACED_HOLDS = {"correct": 2}  # deep abdominal paced holds per set, others 1 (committed clips: 3 correct, 2)
EDGE = 0.015  # the whole body stays this share of the image width inside every edge
SKIN = ((0.95, 0.80, 0.70), (0.87, 0.67, 0.55), (0.72, 0.51, 0.38), (0.48, 0.32, 0.22), (0.30, 0.19, 0.13))
HAIR = ((0.08, 0.06, 0.05), (0.25, 0.15, 0.08), (0.45, 0.30, 0.15), (0.75, 0.60, 0.35), (0.35, 0.12, 0.06))


def block_cycle() -> list[ClipSpec]:
    """Every fault clip of clips.CLIPS once and each exercise's correct set twice, interleaved (31)."""
    faults = [c for c in CLIPS if c.variant != "correct"]
    correct = [c for c in CLIPS if c.variant == "correct"] * 2
    cycle: list[ClipSpec] = []
    for k, spec in enumerate(faults):
        cycle.append(spec)
        if k % 2 == 1 and correct:
            cycle.append(correct.pop(0))
    return cycle + correct


def _level(value: float, cuts: tuple[float, ...], names: tuple[str, ...]) -> str:
    return names[int(np.searchsorted(cuts, value, side="right"))]


def _colour(rng: np.random.Generator, dark: bool) -> tuple[float, float, float]:
    value = rng.uniform(0.06, 0.25) if dark else rng.uniform(0.62, 0.95)
    sat = rng.uniform(0.0, 0.75) if rng.random() < 0.8 else 0.0
    return tuple(round(c, 3) for c in colorsys.hsv_to_rgb(rng.uniform(0, 1), sat, value))


def draw_person(rng: np.random.Generator) -> dict:
    """Anny's sliders (age 0.62-1.0: ~20 to 90 years; Anny's anchors young 2/3, old 1), skin, clothes."""
    phenotype = {"gender": rng.uniform(0, 1), "age": rng.uniform(0.62, 1.0), "weight": rng.uniform(0.0, 1.0),
                 "height": rng.uniform(0.0, 1.0), "proportions": rng.uniform(0.0, 1.0),
                 "muscle": rng.uniform(0.0, 1.0)}
    phenotype = {k: round(float(v), 3) for k, v in phenotype.items()}
    tone = rng.uniform(0, 1)  # 0 the lightest skin, 1 the darkest
    x = tone * (len(SKIN) - 1)
    lo = min(int(x), len(SKIN) - 2)
    skin = tuple(round(a + (b - a) * (x - lo), 3) for a, b in zip(SKIN[lo], SKIN[lo + 1], strict=True))
    grey = phenotype["age"] > 0.85 and rng.random() < 0.6
    hair = (0.72, 0.72, 0.70) if grey else HAIR[int(rng.integers(len(HAIR)))]
    dark = bool(rng.random() < 0.45)
    shirt = _colour(rng, dark)
    trousers = _colour(rng, dark if rng.random() < 0.75 else not dark)
    return {"phenotype": phenotype, "skin_tone": round(tone, 3), "skin_rgb": skin, "hair_rgb": hair,
            "loose": bool(rng.random() < 0.45), "dark_clothes": dark, "shirt_rgb": shirt, "trousers_rgb": trousers,
            "shorts": bool(rng.random() < 0.4), "long_sleeves": bool(rng.random() < 0.35)}


def draw_room(rng: np.random.Generator) -> dict:
    background = str(rng.choice(["plain", "furniture", "window"], p=[0.25, 0.45, 0.30]))
    dark_mat = bool(rng.random() < 0.35)
    mat = _colour(rng, True) if dark_mat else tuple(
        round(c, 3) for c in colorsys.hsv_to_rgb(rng.uniform(0, 1), rng.uniform(0.2, 0.7), rng.uniform(0.35, 0.7)))
    wall = tuple(round(c, 3) for c in colorsys.hsv_to_rgb(
        rng.uniform(0, 1), rng.uniform(0.0, 0.35), rng.uniform(0.35, 0.95)))
    floor = tuple(round(c, 3) for c in colorsys.hsv_to_rgb(
        rng.uniform(0.03, 0.12), rng.uniform(0.15, 0.6), rng.uniform(0.2, 0.8)))
    az, el = rng.uniform(0, 360), rng.uniform(25, 75)
    key = (math.cos(math.radians(el)) * math.cos(math.radians(az)),
           math.cos(math.radians(el)) * math.sin(math.radians(az)), math.sin(math.radians(el)))
    return {"background": background, "mat_rgb": mat, "dark_mat": dark_mat, "wall_rgb": wall,
            "wall_textured": bool(rng.random() < 0.35), "floor_rgb": floor,
            "floor": str(rng.choice(["planks", "carpet"], p=[0.7, 0.3])), "wall_y_m": round(rng.uniform(1.7, 3.5), 2),
            "key_light": [round(k, 3) for k in key], "ambient": round(rng.uniform(0.28, 0.45), 3),
            "backlight_gain": round(rng.uniform(0.5, 0.75), 3) if background == "window" else 1.0,
            "glow": round(rng.uniform(0.3, 0.8), 3) if background == "window" else 0.0,
            "furniture_seed": int(rng.integers(1 << 31))}


def room_pieces(room: dict, centre_x: float, yaw_deg: float = 0.0) -> list:
    """Furniture (boxes, plain or with colour-noise texture) along the back wall, and the window (behind
    the person as the camera sees it: where the line from the lens through the body's middle meets the wall)."""
    rng = np.random.default_rng(room["furniture_seed"])
    wy = room["wall_y_m"]
    pieces: list = []

    def box(c, size, colour, kind=2):
        pos, nrm = _box(c, size)
        pieces.append((pos, nrm, tuple(colour), kind))

    taken: list[tuple[float, float]] = []
    if room["background"] == "window":
        w, bottom, top = rng.uniform(1.0, 2.2), rng.uniform(0.0, 0.6), rng.uniform(1.7, 2.3)
        x = centre_x - wy * math.tan(math.radians(yaw_deg)) + rng.uniform(-0.5, 0.5)
        glass = (1.0, 1.0, rng.uniform(0.93, 1.0))
        box((x, wy - 0.01, (bottom + top) / 2), (w, 0.01, top - bottom), glass, 4)
        frame = (0.93, 0.93, 0.9)
        for dz in (bottom, top):
            box((x, wy - 0.03, dz), (w + 0.1, 0.04, 0.06), frame)
        for dx in (-w / 2, 0.0, w / 2):
            box((x + dx, wy - 0.03, (bottom + top) / 2), (0.06, 0.04, top - bottom), frame)
        if bottom < 0.5:
            taken.append((x - w / 2 - 0.1, x + w / 2 + 0.1))
    if room["background"] == "plain":
        return pieces
    kinds = ["sofa", "door", "shelf", "table", "plant", "radiator", "cabinet", "picture", "box_pile"]
    for name in rng.choice(kinds, size=int(rng.integers(3, 7)), replace=False):
        width = {"sofa": 2.0, "door": 0.9, "shelf": 1.0, "table": 1.1, "plant": 0.45, "radiator": 1.0,
                 "cabinet": 0.8, "picture": 0.7, "box_pile": 0.6}[name] * rng.uniform(0.85, 1.15)
        for _ in range(20):
            x = centre_x + rng.uniform(-4.0, 4.0)
            if name == "picture" or all(x + width / 2 < a or x - width / 2 > b for a, b in taken):
                break
        else:
            continue
        if name != "picture":
            taken.append((x - width / 2, x + width / 2))
        colour = _colour(rng, rng.random() < 0.3)
        if name == "sofa":
            d = 0.85
            box((x, wy - d / 2, 0.21), (width, d, 0.42), colour, 3)
            box((x, wy - 0.12, 0.55), (width, 0.22, 0.65), colour, 3)
            for s in (-1, 1):
                box((x + s * (width / 2 - 0.1), wy - d / 2, 0.3), (0.2, d, 0.6), colour, 3)
            for _ in range(int(rng.integers(0, 3))):
                box((x + rng.uniform(-0.6, 0.6), wy - 0.3, 0.6), (0.4, 0.15, 0.4), _colour(rng, rng.random() < 0.3), 3)
        elif name == "door":
            wood = colorsys.hsv_to_rgb(rng.uniform(0.05, 0.1), rng.uniform(0.2, 0.6), rng.uniform(0.3, 0.9))
            box((x, wy - 0.02, 1.02), (width, 0.04, 2.04), wood, 3)
            box((x + width / 2 - 0.12, wy - 0.07, 1.0), (0.12, 0.05, 0.03), (0.75, 0.75, 0.72))
        elif name == "shelf":
            h, d = rng.uniform(1.0, 2.0), 0.32
            wood = colorsys.hsv_to_rgb(rng.uniform(0.05, 0.1), rng.uniform(0.1, 0.6), rng.uniform(0.25, 0.9))
            for s in (-1, 1):
                box((x + s * width / 2, wy - d / 2, h / 2), (0.03, d, h), wood, 3)
            levels = np.arange(0.05, h, rng.uniform(0.3, 0.4))
            for z in levels:
                box((x, wy - d / 2, z), (width, d, 0.025), wood, 3)
                bx = x - width / 2 + 0.03
                while bx < x + width / 2 - 0.08 and z + 0.3 < h + 0.05:
                    bw, bh = rng.uniform(0.03, 0.09), rng.uniform(0.15, 0.28)
                    box((bx + bw / 2, wy - d / 2, z + bh / 2), (bw, d * 0.8, bh), _colour(rng, rng.random() < 0.4))
                    bx += bw + rng.uniform(0.0, 0.04)
        elif name == "table":
            h = rng.uniform(0.45, 0.75)
            box((x, wy - 0.5, h), (width, 0.6, 0.04), colour, 3)
            for sx in (-1, 1):
                for sy in (-1, 1):
                    box((x + sx * (width / 2 - 0.05), wy - 0.5 + sy * 0.25, h / 2), (0.04, 0.04, h), colour)
        elif name == "plant":
            box((x, wy - 0.3, 0.18), (0.32, 0.32, 0.36), _colour(rng, rng.random() < 0.5), 3)
            green = colorsys.hsv_to_rgb(rng.uniform(0.22, 0.4), rng.uniform(0.4, 0.8), rng.uniform(0.2, 0.55))
            box((x, wy - 0.3, 0.75), (0.55, 0.45, 0.8), green, 3)
        elif name == "radiator":
            box((x, wy - 0.06, 0.45), (width, 0.08, 0.55), (0.92, 0.92, 0.9), 3)
            for k in np.arange(-width / 2 + 0.05, width / 2, 0.08):
                box((x + k, wy - 0.11, 0.45), (0.03, 0.02, 0.55), (0.85, 0.85, 0.83))
        elif name == "cabinet":
            h = rng.uniform(0.6, 1.1)
            box((x, wy - 0.22, h / 2), (width, 0.44, h), colour, 3)
            box((x, wy - 0.45, h * 0.7), (0.2, 0.02, 0.02), (0.7, 0.7, 0.68))
        elif name == "picture":
            z = rng.uniform(1.2, 1.8)
            box((x, wy - 0.015, z), (width, 0.03, width * rng.uniform(0.6, 1.2)), colour, 3)
        else:  # a pile of boxes
            z = 0.0
            for _ in range(int(rng.integers(1, 4))):
                h = rng.uniform(0.2, 0.45)
                box((x + rng.uniform(-0.05, 0.05), wy - 0.35, z + h / 2), (width * rng.uniform(0.7, 1.0), 0.5, h),
                    colorsys.hsv_to_rgb(rng.uniform(0.07, 0.11), rng.uniform(0.3, 0.5), rng.uniform(0.45, 0.75)), 3)
                z += h
    return pieces


def draw_picture(rng: np.random.Generator) -> dict:
    light = str(rng.choice(["normal", "dim", "warm", "dim_warm"], p=[0.4, 0.2, 0.2, 0.2]))
    compression = str(rng.choice(["none", "moderate", "heavy"]))
    return {"size": str(rng.choice(list(SIZES))), "fps": float(rng.choice(FPS_CHOICES)), "light": light,
            "dim_gain": round(rng.uniform(0.35, 0.55), 3) if "dim" in light else 1.0,
            "warm_bgr": [round(rng.uniform(0.68, 0.82), 3), round(rng.uniform(0.92, 0.97), 3),
                         round(rng.uniform(1.05, 1.15), 3)] if "warm" in light else [1.0, 1.0, 1.0],
            "noise_sigma": round(rng.uniform(1.0, 12.0), 2), "lens_blur_px": round(rng.uniform(0.5, 1.0), 2),
            "shutter": float(rng.choice([0.0, 0.5, 1.0])),  # share of the frame time the shutter is open
            "compression": compression,
            "jpeg_quality": {"none": None, "moderate": int(rng.integers(26, 41)),
                             "heavy": int(rng.integers(15, 26))}[compression]}


def draw_camera(rng: np.random.Generator, centre_x: float, size: tuple[int, int]) -> tuple[Camera, dict]:
    height, distance = rng.uniform(0.05, 1.0), rng.uniform(1.5, 3.5)
    yaw, roll, hfov = rng.uniform(-25, 25), rng.uniform(-5, 5), rng.uniform(50, 80)
    off = rng.uniform(-0.45, 0.45)  # where along the mat the lens points (the mat not centred)
    aim_z = rng.uniform(0.1, 0.35)
    a = math.radians(yaw)
    position = (centre_x + distance * math.sin(a), -distance * math.cos(a), height)
    camera = Camera(position=position, target=(centre_x + off, 0.0, aim_z), size=size, hfov_deg=hfov,
                    roll_deg=roll)
    return camera, {"height_m": round(height, 3), "distance_m": round(distance, 3), "yaw_deg": round(yaw, 2),
                    "roll_deg": round(roll, 2), "hfov_deg": round(hfov, 2), "aim_offset_m": round(off, 3),
                    "aim_height_m": round(aim_z, 3)}


def in_frame(camera: Camera, samples: list[np.ndarray]) -> bool:
    w, h = camera.size
    m = EDGE * w
    for v in samples:
        px, depth = camera.project(v)
        if depth.min() < 0.2 or px[:, 0].min() < m or px[:, 0].max() > w - m or px[:, 1].min() < m \
                or px[:, 1].max() > h - m:
            return False
    return True


def factors_of(person: dict, room: dict, cam: dict, pic: dict) -> dict[str, str]:
    p = person["phenotype"]
    clothes = ("loose" if person["loose"] else "tight") + ("_dark" if person["dark_clothes"] else "_light")
    return {
        "body_age": _level(p["age"], (0.74, 0.87), ("young", "middle", "elderly")),
        "body_build": _level(p["weight"], (0.33, 0.67), ("slim", "average", "heavy")),
        "body_gender": _level(p["gender"], (0.5,), ("male", "female")),  # Anny: 0 male, 1 female
        "skin": _level(person["skin_tone"], (0.33, 0.67), ("light", "medium", "dark")),
        "clothing": clothes,
        "legs": "shorts" if person["shorts"] else "long",
        "mat": "dark" if room["dark_mat"] else "colour",
        "camera_height": _level(cam["height_m"], (0.25, 0.6), ("floor", "low", "high")),
        "camera_distance": _level(cam["distance_m"], (2.2, 2.9), ("near", "mid", "far")),
        "camera_angle": _level(abs(cam["yaw_deg"]), (8.0, 16.0), ("side", "off", "far_off")),
        "lens": _level(cam["hfov_deg"], (60.0, 70.0), ("narrow", "normal", "wide")),
        "background": room["background"],
        "light": pic["light"],
        "noise": _level(pic["noise_sigma"], (4.0, 8.0), ("low", "medium", "high")),
        "blur": {0.0: "none", 0.5: "half", 1.0: "full"}[pic["shutter"]],
        "compression": pic["compression"],
        "size": pic["size"],
        "fps": str(int(pic["fps"])),
    }


def render_random_clip(base: ClipSpec, index: int, seed: int, out: Path) -> dict:
    t_start, cpu_start = time.time(), time.process_time()
    rng = np.random.default_rng([seed, 13, index])
    facing = "right" if rng.random() < 0.5 else "left"
    spec = ClipSpec(base.exercise, base.variant, f"r{index:04d}", facing)
    person, room, pic = draw_person(rng), draw_room(rng), draw_picture(rng)
    size, fps = SIZES[pic["size"]], pic["fps"]
    shirt, trousers = person["shirt_rgb"], person["trousers_rgb"]
    body = Body(spec.body, phenotype=person["phenotype"], outfit=(shirt, trousers, person["skin_rgb"],
                person["hair_rgb"]), shorts=person["shorts"], long_sleeves=person["long_sleeves"])
    reps = reps_for(spec, rng, paced_n=PACED_HOLDS.get(spec.variant, 1))
    small = (spec.variant == "correct" and spec.exercise in SMALL_REACH
             and np.random.default_rng([seed, 29, index]).random() < SMALL_SHARE)
    reach = SMALL_REACH[spec.exercise] if small else 1.0
    reps = [replace(r, amplitude=r.amplitude * reach) for r in reps]
    segs = timeline(spec, reps, rng)
    n = frame_count(segs, fps)

    def placed_at(t: float) -> tuple[Placed, float]:
        placed, u, _ = pose_at(body, spec, reps, segs, t)
        if person["loose"]:
            placed = Placed(placed.vertices.copy(), placed.landmarks)
            _loosen(body, placed)
        return placed, u

    # The whole body stays in frame: checked on poses every 1.5 s, at every segment's end and at the faults.
    times = set(np.arange(0.0, segs[-1].end_s, 1.5)) | {min(s.end_s, segs[-1].end_s - 1e-3) for s in segs}
    times |= {t for r in reps for t in r.fault_s[1:] if t > 0}
    samples = [placed_at(float(t))[0].vertices for t in sorted(times)]
    centre_x = float(np.mean([(v[:, 0].min() + v[:, 0].max()) / 2 for v in samples]))
    draws = 0
    while True:
        draws += 1
        camera, cam = draw_camera(rng, centre_x, size)
        if in_frame(camera, samples):
            break
        if draws == 400:
            raise RuntimeError(f"{spec.name}: no camera draw kept the body in frame")
    cam["draws"] = draws
    renderer = Renderer(camera, body.faces, mat_colour=room["mat_rgb"], floor_colour=room["floor_rgb"],
                        wall_colour=room["wall_rgb"], extras=room_pieces(room, centre_x, cam["yaw_deg"]),
                        wall_y=room["wall_y_m"], key_dir=room["key_light"],
                        ambient=room["ambient"], gain=room["backlight_gain"],
                        floor_kind=1 if room["floor"] == "planks" else 3, wall_kind=3 if room["wall_textured"] else 2,
                        indexed=True, supersample=1)
    name = f"{index:04d}__{spec.exercise}__{spec.variant}__{facing}"
    video = out / f"{name}.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    light = (*(float(g) * pic["dim_gain"] for g in pic["warm_bgr"]), 0.0)
    sigma = pic["noise_sigma"] * (1.6 if "dim" in pic["light"] else 1.0)  # the camera's gain brings up noise
    # Sensor noise: a bank of 8 Gaussian noise frames, each also flipped 3 ways, one drawn per frame.
    cv2.setRNGSeed(int(np.random.default_rng([seed, 13, index, 1]).integers(1 << 30)))
    bank = [cv2.randn(np.empty((size[1], size[0], 3), np.float32), 0.0, sigma) for _ in range(8)]
    glow: np.ndarray | None = None
    xy, depth, phase = np.zeros((n, 33, 2)), np.zeros((n, 33)), np.zeros(n)
    prev_v, prev_xy = None, None
    sub_frames = 0
    try:
        for i in range(n):
            placed, u = placed_at(i / fps)
            xy[i], depth[i] = camera.project(placed.landmarks)
            phase[i] = u
            steps = 1
            if pic["shutter"] and prev_v is not None:
                moved = float(np.abs(xy[i] - prev_xy).max()) * pic["shutter"]
                steps = int(min(3, max(1, math.ceil(moved / 3.0))))
            if steps == 1:
                img = renderer.render(placed.vertices, body.colours).astype(np.float32)
            else:
                # Motion blur: the shutter open for `shutter` of the frame time, centred on the frame's
                # time; the body's movement over it taken from the last frame (linear).
                img = np.zeros((size[1], size[0], 3), np.float32)
                velocity = placed.vertices - prev_v
                for k in range(steps):
                    x = pic["shutter"] * (k / (steps - 1) - 0.5)
                    img += renderer.render(placed.vertices + velocity * x, body.colours)
                img /= steps
                sub_frames += steps - 1
            prev_v, prev_xy = placed.vertices, xy[i]
            if i == 0 and room["glow"]:
                # Back light: the bright window bleeds over the edges in front of it (veiling glare).
                bright = (img.min(axis=2) > 235).astype(np.float32) * 255 * room["glow"]
                glow = cv2.cvtColor(cv2.GaussianBlur(bright, (0, 0), 0.025 * size[0]), cv2.COLOR_GRAY2BGR)
            blown = None
            if glow is not None:
                blown = img.min(axis=2) > 235  # the window: blown out whatever the light (auto exposure)
                img = cv2.add(img, glow)
            img = cv2.GaussianBlur(img, (5, 5), pic["lens_blur_px"])  # a webcam lens's softness (no supersampling)
            img = cv2.multiply(img, light)
            if blown is not None:
                img[blown] = 255.0
            noise = bank[int(rng.integers(8))]
            flip = int(rng.integers(4))
            img = cv2.add(img, noise if flip == 3 else cv2.flip(noise, flip - 1))
            img = np.clip(img, 0, 255, out=img).astype(np.uint8)
            if pic["jpeg_quality"] is not None:
                q = int(np.clip(pic["jpeg_quality"] + rng.integers(-2, 3), 10, 45))
                _, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
                img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
            writer.write(img)
    finally:
        writer.release()
        renderer.close()
    factors = {**factors_of(person, room, cam, pic), "range": "small" if small else "full"}
    elapsed = time.time() - t_start
    labels = {
        "format": LABEL_FORMAT, "video": video.name, "exercise": spec.exercise, "variant": spec.variant,
        "facing": facing, "near_side": near_side(spec),
        "body": {"name": spec.body, "phenotype": person["phenotype"]},
        "seed": seed, "block_index": index, "fps": fps, "image_size": list(size), "frame_count": n,
        "camera": {"position_m": [round(v, 3) for v in camera.position],
                   "target_m": [round(v, 3) for v in camera.target], "hfov_deg": round(camera.hfov_deg, 2),
                   "roll_deg": round(camera.roll_deg, 2)},
        "factors": factors,
        "variation": {"person": person, "room": room, "camera": cam, "picture": pic,
                      "motion_blur_sub_frames": sub_frames, "render_s": round(elapsed, 1),
                      "render_cpu_s": round(time.process_time() - cpu_start, 1)},
        "reach": round(reach, 3),
        "faults": sorted({f for r in reps for f in r.faults}),
        "reps": rep_labels(spec, reps, segs),
        **frame_labels(xy, depth, phase),
    }
    (out / f"{name}.json").write_text(json.dumps(labels, separators=(",", ":")) + "\n")
    return labels


def render_block(count: int, seed: int, out: Path, part: str | None = None, only: list[str] | None = None) -> int:
    """Clips 0..count-1 of the block (`part` I/K: those with index % K == I; `only`: those whose clip name,
    exercise__variant, starts with one of these). A clip is the same whichever of them are rendered."""
    mine, parts = (int(x) for x in part.split("/")) if part else (0, 1)
    # One core per process (two parts share a two-core machine): Mesa's llvmpipe and torch single-threaded.
    os.environ.setdefault("LP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    cycle = block_cycle()
    out.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        base = cycle[index % len(cycle)]
        if index % parts != mine or (only and not any(f"{base.exercise}__{base.variant}".startswith(p) for p in only)):
            continue
        t0 = time.time()
        labels = render_random_clip(base, index, seed, out)
        f = labels["factors"]
        print(f"{labels['video']}: {labels['frame_count']} frames {f['size']} {f['fps']} fps, "
              f"{time.time() - t0:.0f} s ({labels['variation']['render_cpu_s']:.0f} s CPU)",
              file=sys.stderr, flush=True)
    return 0
