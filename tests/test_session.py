"""A session folder is written as it happens and read back whatever state it was left in."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from session_builders import KNEES_UP, ExercisePlan, header, pose_frame, record_session

from posecheck.events import Event, EventKind
from posecheck.session import SESSION_FILE, SessionError, SessionWriter, load_session


def test_a_finished_session_reads_back_whole(tmp_path: Path) -> None:
    plans = [ExercisePlan("knee_rolls", 4), ExercisePlan("back_extensions", 3, hold_s=5.0, rep_s=7.0)]
    folder = record_session(tmp_path / "s", plans, name="Tuesday", notes="stiff")
    data = json.loads((folder / SESSION_FILE).read_text())
    assert (data["format"], data["version"]) == ("posecheck-session", 1)
    assert [e["files"]["landmarks"] for e in data["exercises"]] == [
        "01-knee_rolls.landmarks.jsonl", "02-back_extensions.landmarks.jsonl"]
    session = load_session(folder)
    assert session.complete and session.problems == []
    assert (session.name, session.notes, session.profile) == ("Tuesday", "stiff", {"model": "full"})
    assert session.ended_at is not None and session.ended_at >= session.started_at
    for record, plan in zip(session.exercises, plans, strict=True):
        frames, events = plan.frames_and_events(t0_ms=record.frames[0].timestamp_ms)
        assert record.exercise == plan.exercise
        assert len(record.frames) == len(frames)
        assert sorted(record.events, key=lambda e: e.timestamp_ms) == sorted(events, key=lambda e: e.timestamp_ms)
        assert record.targets["reps"] == [8, 10]
    assert not list(folder.glob(".session-*")), "no temporary file is left behind"


def test_session_json_names_the_running_exercise_before_it_ends(tmp_path: Path) -> None:
    with SessionWriter(tmp_path / "s", name="n") as writer:
        exercise = writer.start_exercise("pelvic_tilts", {"reps": [10, 15]}, header())
        exercise.write_frame(pose_frame(KNEES_UP, 0))
        exercise.write_events([Event(EventKind.CALIBRATED, 0, "pelvic_tilts")])
        on_disk = json.loads((tmp_path / "s" / SESSION_FILE).read_text())
        assert on_disk["ended_at"] is None
        assert on_disk["exercises"][0]["exercise"] == "pelvic_tilts"
        assert on_disk["exercises"][0]["ended_at"] is None
        # Lines are on disk already, before anything is closed.
        assert len(exercise.landmarks_path.read_text().splitlines()) == 2
        assert len(exercise.events_path.read_text().splitlines()) == 1
    on_disk = json.loads((tmp_path / "s" / SESSION_FILE).read_text())
    assert on_disk["ended_at"] and on_disk["exercises"][0]["ended_at"]


def test_a_folder_already_holding_a_session_is_not_overwritten(tmp_path: Path) -> None:
    record_session(tmp_path / "s", [ExercisePlan("pelvic_tilts", 1)])
    with pytest.raises(SessionError, match="already holds a session"):
        SessionWriter(tmp_path / "s")


_KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {tests!r})
    from session_builders import header, pose_frame, KNEES_UP
    from posecheck.events import Event, EventKind
    from posecheck.session import SessionWriter
    writer = SessionWriter({folder!r}, name="killed")
    exercise = writer.start_exercise("deep_abdominal", None, header())
    for i in range(100000):
        exercise.write_frame(pose_frame(KNEES_UP, i * 66))
        exercise.write_events([Event(EventKind.REP_STARTED, i * 66, "deep_abdominal", rep=i + 1)])
        if i == 30:
            print("ready", flush=True)
        time.sleep(0.002)
    """
)


def test_a_session_killed_with_sigkill_keeps_what_it_wrote(tmp_path: Path) -> None:
    folder = tmp_path / "killed"
    script = _KILLED_WRITER.format(tests=str(Path(__file__).parent), folder=str(folder))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    session = load_session(folder)
    assert not session.complete
    assert any("did not end normally" in p for p in session.problems)
    (record,) = session.exercises
    assert len(record.frames) >= 31
    assert len(record.events) >= 31
    assert record.frames[-1].has_pose


def test_cut_off_last_lines_are_dropped_and_reported(tmp_path: Path) -> None:
    folder = record_session(tmp_path / "s", [ExercisePlan("knee_rolls", 3)])
    landmarks, events = folder / "01-knee_rolls.landmarks.jsonl", folder / "01-knee_rolls.events.jsonl"
    frames_before = len(landmarks.read_text().splitlines()) - 1
    events_before = len(events.read_text().splitlines())
    for file in (landmarks, events):
        text = file.read_text()
        file.write_text(text[: len(text) - 25])  # the last line loses its end, as when killed mid-write
    record = load_session(folder).exercises[0]
    assert len(record.frames) == frames_before - 1
    assert len(record.events) == events_before - 1
    assert any("cut-off line" in p and "landmark" in p for p in record.problems)
    assert any("cut-off line" in p and "event" in p for p in record.problems)
    assert not load_session(folder).complete


def test_missing_files_are_reported_not_fatal(tmp_path: Path) -> None:
    folder = record_session(tmp_path / "s", [ExercisePlan("knee_rolls", 2), ExercisePlan("pelvic_tilts", 2)])
    (folder / "01-knee_rolls.events.jsonl").unlink()
    (folder / "02-pelvic_tilts.landmarks.jsonl").unlink()
    session = load_session(folder)
    first, second = session.exercises
    assert first.events == [] and len(first.frames) > 0
    assert second.frames == [] and len(second.events) > 0
    assert any("event log" in p for p in first.problems)
    assert any("landmark recording" in p for p in second.problems)
    assert not session.complete


def test_a_session_without_session_json_is_rebuilt_from_its_recordings(tmp_path: Path) -> None:
    folder = record_session(tmp_path / "s", [ExercisePlan("knee_rolls", 2), ExercisePlan("pelvic_tilts", 2)])
    (folder / SESSION_FILE).unlink()
    session = load_session(folder)
    assert [e.exercise for e in session.exercises] == ["knee_rolls", "pelvic_tilts"]
    assert all(e.frames and e.events for e in session.exercises)
    assert not session.complete and any(SESSION_FILE in p for p in session.problems)


def test_file_names_in_session_json_cannot_point_outside_the_folder(tmp_path: Path) -> None:
    folder = record_session(tmp_path / "s", [ExercisePlan("knee_rolls", 1)])
    (tmp_path / "secret.jsonl").write_text("{}\n")
    data = json.loads((folder / SESSION_FILE).read_text())
    data["exercises"][0]["files"]["events"] = "../secret.jsonl"
    (folder / SESSION_FILE).write_text(json.dumps(data))
    record = load_session(folder).exercises[0]
    assert record.events == [] and any("missing" in p for p in record.problems)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no such session folder"),
        (lambda p: p.mkdir(), "not a posecheck session"),
        (lambda p: (p.mkdir(), (p / SESSION_FILE).write_text('{"format": "other"}')), "not a posecheck session"),
        (lambda p: (p.mkdir(), (p / SESSION_FILE).write_text('{"format": "posecheck-session", "version": 9}')),
         "version 9"),
    ],
)
def test_what_is_not_a_session_gets_a_clear_error(tmp_path: Path, setup, message: str) -> None:
    folder = tmp_path / "s"
    setup(folder)
    with pytest.raises(SessionError, match=message):
        load_session(folder)


def test_a_session_stopped_by_an_error_says_so(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), SessionWriter(tmp_path / "s") as writer:
        writer.start_exercise("knee_rolls", None, header()).write_frame(pose_frame(KNEES_UP, 0))
        raise RuntimeError("camera unplugged")
    session = load_session(tmp_path / "s")
    assert not session.complete
    assert "the session stopped on an error: RuntimeError: camera unplugged" in session.problems
    assert len(session.exercises[0].frames) == 1


def test_ctrl_c_ends_a_session_normally(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), SessionWriter(tmp_path / "s") as writer:
        writer.start_exercise("knee_rolls", None, header()).write_frame(pose_frame(KNEES_UP, 0))
        raise KeyboardInterrupt
    assert load_session(tmp_path / "s").complete
