"""From the mat, without the keyboard (issue 18's goal): `posecheck routine` run as a person would, on rendered
clips standing in for the camera, in a real window on a virtual screen (Xvfb), steered only by gestures and
by voice commands, never a key.

Everything is the product's own: the command line, the camera reader (the clips wait for the routine as a
person would: posecheck.live.loop.ClipWaits), the frame loop, MediaPipe on the clips' pixels, the trainer,
the gesture watch and the PocketSphinx recognizer on the listener's thread. In a subprocess (`probe`), the
trainer is subclassed only to put the person's arms into its poses and to keep what it announced, and the
window's keys are read and dropped (none comes). Two things stand in for the person on the mat:

- their voice: espeak-ng's speech of "next", "pause", "go on" and "stop" comes through the listener's
  `blocks` (in place of the microphone), 0.1 s blocks of room sound paced by the session's clock (the
  clips' time), so what is heard when does not depend on how fast this machine infers;
- their arms: in the poses MediaPipe found, an arm (or both) is put straight up towards the ceiling while
  they mean a gesture, as `tests/test_hands_free.py` does with recorded landmarks.

The person reacts to what the routine is doing (the trainer's state, as they would to the screen and the
voice), so the script does not depend on how long the set-up check takes. About 70 s on two cores (1,400
frames inferred); `POSECHECK_PROBE_TRACE=1` in the environment prints what happens as it happens.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, virtual_screen

CLIPS = REPO / "samples" / "video"
# The routine's first three exercises, each on its own correct clip (one clip per exercise, in order).
HEELS = CLIPS / "heels_stretch__correct__right__b0.mp4"  # 27 s, 3 reps
KNEES = CLIPS / "knee_rolls__correct__right__b1.mp4"  # 35 s, 4 reps
BACK = CLIPS / "back_extensions__correct__left__b2.mp4"  # 31 s, 3 reps
PLAN = """version = 1

[[exercise]]
name = "heels_stretch"
reps = 3

[[exercise]]
name = "knee_rolls"

[[exercise]]
name = "back_extensions"
"""
SAID = ("next", "pause", "go on", "stop")
ESPEAK = shutil.which("espeak-ng")


# -- the person on the mat (runs in the subprocess) ---------------------------------------------------------
BLOCK_MS = 100  # the microphone's block (posecheck.live.listen.BLOCK_S)
RATE = 16000  # the recognizer's samples a second
# A quiet room's noise floor, in 16-bit steps: with it each command was heard wherever it was put (30 places
# each, at 20, 40 and 60 alike); on digital silence, which no microphone gives, "stop" only in 4 of 12.
HISS = 40.0


def trace(text: str) -> None:
    """With POSECHECK_PROBE_TRACE set, what the probe sees goes to stderr as it happens."""
    if os.environ.get("POSECHECK_PROBE_TRACE"):
        print(text, file=sys.stderr, flush=True)


class Room:
    """The room's sound as the microphone would give it: a quiet room's hiss (a microphone never hears digital
    silence) and what the person says, from the moment they say it, in 0.1 s blocks that keep pace with the
    session's clock (the newest frame's time). The same session gives the same sound, sample for sample."""

    def __init__(self, speech: dict[str, np.ndarray]) -> None:
        self.speech = speech
        self.trainer = None  # set once the routine's trainer exists
        self._said: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()  # (session ms, words)

    def say(self, t_ms: int, words: str) -> None:
        self._said.put((t_ms, words))

    def blocks(self):
        rng = np.random.default_rng(18)
        start_ms: int | None = None
        sent = 0  # samples given
        block = RATE * BLOCK_MS // 1000
        words: list[tuple[int, np.ndarray]] = []  # (first sample, speech) of what was said
        while self.trainer is None or not self.trainer.done:
            now = None if self.trainer is None else self.trainer.now_ms
            if now is not None and start_ms is None:
                start_ms = now
            if now is None or start_ms + (sent + block) * 1000 // RATE > now:
                time.sleep(0.005)
                continue
            while not self._said.empty():
                t_ms, said = self._said.get()
                words.append((max(sent, (t_ms - start_ms) * RATE // 1000), self.speech[said]))
                trace(f"room at {t_ms / 1000:.1f} s: {said!r}")
            sound = rng.normal(0.0, HISS, block)
            for first, speech in words:
                part = speech[max(0, sent - first): max(0, sent + block - first)]
                at = max(0, first - sent)
                sound[at:at + len(part)] += part
            words = [(first, speech) for first, speech in words if first + len(speech) > sent + block]
            sent += block
            yield np.clip(np.round(sound), -32768, 32767).astype("<i2").tobytes()


def arm_up(frame, side: str):
    """The pose with one arm straight up towards the ceiling (image up), a torso length long, as a person
    lying down raises it."""
    from posecheck.landmarks import Landmark

    shoulder, elbow, wrist = ((Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST) if side == "left"
                              else (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST))
    xy = frame.xy
    torso = xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(0) - xy[[Landmark.LEFT_HIP,
                                                                               Landmark.RIGHT_HIP]].mean(0)
    length = float(np.linalg.norm(torso))
    size = np.asarray(frame.image_size, np.float32)
    image, visibility = frame.image.copy(), frame.visibility.copy()
    image[elbow, :2] = (xy[shoulder] + np.array([0.0, -0.5 * length])) / size
    image[wrist, :2] = (xy[shoulder] + np.array([0.0, -1.0 * length])) / size
    visibility[[shoulder, elbow, wrist]] = 0.95
    return dataclasses.replace(frame, image=image, visibility=visibility)


class Person:
    """What the person does, step by step, each when the routine is ready for it; `log` says what and when."""

    def __init__(self, room: Room) -> None:
        self.room = room
        self.step = 0
        self.arms: tuple[str, ...] = ()  # the arms raised now
        self.paused_since: int | None = None
        self.stage_since: tuple[str, int] | None = None
        self.log: list[tuple[int, str]] = []

    def _do(self, t_ms: int, what: str) -> None:
        self.log.append((t_ms, what))
        self.step += 1
        trace(f"person at {t_ms / 1000:.1f} s: {what}")

    def act(self, tr, t_ms: int) -> tuple[str, ...]:
        """The arms raised in the frame at `t_ms`, after saying what is to be said."""
        stage = str(tr.stage)
        if self.stage_since is None or self.stage_since[0] != stage:
            self.stage_since = (stage, t_ms)
        in_stage_s = (t_ms - self.stage_since[1]) / 1000
        self.paused_since = (self.paused_since or t_ms) if tr.paused else None
        paused_s = 0.0 if self.paused_since is None else (t_ms - self.paused_since) / 1000
        exercise, reps, between_reps = tr.step.exercise, tr.counters.reps, tr.counters.rep_started_ms is None
        steps = [
            # Asked about pain before starting, from the mat: "next" skips the question.
            (stage == "pain_before" and in_stage_s >= 1.0, lambda: self.room.say(t_ms, "next"), 'say "next"'),
            # Heels stretch: paused and resumed by voice after the first rep; the set ends at its 3 reps.
            (exercise == "heels_stretch" and stage == "exercise" and reps >= 1 and between_reps,
             lambda: self.room.say(t_ms, "pause"), 'say "pause"'),
            (paused_s >= 2.0, lambda: self.room.say(t_ms, "go on"), 'say "go on"'),
            # Knee rolls: paused and resumed by raising an arm, then "next" after the second rep.
            (exercise == "knee_rolls" and stage == "exercise" and reps >= 1 and between_reps,
             lambda: self._raise("left"), "raise the left arm to pause"),
            (tr.paused, lambda: self._raise(), "lower it"),
            (paused_s >= 2.0, lambda: self._raise("left"), "raise the left arm to go on"),
            (not tr.paused, lambda: self._raise(), "lower it"),
            (exercise == "knee_rolls" and reps >= 2 and between_reps, lambda: self.room.say(t_ms, "next"),
             'say "next"'),
            # Back extensions: it hurts after the first rep; both arms up stop for pain; then "stop".
            (exercise == "back_extensions" and stage == "exercise" and reps >= 1 and between_reps,
             lambda: self._raise("left", "right"), "raise both arms: pain"),
            (stage == "pain", lambda: self._raise(), "lower them"),
            (stage == "pain" and in_stage_s >= 1.5, lambda: self.room.say(t_ms, "stop"), 'say "stop"'),
        ]
        if self.step < len(steps):
            ready, action, what = steps[self.step]
            if ready:
                action()
                self._do(t_ms, what)
        return self.arms

    def _raise(self, *arms: str) -> None:
        self.arms = arms


def synthesized(words: str, folder: Path) -> np.ndarray:
    """`words` said by espeak-ng (its American voice), 16 kHz samples."""
    from posecheck.live.listen import read_wav

    wav = folder / f"{words.replace(' ', '_')}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), words], check=True, capture_output=True)
    return np.frombuffer(read_wav(wav), "<i2").astype(np.float32)


def probe(out: Path, argv: list[str]) -> int:
    """`posecheck ARGV` with the person on the mat; what happened goes to OUT/probe.json."""
    import posecheck.live.command as command_module
    import posecheck.live.listen as listen_module
    from posecheck.cli import main
    from posecheck.live import window as window_module
    from posecheck.live.trainer import Trainer

    room = Room({words: synthesized(words, out) for words in SAID})
    person = Person(room)
    record: dict[str, list] = {"announced": [], "stages": [], "keys": [], "person": person.log, "paused": []}

    class Microphone(listen_module.Listener):
        """The listener as the product makes it, hearing the room instead of the microphone."""

        def __init__(self, echo=lambda: False, blocks=None) -> None:
            super().__init__(echo=echo, blocks=room.blocks)

        def poll(self):
            heard = super().poll()
            if heard or self.problem:
                trace(f"listener: heard {heard}, problem {self.problem}")
            return heard

    class OnTheMat(Trainer):
        """The routine's trainer, unchanged, seeing the person's arms in its poses; its words are kept."""

        def __init__(self, *args, **kwargs) -> None:
            shown = kwargs.get("announce") or (lambda t, text: None)

            def announce(t_ms: int, text: str) -> None:
                record["announced"].append((t_ms, text))
                trace(f"  [{t_ms / 1000:.1f} s] {text}")
                shown(t_ms, text)

            kwargs["announce"] = announce
            super().__init__(*args, **kwargs)
            room.trainer = self

        def on_pose(self, frame, image, people):
            arms = person.act(self, frame.timestamp_ms) if frame.has_pose else ()
            for side in arms:
                frame = arm_up(frame, side)
            before = (str(self.stage), self.index, self.paused)
            events = super().on_pose(frame, image, people)
            after = (str(self.stage), self.index, self.paused)
            if after[:2] != before[:2]:
                trace(f"routine at {frame.timestamp_ms / 1000:.1f} s: {after}")
                record["stages"].append((frame.timestamp_ms, self.steps[min(self.index, len(self.steps) - 1)].exercise,
                                         after[0]))
            if after[2] != before[2]:
                record["paused"].append((frame.timestamp_ms, self.step.exercise, after[2]))
            return events

    class NoKeys(window_module.Window):
        def key(self, wait_ms: int = 1):
            pressed = super().key(wait_ms)
            if pressed is not None:
                record["keys"].append(str(pressed))
            return None  # nobody is at the keyboard

    listen_module.Listener = Microphone
    command_module.Trainer = OnTheMat
    window_module.Window = NoKeys
    try:
        status = main(argv)
    finally:
        (out / "probe.json").write_text(json.dumps(record, indent=1))
    return status


# -- the test -----------------------------------------------------------------------------------------------
@pytest.fixture
def screen() -> Iterator[str]:
    with virtual_screen(1280, 800) as display:
        yield display


def test_the_routine_is_followed_from_the_mat_with_gestures_and_voice_commands_only(tmp_path, screen):
    if ESPEAK is None:
        pytest.skip("espeak-ng is not installed (it synthesizes the person's voice)")
    for clip in (HEELS, KNEES, BACK):
        if not clip.exists():
            pytest.skip(f"the rendered sample clip {clip.name} is missing")
    from posecheck.live.profile import write_default_profile
    from posecheck.session import load_session

    write_default_profile(tmp_path / "profile.toml")  # not the first run: no notice
    (tmp_path / "plan.toml").write_text(PLAN)
    out = tmp_path / "probe"
    out.mkdir()
    argv = ["routine", "--source", str(HEELS), "--source", str(KNEES), "--source", str(BACK),
            "--plan", str(tmp_path / "plan.toml"), "--every-frame", "--variant", "full", "--voice-commands",
            "--no-voice", "--instructions-seconds", "3", "--no-open", "--no-history",
            "--session-dir", str(tmp_path / "session"), "--profile", str(tmp_path / "profile.toml")]
    started = time.monotonic()
    done = subprocess.run([sys.executable, __file__, str(out), *argv], capture_output=True, text=True, timeout=480,
                          cwd=REPO, env={**os.environ, "DISPLAY": screen, "POSECHECK_DATA_DIR": str(tmp_path / "data")})
    took = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    seen = json.loads((out / "probe.json").read_text())
    said = [text for _, text in seen["announced"]]
    print(f"routine from the mat: {took:.0f} s; the person: {seen['person']}")

    assert seen["keys"] == []  # no key came from the window; every step below came from the person
    # The person did every step of the script, each heard or seen by the routine.
    assert [what for _, what in seen["person"]] == [
        'say "next"', 'say "pause"', 'say "go on"', "raise the left arm to pause", "lower it",
        "raise the left arm to go on", "lower it", 'say "next"', "raise both arms: pain", "lower them", 'say "stop"']
    assert [text for text in said if text.startswith(("Heard", "Both arms"))] == [
        'Heard "next"', 'Heard "pause"', 'Heard "go on"', 'Heard "next"', "Both arms raised: stop for pain",
        'Heard "stop"']
    assert "Pain before: skipped" in said and "Pain after: skipped" in said  # "next", then on its own at the end

    # Each exercise came up in the plan's order, each paused and resumed once, by voice then by an arm.
    assert [(exercise, stage) for _, exercise, stage in seen["stages"] if stage == "exercise"] == [
        ("heels_stretch", "exercise"), ("knee_rolls", "exercise"), ("back_extensions", "exercise")]
    assert [(exercise, paused) for _, exercise, paused in seen["paused"]] == [
        ("heels_stretch", True), ("heels_stretch", False), ("knee_rolls", True), ("knee_rolls", False)]

    # The session: three sets, ended by reaching the target, by "next", and for pain; the session by "stop".
    session = load_session(tmp_path / "session")
    data = json.loads((tmp_path / "session" / "session.json").read_text())
    assert [e["exercise"] for e in data["exercises"]] == ["heels_stretch", "knee_rolls", "back_extensions"]
    assert [e["ended_by"] for e in data["exercises"]] == ["completed", "next", "pain"]
    assert data["pain"] == {"before": None, "after": None}
    assert "Stopped for pain during Back extensions" in session.notes
    reps = {r.exercise: [e for e in r.events if e.kind == "rep_completed"] for r in session.exercises}
    # Every rep of the heels-stretch clip counted, the pause in the middle of the set notwithstanding, and
    # the pause invented no fault on the correct clips.
    assert len(reps["heels_stretch"]) == 3
    assert len(reps["knee_rolls"]) == 2 and len(reps["back_extensions"]) == 1
    faults = [(r.exercise, e.check) for r in session.exercises for e in r.events
              if e.kind == "fault" and e.check != "pain_reported"]
    assert faults == []
    # It ended as the person asked and wrote its report.
    assert (tmp_path / "session" / "report.html").is_file() and "report:" in done.stdout
    assert "Heels stretch: 3 reps" in done.stdout and "ended: pain" in done.stdout


if __name__ == "__main__":
    sys.exit(probe(Path(sys.argv[1]), sys.argv[2:]))
