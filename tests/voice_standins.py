"""Stand-ins for the speech engine and a session driven by recorded frames, for the voice and end-screen
tests: no sound, no camera, time only from the frames."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from posecheck.landmarks import PoseFrame
from posecheck.live.routine import step
from posecheck.live.trainer import Trainer
from posecheck.live.voice import WORDS_PER_MINUTE, Voice
from posecheck.recording import RecordingHeader
from posecheck.session import SessionWriter

SIZE = (320, 240)
HEADER = RecordingHeader(source="test camera", fps=15.0, image_size=SIZE)
FRAME_MS = 67  # 15 fps
IMAGE = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)


class Clock:
    """The session's clock: the newest frame's time, in seconds."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class StandInUtterance:
    def __init__(self, engine: StandInEngine, text: str) -> None:
        self.engine, self.text = engine, text
        self.ends = engine.clock() + len(text.split()) * 60.0 / WORDS_PER_MINUTE  # espeak-ng's pace
        self.stopped = False

    def finished(self) -> bool:
        return self.stopped or self.engine.clock() >= self.ends

    def failure(self) -> str | None:
        return self.engine.fails_with

    def stop(self) -> None:
        self.stopped = True

    def wait(self, timeout: float) -> bool:
        return self.finished()


class StandInEngine:
    """A speech engine that takes as long as espeak-ng to say each text, on the session's clock; it keeps
    what was said and when (`heard`), and refuses to talk over itself."""

    def __init__(self, clock: Callable[[], float], fails_with: str | None = None) -> None:
        self.clock = clock
        self.fails_with = fails_with  # every utterance ends unheard, for this reason (an ALSA error)
        self.heard: list[tuple[float, str]] = []
        self._last: StandInUtterance | None = None

    def __call__(self, text: str) -> StandInUtterance:
        assert self._last is None or self._last.finished(), f"{text!r} started over {self._last.text!r}"
        self._last = StandInUtterance(self, text)
        self.heard.append((self.clock(), text))
        return self._last

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.heard]


def voiced_trainer(tmp_path: Path, exercises: list[str], fails_with: str | None = None,
                   **options) -> tuple[Trainer, StandInEngine, Clock]:
    """A trainer whose voice speaks through a stand-in engine on the frames' clock."""
    clock = Clock()
    engine = StandInEngine(clock, fails_with)
    voice = Voice(engine=engine, clock=clock)
    options = {"setup_check": False, "voice": voice, **options}
    trainer = Trainer([step(e) for e in exercises], SessionWriter(tmp_path / "session"), HEADER, **options)
    return trainer, engine, clock


def feed(trainer: Trainer, clock: Clock, frames: Iterable[PoseFrame], offset_ms: int = 0,
         until: Callable[[Trainer], bool] = lambda t: t.done) -> int:
    """Feed frames (moved `offset_ms` later) until `until`; returns the time of the last frame fed."""
    t = offset_ms
    for frame in frames:
        t = frame.timestamp_ms + offset_ms
        clock.now = t / 1000.0
        trainer.on_pose(dataclasses.replace(frame, timestamp_ms=t), IMAGE, people=1)
        if until(trainer):
            break
    return t


def blank(start_ms: int, seconds: float) -> list[PoseFrame]:
    """Frames with nobody in them: the instructions' seconds, or a wait on the end screen."""
    return [PoseFrame.empty(start_ms + i * FRAME_MS, SIZE) for i in range(round(seconds * 1000 / FRAME_MS))]
