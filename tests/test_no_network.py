"""No network at run time: only `posecheck models fetch` may reach out."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import REPO

# Replaces Python's ways out with a tripwire, then runs the CLI.
GUARDED_CLI = """
import socket, sys
def tripwire(*args, **kwargs):
    sys.stderr.write("NETWORK ATTEMPT\\n")
    raise OSError("network blocked by the test")
socket.socket.connect = tripwire
socket.socket.connect_ex = tripwire
socket.getaddrinfo = tripwire
socket.create_connection = tripwire
from posecheck.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_recording_landmarks_makes_no_network_call(tmp_path, astronaut_video, full_model):
    done = subprocess.run(
        [sys.executable, "-c", GUARDED_CLI, "landmarks", str(astronaut_video), "-o", str(tmp_path / "r.jsonl")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "NETWORK ATTEMPT" not in done.stderr


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs `unshare -n` (root or user namespaces)")
def test_recording_landmarks_works_with_no_network_at_all(tmp_path, astronaut_video, full_model):
    # A network namespace with no interface up: native code cannot reach out either.
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "posecheck", "landmarks", str(astronaut_video),
         "-o", str(tmp_path / "r.jsonl")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "30 frames, a person in 30" in done.stdout
