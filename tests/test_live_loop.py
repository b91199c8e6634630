"""The live loop with a video file as the camera: real MediaPipe on real pixels, headless, the events
and the session it records; and the set-up check on real frames."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import REPO, run_cli

from posecheck.errors import PosecheckError
from posecheck.events import EventKind
from posecheck.live.profile import write_default_profile
from posecheck.live.routine import create_run
from posecheck.live.setup_check import assess
from posecheck.pose import PoseEstimator
from posecheck.session import load_session
from posecheck.sources import open_source

SAMPLES = REPO / "samples" / "video"
EXIT_CAMERA_LOST = 1


def rendered_clip(exercise_preference: tuple[str, ...] = ("knee_rolls", "heels_stretch")) -> tuple[Path, dict]:
    """A rendered clip of an exercise done correctly, with its labels (skip when there is none yet)."""
    for exercise in exercise_preference:
        for labels in sorted(SAMPLES.glob(f"{exercise}__correct__*.json")):
            video = labels.with_suffix(".mp4")
            try:
                open_source(str(video)).close()  # a clip still being rendered does not open yet
            except PosecheckError:
                continue
            return video, json.loads(labels.read_text())
    pytest.skip("no rendered sample clip in samples/video (tools/render makes them)")


def live(tmp_path: Path, *args: str, profile: bool = True):
    """`posecheck live ...` headless, with its own session folder, profile and history."""
    if profile:
        write_default_profile(tmp_path / "profile.toml")
    return run_cli(
        "live", "--headless", "--no-voice", "--session-dir", str(tmp_path / "session"),
        "--profile", str(tmp_path / "profile.toml"), *args,
        env={"POSECHECK_DATA_DIR": str(tmp_path / "data"), "DISPLAY": ""},
    )


def session_json(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "session" / "session.json").read_text())


def first_frame(video: Path, index: int = 10) -> np.ndarray:
    with open_source(str(video)) as source:
        return next(f.image for f in source.frames() if f.index == index)


def advice(image: np.ndarray, full_model: Path) -> str | None:
    with PoseEstimator(full_model, mode="image") as estimator:
        pose = estimator.detect(np.ascontiguousarray(image), 0)
        found = assess(image, pose, estimator.people_seen)
    return found.text if found else None


def test_setup_check_passes_a_side_view_of_the_whole_body_on_the_mat(full_model):
    video, _ = rendered_clip(("heels_stretch", "knee_rolls"))
    assert advice(first_frame(video), full_model) is None


def test_setup_check_says_what_to_change(full_model, astronaut_bgr):
    video, _ = rendered_clip(("heels_stretch",))
    frame = first_frame(video)
    # A portrait from the waist up: the legs are out of the picture.
    assert advice(astronaut_bgr, full_model) == "Move the camera back"
    assert advice((frame * 0.15).astype(np.uint8), full_model) == "Turn the lights on"
    assert advice(np.hstack([frame, frame]), full_model) == "Only one person in view, please"
    # The same room seen from further away: the person is still found, but small.
    small = cv2.resize(frame, (288, 216), interpolation=cv2.INTER_AREA)
    far = cv2.copyMakeBorder(small, 132, 132, 176, 176, cv2.BORDER_REFLECT)
    assert advice(far, full_model) == "Move the camera closer"


def test_a_live_session_counts_the_reps_of_a_correct_clip_and_records_them(tmp_path):
    video, labels = rendered_clip()
    exercise = labels["exercise"]
    # Every frame inferred, in the video's time: the same session however loaded the machine is (played in
    # real time, a busy machine infers fewer frames and the count could change with it).
    done = live(tmp_path, "--exercise", exercise, "--source", str(video), "--instructions-seconds", "0",
                "--skip-setup-check", "--record-video", "--every-frame")
    # The clip ends before the routine's 8-10 reps: the camera is "lost" and the session ends cleanly.
    assert done.returncode == EXIT_CAMERA_LOST, done.stderr
    assert "camera stopped sending frames" in done.stderr
    session = load_session(tmp_path / "session")
    (record,) = session.exercises
    assert record.exercise == exercise and session.ended_at is not None
    reps = [e for e in record.events if e.kind is EventKind.REP_COMPLETED]
    assert len(reps) == len(labels["reps"])
    sides = sorted({e.side for e in reps if e.side})
    if sides:  # knee rolls: the summary counts each side as the rules saw it
        counts = ", ".join(f"{side} {sum(e.side == side for e in reps)}" for side in sides)
        assert f"{len(reps)} reps ({counts})" in done.stdout
    # The events recorded are the rules' verdicts on the frames recorded: replaying the landmarks through
    # a fresh run of the rules gives the same events (whether the rules judge well is their own tests' job).
    replay = create_run(exercise, {})
    replayed = [e for frame in record.frames for e in replay.update(frame)]
    assert [(e.kind, e.rep, e.side, e.check) for e in replayed] == [
        (e.kind, e.rep, e.side, e.check) for e in record.events]
    for number in range(1, len(reps) + 1):
        assert f"rep {number}" in done.stdout  # headless: counts and cues go to stdout
    # Landmarks always, video when asked: one video frame per landmark frame.
    frames = len(record.frames)
    assert sum(f.has_pose for f in record.frames) > 0.9 * frames
    assert frames == labels["frame_count"]  # every frame of the video, none dropped
    capture = cv2.VideoCapture(str(record.video_path))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == frames
    capture.release()
    assert session_json(tmp_path)["exercises"][0]["ended_by"] == "camera_lost"
    assert (tmp_path / "session" / "report.html").exists() and "report:" in done.stdout


def test_the_setup_check_holds_the_exercise_until_the_camera_sees_the_whole_body(tmp_path, slow_astronaut_video):
    done = live(tmp_path, "--exercise", "knee_rolls", "--source", str(slow_astronaut_video),
                "--instructions-seconds", "0.5", profile=False)
    assert done.returncode == EXIT_CAMERA_LOST, done.stderr
    # First run: the physiotherapist notice, then the profile is written for next time.
    assert "speak to a physiotherapist before starting" in done.stdout
    assert (tmp_path / "profile.toml").exists()
    assert "Move the camera back" in done.stdout
    assert session_json(tmp_path)["exercises"] == []  # nothing started, nothing pretended
    assert "no exercise was started" in done.stdout


def test_max_seconds_ends_a_session_cleanly_with_what_was_recorded(tmp_path, slow_astronaut_video):
    done = live(tmp_path, "--exercise", "knee_rolls", "--source", str(slow_astronaut_video),
                "--instructions-seconds", "0", "--skip-setup-check", "--max-seconds", "4")
    assert done.returncode == 0, done.stderr
    session = load_session(tmp_path / "session")
    (record,) = session.exercises
    assert session.complete and record.has_pose
    # The astronaut stands: the knee-rolls rules say she is not lying on her back, and so does stdout.
    cues = [e.cue for e in record.events if e.kind is EventKind.NOT_IN_START_POSITION]
    assert len(cues) == 1 and cues[0].startswith("Lie on your back")
    assert cues[0] in done.stdout
    assert session_json(tmp_path)["exercises"][0]["ended_by"] == "time_up"


@pytest.mark.parametrize(("args", "message"), [
    (["--source", "no-such-video.mp4"], "no such file"),
    (["--source", "PHOTO"], "a live session needs a webcam or a video"),
    (["--source", "7"], "cannot open webcam 7"),
    (["--max-seconds", "0"], "--max-seconds must be above 0"),
])
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, astronaut_bgr, args, message):
    photo = tmp_path / "astronaut.png"
    cv2.imwrite(str(photo), astronaut_bgr)
    done = live(tmp_path, "--exercise", "knee_rolls", *[str(photo) if a == "PHOTO" else a for a in args])
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_window_without_a_screen_says_to_use_headless(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = run_cli("routine", "--profile", str(tmp_path / "p.toml"), "--session-dir", str(tmp_path / "s"),
                   env={**env, "DISPLAY": "", "POSECHECK_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 2 and "use --headless" in done.stderr


def test_the_routine_starts_with_the_heels_stretch_and_its_instructions(tmp_path, slow_astronaut_video):
    write_default_profile(tmp_path / "profile.toml")
    done = run_cli("routine", "--headless", "--no-voice", "--source", str(slow_astronaut_video),
                   "--instructions-seconds", "1", "--skip-setup-check", "--max-seconds", "3",
                   "--session-dir", str(tmp_path / "session"), "--profile", str(tmp_path / "profile.toml"),
                   env={"POSECHECK_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert "Next: Heels stretch (8-10 reps, hold one deep breath)" in done.stdout
    assert "Kneel on all fours with your knees level with your hips" in done.stdout  # the sheet's words
    exercises = session_json(tmp_path)["exercises"]
    assert [e["exercise"] for e in exercises] == ["heels_stretch"]
    assert exercises[0]["targets"]["reps"] == [8, 10]
