"""Crash safety: a live session killed with SIGKILL at a random moment loses at most its last second, and
the next `posecheck report` still works and says the session is incomplete.

Each trial runs `posecheck live` headless on a rendered sample clip played in real time as the camera (real
MediaPipe, lite model) and kills it 1 to 6 seconds after launch: during start-up, the instructions or the
exercise. How far the session had got is read from the trainer's own stdout: the exercise starts at the
camera time it prints, and the camera is real time from then on, so at the kill it had reached at least
that time plus the wall-clock time since the line came out.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REPO

from posecheck.cli import main
from posecheck.live.profile import write_default_profile
from posecheck.session import SESSION_FILE, load_session

CLIP = REPO / "samples" / "video" / "knee_rolls__correct__right__b1.mp4"  # 35 s: never ends before the kill
TRIALS = 20
SEED = 20261125
KILL_AFTER_S = (1.0, 6.0)  # after launch
MAX_LOSS_MS = 1000  # "at most the last second of recording is lost"


@dataclass
class Trial:
    number: int
    kill_after_s: float
    folder: Path
    lines: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time read, stdout line)
    killed_at: float = 0.0
    returncode: int | None = None

    def started(self) -> tuple[float, int] | None:
        """(when the parent read it, camera ms) of the trainer's "Start:" line, if the exercise started."""
        for at, line in self.lines:
            if "] Start: " in line:
                return at, round(float(line.split("]")[0].strip("[ s")) * 1000)
        return None


def _run(trial: Trial, profile: Path, data: Path) -> Trial:
    child = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "live", "--exercise", "knee_rolls", "--headless", "--no-voice",
         "--variant", "lite", "--instructions-seconds", "0", "--skip-setup-check", "--source", str(CLIP),
         "--session-dir", str(trial.folder), "--profile", str(profile)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "POSECHECK_DATA_DIR": str(data), "DISPLAY": ""},
    )

    def read() -> None:
        for line in child.stdout:
            trial.lines.append((time.monotonic(), line.rstrip("\n")))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    launched = time.monotonic()
    time.sleep(max(0.0, launched + trial.kill_after_s - time.monotonic()))
    trial.killed_at = time.monotonic()
    os.kill(child.pid, signal.SIGKILL)
    trial.returncode = child.wait(timeout=30)
    reader.join(timeout=5)
    return trial


@pytest.fixture(scope="module")
def trials(tmp_path_factory) -> list[Trial]:
    base = tmp_path_factory.mktemp("crash")
    profile = base / "profile.toml"
    write_default_profile(profile)
    rng = random.Random(SEED)
    planned = [Trial(n, rng.uniform(*KILL_AFTER_S), base / f"session-{n:02d}") for n in range(TRIALS)]
    # Two at a time: the lite model at 15 fps leaves most of a core idle, and the trials take half as long.
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda t: _run(t, profile, base / "data"), planned))


def test_every_trial_was_killed_not_ended(trials):
    assert all(t.returncode == -signal.SIGKILL for t in trials)


def test_enough_trials_were_killed_in_the_middle_of_an_exercise(trials):
    # The delays are random: some land during start-up. Most must land while the exercise is recorded.
    assert sum(t.started() is not None for t in trials) >= TRIALS // 2


@pytest.mark.parametrize("number", range(TRIALS))
def test_a_killed_session_loses_at_most_its_last_second_and_still_gives_a_report(trials, number, tmp_path, capsys):
    trial = trials[number]
    start = trial.started()
    if not (trial.folder / SESSION_FILE).exists():
        # Killed before the session folder was made: nothing was recorded, so nothing can be lost.
        assert start is None, trial.lines
        return
    session = load_session(trial.folder)
    assert not session.complete
    assert any("did not end normally" in p for p in session.problems)
    if start is not None:
        (record,) = session.exercises
        seen_at, t0 = start
        reached_ms = t0 + (trial.killed_at - seen_at) * 1000  # camera time the session had reached, at least
        stamps = [f.timestamp_ms for f in record.frames]
        assert stamps, "the exercise had started but no frame is on disk"
        assert reached_ms - stamps[-1] <= MAX_LOSS_MS, (reached_ms, stamps[-1])
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        assert all(0 < g <= MAX_LOSS_MS for g in gaps)  # nothing lost in the middle either
        assert all(e.timestamp_ms <= stamps[-1] + MAX_LOSS_MS for e in record.events)
    status = main(["report", str(trial.folder), "-o", str(tmp_path / "report"), "--no-history"])
    out = capsys.readouterr().out
    assert status == 0
    assert "the session is incomplete" in out
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["session"]["complete"] is False
    assert [e["frames"] for e in report["exercises"]] == [len(e.frames) for e in session.exercises]
