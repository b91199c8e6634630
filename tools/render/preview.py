"""A contact sheet of the sample clips: each clip's start position and first held position, with the
ground-truth landmarks drawn, to look at what the generator made.

    .venv/bin/python tools/render/preview.py samples/video /tmp/sheet.png [--only PREFIX ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

NEAR, FAR = (0, 220, 0), (0, 0, 230)
BONES = [(11, 13), (13, 15), (11, 23), (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (7, 11)]


def frames_at(video: Path, wanted: list[int]) -> dict[int, np.ndarray]:
    cap = cv2.VideoCapture(str(video))
    out, i = {}, 0
    while len(out) < len(wanted):
        ok, image = cap.read()
        if not ok:
            break
        if i in wanted:
            out[i] = image
        i += 1
    cap.release()
    return out


def annotate(image: np.ndarray, xy: np.ndarray, near: int, text: str) -> np.ndarray:
    image = image.copy()
    for side, colour in ((1 - near, FAR), (near, NEAR)):
        for a, b in BONES:
            pa, pb = xy[a + side] if a != 0 else xy[0], xy[b + side]
            cv2.line(image, tuple(int(v) for v in pa), tuple(int(v) for v in pb), colour, 1, cv2.LINE_AA)
    cv2.putText(image, text, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (20, 20, 20), 1, cv2.LINE_AA)
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args(argv)
    rows = []
    for path in sorted(args.folder.glob("*.json")):
        if args.only and not any(path.stem.startswith(p) for p in args.only):
            continue
        labels = json.loads(path.read_text())
        movement = np.asarray(labels["movement"])
        rep = labels["reps"][0]
        fps = labels["fps"]
        first, last = int(rep["start_ms"] * fps / 1000), int(rep["end_ms"] * fps / 1000)
        peak = first + int(np.argmax(np.abs(movement[first:last])))
        xy = np.asarray(labels["landmarks"]["xy"])
        near = 0 if labels["near_side"] == "left" else 1
        got = frames_at(path.with_name(labels["video"]), [0, peak])
        rows.append(np.hstack([annotate(got[i], xy[i], near, f"{path.stem} @{i}") for i in (0, peak)]))
    if not rows:
        print("no clips", file=sys.stderr)
        return 2
    cv2.imwrite(str(args.out), np.vstack(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
