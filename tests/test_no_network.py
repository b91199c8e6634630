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


def _why_no_unshare() -> str | None:
    """None when `unshare -n` can make a process with no network, else why not."""
    if shutil.which("unshare") is None:
        return "no unshare command (util-linux)"
    done = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    return None if done.returncode == 0 else f"unshare -n said: {done.stderr.strip() or f'exit {done.returncode}'}"


NO_UNSHARE = _why_no_unshare()


@pytest.mark.skipif(NO_UNSHARE is not None, reason=f"NOT TESTED: recording with no network at all, in a network "
                    f"namespace ({NO_UNSHARE}); needs root or unprivileged user namespaces")
def test_recording_landmarks_works_with_no_network_at_all(tmp_path, astronaut_video, full_model):
    # A network namespace with no interface up: native code cannot reach out either.
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "posecheck", "landmarks", str(astronaut_video),
         "-o", str(tmp_path / "r.jsonl")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "30 frames, a person in 30" in done.stdout
