"""`posecheck doctor`: one line per part live training needs, exit 0 only when it can run."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import numpy as np
import pytest
from conftest import REPO, run_cli

from posecheck import doctor
from posecheck.sources import Frame, Source

CLIP = REPO / "samples" / "video" / "knee_rolls__correct__right__b1.mp4"
XVFB = shutil.which("Xvfb")


@pytest.fixture
def screen() -> Iterator[str]:
    """A virtual X screen; yields its DISPLAY."""
    if XVFB is None:
        pytest.skip("Xvfb is not installed (Debian package xvfb; tools/install-system-deps.sh installs it)")
    server = subprocess.Popen([XVFB, "-displayfd", "1", "-screen", "0", "640x480x24", "-nolisten", "tcp"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    number = server.stdout.readline().strip()
    if not number:
        server.kill()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def lines_marked(stdout: str, mark: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(mark)]


def no_traceback(done: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in done.stdout + done.stderr


def test_doctor_with_no_camera_and_no_screen_says_what_to_do_and_exits_1(tmp_path):
    # Index 97: no camera on any machine the tests run on (this one has none at 0 either).
    done = run_cli("doctor", "--camera", "97",
                   env={"DISPLAY": "", "WAYLAND_DISPLAY": "", "POSECHECK_DATA_DIR": str(tmp_path / "d")})
    assert done.returncode == 1, done.stdout + done.stderr
    assert no_traceback(done)
    failed = lines_marked(done.stdout, "FAIL")
    assert [line.split()[1] for line in failed] == ["camera", "display"]
    assert "cannot open webcam 97" in failed[0]
    assert "--headless" in failed[1]  # what to do about it
    assert "live training cannot run yet: fix the 2 FAIL lines above" in done.stdout
    # What works is said too: the versions, the models, the data folder.
    assert lines_marked(done.stdout, "ok    python")
    assert lines_marked(done.stdout, "ok    mediapipe  MediaPipe ")
    assert len(lines_marked(done.stdout, "ok    model ")) == 3
    assert lines_marked(done.stdout, f"ok    data       {tmp_path / 'd'} is writable")
    assert lines_marked(done.stdout, "ok    disk")


def test_doctor_with_a_video_as_camera_and_a_screen_says_live_training_can_run(tmp_path, screen):
    done = run_cli("doctor", "--camera", str(CLIP), env={"DISPLAY": screen, "POSECHECK_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert not lines_marked(done.stdout, "FAIL")
    assert lines_marked(done.stdout, f"ok    camera     {CLIP}: a video file as the camera, 480x360 at 15 fps")
    assert lines_marked(done.stdout, "ok    display    a window opens")
    assert done.stdout.rstrip().endswith("live training can run: `posecheck routine`")


def test_each_bad_input_or_missing_part_gets_one_line_and_no_traceback(tmp_path, screen):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run_cli("doctor", "--camera", str(tmp_path / "missing.mp4"), "--variant", "huge",
                   env={"DISPLAY": screen, "POSECHECK_DATA_DIR": str(blocker / "data")})
    assert done.returncode == 1
    assert no_traceback(done)
    assert lines_marked(done.stdout, "FAIL") == [
        "FAIL  models     no model variant 'huge': choose one of lite, full, heavy",
        f"FAIL  camera     no such file or folder: {tmp_path / 'missing.mp4'}",
        f"FAIL  data       cannot write to {blocker / 'data'} (Not a directory): "
        "set POSECHECK_DATA_DIR to a folder you can write to",
    ]


def test_a_missing_model_fails_only_for_the_variant_live_training_uses(tmp_path, screen):
    done = run_cli("doctor", "--camera", str(CLIP), env={"DISPLAY": screen, "POSECHECK_MODEL_DIR": str(tmp_path),
                                                        "POSECHECK_DATA_DIR": str(tmp_path / "d")})
    assert done.returncode == 1
    assert lines_marked(done.stdout, "FAIL") == [
        "FAIL  model full not fetched: run `posecheck models fetch --variant full`"]
    assert len(lines_marked(done.stdout, "note  model ")) == 2  # lite and heavy: optional


def test_a_display_that_does_not_answer_is_a_failure_not_a_crash(tmp_path):
    # Qt aborts the whole process when it cannot reach the display: the doctor probes in a child.
    done = run_cli("doctor", "--camera", str(CLIP), env={"DISPLAY": ":9876", "POSECHECK_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1
    assert no_traceback(done)
    [line] = lines_marked(done.stdout, "FAIL")
    assert line.startswith("FAIL  display    OpenCV cannot open a window (")


class FakeWebcam(Source):
    """A live camera sending `fps` frames a second (timestamps from its own clock), or nothing."""

    live = True

    def __init__(self, fps: float, frames: int | None = None) -> None:
        self.fps, self.size, self._frames, self._step_ms = 30.0, (640, 480), frames, 1000 / fps
        self.closed = False

    def frames(self) -> Iterator[Frame]:
        index = 0
        while self._frames is None or index < self._frames:
            time.sleep(0.005)
            yield Frame(index, round(index * self._step_ms), np.zeros((480, 640, 3), np.uint8))
            index += 1

    def close(self) -> None:
        self.closed = True


def test_the_camera_check_reports_the_frame_rate_actually_delivered(monkeypatch):
    camera = FakeWebcam(fps=20)
    monkeypatch.setattr("posecheck.sources.open_source", lambda spec: camera)
    check = doctor.check_camera("0", probe_s=0.2)
    assert check.ok and camera.closed
    assert check.detail == "0: 640x480, 20.0 fps delivered (it offers 30)"


def test_a_slow_camera_is_a_note_and_a_silent_one_a_failure(monkeypatch):
    monkeypatch.setattr("posecheck.sources.open_source", lambda spec: FakeWebcam(fps=4))
    slow = doctor.check_camera("0", probe_s=0.2)
    assert (slow.ok, slow.required) == (False, False)
    assert "4.0 fps delivered" in slow.detail
    monkeypatch.setattr("posecheck.sources.open_source", lambda spec: FakeWebcam(fps=30, frames=0))
    silent = doctor.check_camera("0", probe_s=0.2)
    assert (silent.ok, silent.required) == (False, True)
    assert "opens but sends no frames" in silent.detail
