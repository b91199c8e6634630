"""Installed like any package: the wheel, in a fresh virtual environment, run from another folder.

The slow test of the suite (a few minutes: it installs MediaPipe and its dependencies from the
registry, builds the full model offline and analyses the demo clip); `pytest -m "not install"` skips it.
Everything happens in pytest's temporary folders, so runs in parallel or one after another do not meet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import pytest
from conftest import REPO

from posecheck.demo import DEMO_CLIP

pytestmark = pytest.mark.install

MANIFEST = REPO / "models" / "manifest.json"
DEMO_SOURCE = REPO / "samples" / "video" / DEMO_CLIP
MAX_WHEEL_BYTES = 3_000_000  # the code, the manifest and one sample clip: "within a few MB"
# What a copy of the checkout leaves out: the environment, caches, build output and fetched models.
NOT_SOURCE = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                    ".ruff_cache", ".cache", "*.task", "*.part", "out")
# Variables that would point an installed posecheck back at the checkout or at the user's own folders.
LEAKS = ("POSECHECK_", "XDG_", "PYTHON", "VIRTUAL_ENV", "DISPLAY", "WAYLAND_DISPLAY")


def run(command: list[str | Path], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr
    return done


@dataclass(frozen=True)
class Installed:
    wheel: Path
    source: Path  # the copy of the checkout the wheel was built from
    venv: Path
    home: Path
    cwd: Path

    def posecheck(self, *args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
        """`posecheck ARGS` from the new environment, in a folder of its own with a HOME of its own."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKS)}
        env.update(HOME=str(self.home), PATH=f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
        return run([self.venv / "bin" / "posecheck", *args], timeout, cwd=self.cwd, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    root = tmp_path_factory.mktemp("install")
    # Built from a copy so that parallel runs never share the checkout's build/ folder.
    source = root / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=NOT_SOURCE)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", root / "dist", source], 600)
    [wheel] = (root / "dist").glob("posecheck-*.whl")
    venv = root / "venv"
    run([sys.executable, "-m", "venv", venv], 300)
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], 900)
    home, cwd = root / "home", root / "elsewhere"
    home.mkdir()
    cwd.mkdir()
    return Installed(wheel, source, venv, home, cwd)


def test_the_wheel_carries_the_model_manifest_and_the_demo_clip_and_stays_small(installed):
    assert installed.wheel.stat().st_size < MAX_WHEEL_BYTES
    with zipfile.ZipFile(installed.wheel) as wheel:
        assert wheel.read("posecheck/data/manifest.json") == MANIFEST.read_bytes()
        assert wheel.read(f"posecheck/data/{DEMO_CLIP}") == DEMO_SOURCE.read_bytes()


def test_the_sdist_carries_the_files_themselves_not_links(installed, tmp_path):
    # setuptools >= 77 builds the sdist (the project's build requirement), kept apart from the new environment.
    tools = tmp_path / "buildtools"
    run([installed.venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--target", tools, "setuptools>=77"],
        600)
    build = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    done = run([installed.venv / "bin" / "python", "-c", build, tmp_path / "sdist"], 300, cwd=installed.source,
               env={**os.environ, "PYTHONPATH": str(tools)})
    name = done.stdout.strip().splitlines()[-1]
    with tarfile.open(tmp_path / "sdist" / name) as sdist:
        top = name.removesuffix(".tar.gz")
        for inside, original in ((f"data/{DEMO_CLIP}", DEMO_SOURCE), ("data/manifest.json", MANIFEST)):
            member = sdist.getmember(f"{top}/posecheck/{inside}")
            assert member.isfile()
            assert sdist.extractfile(member).read() == original.read_bytes()


def short_clip(path: Path, frames: int = 90) -> Path:
    """The first `frames` frames of a sample clip: enough for `analyze` to run, quick to analyse."""
    capture = cv2.VideoCapture(str(REPO / "samples" / "video" / "heels_stretch__correct__right__b0.mp4"))
    writer = None
    for _ in range(frames):
        ok, image = capture.read()
        assert ok
        if writer is None:
            height, width = image.shape[:2]
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 15, (width, height))
        writer.write(image)
    capture.release()
    writer.release()
    return path


def test_every_command_works_from_the_installed_wheel_outside_the_checkout(installed):
    home, cwd = installed.home, installed.cwd
    fetched = installed.posecheck("models", "fetch", "--variant", "full", "--offline", timeout=900)
    # No checkout: the model goes to the user's cache folder.
    model = home / ".cache" / "posecheck" / "models" / "pose_landmarker_full.task"
    assert f"full: ok, {model}" in fetched.stdout
    assert installed.posecheck("models", "verify", "--variant", "full").stdout.startswith("full: ok")

    demo = installed.posecheck("demo", timeout=600)
    sessions = home / ".local" / "share" / "posecheck" / "sessions"
    [demo_session] = sessions.iterdir()
    assert f"report: {demo_session / 'report.html'}" in demo.stdout
    assert "Knee rolls: " in demo.stdout

    clip = short_clip(cwd / "my_heels_stretch.mp4")
    analysed = installed.posecheck("analyze", clip.name, "--exercise", "heels_stretch", "--session-dir", "analysed")
    assert "session: analysed" in analysed.stdout
    assert (cwd / "analysed" / "report.html").is_file()

    report = installed.posecheck("report", demo_session)
    assert f"report: {demo_session / 'report.html'}" in report.stdout

    live = installed.posecheck("live", "--exercise", "heels_stretch", "--source", clip.name, "--headless",
                               "--max-seconds", "3", "--skip-setup-check", "--session-dir", "live")
    assert "camera " in live.stdout  # the closing rates line: the loop ran
    assert (cwd / "live" / "report.html").is_file()

    # No camera and no display here: the doctor says so (exit 1) and finds the model it fetched.
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKS)}
    doctor = subprocess.run([installed.venv / "bin" / "posecheck", "doctor", "--camera", "97"], capture_output=True,
                            text=True, timeout=120, cwd=cwd, env={**env, "HOME": str(home)})
    assert doctor.returncode == 1
    assert f"ok    model full (sha256 pinned, loads in MediaPipe) {model}" in doctor.stdout
    assert "Traceback" not in doctor.stderr
