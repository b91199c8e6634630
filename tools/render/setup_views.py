"""Render the stills in samples/setup_views: exercise start positions seen from cameras put where the set-up check
should object (too high, off toward the feet or the head) and, for each body, from where it should not.

    /work/render-venv/bin/python -m tools.render.setup_views     (from the repository root; set-up in
                                                                   tools/render/README.md)

Uses tools/render as a library (the same bodies, poses, room and renderer as samples/video) and writes
<name>.jpg and views.json (each still's camera and what it is meant to show).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "samples" / "setup_views"

from tools.render.clips import ClipSpec, reps_for, timeline  # noqa: E402
from tools.render.generate import SIZE, pose_at  # noqa: E402
from tools.render.scene import Camera, Renderer  # noqa: E402

DISTANCE_M = 2.6  # from the mat's centre line, as the routine's camera (2.4-2.85 m)
LEVEL_M = 0.45  # lens height of a camera at the side (the sample clips: 0.35-0.6 m)
TARGET_Z_M = 0.2
# name: (exercise, body, facing, camera height m, camera offset along the mat toward the feet m)
VIEWS = {
    "pelvic_tilts_side": ("pelvic_tilts", "b2", "right", LEVEL_M, 0.0),
    "pelvic_tilts_high": ("pelvic_tilts", "b2", "right", 2.0, 0.0),
    "back_extensions_side": ("back_extensions", "b1", "left", LEVEL_M, 0.0),
    "back_extensions_high": ("back_extensions", "b1", "left", 2.4, 0.0),
    "knee_rolls_side": ("knee_rolls", "b0", "left", LEVEL_M, 0.0),
    "knee_rolls_toward_feet": ("knee_rolls", "b0", "left", LEVEL_M, 1.8),
    "heels_stretch_side": ("heels_stretch", "b0", "right", LEVEL_M, 0.0),
    "heels_stretch_toward_head": ("heels_stretch", "b0", "right", LEVEL_M, -1.8),
}


def main() -> None:
    from tools.render.body import Body

    bodies: dict[str, Body] = {}
    labels = {}
    for k, (name, (exercise, body_name, facing, height, toward_feet)) in enumerate(VIEWS.items()):
        spec = ClipSpec(exercise, "correct", body_name, facing)
        rng = np.random.default_rng([0, 700 + k])
        body = bodies.setdefault(body_name, Body(body_name))
        reps = reps_for(spec, rng)
        placed, _, _ = pose_at(body, spec, reps, timeline(spec, reps, rng), 0.0)
        xs = placed.vertices[:, 0]
        centre = float((xs.min() + xs.max()) / 2)
        head = 1.0 if placed.landmarks[0, 0] > centre else -1.0  # +x or -x: where the head is
        x = centre - head * toward_feet
        camera = Camera(position=(x, -DISTANCE_M, height), target=(centre, 0.0, TARGET_Z_M), size=SIZE, hfov_deg=62.0)
        renderer = Renderer(camera, body.faces)
        image = renderer.render(placed.vertices, body.colours)
        renderer.close()
        cv2.imwrite(str(OUT / f"{name}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 92])
        ground = math.hypot(DISTANCE_M, toward_feet)
        labels[name] = {
            "exercise": exercise, "body": body_name, "facing": facing,
            "camera": {"position_m": [round(v, 3) for v in camera.position],
                       "target_m": [round(v, 3) for v in camera.target], "hfov_deg": camera.hfov_deg},
            "looks_down_deg": round(math.degrees(math.atan2(height - TARGET_Z_M, ground)), 1),
            "off_square_deg": round(math.degrees(math.atan2(toward_feet, DISTANCE_M)), 1),  # + feet, - head
        }
        print(name, labels[name]["looks_down_deg"], labels[name]["off_square_deg"], flush=True)
    (OUT / "views.json").write_text(json.dumps(labels, indent=1) + "\n")


if __name__ == "__main__":
    main()
