"""Spoken cues through an offline speech engine (espeak-ng), if there is one; silent otherwise.

Never the same words twice within REPEAT_GAP_S, never over itself: a cue that arrives while the
previous one is still being spoken is dropped (the next frame will bring a fresher one).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Sequence

# Hearing "Keep your hips on the floor" every second is nagging; a few seconds apart is a reminder.
REPEAT_GAP_S = 6.0
# espeak-ng's default of 175 words a minute is hard to follow from across a room.
WORDS_PER_MINUTE = 150


class Voice:
    """`say(text)` speaks in the background; returns whether it was spoken."""

    def __init__(
        self,
        enabled: bool = True,
        command: Sequence[str] | None = None,
        repeat_gap_s: float = REPEAT_GAP_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if command is None:
            engine = shutil.which("espeak-ng")
            command = [engine, "-s", str(WORDS_PER_MINUTE)] if engine else None
        self.command = list(command) if enabled and command else None
        self.repeat_gap_s = repeat_gap_s
        self._clock = clock
        self._speaking: subprocess.Popen | None = None
        self._last_said: dict[str, float] = {}

    @property
    def available(self) -> bool:
        return self.command is not None

    def busy(self) -> bool:
        return self._speaking is not None and self._speaking.poll() is None

    def say(self, text: str) -> bool:
        if self.command is None or not text:
            return False
        now = self._clock()
        last = self._last_said.get(text)
        if (last is not None and now - last < self.repeat_gap_s) or self.busy():
            return False
        try:
            self._speaking = subprocess.Popen(
                [*self.command, text], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self.command = None  # the engine went away: stay silent rather than fail the session
            return False
        self._last_said[text] = now
        return True

    def close(self) -> None:
        """Let the last words finish (briefly), then stop."""
        if self._speaking is None:
            return
        try:
            self._speaking.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self._speaking.kill()
            self._speaking.wait()
        self._speaking = None
