"""The live trainer's parts without a camera: the session's stages and keys, the profile, the voice,
the newest-frame reader and the loop's one-inference-at-a-time rule."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from posecheck.errors import PosecheckError
from posecheck.events import EventKind
from posecheck.landmarks import PoseFrame
from posecheck.live import profile as profile_module
from posecheck.live.loop import LiveLoop, NewestFrame
from posecheck.live.profile import Profile, load_profile, write_default_profile
from posecheck.live.routine import KNEE_PROBLEM_LINE, ROUTINE_ORDER, create_run, routine, step
from posecheck.live.trainer import PAIN_CHECK, Action, Stage, Trainer, breath_pacing
from posecheck.live.voice import Voice
from posecheck.recording import RecordingHeader
from posecheck.session import SessionWriter, load_session
from posecheck.sources import Frame, Source

SIZE = (320, 240)
HEADER = RecordingHeader(source="test camera", fps=15.0, image_size=SIZE)


def blank(t_ms: int) -> tuple[PoseFrame, np.ndarray]:
    return PoseFrame.empty(t_ms, SIZE), np.zeros((SIZE[1], SIZE[0], 3), np.uint8)


def trainer_for(tmp_path: Path, exercises: list[str], **options) -> Trainer:
    session = SessionWriter(tmp_path / "session")
    options = {"instructions_s": 0.0, "setup_check": False, **options}
    return Trainer([step(e) for e in exercises], session, HEADER, **options)


def feed(trainer: Trainer, start_ms: int, seconds: float) -> int:
    t = start_ms
    for _ in range(int(seconds * 15)):
        trainer.on_pose(*blank(t), people=0)
        t += 67
    return t


def test_the_routine_runs_its_five_exercises_in_the_sheets_order_with_its_targets():
    steps = routine()
    assert [s.exercise for s in steps] == list(ROUTINE_ORDER)
    assert [s.exercise for s in steps] == [
        "heels_stretch", "knee_rolls", "back_extensions", "deep_abdominal", "pelvic_tilts"]
    assert steps[1].targets.alternating_sides  # "Repeat this exercise 8-10 times, alternating sides."
    assert steps[2].targets.hold_s == (5, 10)  # "Breathe in and hold for 5-10 seconds"
    assert steps[3].targets.reps == (5, 5)  # "Repeat this exercise 5 times."


def test_a_knee_problem_in_the_profile_turns_on_the_heels_stretch_caution(tmp_path):
    path = tmp_path / "profile.toml"
    write_default_profile(path)
    path.write_text(path.read_text().replace("knee_problem = false", "knee_problem = true"))
    profile, first_run = load_profile(path)
    assert profile.knee_problem and not first_run
    heels = create_run("heels_stretch", profile.settings())
    assert heels.settings == {"knee_problem": True}
    assert any(c.setting == "knee_problem" for c in heels.checks)
    assert KNEE_PROBLEM_LINE in step("heels_stretch").instructions_for(profile.settings())
    # Other exercises get only the settings they understand.
    assert create_run("knee_rolls", profile.settings()).settings == {}


def test_first_run_is_when_there_is_no_profile_yet_and_a_bad_profile_is_a_clear_error(tmp_path):
    assert load_profile(tmp_path / "none.toml") == (Profile(), True)
    bad = tmp_path / "bad.toml"
    bad.write_text("knee_problem = maybe\n")
    with pytest.raises(PosecheckError, match="not valid TOML"):
        load_profile(bad)
    bad.write_text("knees = true\n")
    with pytest.raises(PosecheckError, match="unknown setting"):
        load_profile(bad)


def test_first_run_shows_the_physiotherapist_notice_then_writes_the_profile(tmp_path, monkeypatch):
    monkeypatch.setenv(profile_module.PROFILE_VARIABLE, str(tmp_path / "p.toml"))
    trainer = trainer_for(tmp_path, ["knee_rolls"], first_run=True, on_notice_done=write_default_profile)
    trainer.on_pose(*blank(0), people=0)
    assert trainer.stage is Stage.NOTICE
    assert "physiotherapist" in " ".join(trainer.hud().lines)
    trainer.on_key(Action.NEXT)
    assert trainer.stage is Stage.INSTRUCTIONS
    assert (tmp_path / "p.toml").exists()


def test_pain_stops_the_exercise_records_it_and_advises_a_physiotherapist(tmp_path):
    trainer = trainer_for(tmp_path, ["knee_rolls", "pelvic_tilts"])
    t = feed(trainer, 0, 2.0)
    assert trainer.stage is Stage.EXERCISE
    trainer.on_key(Action.PAIN)
    assert trainer.stage is Stage.PAIN
    hud = trainer.hud()
    assert "physiotherapist" in hud.cue and hud.cue_severity == "stop"
    feed(trainer, t, 10.0)  # the advice stays until the person chooses
    assert trainer.stage is Stage.PAIN
    trainer.on_key(Action.QUIT)
    trainer.session.close()
    session = load_session(tmp_path / "session")
    (knee_rolls,) = session.exercises
    assert [e.check for e in knee_rolls.events if e.kind is EventKind.FAULT] == [PAIN_CHECK]
    data = json.loads((tmp_path / "session" / "session.json").read_text())
    assert data["exercises"][0]["ended_by"] == "pain"
    assert "physiotherapist" in data["notes"]


def test_redo_records_the_first_attempt_and_starts_a_new_set(tmp_path):
    trainer = trainer_for(tmp_path, ["knee_rolls"])
    t = feed(trainer, 0, 1.0)
    trainer.on_key(Action.REDO)
    feed(trainer, t, 1.0)
    trainer.on_key(Action.QUIT)
    trainer.session.close()
    data = json.loads((tmp_path / "session" / "session.json").read_text())
    assert [(e["exercise"], e["ended_by"]) for e in data["exercises"]] == [
        ("knee_rolls", "redo"), ("knee_rolls", "quit")]
    assert all(len(e.frames) > 0 for e in load_session(tmp_path / "session").exercises)


def test_next_skips_to_the_following_exercise_and_pause_stops_recording(tmp_path):
    trainer = trainer_for(tmp_path, ["knee_rolls", "pelvic_tilts"])
    t = feed(trainer, 0, 1.0)
    trainer.on_key(Action.PAUSE)
    t = feed(trainer, t, 2.0)
    assert trainer.hud().paused
    trainer.on_key(Action.PAUSE)
    trainer.on_key(Action.NEXT)
    assert trainer.step.exercise == "pelvic_tilts"
    feed(trainer, t, 1.0)
    trainer.finish("quit")
    trainer.session.close()
    first, second = load_session(tmp_path / "session").exercises
    assert (first.exercise, second.exercise) == ("knee_rolls", "pelvic_tilts")
    assert len(first.frames) == 15  # one second at 15 fps; the two paused seconds are not recorded
    # A person not seen for a while is told so, from the rules' events.
    assert any(e.kind is EventKind.CANNOT_SEE_YOU for e in second.events)


def test_breath_pacing_alternates_four_seconds_in_and_four_out():
    assert breath_pacing(1.0)[0] == "Breathe in"
    assert breath_pacing(5.0)[0] == "Breathe out"
    assert breath_pacing(9.0) == ("Breathe in", 0.25, 1)
    assert breath_pacing(7.0) == ("Breathe out", 0.25, 0)


def test_the_voice_never_talks_over_itself_nor_repeats_a_cue_within_a_few_seconds(tmp_path):
    now = [0.0]
    release = tmp_path / "done speaking"
    # The stand-in engine speaks until the test lets it finish: "still speaking" holds however slow the machine.
    speak = [sys.executable, "-c", "import os, sys, time\nwhile not os.path.exists(sys.argv[1]): time.sleep(0.01)",
             str(release)]
    voice = Voice(command=speak, repeat_gap_s=5.0, clock=lambda: now[0])

    def finish_speaking() -> None:
        release.touch()
        voice._speaking.wait(timeout=30)
        release.unlink()

    assert voice.say("Keep your knees together")
    assert not voice.say("Keep your feet on the floor")  # still speaking: dropped, not queued
    finish_speaking()
    now[0] = 2.0
    assert not voice.say("Keep your knees together")  # said 2 s ago
    assert voice.say("Keep your feet on the floor")
    finish_speaking()
    now[0] = 6.0
    assert voice.say("Keep your knees together")
    finish_speaking()
    voice.close()


def test_the_voice_is_silent_without_a_speech_engine(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    voice = Voice()
    assert not voice.available
    assert not voice.say("Keep your knees together")


class ListSource(Source):
    """Frames as fast as they can be read, like a camera whose reader is never waited for."""

    description = "list"

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.n, self.fail_at = n, fail_at
        self.gate = threading.Event()

    def frames(self):
        for i in range(self.n):
            if i == self.fail_at:
                raise OSError("camera unplugged")
            yield Frame(i, i * 33, np.full((24, 32, 3), i % 256, np.uint8))
            if i == self.n - 2:
                self.gate.wait(5)  # hold the last frame until the test has looked


def test_the_camera_reader_keeps_only_the_newest_frame():
    source = ListSource(40)
    reader = NewestFrame(source, realtime=False)
    deadline = time.monotonic() + 10
    while reader.read < 39 and time.monotonic() < deadline:  # the camera has read 39 frames, nobody took one
        time.sleep(0.01)
    newest = reader.newer(-1, timeout=5)
    assert newest is not None and newest.frame.index == 38  # frames 0..37 were never handed out: dropped
    source.gate.set()
    last = reader.newer(38, timeout=5)
    assert last is not None and last.frame.index == 39
    assert reader.newer(39, timeout=5) is None and reader.ended and reader.read == 40
    reader.close()


def test_a_camera_failing_mid_session_ends_the_reader_not_the_program():
    reader = NewestFrame(ListSource(10, fail_at=5), realtime=False)
    while not reader.ended:
        reader.newer(10**6, timeout=0.5)
    assert isinstance(reader.error, OSError) and reader.read == 5
    reader.close()


class SlowEstimator:
    """Stands in for MediaPipe's live stream: a result appears only after a few polls."""

    people_seen = 1

    def __init__(self, polls: int) -> None:
        self.polls, self.submitted, self.results, self._pending, self._latest = polls, 0, 0, None, None

    def submit(self, image, timestamp_ms):
        assert self._pending is None, "a frame was submitted while the previous one was still in flight"
        self.submitted += 1
        self._pending = [timestamp_ms, self.polls]

    def latest(self):
        if self._pending is not None:
            self._pending[1] -= 1
            if self._pending[1] <= 0:
                self._latest = PoseFrame.empty(self._pending[0], (32, 24))
                self._pending = None
                self.results += 1
        return self._latest


def test_no_frame_is_submitted_while_one_is_in_flight_and_every_result_is_recorded(tmp_path):
    # That frames arriving meanwhile are dropped (not queued) is the reader's job: tested above, where
    # the frames it never handed out can be counted.
    estimator = SlowEstimator(polls=4)
    trainer = trainer_for(tmp_path, ["knee_rolls"])
    reader = NewestFrame(ListSource(200), realtime=False)
    reader_source = reader.source
    reader_source.gate.set()
    loop = LiveLoop(reader, estimator, trainer)
    assert loop.run() == "camera_lost"
    reader.close()
    trainer.session.close()
    assert estimator.submitted <= estimator.results + 1
    assert loop.stats.inferred == estimator.results
    (record,) = load_session(tmp_path / "session").exercises
    assert len(record.frames) == loop.stats.inferred  # every inferred frame is recorded
    assert json.loads((tmp_path / "session" / "session.json").read_text())["exercises"][0]["ended_by"] == "camera_lost"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (optional: spoken cues)")
def test_espeak_ng_speaks_a_cue(tmp_path):
    wav = tmp_path / "cue.wav"
    voice = Voice(command=["espeak-ng", "-s", "150", "-w", str(wav)])
    assert voice.available and voice.say("Keep both shoulders on the floor")
    voice.close()
    assert wav.stat().st_size > 8000  # about a second of speech, not an empty file


class SaidVoice(Voice):
    """Keeps what the trainer would say, in order, instead of speaking it."""

    def __init__(self) -> None:
        super().__init__(enabled=False)
        self.said: list[str] = []

    def say(self, text: str, *how, **more) -> bool:  # how, more: its priority and how long it may wait
        self.said.append(text)
        return True


def test_tilts_the_camera_cannot_see_are_paced_by_voice_and_screen_and_reported_as_paced(tmp_path):
    """Live pelvic tilts by a person whose landmarks barely move (a kinematic deep abdominal set: lying
    still in the start position, breathing): the trainer paces the tilts on screen and by voice, the set
    ends at the sheet's ten, and the recording and the report mark every rep as paced, not seen."""
    from kinematic_sets import labelled

    from exercise_rules.pelvic_tilts import PACE, PACE_CUE, TARGETS
    from posecheck.report import make_report

    voice = SaidVoice()
    trainer = trainer_for(tmp_path, ["pelvic_tilts"], voice=voice)
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    paces = []
    for frame in labelled("deep_abdominal", "correct", 1000).frames:
        trainer.on_pose(frame, image, people=1)
        if trainer.stage is Stage.DONE:
            break
        paces.append(trainer.hud().pace)
    assert trainer.stage is Stage.DONE and trainer.ended_by == "completed"
    steps = [text for text, _ in PACE]
    shown = [p[0] for p in paces if p is not None]
    assert set(shown) == set(steps)
    assert PACE_CUE in voice.said
    spoken = [text for text in voice.said if text in steps]
    assert spoken[:6] == steps * 2  # each step said as it comes, in the sheet's order
    assert [(s["exercise"], s["reps"], s["ended_by"]) for s in trainer.sets] == [
        ("pelvic_tilts", TARGETS.reps_min, "completed")]
    trainer.session.close()
    (tilts,) = load_session(tmp_path / "session").exercises
    reps = [e for e in tilts.events if e.kind is EventKind.REP_COMPLETED]
    assert len(reps) == TARGETS.reps_min and all(e.paced for e in reps)
    files = make_report(tmp_path / "session", history=False)
    report = json.loads(files.json.read_text())
    (exercise,) = report["exercises"]
    assert exercise["reps"]["paced"] == TARGETS.reps_min
    html = files.html.read_text()
    assert html.count("paced, not seen") >= TARGETS.reps_min and PACE_CUE not in html


def test_knee_rolls_the_camera_cannot_see_are_paced_with_the_paces_own_hold(tmp_path):
    """Live knee rolls by a person whose knees do not come down (lying still in the start position, as a stiff
    person's small rolls look from the side): the trainer paces the rolls, each paced step said once in the
    sheet's order (the hold told by the pace, not also by the camera's hold cue), and every rep is paced."""
    from kinematic_sets import labelled

    from exercise_rules.knee_rolls import PACE, PACE_CUE

    voice = SaidVoice()
    trainer = trainer_for(tmp_path, ["knee_rolls"], voice=voice)
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    for frame in labelled("deep_abdominal", "correct", 1000).frames:
        trainer.on_pose(frame, image, people=1)
    assert PACE_CUE in voice.said
    steps = [text for text, _ in PACE]
    spoken = [text for text in voice.said if text in steps]
    paced = [e for e in trainer.events if e.kind is EventKind.REP_COMPLETED]
    assert paced and all(e.paced for e in paced)
    # Whole cycles in order, one per paced roll (the last perhaps begun), nothing said twice.
    assert spoken == (steps * (len(paced) + 1))[:len(spoken)] and len(spoken) >= len(steps) * len(paced)


def test_the_paced_step_is_drawn_large_with_a_bar_that_fills_as_it_goes():
    from posecheck.live.window import TOP_BAR_H, YELLOW, Hud, draw_hud

    camera = np.full((480, 640, 3), 90, np.uint8)
    hud = Hud(stage="exercise", title="Pelvic tilts", step_number=5, steps=5, reps_target=(10, 15))
    plain = draw_hud(camera, None, hud).astype(int)

    def drawn(done: float) -> np.ndarray:
        return draw_hud(camera, None, dataclasses.replace(hud, pace=("Tilt towards your heels", done))).astype(int)

    changed = np.abs(drawn(0.5) - plain).sum(axis=2) > 0
    rows = np.flatnonzero(changed.any(axis=1))
    assert rows.min() >= TOP_BAR_H and rows.max() <= TOP_BAR_H + 200  # its own band under the top bar
    yellow = np.all(np.abs(drawn(0.5) - np.array(YELLOW)) < 40, axis=2)
    assert yellow[TOP_BAR_H:TOP_BAR_H + 200].sum() > 2000  # large text and the bar
    fill = [np.all(np.abs(drawn(d) - np.array(YELLOW)) < 40, axis=2).sum() for d in (0.1, 0.5, 0.9)]
    assert fill[0] < fill[1] < fill[2]


def test_deep_abdominal_says_breathe_in_draw_up_and_relax_as_each_stage_begins(tmp_path):
    """The sheet's "After an intake of breath, while you breathe out, draw up ... then relax": the trainer
    says each stage once as it begins, in that order, and shows the breathing-in stage on screen."""
    from kinematic_sets import labelled

    from exercise_rules.deep_abdominal import WORDS

    voice = SaidVoice()
    trainer = trainer_for(tmp_path, ["deep_abdominal"], voice=voice)
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    shown = set()
    for frame in labelled("deep_abdominal", "correct", 1000).frames:
        trainer.on_pose(frame, image, people=1)
        hud = trainer.hud()
        if hud.pace is not None and hud.breath is None:
            shown.add(hud.pace[0])
        if trainer.counters.reps >= 2:
            break
    spoken = [text for text in voice.said if text in WORDS]
    assert spoken[:6] == list(WORDS) * 2
    assert {WORDS[0], WORDS[2]} <= shown and WORDS[1] not in shown  # the hold has its breathing ring instead


def test_pausing_in_the_middle_of_a_hold_records_no_fault_and_the_set_goes_on(tmp_path):
    """Space during a back extension's hold, three seconds paused while the person comes down, space again:
    the cut hold is neither a rep nor a hold too short; the reps before and after are counted."""
    from kinematic_sets import labelled

    s = labelled("back_extensions", "correct", 1000)
    trainer = trainer_for(tmp_path, ["back_extensions"])
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    second = s.labels["reps"][1]
    pause_at = (second["start_ms"] + second["end_ms"]) // 2
    resume_at = second["end_ms"] + 1500
    for frame in s.frames:
        if trainer.paused is False and pause_at <= frame.timestamp_ms < resume_at and trainer.stage is Stage.EXERCISE:
            trainer.on_key(Action.PAUSE)
        if trainer.paused and frame.timestamp_ms >= resume_at:
            trainer.on_key(Action.PAUSE)
        trainer.on_pose(frame, image, people=1)
        if trainer.stage is Stage.DONE:
            break
    faults = [e for e in trainer.events if e.kind is EventKind.FAULT]
    reps = [e for e in trainer.events if e.kind is EventKind.REP_COMPLETED]
    assert faults == []
    assert len(reps) >= len(s.labels["reps"]) - 1  # every rep but the one the pause cut
    assert all(e.timestamp_ms < pause_at or e.timestamp_ms > resume_at for e in reps)


def test_a_video_played_every_frame_has_each_frame_inferred_and_recorded_however_slow_the_model(tmp_path):
    # --every-frame: a video file as the camera, each frame waiting for the one before to be inferred (not
    # played in real time: 200 frames at 33 ms would take 6.6 s, and a slow model would drop most of them).
    estimator = SlowEstimator(polls=4)
    trainer = trainer_for(tmp_path, ["knee_rolls"])
    reader = NewestFrame(ListSource(200), realtime=True, every_frame=True)
    reader.source.gate.set()
    loop = LiveLoop(reader, estimator, trainer)
    assert loop.run() == "camera_lost"
    reader.close()
    trainer.session.close()
    assert estimator.submitted == estimator.results == loop.stats.inferred == 200
    (record,) = load_session(tmp_path / "session").exercises
    assert [f.timestamp_ms for f in record.frames] == [i * 33 for i in range(200)]


def test_a_reminder_is_said_and_shown_when_the_set_starts_and_never_counted_as_a_fault(tmp_path):
    """Live heels stretches with locked elbows (a kinematic set): the elbow is a reminder, so the trainer
    says "Keep a soft bend in your elbows" once, as the set starts (at calibration), with the exercise's
    other reminders, shows one of them then, and the recording holds no elbow fault."""
    from kinematic_sets import labelled

    from exercise_rules.heels_stretch import EXERCISE

    reminder = next(r for r in EXERCISE.reminders if r.name == "elbows_locked")
    cues = {r.cue for r in EXERCISE.reminders}
    voice = SaidVoice()
    trainer = trainer_for(tmp_path, ["heels_stretch"], voice=voice)
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    shown_at = None
    for frame in labelled("heels_stretch", "elbows_locked", 1000, max_reps=3).frames:
        trainer.on_pose(frame, image, people=1)
        if shown_at is None and trainer.hud().cue in cues:
            shown_at = frame.timestamp_ms
    assert all(voice.said.count(cue) == 1 for cue in cues) and reminder.cue in cues
    trainer.session.close()
    (heels,) = load_session(tmp_path / "session").exercises
    calibrated = next(e.timestamp_ms for e in heels.events if e.kind is EventKind.CALIBRATED)
    assert shown_at is not None and calibrated <= shown_at <= calibrated + 200
    assert [e.check for e in heels.events if e.kind is EventKind.REMINDER] == [r.name for r in EXERCISE.reminders]
    assert not [e for e in heels.events if e.kind is EventKind.FAULT and e.check == reminder.name]
