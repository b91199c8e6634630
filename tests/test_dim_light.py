"""A dim picture evened out for the pose model once the person is lost in it (posecheck.dim_light)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.dim_light import DARK_MEAN, LOST_MS, DimLight, brightness, even_out
from posecheck.evaluate import from_rendered_video, score_labelled
from posecheck.lost import Lost
from posecheck.pipeline import poses

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "samples" / "video" / "knee_rolls__correct__right__b1"
# The clip at 7% of its light: mean brightness 9 of 255, a room lit by a screen.
DARKENED = 0.07


def _picture(level: float) -> np.ndarray:
    """A grey, noisy picture of this mean brightness."""
    grey = np.random.default_rng(0).normal(level, 10, (360, 480, 1))
    return np.clip(np.repeat(grey, 3, axis=2), 0, 255).astype(np.uint8)


def test_a_dim_picture_is_evened_out_only_once_nobody_has_been_found_in_it_for_a_while():
    light, dim, bright = DimLight(), _picture(20), _picture(120)
    assert brightness(dim) < DARK_MEAN <= brightness(bright)
    assert light.prepare(dim) is dim  # the person may be found as it is
    light.found(0, False)
    light.found(LOST_MS - 40, False)
    assert light.prepare(dim) is dim
    light.found(LOST_MS, False)
    lifted = light.prepare(dim)
    assert lifted.shape == dim.shape and brightness(lifted) > brightness(dim) + 10
    light.found(LOST_MS + 40, True)
    assert light.prepare(dim) is not dim  # found in the lifted picture: it stays lifted while dim
    assert light.prepare(bright) is bright  # the lights came on
    assert light.prepare(dim) is dim  # and a dim picture must lose the person again first


def test_a_bright_picture_is_never_evened_out_however_long_nobody_is_there():
    light, bright = DimLight(), _picture(120)
    for t in range(0, 5 * LOST_MS, 100):
        assert light.prepare(bright) is bright
        light.found(t, False)


def test_while_the_person_is_found_the_picture_is_not_even_measured(monkeypatch):
    light, dim = DimLight(), _picture(20)
    monkeypatch.setattr("posecheck.dim_light.brightness", lambda image: pytest.fail("measured"))
    for t in range(0, 3 * LOST_MS, 100):
        assert light.prepare(dim) is dim
        light.found(t, True)


def test_lost_counts_from_the_first_frame_without_the_person_and_starts_again_once_found():
    lost = Lost()
    frames = ((0, True), (40, False), (80, False), (120, False))
    assert [lost.update(t, person) for t, person in frames] == [0, 0, 40, 80]
    assert lost.update(160, True) == 0 and lost.since_ms is None
    assert lost.update(200, False) == 0 and lost.since_ms == 200


def test_even_out_keeps_a_grey_picture_grey():
    out = even_out(_picture(20))
    assert np.abs(out.astype(int)[..., 0] - out[..., 2]).max() <= 2


@pytest.fixture(scope="module")
def darkened_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed clip with its light cut to 7%, written as Motion JPEG like a webcam's."""
    source = cv2.VideoCapture(str(CLIP.with_suffix(".mp4")))
    fps = source.get(cv2.CAP_PROP_FPS)
    out_path = tmp_path_factory.mktemp("dim") / "dim.avi"
    writer = None
    while True:
        ok, image = source.read()
        if not ok:
            break
        if writer is None:
            writer = cv2.VideoWriter(str(out_path), cv2.VideoWriter_fourcc(*"MJPG"), fps,
                                     (image.shape[1], image.shape[0]))
        writer.write(np.clip(image.astype(np.float32) * DARKENED, 0, 255).astype(np.uint8))
    source.release()
    assert writer is not None
    writer.release()
    return out_path


def test_in_a_dark_room_mediapipe_alone_finds_nobody_and_posecheck_counts_every_roll(darkened_clip, monkeypatch):
    """Real MediaPipe on the darkened clip's pixels: as it is, the person is found in no frame; evened
    out, the rules count the clip's rolls with their sides, as on the clip in its own light."""
    labels = {**from_rendered_video(json.loads(CLIP.with_suffix(".json").read_text())), "profile": {}}
    _, frames = poses(str(darkened_clip), "full", show_progress=False, exercise="knee_rolls")
    frames = list(frames)
    assert brightness(cv2.VideoCapture(str(darkened_clip)).read()[1]) < DARK_MEAN / 4
    scored = score_labelled(labels, frames)
    assert scored["detection_rate"] > 0.9
    assert scored["rep_exact"], (scored["reps_detected"], scored["reps_by_side_detected"])

    monkeypatch.setattr(DimLight, "prepare", lambda self, image: image)
    _, plain = poses(str(darkened_clip), "full", show_progress=False, exercise="knee_rolls")
    assert sum(bool(f) for f in plain) == 0
