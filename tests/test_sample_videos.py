"""The rendered sample clips in samples/video/ are readable and their ground-truth labels hang together.

The clips come from tools/render/ (see samples/video/README.md for the label format). These tests check
the files only; the end-to-end rule tests on them (video -> pose -> rules -> events) come with the rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

VIDEO_DIR = Path(__file__).resolve().parents[1] / "samples" / "video"
MAX_TOTAL_BYTES = 30 * 1024 * 1024  # all clips together stay small enough for the repository

# Each exercise's checks and reminders, named for what should be true; a fault label is the one violated.
CHECKS = {
    "heels_stretch": {"knees_under_hips", "hands_under_shoulders", "elbows_locked", "neck_long",
                      "back_overarched", "sitting_on_heels", "hold_too_short"},
    "knee_rolls": {"shoulders_on_floor", "knees_together", "feet_on_floor", "hold_too_short", "alternate_sides"},
    "back_extensions": {"hips_grounded", "neck_long", "hold_too_short"},
    "deep_abdominal": {"pelvis_still", "legs_still", "head_and_shoulders_relaxed", "hold_too_short"},
    "pelvic_tilts": {"hips_grounded", "head_down"},
}
# The landmarks the rules use must be in the picture in every frame.
KEY_LANDMARKS = [0, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32]

LABEL_FILES = sorted(VIDEO_DIR.glob("*.json"))


def _labels(path: Path) -> dict:
    return json.loads(path.read_text())


def test_every_exercise_has_a_correct_clip_and_every_clip_has_labels() -> None:
    videos = {p.stem for p in VIDEO_DIR.glob("*.mp4")}
    labelled = {p.stem for p in LABEL_FILES}
    assert videos == labelled, f"clips without labels or labels without clips: {videos ^ labelled}"
    correct = {_labels(p)["exercise"] for p in LABEL_FILES if _labels(p)["variant"] == "correct"}
    assert correct == set(CHECKS)


def test_sample_clips_fit_in_the_repository_budget() -> None:
    total = sum(p.stat().st_size for p in VIDEO_DIR.iterdir() if p.is_file())
    assert total < MAX_TOTAL_BYTES, f"samples/video holds {total / 1e6:.1f} MB"


@pytest.mark.parametrize("label_file", LABEL_FILES, ids=lambda p: p.stem)
def test_clip_decodes_to_the_labelled_frames(label_file: Path) -> None:
    labels = _labels(label_file)
    cap = cv2.VideoCapture(str(label_file.with_name(labels["video"])))
    assert cap.isOpened()
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(labels["fps"], abs=0.01)
    frames = 0
    while True:
        ok, image = cap.read()
        if not ok:
            break
        assert image.shape == (labels["image_size"][1], labels["image_size"][0], 3)
        frames += 1
    cap.release()
    assert frames == labels["frame_count"]


@pytest.mark.parametrize("label_file", LABEL_FILES, ids=lambda p: p.stem)
def test_labels_are_well_formed_and_consistent(label_file: Path) -> None:
    labels = _labels(label_file)
    assert labels["format"] == "posecheck-sample-video/1"
    assert labels["exercise"] in CHECKS
    assert labels["facing"] in ("left", "right") and labels["near_side"] in ("left", "right")
    assert labels["video"] == label_file.stem + ".mp4"
    n, fps = labels["frame_count"], labels["fps"]
    duration_ms = n * 1000 / fps

    xy = np.asarray(labels["landmarks"]["xy"], dtype=float)
    assert xy.shape == (n, 33, 2)
    assert np.asarray(labels["landmarks"]["depth_m"]).shape == (n, 33)
    assert len(labels["landmarks"]["names"]) == 33 and len(labels["movement"]) == n
    w, h = labels["image_size"]
    key = xy[:, KEY_LANDMARKS]
    assert (key[..., 0] >= 0).all() and (key[..., 0] < w).all() and (key[..., 1] >= 0).all() and (key[..., 1] < h).all()
    depth = np.asarray(labels["landmarks"]["depth_m"])
    assert ((depth > 1.5) & (depth < 4.0)).all(), "the side camera stands 2-3 m from the mat"

    reps = labels["reps"]
    assert reps and [r["index"] for r in reps] == list(range(1, len(reps) + 1))
    previous_end = 0
    for rep in reps:
        assert previous_end <= rep["start_ms"] < rep["end_ms"] <= duration_ms
        previous_end = rep["end_ms"]
        for start, end in rep["holds_ms"]:
            assert rep["start_ms"] <= start < end <= rep["end_ms"]
        if labels["exercise"] != "pelvic_tilts":
            held = sum(end - start for start, end in rep["holds_ms"]) / 1000
            assert rep["hold_s"] == pytest.approx(held, abs=0.01)
        assert set(rep["faults"]) <= CHECKS[labels["exercise"]]

    faults = {f for rep in reps for f in rep["faults"]}
    assert set(labels["faults"]) == faults
    if labels["variant"] == "correct":
        assert not faults
    else:
        assert labels["variant"] in faults


def test_a_clip_shows_its_movement_between_reps_and_not_outside_them() -> None:
    """The movement value is 0 (start position) outside the labelled reps, so rep boundaries are real."""
    for label_file in LABEL_FILES:
        labels = _labels(label_file)
        fps = labels["fps"]
        moving = np.abs(np.asarray(labels["movement"])) > 1e-3
        inside = np.zeros(labels["frame_count"], dtype=bool)
        for rep in labels["reps"]:
            first, last = int(np.ceil(rep["start_ms"] * fps / 1000)), int(rep["end_ms"] * fps / 1000)
            inside[first : last + 1] = True
        assert not (moving & ~inside).any(), label_file.stem
        assert moving.any(), label_file.stem
