"""Shared fixtures: real pixels (scikit-image's astronaut photograph) and the cached pose models."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REALDATA = SHARED / "realdata"
XVFB = shutil.which("Xvfb")


@contextlib.contextmanager
def virtual_screen(width: int, height: int, fbdir: Path | None = None) -> Iterator[str]:
    """A virtual X screen (Xvfb) of that size, its frame buffer written into `fbdir` if given; yields its
    DISPLAY. Skips (a failure under CI) without Xvfb."""
    if XVFB is None:
        pytest.skip("Xvfb is not installed (Debian package xvfb; tools/install-system-deps.sh installs it)")
    args = [XVFB, "-displayfd", "1", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"]
    server = subprocess.Popen(args + (["-fbdir", str(fbdir)] if fbdir else []), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        number = server.stdout.readline().strip()
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


_TEST_HISTORY = "posecheck-test-history-"


def pytest_configure(config) -> None:
    """The tests' sessions go into a history of their own, never the user's; each xdist worker has its own
    (two processes writing one SQLite file wait on its lock). A test that needs a given folder sets its own."""
    os.environ["POSECHECK_DATA_DIR"] = tempfile.mkdtemp(prefix=_TEST_HISTORY)


def pytest_unconfigure(config) -> None:
    folder = Path(os.environ.get("POSECHECK_DATA_DIR", ""))
    if folder.name.startswith(_TEST_HISTORY):
        shutil.rmtree(folder, ignore_errors=True)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skipped test is a failure: a skip there means a part of the product went untested (a
    missing system package, a sample not rendered, no Xvfb), and a green run would hide it."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and _in_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI ({reason}): CI runs every test; install or make what it needs"


@pytest.fixture(scope="session")
def astronaut_bgr() -> np.ndarray:
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


ASTRONAUT_SHIFT_PX = 3  # the video pans the photo by this many pixels a frame


@pytest.fixture(scope="session")
def astronaut_video(tmp_path_factory, astronaut_bgr) -> Path:
    """A 2-second 15 fps video of the photograph moving right by ASTRONAUT_SHIFT_PX a frame."""
    path = tmp_path_factory.mktemp("video") / "astronaut.mp4"
    height, width = astronaut_bgr.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 15, (width, height))
    canvas_pad = 40 * ASTRONAUT_SHIFT_PX
    for i in range(30):
        frame = np.full((height, width + canvas_pad, 3), 255, np.uint8)
        frame[:, i * ASTRONAUT_SHIFT_PX : i * ASTRONAUT_SHIFT_PX + width] = astronaut_bgr
        writer.write(np.ascontiguousarray(frame[:, :width]))
    writer.release()
    return path


@pytest.fixture(scope="session")
def slow_astronaut_video(tmp_path_factory, astronaut_bgr) -> Path:
    """Six seconds at 15 fps of the astronaut photograph swaying a few pixels: a person, upright."""
    path = tmp_path_factory.mktemp("live") / "astronaut_6s.mp4"
    height, width = astronaut_bgr.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 15, (width, height))
    for i in range(90):
        writer.write(np.ascontiguousarray(np.roll(astronaut_bgr, abs(i % 20 - 10) - 5, axis=1)))
    writer.release()
    return path


def model_path(variant: str = "full") -> Path:
    from posecheck.models import resolve_model

    return resolve_model(variant).path


@pytest.fixture(scope="session")
def full_model() -> Path:
    return model_path("full")


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `posecheck ARGS` as a user would, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *args],
        capture_output=True, text=True, timeout=timeout, cwd=REPO,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(autouse=True)
def _no_browser(monkeypatch):
    """No test opens a browser, even one run with `-s` at a desktop: a try fails the test."""

    def refuse(url, *args, **kwargs):
        raise AssertionError(f"a test tried to open {url} in a browser")

    monkeypatch.setattr("webbrowser.open", refuse)
