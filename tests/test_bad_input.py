"""Bad input to `posecheck landmarks`: one line on stderr saying what is wrong, exit 2, no traceback."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import run_cli


def _zero_frame_video(path) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (64, 64))
    writer.release()
    assert path.exists()


def _cases(tmp_path) -> dict[str, tuple[str, str]]:
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "notes.mp4").write_text("this is a text file, not a video\n")
    (tmp_path / "no_images").mkdir()
    (tmp_path / "no_images" / "readme.txt").write_text("nothing")
    _zero_frame_video(tmp_path / "zero.avi")
    return {
        "missing": (str(tmp_path / "nope.mp4"), "no such file"),
        "folder without images": (str(tmp_path / "no_images"), "no images"),
        "empty file": (str(tmp_path / "empty.mp4"), "empty"),
        "text named .mp4": (str(tmp_path / "notes.mp4"), "not a video"),
        "zero frames": (str(tmp_path / "zero.avi"), "no frames"),
        "webcam that does not open": ("7", "cannot open webcam 7"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "folder without images", "empty file", "text named .mp4", "zero frames",
             "webcam that does not open"],
)
def test_bad_source_gets_one_clear_line_and_exit_2(tmp_path, case, full_model):
    source, expected = _cases(tmp_path)[case]
    out = tmp_path / "rec.jsonl"
    done = run_cli("landmarks", source, "-o", str(out))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("posecheck: ") and expected in lines[0]
    assert "Traceback" not in done.stderr


def test_a_missing_model_says_how_to_get_one(tmp_path):
    image = tmp_path / "still.png"
    cv2.imwrite(str(image), np.zeros((32, 32, 3), np.uint8))
    done = run_cli("landmarks", str(image), "-o", str(tmp_path / "r.jsonl"),
                   env={"POSECHECK_MODEL_DIR": str(tmp_path / "no-models")})
    assert done.returncode == 2
    assert "posecheck models fetch" in done.stderr and "Traceback" not in done.stderr


def test_a_corrupt_model_fails_its_sha256_check(tmp_path, full_model):
    models = tmp_path / "models"
    models.mkdir()
    data = bytearray(full_model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (models / full_model.name).write_bytes(bytes(data))
    done = run_cli("models", "verify", "--variant", "full", env={"POSECHECK_MODEL_DIR": str(models)})
    assert done.returncode == 2 and "sha256" in done.stderr
    assert "Traceback" not in done.stderr
