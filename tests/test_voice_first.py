"""Voice-first guidance: what a person on the mat needs while not looking is spoken, in order of importance,
without talking over itself; and a voice that cannot be heard says so, once.

Sessions are driven by kinematic recordings through a stand-in speech engine that takes espeak-ng's time
to say each text on the frames' clock (tests/voice_standins.py), so what is heard, and when, is exact.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli
from kinematic_sets import labelled
from voice_standins import HEADER, Clock, StandInEngine, blank, feed, voiced_trainer

from posecheck import doctor
from posecheck.events import EventKind
from posecheck.live.profile import write_default_profile
from posecheck.live.routine import INSTRUCTIONS, PHYSIO_NOTICE, ROUTINE_ORDER, step
from posecheck.live.trainer import INSTRUCTIONS_S, VOICE_NOTICE_S, Stage, Trainer
from posecheck.live.voice import Priority, Voice
from posecheck.live.window import NOTICE_H, TOP_BAR_H, draw_hud
from posecheck.session import SessionWriter

# What espeak-ng prints when there is no sound device (it still exits 0), as seen on a machine without one.
ALSA_ERRORS = (
    "ALSA lib confmisc.c:855:(parse_card) cannot find card '0'\n"
    "ALSA lib conf.c:5180:(_snd_config_evaluate) function snd_func_card_inum returned error: No such file or "
    "directory\n"
    "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default\n"
    "error: No such file or directory\n"
)
NO_SOUND = "no sound output (ALSA: Unknown PCM default)"


def guided_set(tmp_path: Path, exercise: str, kind: str, **options):
    """A whole set with the voice on: the instructions' seconds, the recording, then rest until the set ends.
    Returns the trainer, the engine and when the recording began on the session's clock (ms)."""
    trainer, engine, clock = voiced_trainer(tmp_path, [exercise], instructions_s=INSTRUCTIONS_S, **options)
    t = feed(trainer, clock, blank(0, INSTRUCTIONS_S + 0.5), until=lambda tr: False)
    start = t + 67
    t = feed(trainer, clock, labelled(exercise, kind, 1000).frames, offset_ms=start)
    t = feed(trainer, clock, blank(t + 67, 30.0))  # resting after the last rep ends the set
    feed(trainer, clock, blank(t + 67, 10.0), until=lambda tr: False)  # the last words have time to be said
    return trainer, engine, start


def rep_windows(trainer) -> list[tuple[int, float, float, int | None]]:
    """(rep number, started s, completed s, hold ms) of each counted rep, from the rules' events."""
    started: dict[int, float] = {}
    out = []
    for e in trainer.events:
        if e.kind is EventKind.REP_STARTED and e.rep is not None:
            started[e.rep] = e.timestamp_ms / 1000
        elif e.kind is EventKind.REP_COMPLETED and e.rep is not None:
            out.append((e.rep, started[e.rep], e.timestamp_ms / 1000, e.hold_ms))
    return out


def heard_between(engine: StandInEngine, t0: float, t1: float) -> list[tuple[float, str]]:
    return [(t, text) for t, text in engine.heard if t0 <= t <= t1]


@pytest.mark.parametrize("exercise", ROUTINE_ORDER)
def test_each_exercise_is_introduced_aloud_with_one_or_two_of_the_sheets_sentences(tmp_path, exercise):
    trainer, engine, clock = voiced_trainer(tmp_path, [exercise], instructions_s=INSTRUCTIONS_S)
    feed(trainer, clock, blank(0, INSTRUCTIONS_S + 1.0), until=lambda tr: False)
    title = step(exercise).title
    first, start = engine.texts[:2]
    assert first.startswith(f"Next: {title}. ")
    said = first.removeprefix(f"Next: {title}. ")
    sentences = [s for s in re.split(r"(?<=\.) ", said) if s]
    assert 1 <= len(sentences) <= 2
    whole = " ".join(INSTRUCTIONS[exercise])  # the sheet's words, as the routine shows them
    for sentence in sentences:
        assert sentence in whole, sentence
    assert len(said.split()) < 0.7 * len(whole.split())  # short: not the whole text
    # Said while the instructions are up, and finished before the exercise starts.
    (t_start,) = [t for t, text in engine.heard if text == start]
    assert start == f"Start {title}" and t_start >= INSTRUCTIONS_S
    assert trainer.stage is Stage.EXERCISE


def test_a_set_of_back_extensions_is_guided_by_voice_from_its_instruction_to_well_done(tmp_path):
    trainer, engine, _ = guided_set(tmp_path, "back_extensions", "correct")
    assert trainer.ended_by == "completed"
    texts = engine.texts
    assert texts[0].startswith("Next: Back extensions. Lie flat on your stomach")
    assert texts[1] == "Start Back extensions"
    reps = rep_windows(trainer)
    assert len(reps) >= 8
    lo, hi = step("back_extensions").targets.reps
    for n, started, completed, hold_ms in reps:
        during = [(t, text) for t, text in heard_between(engine, started, completed)]
        holds = [t for t, text in during if text == "Hold for 5 to 10 seconds"]
        backs = [t for t, text in during if text == "And come back down"]
        assert len(holds) == 1 and len(backs) == 1, (n, during)
        assert hold_ms is not None and hold_ms >= 5000  # every hold of this set is long enough
        # "Come back" once the hold has lasted its 5 s: never earlier than 5 s into the rep, before it ends.
        assert backs[0] - started >= 5.0 and holds[0] < backs[0] < completed
        count = f"That's {n} of {lo if n <= lo else hi}"
        (t_count,) = [t for t, text in engine.heard if text == count]
        assert completed <= t_count <= completed + 3.0
    assert texts[-1] == f"Well done, {len(reps)} reps"
    last = len(reps)
    assert texts.index(f"Well done, {last} reps") > texts.index(f"That's {last} of {lo if last <= lo else hi}")


def test_knee_rolls_the_camera_sees_keep_their_own_hold_cues_and_are_not_paced(tmp_path):
    """Live knee rolls fall back to a pace only when no roll is seen: a set the camera sees is told to hold
    each roll as the knees arrive (once per roll), and nothing of the pace is said."""
    from exercise_rules.knee_rolls import PACE, PACE_CUE

    trainer, engine, _ = guided_set(tmp_path, "knee_rolls", "correct")
    reps = rep_windows(trainer)
    lo, _hi = step("knee_rolls").targets.reps
    assert len(reps) >= lo
    assert PACE_CUE not in engine.texts and PACE[0][0] not in engine.texts
    assert not any(e.paced for e in trainer.events if e.kind is EventKind.REP_COMPLETED)
    for n, started, completed, _hold in reps:
        during = [text for _, text in heard_between(engine, started, completed)]
        assert during.count("Hold for one deep breath") == 1, (n, during)


def test_a_hold_cut_short_is_not_told_to_come_back_and_its_fault_is_said_before_its_count(tmp_path):
    trainer, engine, _ = guided_set(tmp_path, "back_extensions", "hold_too_short")
    faulty = {e.rep for e in trainer.events if e.kind is EventKind.FAULT and e.check == "hold_too_short"}
    reps = rep_windows(trainer)
    assert faulty and len(faulty) < len(reps)
    cue = next(e.cue for e in trainer.events if e.check == "hold_too_short")
    lo, hi = step("back_extensions").targets.reps
    for n, started, completed, _hold in reps:
        during = [text for _, text in heard_between(engine, started, completed)]
        assert "Hold for 5 to 10 seconds" in during
        assert ("And come back down" in during) == (n not in faulty), (n, during)
        if n in faulty:
            # Raised in the same frame as the count: the fault is said first (faults first).
            after = [text for _, text in heard_between(engine, completed, completed + 8.0)]
            count = f"That's {n} of {lo if n <= lo else hi}"
            assert after.index(cue) < after.index(count), after


def test_deep_abdominal_says_relax_before_the_count_as_its_hold_ends(tmp_path):
    """The paced hold says its own words; at its end "Relax" (timed) goes before "that's 1 of 5"."""
    from exercise_rules.deep_abdominal import WORDS

    trainer, engine, clock = voiced_trainer(tmp_path, ["deep_abdominal"], instructions_s=0.0)
    # Moved on at once: the instruction is cut short, so the set's first words are said on time.
    feed(trainer, clock, labelled("deep_abdominal", "correct", 1000).frames,
         until=lambda tr: tr.counters.reps >= 1)
    feed(trainer, clock, blank(round(clock.now * 1000) + 67, 5.0), until=lambda tr: False)
    texts = engine.texts
    assert texts[1] == "Start Deep abdominal strengthening"
    assert texts.index(WORDS[0]) < texts.index(WORDS[1]) < texts.index(WORDS[2]) < texts.index("That's 1 of 5")
    assert not any(text.startswith("Hold for") for text in texts)  # the pace says "then hold" itself


def test_the_voice_waits_its_turn_faults_first_stale_words_dropped_and_stop_cuts_in():
    clock = Clock()
    engine = StandInEngine(clock)
    voice = Voice(engine=engine, clock=clock)
    assert voice.say("Start Knee rolls", Priority.GUIDE)  # 3 words: 1.2 s
    assert not voice.say("That's 1 of 8", Priority.GUIDE)
    assert not voice.say("Keep both shoulders on the floor", Priority.FAULT)
    assert not voice.say("Move the camera back")  # repeated by the next frames anyway: dropped while busy
    clock.now = 1.3
    assert voice.pump() == "Keep both shoulders on the floor"  # the fault first, though it came later
    clock.now = 3.9
    assert voice.pump() == "That's 1 of 8"
    # A fault still waiting after its cue has left the screen is not said late.
    clock.now = 10.0
    voice.say("Roll your knees to the one side", Priority.GUIDE)
    voice.say("Keep your knees together", Priority.FAULT)
    clock.now = 16.0
    assert voice.pump() is None
    # Stop cuts in: what was being said ends there, and nothing waits in front of it.
    voice.say("Hold for one deep breath and return to the starting position", Priority.GUIDE)
    assert voice.say("Stop. Speak to a physiotherapist before you go on", Priority.STOP)
    assert engine.texts == ["Start Knee rolls", "Keep both shoulders on the floor", "That's 1 of 8",
                            "Roll your knees to the one side", "Hold for one deep breath and return to the starting "
                            "position", "Stop. Speak to a physiotherapist before you go on"]
    # Faults are not repeated within a few seconds; guidance said once per moment may be.
    clock.now = 40.0
    assert voice.say("Keep your knees together", Priority.FAULT)
    clock.now = 42.0
    assert not voice.say("Keep your knees together", Priority.FAULT)
    assert voice.say("And come back", Priority.GUIDE)
    clock.now = 44.0
    assert voice.say("And come back", Priority.GUIDE)


def test_a_voice_that_cannot_be_heard_says_so_once_on_screen_and_in_the_terminal(tmp_path):
    told: list[str] = []
    trainer, engine, clock = voiced_trainer(tmp_path, ["knee_rolls"], fails_with=NO_SOUND,
                                            instructions_s=INSTRUCTIONS_S)
    trainer.voice.on_problem = told.append
    frames = labelled("knee_rolls", "correct", 1000).frames
    notices = []
    for frame in frames[: 15 * 60]:  # 60 s: the instruction's failed try, then what would have been said
        feed(trainer, clock, [frame], until=lambda tr: False)
        notices.append((frame.timestamp_ms, trainer.hud().notice))
    assert told == [NO_SOUND]
    shown = [(t, n) for t, n in notices if n is not None]
    assert {n for _, n in shown} == {f"Voice unavailable: {NO_SOUND}"}
    # On screen once (one run of frames), for its while, from when the instruction ended unheard.
    runs = [i for i, (_, n) in enumerate(notices) if n is not None]
    assert runs == list(range(runs[0], runs[-1] + 1))
    assert VOICE_NOTICE_S - 0.2 <= (shown[-1][0] - shown[0][0]) / 1000 <= VOICE_NOTICE_S
    assert engine.texts == [engine.texts[0]]  # the voice went quiet: nothing more was tried
    assert trainer.counters.reps >= 3  # the session went on without it

    # The notice is drawn: a red band with white words under the top bar, which is not there without it.
    hud = trainer.hud()
    noticed = dataclasses.replace(hud, notice=f"Voice unavailable: {NO_SOUND}")
    camera = np.full((480, 640, 3), 90, np.uint8)
    with_notice, without = (draw_hud(camera, None, h).astype(int) for h in (noticed, hud))
    band = np.s_[TOP_BAR_H:TOP_BAR_H + NOTICE_H, :]
    changed = np.abs(with_notice - without).sum(axis=2) > 0
    assert changed[band].mean() > 0.9 and changed.sum() == changed[band].sum()
    reddish = (with_notice[band][..., 2] > with_notice[band][..., 0] + 60)
    white = (with_notice[band] > 230).all(axis=2)
    assert reddish.mean() > 0.5 and white.sum() > 500  # the band, and the words on it


def _fake_espeak(folder: Path, stderr: str = "", status: int = 0) -> Path:
    """An `espeak-ng` that prints `stderr` and exits with `status`, as a real one does without sound."""
    folder.mkdir(exist_ok=True)
    script = folder / "espeak-ng"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.stderr.write({stderr!r})\nsys.exit({status})\n")
    script.chmod(0o755)
    return script


def _finished(voice: Voice) -> None:
    deadline = time.monotonic() + 30
    while voice.busy() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_espeak_errors_or_a_missing_engine_make_the_voice_unavailable_with_the_reason(tmp_path, monkeypatch):
    told: list[str] = []
    voice = Voice(command=[str(_fake_espeak(tmp_path / "alsa", ALSA_ERRORS))], on_problem=told.append)
    assert voice.available and voice.status().startswith("Voice on")
    assert voice.say("Start Knee rolls", Priority.GUIDE)  # it starts: nothing is known yet
    _finished(voice)
    assert voice.problem == NO_SOUND and told == [NO_SOUND] and not voice.available
    assert not voice.say("That's 1 of 8", Priority.GUIDE) and told == [NO_SOUND]  # said once
    assert voice.status() == f"Voice unavailable: {NO_SOUND}. Cues are shown, not spoken"

    crashing = Voice(command=[str(_fake_espeak(tmp_path / "crash", "Segmentation fault\n", 139))])
    crashing.say("Hold", Priority.GUIDE)
    _finished(crashing)
    assert crashing.problem == "the speech engine failed (Segmentation fault)"

    gone = Voice(command=[str(tmp_path / "uninstalled" / "espeak-ng")])
    assert not gone.say("Hold", Priority.GUIDE)
    assert gone.problem is not None and gone.problem.startswith("the speech engine could not start")

    monkeypatch.setattr("shutil.which", lambda name: None)
    missing = Voice()
    assert missing.problem is not None and "espeak-ng is not installed" in missing.problem
    assert Voice(enabled=False).problem is None  # turned off is not a problem


def test_the_first_run_reads_the_notice_aloud_and_says_on_screen_whether_the_voice_works(tmp_path, monkeypatch):
    trainer, engine, _ = voiced_trainer(tmp_path / "on", ["knee_rolls"], first_run=True)
    assert engine.texts == [PHYSIO_NOTICE[0]]
    lines = trainer.hud().lines
    assert lines[: len(PHYSIO_NOTICE)] == PHYSIO_NOTICE and lines[-1].startswith("Voice on")

    monkeypatch.setattr("shutil.which", lambda name: None)
    missing = Trainer([step("knee_rolls")], SessionWriter(tmp_path / "missing"), HEADER, voice=Voice(),
                      first_run=True)
    assert missing.hud().lines[-1].startswith("Voice unavailable: espeak-ng is not installed")


def test_the_last_words_are_still_said_when_the_session_ends_at_once(tmp_path):
    """Headless, the session ends on the frame that completes the set: "well done" waits behind the count,
    and closing the voice lets both be said (by a real process, one after the other)."""
    log = tmp_path / "said.txt"
    speak = tmp_path / "speak"
    speak.write_text(f"#!{sys.executable}\nimport sys, time\ntime.sleep(0.3)\n"
                     f"open({str(log)!r}, 'a').write(sys.argv[-1] + '\\n')\n")
    speak.chmod(0o755)
    voice = Voice(command=[str(speak)])
    assert voice.say("That's 8 of 8", Priority.GUIDE)
    assert not voice.say("Well done, 8 reps", Priority.GUIDE)  # waits its turn
    voice.close()
    assert log.read_text().splitlines() == ["That's 8 of 8", "Well done, 8 reps"]


def test_the_doctor_has_espeak_say_something_and_reports_what_stops_it_being_heard(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "fine"))
    _fake_espeak(tmp_path / "fine")
    fine = doctor.check_voice()
    assert fine.ok and f'said "{doctor.VOICE_PROBE}"' in fine.detail

    monkeypatch.setenv("PATH", str(tmp_path / "alsa"))
    _fake_espeak(tmp_path / "alsa", ALSA_ERRORS)
    silent = doctor.check_voice()
    assert (silent.ok, silent.required) == (False, False)  # a note: live training runs without a voice
    assert NO_SOUND in silent.detail and "speaker" in silent.detail

    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    missing = doctor.check_voice()
    assert (missing.ok, missing.required) == (False, False) and "not installed" in missing.detail


def test_a_live_run_says_whether_the_voice_works_and_when_it_fails_says_so_once(tmp_path, slow_astronaut_video):
    alsa = _fake_espeak(tmp_path / "bin", ALSA_ERRORS).parent
    write_default_profile(tmp_path / "profile.toml")
    done = run_cli("live", "--exercise", "knee_rolls", "--headless", "--source", str(slow_astronaut_video),
                   "--instructions-seconds", "1", "--skip-setup-check", "--max-seconds", "4",
                   "--session-dir", str(tmp_path / "session"), "--profile", str(tmp_path / "profile.toml"),
                   "--no-history",
                   env={"PATH": f"{alsa}{os.pathsep}{os.environ['PATH']}", "POSECHECK_DATA_DIR": str(tmp_path / "d")})
    assert done.returncode == 0, done.stderr
    said = done.stdout.splitlines()
    on = next(i for i, line in enumerate(said) if line.startswith("Voice on: cues are spoken aloud"))
    assert on < next(i for i, line in enumerate(said) if "Start: Knee rolls" in line)  # said before it starts
    # In the terminal once, on stdout: stderr is silenced while MediaPipe starts up.
    assert (done.stdout + done.stderr).count("voice unavailable") == 1
    assert f"posecheck: voice unavailable: {NO_SOUND}; cues are shown, not spoken" in done.stdout
