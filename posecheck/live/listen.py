"""Voice commands, heard offline: "pause", "go on" (or "resume"), "next", "stop", "pain".

    recognizer = Recognizer()                  # PocketSphinx with the English model its wheel carries
    recognizer.feed(pcm)                       # 16 kHz mono 16-bit audio -> commands heard in it
    commands_in_wav("pause.wav")               # the same from a WAV file (any rate, mono or stereo)
    listener = Listener(echo=lambda: voice.speaking); listener.start(); listener.poll()   # the microphone

How a command is told from other speech:

- the audio is cut into utterances at pauses (PocketSphinx's endpointer);
- each utterance is decoded against a grammar that is either one command or any run of English phones
  (`PHONES`, a garbage model): speech that is not a command is better explained by phones, and every
  word of the run pays `WORD_PENALTY`, so a command wins only when it fits the sound;
- a command is said alone: an utterance longer than `MAX_COMMAND_S` is other speech ("Next: knee rolls"
  said by the trainer or anyone in the room);
- what is heard while the trainer's own voice speaks (`echo`) is ignored: it says "Stop. Speak to a
  physiotherapist" when stopping for pain, which is not the person saying "stop".

PocketSphinx and the microphone (sounddevice, PortAudio) are imported only when a recognizer or a
listener is made, so the other commands never load them.
"""

from __future__ import annotations

import queue
import threading
import wave
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np

SAMPLE_RATE = 16000  # PocketSphinx's English model is trained on 16 kHz audio
# A command alone lasts well under a second; with the endpointer's margins an utterance of one is under
# 1.5 s (0.5-1.1 s measured on synthesized speech at 130-165 words a minute). Longer is a sentence.
MAX_COMMAND_S = 1.8
# The cost of each word in the decoding (PocketSphinx's word insertion penalty, default 0.65): every phone
# of the garbage run is a word, so a low value makes one-word commands cheap against a run of phones.
# 1e-4 recognised most commands on synthesized voices with the fewest other words taken for one; 1e-6 and
# lower rejected nearly every command, 1e-2 and higher let phones explain them.
WORD_PENALTY = 1e-4
# Dither (noise of a bit's size) keeps digital silence from giving the features log(0) (59 of 72 synthesized
# commands heard without it, 68 with it); drawn the same for every utterance, so a recording always decodes alike.
DITHER_SEED = 18
# The phones of the English model: a garbage "word" each, for speech that is not a command.
PHONES = ("AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY",
          "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z",
          "ZH")

# "Next" said quickly loses its k ("nest"): without this variant "next" was missed in 6 of 14 synthesized
# clips, with it in 1 (at the cost of two more short words taken for "next" among 44 that are not).
EXTRA_PRONUNCIATIONS = (("next(3)", "N EH S T"),)


class Command(StrEnum):
    PAUSE = "pause"
    RESUME = "go on"
    NEXT = "next"
    STOP = "stop"
    PAIN = "pain"


# What is said -> the command; "resume" is the word a person may reach for instead of "go on".
PHRASES = {"pause": Command.PAUSE, "go on": Command.RESUME, "resume": Command.RESUME, "next": Command.NEXT,
           "stop": Command.STOP, "pain": Command.PAIN}


class CommandSource(Protocol):
    """Where the trainer gets voice commands from: each call, those heard since the last."""

    def poll(self) -> list[Command]: ...


def _grammar() -> str:
    junk = " | ".join(f"junk_{p.lower()}" for p in PHONES)
    commands = " | ".join(PHRASES)
    return (f"#JSGF V1.0;\ngrammar posecheck;\n<junk> = {junk};\n"
            f"public <said> = <command> | <junk>+;\n<command> = {commands};\n")


class Recognizer:
    """Commands in a stream of 16 kHz mono 16-bit audio, as its utterances end (not thread-safe)."""

    def __init__(self) -> None:
        from pocketsphinx import Decoder, Endpointer

        self._decoder = Decoder(loglevel="FATAL", wip=WORD_PENALTY)
        for phone in PHONES:
            self._decoder.add_word(f"junk_{phone.lower()}", phone, False)
        for word, phones in EXTRA_PRONUNCIATIONS:
            self._decoder.add_word(word, phones, False)
        self._decoder.add_jsgf_string("commands", _grammar())
        self._decoder.activate_search("commands")
        self._endpointer = Endpointer(sample_rate=SAMPLE_RATE)
        self._frame_bytes: int = self._endpointer.frame_bytes
        self._pending = b""  # audio short of a whole endpointer frame
        self._utterance: list[bytes] = []
        self._echo = False  # the utterance under way overlapped the trainer's own voice

    def feed(self, pcm: bytes, echo: bool = False) -> list[Command]:
        """The commands whose utterances ended within `pcm`; `echo`: the trainer was speaking meanwhile."""
        data = self._pending + pcm
        whole = len(data) - len(data) % self._frame_bytes
        self._pending = data[whole:]
        heard = []
        for start in range(0, whole, self._frame_bytes):
            speech = self._endpointer.process(data[start:start + self._frame_bytes])
            if speech is None:
                continue
            self._utterance.append(speech)
            self._echo = self._echo or echo
            if not self._endpointer.in_speech:
                heard.extend(self._end_utterance())
        return heard

    def end(self) -> list[Command]:
        """The end of the stream: an utterance still under way is decoded."""
        if self._endpointer.in_speech:
            tail = self._endpointer.end_stream(self._pending)
            if tail:
                self._utterance.append(tail)
        self._pending = b""
        return self._end_utterance() if self._utterance else []

    def _end_utterance(self) -> list[Command]:
        audio, echo = b"".join(self._utterance), self._echo
        self._utterance, self._echo = [], False
        if echo or len(audio) / 2 / SAMPLE_RATE > MAX_COMMAND_S:
            return []
        command = self.decode(audio)
        return [command] if command is not None else []

    def decode(self, utterance: bytes) -> Command | None:
        """The command one utterance is, or None (other speech, noise)."""
        samples = np.frombuffer(utterance, "<i2").astype(np.int32)
        noise = np.random.default_rng(DITHER_SEED).integers(-1, 2, len(samples))
        dithered = np.clip(samples + noise, -32768, 32767).astype("<i2").tobytes()
        # Each utterance afresh: the feature extractor's noise estimate otherwise carries over from the ones
        # before. In a session's sound (a quiet room's hiss), "next" said after "pause" and "go on" was missed
        # in 3 of 32 places, 0 of 32 with this; 48 synthesized commands alone: 41 heard (40 without), 64
        # short other words: 7 taken for a command (9).
        self._decoder.reinit_feat()
        self._decoder.start_utt()
        self._decoder.process_raw(dithered, full_utt=True)
        self._decoder.end_utt()
        hypothesis = self._decoder.hyp()
        return PHRASES.get(hypothesis.hypstr) if hypothesis is not None else None


def to_pcm(samples: np.ndarray, rate: int) -> bytes:
    """16-bit samples (n,) or (n, channels) at `rate` -> 16 kHz mono 16-bit bytes, as the recognizer takes."""
    audio = np.asarray(samples, np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if rate != SAMPLE_RATE and len(audio):
        # Linear interpolation: speech's useful band (up to 4 kHz) is far below the new Nyquist of 8 kHz.
        n = int(len(audio) * SAMPLE_RATE / rate)
        audio = np.interp(np.arange(n) * (rate / SAMPLE_RATE), np.arange(len(audio)), audio)
    return np.clip(np.round(audio), -32768, 32767).astype("<i2").tobytes()


def read_wav(path: str | Path) -> bytes:
    """A 16-bit PCM WAV file as 16 kHz mono 16-bit bytes."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: 16-bit PCM WAV expected, not {8 * wav.getsampwidth()}-bit")
        channels, rate = wav.getnchannels(), wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").reshape(-1, channels)
    return to_pcm(samples, rate)


def commands_in(pcm: bytes, recognizer: Recognizer | None = None, block_s: float = 0.1) -> list[Command]:
    """Every command in a recording, fed in blocks as a microphone would give it."""
    recognizer = recognizer or Recognizer()
    block = int(block_s * SAMPLE_RATE) * 2
    heard = []
    for start in range(0, len(pcm), block):
        heard.extend(recognizer.feed(pcm[start:start + block]))
    return [*heard, *recognizer.end()]


def commands_in_wav(path: str | Path, recognizer: Recognizer | None = None) -> list[Command]:
    return commands_in(read_wav(path), recognizer)


# The microphone is read in blocks this long: a command is decoded at most this late after it ends.
BLOCK_S = 0.1


class Listener:
    """The default microphone on a thread, its commands kept for `poll` (a `CommandSource`).

    `start()` returns why there is no listening (no PortAudio, no microphone), or None; the session goes
    on without voice commands then. `blocks` replaces the microphone (tests: a recording's blocks).
    """

    def __init__(self, echo: Callable[[], bool] = lambda: False,
                 blocks: Callable[[], Iterable[bytes]] | None = None) -> None:
        self.echo = echo
        self.problem: str | None = None
        self._blocks = blocks
        self._heard: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._recognizer: Recognizer | None = None
        self._stream: Any = None

    def start(self) -> str | None:
        try:
            self._recognizer = Recognizer()
        except (ImportError, RuntimeError) as error:
            self.problem = f"the speech recognizer cannot start ({error}); reinstall posecheck"
            return self.problem
        if self._blocks is None:
            self.problem = self._open_microphone()
            if self.problem is not None:
                return self.problem
        self._thread = threading.Thread(target=self._run, name="posecheck-listener", daemon=True)
        self._thread.start()
        return None

    def _open_microphone(self) -> str | None:
        try:
            import sounddevice
        except (OSError, ImportError) as error:  # sounddevice's wheel for Linux needs the system's PortAudio
            return f"no audio input ({error}: install libportaudio2)"
        try:
            sounddevice.check_input_settings(samplerate=SAMPLE_RATE, channels=1, dtype="int16")
            self._stream = sounddevice.RawInputStream(samplerate=SAMPLE_RATE, channels=1, dtype="int16",
                                                      blocksize=int(BLOCK_S * SAMPLE_RATE))
            self._stream.start()
        except Exception as error:  # PortAudioError, ValueError: no device, or none that takes 16 kHz mono
            return f"no microphone ({error})"
        return None

    def _microphone(self) -> Iterable[bytes]:
        frames = int(BLOCK_S * SAMPLE_RATE)
        while not self._stop.is_set():
            data, _overflowed = self._stream.read(frames)  # a late block is still worth decoding
            yield bytes(data)

    def _run(self) -> None:
        assert self._recognizer is not None
        blocks = self._blocks() if self._blocks is not None else self._microphone()
        try:
            for block in blocks:
                if self._stop.is_set():
                    break
                for command in self._recognizer.feed(block, echo=self.echo()):
                    self._heard.put(command)
            for command in self._recognizer.end():
                self._heard.put(command)
        except Exception as error:  # a microphone unplugged mid-session: no more commands, the session goes on
            if not self._stop.is_set():
                self.problem = f"the microphone stopped ({error})"

    def poll(self) -> list[Command]:
        out = []
        while True:
            try:
                out.append(self._heard.get_nowait())
            except queue.Empty:
                return out

    def join(self, timeout: float | None = None) -> None:
        """Wait for the blocks to run out (a recording's; a microphone's never do)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def close(self) -> None:
        self._stop.set()
        if self._stream is not None:
            self._stream.stop()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._stream is not None:
            self._stream.close()
            self._stream = None
