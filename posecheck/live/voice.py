"""Spoken cues through an offline speech engine (espeak-ng), if there is one; silent otherwise.

Never over itself, and what waits is said in order of importance:

    STOP    stop now (pain, safety): cuts off whatever is being said
    FAULT   a fault's cue: waits its turn, before any guidance, while it still applies (CUE_WAIT_S)
    GUIDE   guidance said once (the instruction, "hold", "that's 3 of 8", the end): waits its turn
    REPEAT  said again by the next frames anyway (set-up advice): dropped while the voice is busy

The nagging kinds (FAULT, REPEAT) are never said twice within REPEAT_GAP_S. Guidance is said once per
moment by its caller, so a second "Hold" one rep later is meant.

An engine that is missing, cannot start, or speaks into no sound device (espeak-ng then exits 0 but
reports the error) makes the voice `problem`: said once through `on_problem`, and the voice goes quiet.
`pump()` speaks what waits once the voice is free: call it often (the trainer does, on every frame).
Within `gathered()` (the trainer's frame) nothing starts until the end, so a fault raised with a count
in the same frame is said first.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import IO, Protocol

# Hearing "Keep your hips on the floor" every second is nagging; a few seconds apart is a reminder.
REPEAT_GAP_S = 6.0
# espeak-ng's default of 175 words a minute is hard to follow from across a room.
WORDS_PER_MINUTE = 150
# A fault's cue is on screen this long (the trainer's CUE_S): said later, it is about another moment.
CUE_WAIT_S = 4.0
# Guidance still helps this much later (a count after a long instruction); after that it is stale.
GUIDE_WAIT_S = 8.0
# At the end, what still waits is said within this long before the program exits.
CLOSE_S = 6.0
INSTALL_HINT = "install espeak-ng, e.g. `sudo apt-get install espeak-ng`"


class Priority(IntEnum):
    REPEAT = 0
    GUIDE = 1
    FAULT = 2
    STOP = 3


NAGGING = (Priority.REPEAT, Priority.FAULT)
# How long each waits for the voice at most (REPEAT: only to the end of its frame, the next frames say it again).
WAIT_S = {Priority.REPEAT: 0.5, Priority.GUIDE: GUIDE_WAIT_S, Priority.FAULT: CUE_WAIT_S, Priority.STOP: GUIDE_WAIT_S}


class Utterance(Protocol):
    """One thing being said by an engine."""

    def finished(self) -> bool: ...

    def failure(self) -> str | None:
        """Once finished: why it could not be heard (None: it was spoken)."""
        ...

    def stop(self) -> None: ...

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for it to finish; whether it did."""
        ...


Engine = Callable[[str], Utterance]  # starts saying the text; raises OSError when it cannot


def espeak_command() -> list[str] | None:
    """The espeak-ng command line that speaks its last argument, or None when it is not installed."""
    engine = shutil.which("espeak-ng")
    return [engine, "-s", str(WORDS_PER_MINUTE)] if engine else None


def why_unheard(returncode: int, stderr: str) -> str | None:
    """Why an engine's run was not heard, from its exit status and error output (None: it was).

    espeak-ng exits 0 even when it cannot open the sound device; it says so on stderr ("error: ...",
    after ALSA's own lines), and that is what is looked for.
    """
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    if returncode == 0 and not errors:
        return None
    alsa = [line for line in lines if line.startswith("ALSA lib")]
    if alsa:
        # "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default": the words after the location.
        return f"no sound output (ALSA: {alsa[-1].rsplit(')', 1)[-1].strip()})"
    said = (errors or lines or [f"exit status {returncode}"])[-1]
    return f"the speech engine failed ({said})"


class _Process:
    """An utterance spoken by a command (espeak-ng); its error output is kept in a file, not a pipe,
    so a chatty engine never blocks on a full pipe."""

    def __init__(self, command: Sequence[str], text: str) -> None:
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the utterance)
        try:
            self._popen = subprocess.Popen([*command, text], stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=self._stderr)
        except OSError:
            self._stderr.close()
            raise

    def finished(self) -> bool:
        return self._popen.poll() is not None

    def failure(self) -> str | None:
        self._stderr.seek(0)
        said = self._stderr.read().decode(errors="replace")
        self._stderr.close()
        return why_unheard(self._popen.returncode, said)

    def stop(self) -> None:
        self._popen.kill()
        self._popen.wait()
        self._stderr.close()

    def wait(self, timeout: float) -> bool:
        try:
            self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True


def command_engine(command: Sequence[str]) -> Engine:
    return lambda text: _Process(command, text)


@dataclass
class _Waiting:
    text: str
    priority: Priority
    arrived: float
    until: float


class Voice:
    """`say(text, priority)` speaks in the background; returns whether it was spoken at once."""

    def __init__(
        self,
        enabled: bool = True,
        command: Sequence[str] | None = None,
        repeat_gap_s: float = REPEAT_GAP_S,
        clock: Callable[[], float] = time.monotonic,
        engine: Engine | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.enabled = enabled
        self.problem: str | None = None  # why the voice cannot be heard, once that is known
        self.on_problem = on_problem
        if engine is None and enabled:
            command = command or espeak_command()
            if command is None:
                self.problem = f"espeak-ng is not installed ({INSTALL_HINT})"
            else:
                engine = command_engine(command)
        self._engine = engine if enabled else None
        self.repeat_gap_s = repeat_gap_s
        self._clock = clock
        self._speaking: Utterance | None = None
        self._last_said: dict[str, float] = {}
        self._waiting: list[_Waiting] = []
        self._gathering = 0

    @property
    def available(self) -> bool:
        return self._engine is not None

    def status(self) -> str:
        """One line for the person: is the voice on, off, or unavailable and why."""
        if self.problem is not None:
            return f"Voice unavailable: {self.problem}. Cues are shown, not spoken"
        if not self.enabled:
            return "Voice off: cues are shown, not spoken"
        return "Voice on: cues are spoken aloud; if you hear nothing, run `posecheck doctor`"

    @property
    def speaking(self) -> bool:
        """Whether something is being said, as last seen (no polling: safe to read from another thread,
        where the microphone's listener uses it to ignore the trainer's own words)."""
        return self._speaking is not None

    def busy(self) -> bool:
        if self._speaking is not None and self._speaking.finished():
            done, self._speaking = self._speaking, None
            why = done.failure()
            if why is not None:
                self._fail(why)
        return self._speaking is not None

    def say(self, text: str, priority: Priority = Priority.REPEAT, within_s: float | None = None) -> bool:
        """Speak `text` now if nothing else goes first, else (but REPEAT) keep it for `within_s` seconds
        (default by priority) until the voice is free. Returns whether it was spoken at once."""
        if self._engine is None or not text:
            return False
        now = self._clock()
        last = self._last_said.get(text)
        if priority in NAGGING and last is not None and now - last < self.repeat_gap_s:
            return False
        if priority is Priority.REPEAT:
            if not self._gathering:
                self.pump()
            if self.busy() or self._waiting:
                return False
        if priority is Priority.STOP and self.busy():
            assert self._speaking is not None
            self._speaking.stop()
            self._speaking = None
        wait = within_s if within_s is not None else WAIT_S[priority]
        self._waiting = [w for w in self._waiting if w.text != text]
        self._waiting.append(_Waiting(text, priority, now, now + wait))
        return not self._gathering and self.pump() == text

    def hush(self) -> None:
        """Stop what is being said and drop what waits: it is about a moment that has passed."""
        self._waiting = []
        if self.busy():
            assert self._speaking is not None
            self._speaking.stop()
            self._speaking = None

    @contextlib.contextmanager
    def gathered(self) -> Iterator[None]:
        """Within: what is said waits for the end, and then the most important of it goes first."""
        self._gathering += 1
        try:
            yield
        finally:
            self._gathering -= 1
            if not self._gathering:
                self.pump()

    def pump(self) -> str | None:
        """If the voice is free, say the most important thing still waiting (the oldest of equals)."""
        if self._engine is None or self.busy():
            return None
        now = self._clock()
        self._waiting = [w for w in self._waiting if w.until >= now]
        if not self._waiting:
            return None
        first = max(self._waiting, key=lambda w: (w.priority, -w.arrived))
        self._waiting.remove(first)
        return first.text if self._start(first.text) else None

    def _start(self, text: str) -> bool:
        assert self._engine is not None
        try:
            self._speaking = self._engine(text)
        except OSError as error:
            self._fail(f"the speech engine could not start ({error.strerror or error})")
            return False
        self._last_said[text] = self._clock()
        return True

    def _fail(self, why: str) -> None:
        """The voice cannot be heard: stay silent rather than fail the session, and say so once."""
        self._engine = None
        self._waiting = []
        if self.problem is None:
            self.problem = why
            if self.on_problem is not None:
                self.on_problem(why)

    def close(self, within_s: float = CLOSE_S) -> None:
        """Let the last words finish, and what still waits be said, within about `within_s`; then stop."""
        deadline = time.monotonic() + within_s
        self.pump()
        while self._speaking is not None:
            if not self._speaking.wait(timeout=max(0.0, deadline - time.monotonic())):
                self._speaking.stop()
                self._speaking = None
                break
            self.busy()  # a failure at the very end is still reported
            if self._waiting and time.monotonic() < deadline:
                self.pump()
        self._waiting = []
