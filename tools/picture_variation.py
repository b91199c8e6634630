"""Rendered clips as a webcam would give them: noise, blur, dim or warm light, heavy compression, another
picture size. Each clip is copied with one picture condition per factor, drawn at random per clip (by seed)
from the levels below, and its labels carry the levels as `factors`, so `posecheck evaluate` reports the
figures per factor level (the weakest conditions show).

    .venv/bin/python tools/picture_variation.py samples/video --out /tmp/pictures --copies 2 --seed 0
    .venv/bin/posecheck evaluate /tmp/pictures --json /tmp/pictures.json

What it cannot make: other bodies, clothes, rooms or camera places (tools/render does those), frame rates
above the source's. Development tool: posecheck never imports it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

# Levels per factor. Noise: Gaussian sensor noise, sigma in grey levels (a cheap webcam in a dim room
# shows 5-12). Blur: a horizontal box (the movement along the mat is mostly horizontal), pixels at 480x360.
# Light: a dim room (exposure x0.45, then the camera's gain brings up noise), warm lamp light (blue down,
# red up). Compression: JPEG quality per frame (MJPEG webcams; 15 is as blocky as a starved H.264 stream).
# Size: the picture scaled to another webcam size (the person then covers fewer or more pixels).
NOISE = {"none": 0.0, "low": 4.0, "high": 10.0}
BLUR = {"none": 0, "soft": 5, "strong": 9}
LIGHT = ("normal", "dim", "warm", "dim_warm")
COMPRESSION = {"none": None, "moderate": 40, "heavy": 15}
SIZE = {"480x360": None, "320x240": (320, 240), "1280x720": (1280, 720)}
FACTORS: dict[str, tuple[str, ...]] = {"noise": tuple(NOISE), "blur": tuple(BLUR), "light": LIGHT,
                                       "compression": tuple(COMPRESSION), "size": tuple(SIZE)}


def draw(rng: np.random.Generator) -> dict[str, str]:
    return {name: str(rng.choice(levels)) for name, levels in FACTORS.items()}


def _light(level: str) -> Callable[[np.ndarray], np.ndarray]:
    gain = np.array([1.0, 1.0, 1.0], np.float32)
    if "warm" in level:
        gain *= np.array([0.7, 0.95, 1.12], np.float32)  # BGR
    if "dim" in level:
        gain *= 0.45
    return lambda img: img * gain


def degrade(image: np.ndarray, factors: dict[str, str], rng: np.random.Generator) -> np.ndarray:
    img = _light(factors["light"])(image.astype(np.float32))
    k = BLUR[factors["blur"]]
    if k:
        img = cv2.blur(img, (k, 1))
    sigma = NOISE[factors["noise"]] * (1.6 if "dim" in factors["light"] else 1.0)  # gain amplifies noise
    if sigma:
        img = img + rng.normal(0.0, sigma, img.shape).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    size = SIZE[factors["size"]]
    if size is not None:
        # Scaled to the new height, aspect kept; a wider picture shows more of the room at the sides
        # (the edge columns carried out), never a stretched person.
        h, w = out.shape[:2]
        scaled = (round(w * size[1] / h), size[1])
        interp = cv2.INTER_AREA if size[1] < h else cv2.INTER_LINEAR
        out = cv2.resize(out, scaled, interpolation=interp)
        pad = size[0] - scaled[0]
        if pad > 0:
            out = cv2.copyMakeBorder(out, 0, 0, pad // 2, pad - pad // 2, cv2.BORDER_REPLICATE)
        elif pad < 0:
            out = out[:, -pad // 2:-pad // 2 + size[0]]
    quality = COMPRESSION[factors["compression"]]
    if quality is not None:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out


def vary_clip(labels_path: Path, out: Path, copy: int, seed: int) -> Path:
    labels = json.loads(labels_path.read_text())
    rng = np.random.default_rng([seed, copy, *labels_path.stem.encode()])
    factors = draw(rng)
    name = f"{labels_path.stem}__pic{seed}-{copy}"
    capture = cv2.VideoCapture(str(labels_path.parent / labels["video"]))
    writer: cv2.VideoWriter | None = None
    frames = 0
    try:
        while True:
            ok, image = capture.read()
            if not ok:
                break
            picture = degrade(image, factors, rng)
            if writer is None:
                h, w = picture.shape[:2]
                writer = cv2.VideoWriter(str(out / f"{name}.mp4"), cv2.VideoWriter_fourcc(*"mp4v"),
                                         float(labels["fps"]), (w, h))
            writer.write(picture)
            frames += 1
    finally:
        capture.release()
        if writer is not None:
            writer.release()
    h, w = picture.shape[:2]
    scale = h / labels["image_size"][1]
    shift = (w - labels["image_size"][0] * scale) / 2
    landmarks = labels.get("landmarks") or {}
    if "xy" in landmarks:
        xy = np.asarray(landmarks["xy"], float) * scale
        xy[..., 0] += shift
        landmarks = {**landmarks, "xy": xy.round(2).tolist()}
    labels.update(video=f"{name}.mp4", image_size=[w, h], frame_count=frames, factors=factors,
                  landmarks=landmarks, picture_of=labels_path.stem)
    path = out / f"{name}.json"
    path.write_text(json.dumps(labels))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", type=Path, help="a folder of rendered clips with their labels")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--copies", type=int, default=1, help="varied copies per clip")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="clips whose name starts with this")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    clips = sorted(p for p in args.clips.glob(f"{args.only}*.json")
                   if '"posecheck-sample-video/1"' in p.read_text()[:200])
    for labels_path in clips:
        for copy in range(args.copies):
            made = vary_clip(labels_path, args.out, copy, args.seed)
            print(made.name, json.loads(made.read_text())["factors"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
