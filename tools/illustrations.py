"""Make the window's pictures of each exercise's start and end position from the rendered sample clips.

    .venv/bin/python tools/illustrations.py            # writes posecheck/data/illustrations/*.jpg

The pictures come from the project's own renderer (tools/render/ made samples/video/): for each exercise
its correct clip, the frame just before the first rep starts (the start position) and the frame in the
middle of the first rep's hold (the end position; for pelvic tilts the tilt towards the heels). Both
pictures of an exercise are cropped to the same box around the person (the ground-truth landmarks of
both frames, with a margin), so the two can be compared at a glance, and saved as small JPEGs
(`<exercise>_start.jpg`, `<exercise>_end.jpg`, each well under 40 KB). The window shows them beside the
instructions (posecheck/live/window.py); pyproject.toml ships them in the wheel.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
CLIPS = REPO / "samples" / "video"
OUT = REPO / "posecheck" / "data" / "illustrations"
EXERCISES = ("heels_stretch", "knee_rolls", "back_extensions", "deep_abdominal", "pelvic_tilts")
# The start position: this long before the first rep leaves it (the person is settled there).
BEFORE_REP_MS = 300
# The end position is the hold whose movement value is nearest this (the labels' `movement`: 1 is the
# held position; pelvic tilts rock between +1, the lower back pressed down, and -1, tilted to the heels).
END_MOVEMENT = {"pelvic_tilts": -1.0}
# Margin around the person, a share of the box's larger side; and the most a picture's larger side is.
MARGIN = 0.12
MAX_SIDE = 480
JPEG_QUALITY = 85
MAX_BYTES = 40_000


def frame_at(clip: Path, index: int) -> np.ndarray:
    video = cv2.VideoCapture(str(clip))
    try:
        video.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, image = video.read()
        if not ok:  # seeking is not exact in every build: read from the start
            video.set(cv2.CAP_PROP_POS_FRAMES, 0)
            for _ in range(index + 1):
                ok, image = video.read()
        if not ok:
            raise SystemExit(f"{clip.name}: no frame {index}")
        return image
    finally:
        video.release()


def positions(labels: dict) -> tuple[int, int]:
    """(start frame, end frame) of a clip from its labels."""
    fps = labels["fps"]
    rep = labels["reps"][0]
    start = max(0, round((rep["start_ms"] - BEFORE_REP_MS) * fps / 1000))
    target = END_MOVEMENT.get(labels["exercise"], 1.0)
    movement = labels["movement"]
    mids = [round((a + b) / 2 * fps / 1000) for a, b in rep.get("holds_ms") or []]
    if not mids:  # no hold: the furthest the first rep goes
        first, last = (round(rep[k] * fps / 1000) for k in ("start_ms", "end_ms"))
        mids = list(range(first, min(last, len(movement) - 1) + 1))
    end = min(mids, key=lambda i: abs(movement[min(i, len(movement) - 1)] - target))
    return start, end


def person_box(labels: dict, frames: tuple[int, ...]) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): the landmarks of all `frames` with a margin, inside the image."""
    width, height = labels["image_size"]
    xy = np.concatenate([np.asarray(labels["landmarks"]["xy"][i], float) for i in frames])
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    pad = MARGIN * max(x1 - x0, y1 - y0)
    return (max(0, int(x0 - pad)), max(0, int(y0 - pad)), min(width, int(np.ceil(x1 + pad))),
            min(height, int(np.ceil(y1 + pad))))


def make(exercise: str, out: Path) -> list[Path]:
    clips = sorted(CLIPS.glob(f"{exercise}__correct__*.json"))
    if not clips:
        raise SystemExit(f"no correct sample clip of {exercise} in {CLIPS}")
    labels = json.loads(clips[0].read_text())
    start, end = positions(labels)
    x0, y0, x1, y1 = person_box(labels, (start, end))
    written = []
    for name, index in (("start", start), ("end", end)):
        picture = frame_at(clips[0].with_name(labels["video"]), index)[y0:y1, x0:x1]
        scale = min(1.0, MAX_SIDE / max(picture.shape[:2]))
        if scale < 1.0:
            picture = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        path = out / f"{exercise}_{name}.jpg"
        ok, data = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        assert ok and len(data) <= MAX_BYTES, f"{path.name}: {len(data)} bytes"
        path.write_bytes(data.tobytes())
        written.append(path)
        shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        print(f"{shown}: frame {index} of {labels['video']}, {picture.shape[1]}x{picture.shape[0]}, "
              f"{len(data) // 1000} KB")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder to write to (default {OUT.relative_to(REPO)})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for exercise in EXERCISES:
        make(exercise, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
