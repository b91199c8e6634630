"""Landmark recordings: round trip, a run killed mid-write, and broken files refused by line."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from conftest import REPO

from posecheck.landmarks import PoseFrame
from posecheck.recording import (
    RecordingError,
    RecordingHeader,
    RecordingWriter,
    load_recording,
    write_recording,
)

HEADER = RecordingHeader(source="test", fps=15.0, image_size=(640, 480), model_variant="full", model_sha256="ab")


def _frames(n: int) -> list[PoseFrame]:
    rng = np.random.default_rng(0)
    frames = []
    for i in range(n):
        if i % 4 == 3:
            frames.append(PoseFrame.empty(i * 66, (640, 480)))
        else:
            frames.append(PoseFrame(i * 66, (640, 480), rng.random((33, 3)), rng.random(33), rng.random(33),
                                    rng.normal(size=(33, 3)), rng.random() if i % 2 else float("nan")))
    return frames


def test_a_recording_reads_back_what_was_written(tmp_path):
    frames = _frames(12)
    path = tmp_path / "rec.jsonl"
    assert write_recording(path, HEADER, frames) == 12
    recording = load_recording(path)
    assert recording.header == HEADER and not recording.truncated
    assert [f.timestamp_ms for f in recording.frames] == [f.timestamp_ms for f in frames]
    assert [f.has_pose for f in recording.frames] == [f.has_pose for f in frames]
    for got, sent in zip(recording.frames, frames, strict=True):
        if sent.has_pose:
            np.testing.assert_allclose(got.image, sent.image, atol=1e-5)
            np.testing.assert_allclose(got.world, sent.world, atol=1e-5)
            np.testing.assert_allclose(got.visibility, sent.visibility, atol=1e-5)
            np.testing.assert_allclose(got.torso_outline, sent.torso_outline, atol=1e-5)  # NaN reads back NaN


def test_each_frame_is_on_disk_as_soon_as_it_is_written(tmp_path):
    path = tmp_path / "rec.jsonl"
    with RecordingWriter(path, HEADER) as writer:
        for frame in _frames(3):
            writer.write(frame)
            # Read through another handle while the writer is still open.
            assert len(path.read_text().splitlines()) == writer.frames_written + 1


def test_a_cut_off_last_line_is_accepted_with_a_warning(tmp_path):
    path = tmp_path / "rec.jsonl"
    write_recording(path, HEADER, _frames(5))
    text = path.read_text()
    path.write_text(text[: len(text) - 25])
    with pytest.warns(UserWarning, match="cut off"):
        recording = load_recording(path)
    assert recording.truncated and len(recording.frames) == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("not json\n", "line 1"),
        ('{"format": "something-else"}\n', "not a posecheck recording"),
        ('{"format": "posecheck-landmarks", "version": 99, "image_size": [1, 1]}\n', "version 99"),
        ('{"format": "posecheck-landmarks", "version": 1}\n', "header is incomplete"),
    ],
)
def test_a_broken_header_is_refused_with_its_reason(tmp_path, content, message):
    path = tmp_path / "rec.jsonl"
    path.write_text(content)
    with pytest.raises(RecordingError, match=message):
        load_recording(path)


def test_a_corrupt_line_in_the_middle_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "rec.jsonl"
    write_recording(path, HEADER, _frames(5))
    lines = path.read_text().splitlines(keepends=True)
    lines[3] = '{"t": 5, "image": [[1, 2]]}\n'
    path.write_text("".join(lines))
    with pytest.raises(RecordingError, match="line 4"):
        load_recording(path)


def test_garbage_ending_with_a_newline_is_corruption_not_truncation(tmp_path):
    path = tmp_path / "rec.jsonl"
    write_recording(path, HEADER, _frames(2))
    with open(path, "a") as file:
        file.write("{garbage\n")
    with pytest.raises(RecordingError, match="line 4"):
        load_recording(path)


def _long_video(path, frames: int = 400) -> None:
    from skimage import data

    image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    image = cv2.resize(image, (256, 256))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (256, 256))
    for i in range(frames):
        writer.write(np.roll(image, i % 50, axis=1))
    writer.release()


def test_sigkill_in_the_middle_of_recording_keeps_what_was_written(tmp_path, full_model):
    video, out = tmp_path / "long.mp4", tmp_path / "rec.jsonl"
    _long_video(video)
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "landmarks", str(video), "-o", str(out)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if out.exists() and len(out.read_bytes().splitlines()) > 30:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the recording never grew")
        seen_before_kill = len(out.read_bytes().splitlines()) - 1
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    cut_off = not out.read_text().endswith("\n")
    with pytest.warns(UserWarning, match="cut off") if cut_off else contextlib.nullcontext():
        recording = load_recording(out)
    assert len(recording.frames) >= seen_before_kill - 1
    assert len(recording.frames) < 400  # it really was killed mid-way
    assert recording.frames[0].has_pose
    assert json.loads(out.read_text().splitlines()[0])["model"]["variant"] == "full"

