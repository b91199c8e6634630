"""Crash safety: a live session killed with SIGKILL loses at most its last second, and the next `posecheck
report` still works and says the session is incomplete.

Two ways, neither timed by the wall clock (on two shared cores a busy machine is slow, not lossy):

- The recording's own bound, exactly: a process runs the live trainer on a committed recording and kills
  itself right after a chosen frame; every frame and event up to a second before it must be on disk.
- The real program: `posecheck live` headless on a rendered clip (real MediaPipe, lite model) with
  `--every-frame`, so each frame of the clip is inferred and recorded whatever the machine's speed, killed
  during start-up, at random moments of the exercise, or the moment it says a rep is done. Whatever it
  said before the kill is on disk, and nothing is missing in the middle.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
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
from posecheck.events import EventKind
from posecheck.live.profile import write_default_profile
from posecheck.live.routine import create_run
from posecheck.recording import load_recording
from posecheck.session import SESSION_FILE, load_session

MAX_LOSS_MS = 1000  # "at most the last second of recording is lost"
SEED = 20261125

# -- the recording's bound, with the kill at a known frame ---------------------------------------------------

RECORDING = REPO / "samples" / "kinematic" / "knee_rolls__correct__dev1000.jsonl"
SELF_KILLS = 8
# The live trainer fed a recording's frames as MediaPipe's poses, killing itself after frame argv[3].
CHILD = """
import os, signal, sys
import numpy as np
from posecheck.live.routine import step
from posecheck.live.trainer import Trainer
from posecheck.recording import load_recording
from posecheck.session import SessionWriter

recording = load_recording(sys.argv[1])
trainer = Trainer([step("knee_rolls")], SessionWriter(sys.argv[2]), recording.header, instructions_s=0.0,
                  setup_check=False)
image = np.zeros((1, 1, 3), np.uint8)
for index, frame in enumerate(recording.frames):
    trainer.on_pose(frame, image, people=int(frame.has_pose))
    if index == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("kill_after", sorted(random.Random(SEED).sample(
    range(len(load_recording(RECORDING).frames)), SELF_KILLS)))
def test_a_session_killed_after_any_frame_keeps_all_but_at_most_its_last_second(kill_after, tmp_path):
    folder = tmp_path / "session"
    done = subprocess.run([sys.executable, "-c", CHILD, str(RECORDING), str(folder), str(kill_after)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr
    frames = load_recording(RECORDING).frames[: kill_after + 1]  # what the killed process had been given
    reached = frames[-1].timestamp_ms
    session = load_session(folder)
    assert not session.complete
    (record,) = session.exercises
    kept = [f.timestamp_ms for f in record.frames]
    assert kept == [f.timestamp_ms for f in frames][: len(kept)], "what is on disk is the frames, in order"
    assert kept and kept[-1] >= reached - MAX_LOSS_MS, (reached, kept[-1])
    # The events the rules gave on those frames, up to a second before the kill, are on disk too.
    run = create_run("knee_rolls", {})
    said = [(e.kind, e.rep, e.check) for f in frames for e in run.update(f) if e.timestamp_ms <= reached - MAX_LOSS_MS]
    assert [(e.kind, e.rep, e.check) for e in record.events][: len(said)] == said


# -- the real program ---------------------------------------------------------------------------------------

CLIP = REPO / "samples" / "video" / "knee_rolls__correct__right__b1.mp4"  # 35 s, 4 reps: never ends first
FRAME_MS = 1000 / 15  # the clip's frame interval
STARTUP_TRIALS, EXERCISE_TRIALS, REP_TRIALS = 4, 10, 6
STARTUP_KILL_S = (0.3, 3.0)  # after launch: loading, the instructions, or the exercise's first moments
EXERCISE_KILL_S = (0.0, 4.0)  # after the trainer says the exercise starts
WAIT_S = 180  # the longest a trial waits for the line it is killed at (a busy machine is slow, not wrong)
LINE = re.compile(r"^\[\s*(\d+\.\d) s\] (.*)$")  # "[   12.3 s] rep 1 (left), held 4.2 s": camera time, words


@dataclass
class Trial:
    number: int
    when: str  # "startup" (after launch), "exercise" (after the Start line) or "rep" (as rep `rep` is said)
    delay_s: float = 0.0
    rep: int = 0
    folder: Path = Path()
    lines: list[str] = field(default_factory=list)  # stdout, as read before the kill
    returncode: int | None = None

    def said(self) -> list[tuple[int, str]]:
        """(camera ms, words) of each line the trainer printed during the exercise, before the kill."""
        out, started = [], False
        for line in self.lines:
            match = LINE.match(line)
            if match:
                started = started or match[2].startswith("Start: ")
                if started:
                    out.append((round(float(match[1]) * 1000), match[2]))
        return out


def _run(trial: Trial, profile: Path, data: Path) -> Trial:
    child = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "live", "--exercise", "knee_rolls", "--headless", "--no-voice",
         "--variant", "lite", "--instructions-seconds", "0", "--skip-setup-check", "--every-frame",
         "--source", str(CLIP), "--session-dir", str(trial.folder), "--profile", str(profile)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "POSECHECK_DATA_DIR": str(data), "DISPLAY": ""},
    )
    started = threading.Event()

    def read() -> None:
        for line in child.stdout:
            trial.lines.append(line.rstrip("\n"))
            if "] Start: " in line:
                started.set()
            if trial.when == "rep" and re.search(rf"\] rep {trial.rep} ", line):
                os.kill(child.pid, signal.SIGKILL)  # the moment it is said, as fast as this process can
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if trial.when == "startup":
        time.sleep(trial.delay_s)
    elif trial.when == "exercise":
        started.wait(WAIT_S)
        time.sleep(trial.delay_s)
    else:
        reader.join(WAIT_S)
    if child.poll() is None:
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
    planned = [Trial(0, "startup", rng.uniform(*STARTUP_KILL_S)) for _ in range(STARTUP_TRIALS)]
    planned += [Trial(0, "exercise", rng.uniform(*EXERCISE_KILL_S)) for _ in range(EXERCISE_TRIALS)]
    planned += [Trial(0, "rep", rep=rng.choice((1, 2))) for _ in range(REP_TRIALS)]
    for number, trial in enumerate(planned):
        trial.number, trial.folder = number, base / f"session-{number:02d}"
    # Two at a time: the lite model leaves most of a core idle, and the trials take half as long.
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda t: _run(t, profile, base / "data"), planned))


def test_every_trial_was_killed_not_ended(trials):
    assert all(t.returncode == -signal.SIGKILL for t in trials)


def test_the_exercise_and_rep_trials_were_killed_in_the_middle_of_the_exercise(trials):
    for trial in trials:
        if trial.when != "startup":
            assert trial.said(), (trial.when, trial.lines)
        if trial.when == "rep":
            assert re.match(rf"rep {trial.rep} ", trial.said()[-1][1]), trial.lines


@pytest.mark.parametrize("number", range(STARTUP_TRIALS + EXERCISE_TRIALS + REP_TRIALS))
def test_a_killed_session_keeps_what_it_said_and_still_gives_a_report(trials, number, tmp_path, capsys):
    trial = trials[number]
    said = trial.said()
    if not (trial.folder / SESSION_FILE).exists():
        # Killed before the session folder was made: nothing was recorded, so nothing can be lost.
        assert trial.when == "startup" and not said, trial.lines
        return
    session = load_session(trial.folder)
    assert not session.complete
    assert any("did not end normally" in p for p in session.problems)
    if said:
        (record,) = session.exercises
        stamps = [f.timestamp_ms for f in record.frames]
        # The clip's frames from its first, every one (--every-frame): nothing lost in the middle.
        assert stamps == [round(i * FRAME_MS) for i in range(len(stamps))], "every frame, none missing"
        # What the trainer said came after the frame it was about was written: that frame is on disk (the
        # printed time is rounded to a tenth of a second), and so is every rep it counted aloud.
        assert said[-1][0] - 50 <= stamps[-1], (said[-1], stamps[-1])
        counted = [int(m[1]) for _, words in said if (m := re.match(r"rep (\d+) ", words))]
        assert [e.rep for e in record.events if e.kind is EventKind.REP_COMPLETED][: len(counted)] == counted
        assert all(b - a <= MAX_LOSS_MS for a, b in itertools.pairwise(stamps))
    status = main(["report", str(trial.folder), "-o", str(tmp_path / "report"), "--no-history"])
    out = capsys.readouterr().out
    assert status == 0
    assert "the session is incomplete" in out
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["session"]["complete"] is False
    assert [e["frames"] for e in report["exercises"]] == [len(e.frames) for e in session.exercises]
