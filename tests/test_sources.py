"""Sources: timestamps from the file, image folders, and a progress bar only on a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import cv2
import pytest
from conftest import REPO

from posecheck.sources import IMAGE_FOLDER_FPS, SourceError, open_source


def test_video_timestamps_come_from_the_file_not_the_clock(astronaut_video):
    with open_source(str(astronaut_video)) as source:
        frames = list(source.frames())
    assert source.fps == pytest.approx(15) and source.size == (512, 512)
    assert source.frame_count == len(frames) == 30
    assert [f.index for f in frames] == list(range(30))
    assert frames[10].timestamp_ms == pytest.approx(10 * 1000 / 15, abs=1)


def test_an_image_folder_plays_as_a_slide_show_in_name_order(tmp_path, astronaut_bgr):
    for name in ("b.png", "a.jpg", "c.png"):
        cv2.imwrite(str(tmp_path / name), astronaut_bgr)
    (tmp_path / "notes.txt").write_text("not an image")
    with open_source(str(tmp_path)) as source:
        frames = list(source.frames())
    assert [p.name for p in source.paths] == ["a.jpg", "b.png", "c.png"]
    assert [f.timestamp_ms for f in frames] == [int(i * 1000 / IMAGE_FOLDER_FPS) for i in range(3)]


def test_a_broken_image_is_refused(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    with pytest.raises(SourceError, match="not an image"):
        open_source(str(broken))


def _run_with_stderr(args: list[str], on_terminal: bool) -> str:
    if not on_terminal:
        done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300)
        return done.stderr
    leader, follower = pty.openpty()
    # A terminal 100 columns wide: a fresh pty has 0, where a bar has no room to draw.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("on_terminal", [True, False])
def test_a_progress_bar_shows_only_on_a_terminal(tmp_path, astronaut_video, full_model, on_terminal):
    args = [sys.executable, "-m", "posecheck", "landmarks", str(astronaut_video), "-o", str(tmp_path / "r.jsonl")]
    stderr = _run_with_stderr(args, on_terminal)
    if on_terminal:
        assert "/30 [" in stderr and "frame/s" in stderr
    else:
        assert stderr == ""
