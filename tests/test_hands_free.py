"""Hands-free control from the mat: gestures read from landmark sequences (real recordings with a raised arm
put in), voice commands heard in synthesized and recorded speech, and the trainer doing what the keys do."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from kinematic_sets import SetPlan, make_set

from posecheck.landmarks import Landmark, PoseFrame
from posecheck.live.gestures import HOLD_S, Gesture, GestureWatch, raised_arms
from posecheck.live.listen import Command, Listener, Recognizer, commands_in, commands_in_wav, read_wav, to_pcm
from posecheck.live.routine import step
from posecheck.live.trainer import PAUSED_BY, Action, Stage, Trainer
from posecheck.live.voice import Voice
from posecheck.recording import RecordingHeader, iter_recording
from posecheck.session import SessionWriter, load_session

REPO = Path(__file__).resolve().parents[1]
KINEMATIC = sorted((REPO / "samples" / "kinematic").glob("*.jsonl"))
KNEE_ROLLS = REPO / "samples" / "kinematic" / "knee_rolls__correct__dev1000.jsonl"
RECORDED = REPO / "tests" / "data" / "voice" / "goforward.raw"
ESPEAK = shutil.which("espeak-ng")
HABITS_DEV_SEEDS = (12_000, 12_002)  # tools/make_kinematic_samples.py's habits-dev seeds
NEAR_ARM = (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST)
FAR_ARM = (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST)


# -- landmark sequences ------------------------------------------------------------------------------
def frames_of(path: Path) -> list[PoseFrame]:
    return list(iter_recording(path)[1])


def with_arm(frame: PoseFrame, arm: tuple[Landmark, Landmark, Landmark], direction_deg: float | None = None,
             towards_head_deg: float | None = None) -> PoseFrame:
    """The frame with one straight arm moved: pointing `direction_deg` from the image's up (towards the ceiling),
    or `towards_head_deg` above the body's hips-to-shoulders line, a torso length long (as a real arm)."""
    if not frame.has_pose:
        return frame
    size = np.asarray(frame.image_size, np.float32)
    xy = frame.xy
    torso = xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(0) - xy[[Landmark.LEFT_HIP,
                                                                               Landmark.RIGHT_HIP]].mean(0)
    length = float(np.linalg.norm(torso))
    if towards_head_deg is not None:
        head = torso / length
        # Rotate the head's direction towards the ceiling (image up) by the angle.
        sign = 1.0 if head[0] < 0 else -1.0
        a = np.radians(towards_head_deg) * sign
        direction = np.array([head[0] * np.cos(a) - head[1] * np.sin(a), head[0] * np.sin(a) + head[1] * np.cos(a)])
    else:
        a = np.radians(direction_deg or 0.0)
        direction = np.array([np.sin(a), -np.cos(a)])
    shoulder, elbow, wrist = arm
    image = frame.image.copy()
    s = xy[shoulder]
    image[elbow, :2] = (s + direction * 0.5 * length) / size
    image[wrist, :2] = (s + direction * 1.0 * length) / size
    visibility = frame.visibility.copy()
    visibility[[shoulder, elbow, wrist]] = 0.95
    return replace(frame, image=image, visibility=visibility)


def raise_arms(frames: list[PoseFrame], start_s: float, seconds: float, arms, **how) -> list[PoseFrame]:
    t0 = frames[0].timestamp_ms + start_s * 1000
    out = []
    for f in frames:
        if t0 <= f.timestamp_ms < t0 + seconds * 1000:
            for arm in arms:
                f = with_arm(f, arm, **how)
        out.append(f)
    return out


def gestures_in(frames: list[PoseFrame]) -> list[tuple[float, Gesture]]:
    watch = GestureWatch()
    t0 = frames[0].timestamp_ms
    return [((f.timestamp_ms - t0) / 1000, g) for f in frames if (g := watch.update(f)) is not None]


def test_an_arm_raised_and_held_while_lying_on_the_back_is_a_pause_once_it_has_been_held():
    frames = raise_arms(frames_of(KNEE_ROLLS), 4.0, 2.5, [NEAR_ARM], direction_deg=0)
    [(t, gesture)] = gestures_in(frames)
    assert gesture is Gesture.PAUSE
    assert 4.0 + HOLD_S <= t < 4.0 + HOLD_S + 0.2  # held 1.5 s, given once though held on for a second more


def test_an_arm_raised_for_less_than_the_hold_is_nothing():
    frames = raise_arms(frames_of(KNEE_ROLLS), 4.0, 1.0, [NEAR_ARM], direction_deg=10)
    assert gestures_in(frames) == []


def test_a_raised_arm_leaning_or_overhead_off_the_floor_counts_and_one_along_the_floor_does_not():
    frame = next(f for f in frames_of(KNEE_ROLLS) if f.has_pose)
    assert raised_arms(with_arm(frame, NEAR_ARM, direction_deg=30)) == (True, False)  # towards the ceiling
    assert raised_arms(with_arm(frame, FAR_ARM, towards_head_deg=30)) == (False, True)  # overhead, off the floor
    assert raised_arms(with_arm(frame, NEAR_ARM, towards_head_deg=0)) == (False, False)  # resting overhead
    assert raised_arms(with_arm(frame, NEAR_ARM, direction_deg=100)) == (False, False)  # out to the side


def test_both_arms_raised_and_held_is_the_pain_stop_even_when_one_goes_up_first():
    frames = frames_of(KNEE_ROLLS)
    frames = raise_arms(frames, 3.0, 3.0, [NEAR_ARM], direction_deg=0)
    frames = raise_arms(frames, 3.8, 2.2, [FAR_ARM], direction_deg=5)  # the second arm 0.8 s later
    [(t, gesture)] = gestures_in(frames)
    assert gesture is Gesture.PAIN
    assert t >= 3.8 + HOLD_S


def test_the_committed_kinematic_recordings_never_make_a_gesture():
    assert len(KINEMATIC) >= 6
    for path in KINEMATIC:
        assert gestures_in(frames_of(path)) == [], path.name


def test_people_with_habits_fidgeting_and_walking_in_never_make_a_gesture():
    """Habit sets (tools/kinematic_habits.py): a hand to the face, looking at the screen, getting down."""
    fidgeting = 0
    for seed in HABITS_DEV_SEEDS:
        for exercise in ("heels_stretch", "knee_rolls", "back_extensions", "deep_abdominal", "pelvic_tilts"):
            s = make_set(SetPlan(exercise, "correct", seed, "habits-dev", habits=True))
            fidgeting += bool(s.labels["habits"]["fidgets"])
            assert gestures_in(s.frames) == [], (exercise, seed)
    assert fidgeting >= 4


# -- voice commands ----------------------------------------------------------------------------------
def spoken(tmp_path: Path, text: str) -> Path:
    """`text` said by espeak-ng (its American voice, 22.05 kHz), as a WAV file."""
    out = tmp_path / f"{abs(hash(text))}.wav"
    subprocess.run([ESPEAK, "-v", "en-us", "-w", str(out), text], check=True, capture_output=True)
    return out


needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (it synthesizes the speech)")


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer()


@needs_espeak
@pytest.mark.parametrize(("said", "command"), [("pause", Command.PAUSE), ("go on", Command.RESUME),
                                               ("resume", Command.RESUME), ("next", Command.NEXT),
                                               ("stop", Command.STOP), ("pain", Command.PAIN)])
def test_each_command_said_alone_is_heard(tmp_path, recognizer, said, command):
    assert commands_in_wav(spoken(tmp_path, said), recognizer) == [command]


@needs_espeak
def test_commands_said_one_after_another_are_each_heard(tmp_path, recognizer):
    gap = np.zeros(16000, np.int16).tobytes()  # a second's pause between them
    pcm = gap.join(read_wav(spoken(tmp_path, said)) for said in ("pause", "go on", "pain"))
    assert commands_in(gap + pcm + gap, recognizer) == [Command.PAUSE, Command.RESUME, Command.PAIN]


@needs_espeak
def test_a_sentence_of_the_routine_with_command_words_in_it_is_no_command(tmp_path, recognizer):
    for sentence in ("Stop. Speak to a physiotherapist before you go on",
                     "Next: knee rolls. Roll your knees to the one side, following with your pelvis.",
                     "Breathe in and hold for 5-10 seconds, then return to the starting position."):
        assert commands_in_wav(spoken(tmp_path, sentence), recognizer) == [], sentence


def test_silence_and_a_quiet_room_are_no_command(recognizer):
    rng = np.random.default_rng(18)
    assert commands_in(np.zeros(3 * 16000, np.int16).tobytes(), recognizer) == []
    hum = 300 * np.sin(np.arange(5 * 16000) * 2 * np.pi * 50 / 16000) + rng.normal(0, 60, 5 * 16000)
    assert commands_in(to_pcm(hum, 16000), recognizer) == []


def test_recorded_speech_that_is_no_command_is_not_taken_for_one(recognizer):
    pcm = RECORDED.read_bytes()  # a person saying "go forward ten meters" (tests/data/voice/README.md)
    assert len(pcm) > 2 * 16000 * 2
    assert commands_in(pcm, recognizer) == []


@needs_espeak
def test_a_command_heard_while_the_trainer_speaks_is_its_own_voice_and_ignored(tmp_path, recognizer):
    pcm = read_wav(spoken(tmp_path, "stop"))
    silence = np.zeros(8000, np.int16).tobytes()
    assert recognizer.feed(silence + pcm + silence, echo=True) + recognizer.end() == []
    assert recognizer.feed(silence + pcm + silence, echo=False) + recognizer.end() == [Command.STOP]


def test_audio_at_another_rate_in_stereo_is_brought_to_16_khz_mono():
    t = np.arange(44100) / 44100
    tone = np.stack([1000 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1)
    pcm = np.frombuffer(to_pcm(tone, 44100), np.int16)
    assert len(pcm) == 16000
    spectrum = np.abs(np.fft.rfft(pcm))
    assert abs(int(np.argmax(spectrum)) - 440) <= 1  # 1 Hz bins over one second


def test_no_audio_library_is_said_once_and_the_session_goes_on(monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # as if PortAudio or sounddevice were missing
    listener = Listener()
    problem = listener.start()
    assert problem is not None and "no audio input" in problem
    assert listener.poll() == []
    listener.close()


# -- the trainer -------------------------------------------------------------------------------------
SIZE = (640, 480)
HEADER = RecordingHeader(source="test camera", fps=15.0, image_size=SIZE)


class Spoken:
    """An engine that remembers what it was asked to say and finishes at once."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def __call__(self, text: str):
        self.said.append(text)
        return self

    def finished(self) -> bool:
        return True

    def failure(self) -> None:
        return None

    def stop(self) -> None:
        pass

    def wait(self, timeout: float) -> bool:
        return True


class Heard:
    """A command source holding what a test says was heard."""

    def __init__(self) -> None:
        self.waiting: list[Command] = []

    def poll(self) -> list[Command]:
        out, self.waiting = self.waiting, []
        return out


def trainer_for(tmp_path: Path, name: str, **options) -> tuple[Trainer, Spoken]:
    engine = Spoken()
    session = SessionWriter(tmp_path / name)
    trainer = Trainer([step("knee_rolls"), step("pelvic_tilts")], session, HEADER,
                      voice=Voice(engine=engine), instructions_s=0.0, setup_check=False, **options)
    return trainer, engine


def knee_roll_frames() -> list[PoseFrame]:
    return frames_of(KNEE_ROLLS)


def test_a_held_raised_arm_pauses_the_set_says_how_to_go_on_and_a_second_one_goes_on(tmp_path):
    frames = raise_arms(knee_roll_frames(), 2.0, 2.0, [NEAR_ARM], direction_deg=0)
    frames = raise_arms(frames, 6.0, 2.0, [NEAR_ARM], direction_deg=0)
    trainer, engine = trainer_for(tmp_path, "gesture")
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    t0 = frames[0].timestamp_ms
    rings, paused_at = [], []
    for f in frames:
        trainer.on_pose(f, image, 1)
        hud = trainer.hud()
        if hud.gesture is not None:
            rings.append(hud.gesture[1])
        paused_at.append(((f.timestamp_ms - t0) / 1000, trainer.paused))
        if f.timestamp_ms - t0 > 9000:
            break
    assert trainer.stage is Stage.EXERCISE
    assert [p for t, p in paused_at if 3.0 < t < 3.4] == [False] * len([t for t, _ in paused_at if 3.0 < t < 3.4])
    assert all(p for t, p in paused_at if 3.6 < t < 7.4)  # paused 1.5 s into the first raise ...
    assert not any(p for t, p in paused_at if t > 7.6)  # ... and going on 1.5 s into the second
    first = rings[: rings.index(max(rings)) + 1]
    assert first == sorted(first) and max(rings) > 0.9  # the ring fills while the arm is held
    assert PAUSED_BY["gesture"] in engine.said


def test_both_arms_raised_and_held_stop_the_set_for_pain_as_p_does(tmp_path):
    frames = raise_arms(knee_roll_frames(), 3.0, 2.0, [NEAR_ARM, FAR_ARM], direction_deg=0)
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    by_gesture, _ = trainer_for(tmp_path, "gesture")
    by_key, _ = trainer_for(tmp_path, "key")
    t0 = frames[0].timestamp_ms
    for f in frames:
        by_gesture.on_pose(f, image, 1)
        if f.timestamp_ms - t0 >= 4500 + 200:
            break
    for f in frames:
        by_key.on_pose(f, image, 1)
        if f.timestamp_ms - t0 >= 4500:
            by_key.on_key(Action.PAIN)
            break
    assert by_gesture.stage is by_key.stage is Stage.PAIN
    assert by_gesture.sets[0]["ended_by"] == by_key.sets[0]["ended_by"] == "pain"
    stopped = load_session(by_gesture.session.path)
    assert "Stopped for pain" in stopped.notes


@pytest.mark.parametrize(("command", "key"), [(Command.PAIN, Action.PAIN), (Command.NEXT, Action.NEXT),
                                              (Command.STOP, Action.QUIT), (Command.PAUSE, Action.PAUSE)])
def test_a_voice_command_does_what_its_key_does(tmp_path, command, key):
    frames = knee_roll_frames()[:60]
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    heard = Heard()
    by_voice, _ = trainer_for(tmp_path, "voice", commands=heard)
    by_key, _ = trainer_for(tmp_path, "key")
    for i, f in enumerate(frames):
        if i == 40:
            heard.waiting.append(command)
            by_key.on_key(key)
        by_voice.on_pose(f, image, 1)
        by_key.on_pose(f, image, 1)
    assert (by_voice.stage, by_voice.index, by_voice.paused) == (by_key.stage, by_key.index, by_key.paused)
    assert [s["ended_by"] for s in by_voice.sets] == [s["ended_by"] for s in by_key.sets]


def test_pause_said_twice_stays_paused_and_go_on_goes_on(tmp_path):
    heard = Heard()
    trainer, engine = trainer_for(tmp_path, "voice", commands=heard)
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    frames = knee_roll_frames()
    states = []
    for i, f in enumerate(frames[:40]):
        heard.waiting = {10: [Command.PAUSE], 15: [Command.PAUSE], 25: [Command.RESUME]}.get(i, [])
        trainer.on_pose(f, image, 1)
        states.append(trainer.paused)
    assert states[:10] == [False] * 10 and all(states[10:25]) and not any(states[25:])
    assert engine.said.count(PAUSED_BY["voice"]) == 1


@needs_espeak
def test_pain_said_into_the_listener_stops_the_set(tmp_path):
    """The whole way: a recording's audio through the listener's thread and recognizer into the trainer."""
    silence = np.zeros(8000, np.int16).tobytes()
    pcm = silence + read_wav(spoken(tmp_path, "pain")) + silence
    blocks = [pcm[i:i + 3200] for i in range(0, len(pcm), 3200)]
    listener = Listener(blocks=lambda: iter(blocks))
    trainer, _ = trainer_for(tmp_path, "listened", commands=listener)
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    frames = knee_roll_frames()
    for f in frames[:20]:  # the set is under way ...
        trainer.on_pose(f, image, 1)
    assert listener.start() is None  # ... when "pain" is said
    listener.join(timeout=30)
    for f in frames[20:22]:
        trainer.on_pose(f, image, 1)
    listener.close()
    assert trainer.stage is Stage.PAIN
    assert trainer.sets[0]["ended_by"] == "pain"
