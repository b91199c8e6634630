"""A catalogue of bad and hostile inputs, entry point by entry point: each one gets a clear one-line
message (exit 2) or a clear cue in the session, never a traceback, and nothing already recorded is lost.

Pictures are a rendered sample clip (samples/video) altered the way real rooms go wrong: the person
gone, blanked out mid-rep, a second person beside them, the lights off or blinding; and the astronaut
photograph for a person facing the camera. test_bad_input.py covers `landmarks` on missing, empty and
non-video sources and `models verify` on a corrupt model; this file extends it to the other entry points.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import REPO, run_cli
from session_builders import ExercisePlan, record_session

import posecheck.recording
from posecheck.cli import main
from posecheck.live.profile import write_default_profile
from posecheck.recording import RecordingHeader, RecordingWriter, iter_recording, load_recording
from posecheck.session import load_session

SAMPLES = REPO / "samples" / "video"
KINEMATIC = REPO / "samples" / "kinematic"
CLIP = SAMPLES / "knee_rolls__correct__right__b1.mp4"  # rep 1: 1.2 s to 8.4 s
OTHER_CLIP = SAMPLES / "heels_stretch__correct__right__b0.mp4"
RECORDING = KINEMATIC / "knee_rolls__correct__dev1000.jsonl"
EXIT_BAD_INPUT = 2
EXIT_CAMERA_LOST = 1
FAST = ("--variant", "lite")  # the pictures' verdicts do not need the bigger models


# --- pictures ------------------------------------------------------------------------------------


def _read(path: Path, n: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < n:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
    capture.release()
    return frames


def _write(path: Path, images: list[np.ndarray], fps: float = 15) -> Path:
    height, width = images[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for image in images:
        writer.write(np.ascontiguousarray(image))
    writer.release()
    return path


def _empty_room(frame: np.ndarray) -> np.ndarray:
    """The clip's wall and floor with the mat and the person taken out: wall above, bare floor below."""
    room = frame.copy()
    wall_row, floor = frame[5:6], frame[250:360]
    room[:170] = wall_row
    room[170:] = cv2.resize(floor, (frame.shape[1], frame.shape[0] - 170), interpolation=cv2.INTER_LINEAR)
    return room


@pytest.fixture(scope="module")
def media(tmp_path_factory, astronaut_bgr) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("catalogue")
    clip = _read(CLIP, 150)  # rep 1 ends at frame 125
    room = _empty_room(clip[0])
    other = _read(OTHER_CLIP, 45)
    out = {
        "short": _write(folder / "short.mp4", clip[:45]),
        "one_rep": _write(folder / "one_rep.mp4", clip[:140]),
        "room": _write(folder / "room.mp4", [room] * 45),
        # Gone from 3 s to 6 s, in the middle of the first rep (1.2 s to 8.4 s), then back.
        "walk_out": _write(folder / "walk_out.mp4", [room if 45 <= i < 90 else f for i, f in enumerate(clip)]),
        # Someone else on a second mat, further along the floor (above the exerciser in the picture).
        "two": _write(folder / "two.mp4", [np.concatenate([b, a], axis=0) for a, b in zip(clip, other,
                                                                                         strict=False)]),
        "dark": _write(folder / "dark.mp4", [(f * 0.08).astype(np.uint8) for f in clip[:45]]),
        "bright": _write(folder / "bright.mp4",
                         [np.clip(f.astype(np.float32) * 4 + 120, 0, 255).astype(np.uint8) for f in clip[:45]]),
        "frontal": _write(folder / "frontal.mp4",
                          [np.roll(astronaut_bgr, abs(i % 20 - 10) - 5, axis=1) for i in range(45)]),
    }
    return out


# --- places to write that fail ---------------------------------------------------------------------


def _mount_tmpfs(path: Path, options: str) -> str | None:
    """Mount a tmpfs at `path`: None when mounted, else why it could not be."""
    if os.geteuid() != 0:
        return "not running as root"
    if shutil.which("mount") is None:
        return "no mount command"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True)
    return None if done.returncode == 0 else f"mount said: {done.stderr.strip() or f'exit {done.returncode}'}"


def _unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture
def read_only(tmp_path) -> Path:
    """A folder nothing can be written in: a read-only mount as root (root ignores permissions), else 0555."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    why = _mount_tmpfs(folder, "ro,size=64k")
    mounted = why is None
    if not mounted:
        if os.geteuid() == 0:
            pytest.skip(f"NOT TESTED: writing into a read-only folder. Running as root, which ignores folder "
                        f"permissions, and a read-only tmpfs could not be mounted ({why}): run as a user, or as "
                        "root with mount rights (CAP_SYS_ADMIN)")
        folder.chmod(0o555)
    yield folder
    if mounted:
        _unmount(folder)
    else:
        folder.chmod(0o755)


def _small_disk(tmp_path: Path, size: str):
    folder = tmp_path / "small-disk"
    folder.mkdir()
    why = _mount_tmpfs(folder, f"size={size}")
    if why is not None:
        pytest.skip(f"NOT TESTED: a real full disk. A tiny tmpfs could not be mounted ({why}): needs root with "
                    "mount rights (CAP_SYS_ADMIN); test_a_full_disk_mid_recording_keeps_every_line_before_it "
                    "simulates one in-process")
    yield folder
    _unmount(folder)


@pytest.fixture
def full_disk(tmp_path) -> Path:
    """A folder on a file system of 128 KiB, which a recording fills in a few seconds."""
    yield from _small_disk(tmp_path, "128k")


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A folder on a file system of 2 MiB: room for a short session, then filled up by the test."""
    yield from _small_disk(tmp_path, "2m")


# --- running the command ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path, monkeypatch) -> None:
    """Sessions, reports and history go to the test's folder, never the user's."""
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))


def reps_in(out: str) -> int:
    return int(re.findall(r": (\d+) reps?, ", out)[-1])


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """`posecheck ARGS` in this process: (exit status, stdout, stderr). An exception would fail the test."""
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def refused(status: int, err: str, *words: str) -> None:
    """Exit 2 and one line on stderr, `posecheck: ...`, holding each of `words`."""
    lines = err.strip().splitlines()
    assert status == EXIT_BAD_INPUT, err
    assert len(lines) == 1 and lines[0].startswith("posecheck: "), err
    for word in words:
        assert word in lines[0], err
    assert "Traceback" not in err


def live_args(tmp_path: Path, *args: str, session: Path | None = None, variant: str = "lite") -> list[str]:
    """`posecheck live` headless on a video played as a camera, with its own profile: the command's words."""
    profile = tmp_path / "profile.toml"
    if not profile.exists():
        write_default_profile(profile)
    return ["live", "--headless", "--no-voice", "--variant", variant, "--instructions-seconds", "0",
            "--session-dir", str(session or tmp_path / "session"), "--profile", str(profile), *args]


def live(tmp_path: Path, *args: str, session: Path | None = None, variant: str = "lite"
         ) -> subprocess.CompletedProcess:
    """`posecheck live_args(...)` in a process of its own, with its own data folder."""
    return run_cli(*live_args(tmp_path, *args, session=session, variant=variant),
                   env={"POSECHECK_DATA_DIR": str(tmp_path / "data"), "DISPLAY": ""}, timeout=120)


def write_lines(path: Path, *lines: object) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


# --- landmarks: sources and where the recording goes ---------------------------------------------


def test_a_huge_file_of_random_bytes_is_not_a_video(tmp_path, capsys):
    noise = tmp_path / "huge.mp4"
    noise.write_bytes(np.random.default_rng(7).integers(0, 256, 24 << 20, dtype=np.uint8).tobytes())
    refused(*cli(capsys, "landmarks", noise, "-o", tmp_path / "r.jsonl", *FAST)[::2], "not a video")
    assert not (tmp_path / "r.jsonl").exists()


def test_a_video_cut_off_half_way_is_refused_or_recorded_as_far_as_it_goes(tmp_path, media, capsys):
    cut = tmp_path / "cut.mp4"
    data = media["short"].read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    status, out, err = cli(capsys, "landmarks", cut, "-o", tmp_path / "r.jsonl", *FAST)
    if status == 0:  # the decoder got some frames out: every one is in the recording
        frames = load_recording(tmp_path / "r.jsonl").frames
        assert 0 < len(frames) < 45 and f"{len(frames)} frames" in out
    else:
        refused(status, err, str(cut))


def test_recording_into_a_read_only_folder_says_it_cannot_write(tmp_path, read_only, media, capsys):
    refused(*cli(capsys, "landmarks", media["short"], "-o", read_only / "r.jsonl", *FAST)[::2],
            "cannot write the recording", str(read_only / "r.jsonl"))


def test_a_full_disk_mid_recording_keeps_every_line_before_it(tmp_path, monkeypatch):
    """In-process stand-in for a full disk: the file takes 3 frames' worth of bytes, then ENOSPC."""
    real_open = open

    class FillingFile:
        def __init__(self, file, room: int) -> None:
            self.file, self.room = file, room

        def write(self, text: str) -> int:
            if len(text) > self.room:
                self.file.write(text[: self.room])  # a part of the line gets out, as on a real disk
                self.room = 0
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.room -= len(text)
            return self.file.write(text)

        def __getattr__(self, name: str):
            return getattr(self.file, name)

    header = RecordingHeader(source="test", fps=15.0, image_size=(480, 360))
    frames = list(iter_recording(RECORDING)[1])[:10]
    head = len(json.dumps(header.to_dict(), separators=(",", ":"))) + 1
    line = len(json.dumps(posecheck.recording.frame_to_dict(frames[0]), separators=(",", ":"))) + 1
    monkeypatch.setattr(posecheck.recording, "open",
                        lambda *a, **k: FillingFile(real_open(*a, **k), head + 3 * line + line // 2), raising=False)
    path = tmp_path / "r.jsonl"
    with pytest.raises(posecheck.recording.RecordingError, match="No space left on device"), \
            RecordingWriter(path, header) as writer:
        for frame in frames:
            writer.write(frame)
    monkeypatch.undo()
    with pytest.warns(UserWarning, match="cut off"):
        back = load_recording(path)
    assert len(back.frames) >= 3 and back.truncated
    np.testing.assert_allclose(back.frames[2].image, frames[2].image, atol=1e-4)


def test_recording_onto_a_full_disk_says_so_and_keeps_what_was_recorded(tmp_path, full_disk, capsys):
    out = full_disk / "r.jsonl"
    refused(*cli(capsys, "landmarks", CLIP, "-o", out, *FAST)[::2], "No space left on device", str(out))
    with pytest.warns(UserWarning, match="cut off"):
        frames = load_recording(out).frames
    assert len(frames) > 10 and all(f.timestamp_ms == round(i * 1000 / 15) for i, f in enumerate(frames))


# --- models --------------------------------------------------------------------------------------


def test_a_model_file_that_is_not_a_model_does_not_load(tmp_path, media, capsys):
    bad = tmp_path / "bad.task"
    bad.write_bytes(np.random.default_rng(1).integers(0, 256, 1 << 20, dtype=np.uint8).tobytes())
    refused(*cli(capsys, "landmarks", media["short"], "-o", tmp_path / "r.jsonl", "--model", bad)[::2],
            "cannot load the pose model")


def test_a_model_path_that_is_a_folder_is_refused(tmp_path, media, capsys):
    refused(*cli(capsys, "landmarks", media["short"], "-o", tmp_path / "r.jsonl", "--model", tmp_path)[::2],
            "no model file")
    assert not (tmp_path / "r.jsonl").exists()


def test_a_cached_model_cut_short_fails_its_sha256_check_in_every_command(tmp_path, media, monkeypatch, capsys):
    models = tmp_path / "models"
    models.mkdir()
    good = REPO / "models" / "pose_landmarker_lite.task"
    (models / good.name).write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    monkeypatch.setenv("POSECHECK_MODEL_DIR", str(models))
    refused(*cli(capsys, "analyze", media["short"], "--exercise", "knee_rolls", *FAST)[::2],
            "fails its sha256 check", "models fetch --variant lite --force")


# --- analyze: recordings ---------------------------------------------------------------------------


def test_analysing_a_missing_recording(tmp_path, capsys):
    refused(*cli(capsys, "analyze", tmp_path / "nope.jsonl", "--exercise", "knee_rolls")[::2], "no such recording")


def test_analysing_an_empty_recording(tmp_path, capsys):
    (tmp_path / "empty.jsonl").write_text("")
    refused(*cli(capsys, "analyze", tmp_path / "empty.jsonl", "--exercise", "knee_rolls")[::2], "is empty")


def test_a_recording_cut_off_mid_line_is_analysed_up_to_the_cut_with_a_one_line_warning(tmp_path, capsys):
    whole = RECORDING.read_text()
    cut = tmp_path / "cut.jsonl"
    cut.write_text(whole[: int(len(whole) * 0.6)])
    status, out, err = cli(capsys, "analyze", cut, "--exercise", "knee_rolls")
    assert status == 0, err
    assert err.strip().splitlines() == [f"posecheck: warning: {cut}: the last line "
                                        f"({cut.read_text().count(chr(10)) + 1}) is cut off; the recording "
                                        "ends before it"]
    full_status, full_out, _ = cli(capsys, "analyze", RECORDING, "--exercise", "knee_rolls")
    reps_cut, reps_whole = reps_in(out), reps_in(full_out)
    assert full_status == 0 and 0 < reps_cut < reps_whole  # what was there is still counted


def test_a_csv_file_is_not_a_recording(tmp_path, capsys):
    csv = write_lines(tmp_path / "poses.jsonl", "t,x,y", "0,0.5,0.5")
    refused(*cli(capsys, "analyze", csv, "--exercise", "knee_rolls")[::2], "not a posecheck recording")


def test_a_json_file_of_another_kind_is_not_a_recording(tmp_path, capsys):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps(json.loads(CLIP.with_suffix(".json").read_text())["reps"]) + "\n")
    refused(*cli(capsys, "analyze", labels, "--exercise", "knee_rolls")[::2], "not a posecheck recording")


def test_a_recording_from_another_format_version_is_refused_by_name(tmp_path, capsys):
    lines = RECORDING.read_text().splitlines()
    header = {**json.loads(lines[0]), "version": 2}
    newer = write_lines(tmp_path / "v2.jsonl", header, *lines[1:])
    refused(*cli(capsys, "analyze", newer, "--exercise", "knee_rolls")[::2],
            "format version 2", "reads version 1")


def test_a_frame_with_the_wrong_number_of_landmarks_names_its_line(tmp_path, capsys):
    lines = RECORDING.read_text().splitlines()
    frame = next(json.loads(line) for line in lines[1:] if '"image"' in line)
    frame["image"] = frame["image"][:32]
    broken = write_lines(tmp_path / "broken.jsonl", *lines[:5], frame, *lines[5:])
    refused(*cli(capsys, "analyze", broken, "--exercise", "knee_rolls")[::2], "line 6", "not a valid frame")


def test_a_huge_recording_with_no_line_breaks_is_refused_without_running_out_of_memory(tmp_path, capsys):
    huge = tmp_path / "huge.jsonl"
    with open(huge, "w") as file:
        for _ in range(64):
            file.write("[" * (1 << 20))
    refused(*cli(capsys, "analyze", huge, "--exercise", "knee_rolls")[::2], "not a posecheck recording")


# --- analyze: what the camera saw -----------------------------------------------------------------


def analyse(capsys, video: Path, exercise: str = "knee_rolls") -> tuple[str, int]:
    status, out, err = cli(capsys, "analyze", video, "--exercise", exercise, *FAST, "--no-report", "--no-history")
    assert status == 0 and "Traceback" not in err, err
    return out, reps_in(out)


def test_a_room_with_nobody_in_it_gets_the_cannot_see_you_cue_and_no_reps(media, capsys):
    out, reps = analyse(capsys, media["room"])
    assert "cannot see you - Move so the camera sees all of you" in out and reps == 0
    assert "calibrated" not in out


def test_walking_out_of_view_mid_rep_is_cued_and_the_rep_is_not_made_up(media, capsys):
    out, reps = analyse(capsys, media["walk_out"])
    assert "calibrated" in out  # seen before leaving
    cue = out.index("cannot see you")
    assert 3.0 <= float(out[:cue].rsplit("\n", 1)[-1].split("s")[0]) <= 4.5  # cued within 1.5 s of leaving
    assert reps <= 1  # at most the one rep the person was doing when they left


@pytest.mark.parametrize("light", ["dark", "bright"])
def test_a_picture_too_dark_or_too_bright_to_see_anyone_gets_the_cannot_see_you_cue(media, capsys, light):
    out, reps = analyse(capsys, media[light])
    assert "cannot see you - Move so the camera sees all of you" in out and reps == 0


def test_a_second_person_beside_the_mat_does_not_break_the_analysis(media, capsys):
    out, reps = analyse(capsys, media["two"])
    assert "calibrated" in out and reps <= 1  # one exerciser followed: no reps made from the other one


def test_a_person_facing_the_camera_is_told_to_get_into_the_start_position(media, capsys):
    out, reps = analyse(capsys, media["frontal"])
    # Upright, not lying: the knee-rolls start position's first part is what the cue names.
    assert "not in start position - Lie on your back" in out and reps == 0


def test_knee_rolls_analysed_as_back_extensions_count_nothing_and_ask_for_the_start_position(
        tmp_path, media, capsys):
    recording = tmp_path / "knee_rolls.jsonl"
    status, out, err = cli(capsys, "landmarks", media["one_rep"], "-o", recording, *FAST)
    assert status == 0, err
    out, reps = analyse(capsys, recording, "back_extensions")
    # On the back with the knees up: the back-extensions start position wants the legs down, on the stomach.
    assert "Lie flat on your stomach, legs down" in out and reps == 0
    _, right = analyse(capsys, recording, "knee_rolls")
    assert right > 0  # the same recording, analysed as what it is, counts reps


# --- evaluate ------------------------------------------------------------------------------------


def test_evaluating_a_folder_with_no_labels(tmp_path, capsys):
    refused(*cli(capsys, "evaluate", tmp_path)[::2], "no labelled items")


def test_evaluating_labels_that_name_a_missing_recording(tmp_path, capsys):
    labels = json.loads(RECORDING.with_suffix("").with_suffix(".labels.json").read_text())
    (tmp_path / "x.labels.json").write_text(json.dumps({**labels, "source": "gone.jsonl"}))
    refused(*cli(capsys, "evaluate", tmp_path)[::2], "no such recording", "gone.jsonl")


def test_evaluating_into_a_read_only_folder_says_it_cannot_write(tmp_path, read_only, capsys):
    for path in KINEMATIC.glob("knee_rolls__correct__dev1000.*"):
        shutil.copy(path, tmp_path)
    refused(*cli(capsys, "evaluate", tmp_path, "--json", read_only / "out.json")[::2], str(read_only / "out.json"))


def test_labels_without_an_exercise_are_refused_with_a_message(tmp_path, capsys):
    labels = json.loads(RECORDING.with_suffix("").with_suffix(".labels.json").read_text())
    del labels["exercise"]
    shutil.copy(RECORDING, tmp_path)
    (tmp_path / "x.labels.json").write_text(json.dumps(labels))
    refused(*cli(capsys, "evaluate", tmp_path)[::2], "exercise")


# --- live and routine ------------------------------------------------------------------------------


@pytest.mark.parametrize(("picture", "cue", "variant"), [
    ("dark", "Turn the lights on", "lite"),
    ("bright", "Too bright: turn the camera away from the light", "lite"),
    ("room", "Get onto the mat where the camera can see you", "lite"),
    ("two", "Only one person in view, please", "lite"),
])
def test_the_setup_check_tells_what_is_wrong_with_the_picture_and_starts_nothing(tmp_path, media, picture, cue,
                                                                                 variant):
    done = live(tmp_path, "--exercise", "knee_rolls", "--source", str(media[picture]), variant=variant)
    assert done.returncode == EXIT_CAMERA_LOST, done.stderr
    assert "Traceback" not in done.stderr
    assert cue in done.stdout
    session = load_session(tmp_path / "session")
    assert session.exercises == [] and session.ended_at is not None  # saved, and nothing pretended


def test_a_profile_that_is_not_toml_stops_the_routine_before_the_camera(tmp_path):
    (tmp_path / "profile.toml").write_text("knee_problem = maybe\n")
    done = live(tmp_path, "--exercise", "knee_rolls")
    assert done.returncode == EXIT_BAD_INPUT
    assert "not valid TOML" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "session").exists()


def test_a_session_folder_that_cannot_be_created_is_one_line(tmp_path, read_only, media):
    done = live(tmp_path, "--exercise", "knee_rolls", "--source", str(media["short"]),
                session=read_only / "session")
    assert done.returncode == EXIT_BAD_INPUT, done.stderr
    assert "cannot create the session folder" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_disk_filling_up_mid_session_stops_it_with_a_message_and_keeps_the_recording(tmp_path, full_disk):
    done = live(tmp_path, "--exercise", "knee_rolls", "--source", str(CLIP), "--skip-setup-check",
                session=full_disk / "session")
    assert done.returncode == EXIT_BAD_INPUT, done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
    session = load_session(full_disk / "session")
    (record,) = session.exercises
    assert len(record.frames) > 10 and record.has_pose  # what was recorded before the disk filled
    assert not session.complete
    report = tmp_path / "report"
    status = main(["report", str(full_disk / "session"), "-o", str(report), "--no-history"])
    assert status == 0
    data = json.loads((report / "report.json").read_text())
    assert data["session"]["complete"] is False and data["exercises"][0]["frames"] == len(record.frames)


def test_a_disk_filling_up_mid_session_closes_the_camera_before_the_command_returns(tmp_path, full_disk, capsys):
    """The set's last save fails too (the disk is still full): the camera's reader is closed all the same.

    Left running, its thread was still inside OpenCV when the process exited: one run in three aborted
    ('FATAL: exception not rethrown') after printing its message."""
    status, _, err = cli(capsys, *live_args(tmp_path, "--exercise", "knee_rolls", "--source", str(CLIP),
                                            "--skip-setup-check", session=full_disk / "session"))
    assert status == EXIT_BAD_INPUT and "No space left on device" in err
    assert [t.name for t in threading.enumerate() if t.name.startswith("posecheck-")] == []


# --- report and history ----------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path) -> Path:
    return record_session(tmp_path / "session", [ExercisePlan("knee_rolls", 2)])


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_session_from_another_format_version_is_refused_by_name(session, capsys):
    data = json.loads((session / "session.json").read_text())
    (session / "session.json").write_text(json.dumps({**data, "version": 3}))
    refused(*cli(capsys, "report", session, "--no-history")[::2], "session format version 3")


def test_a_garbled_session_json_is_rebuilt_and_the_report_says_it_is_incomplete(session, capsys):
    (session / "session.json").write_text('{"format": "posecheck-sess')
    status, out, err = cli(capsys, "report", session, "--no-history")
    assert status == 0, err
    assert "the session is incomplete" in out
    data = json.loads((session / "report.json").read_text())
    assert data["exercises"][0]["reps"]["done"] == 2  # nothing of the recording was lost


def test_a_report_into_a_read_only_folder_is_one_line_and_leaves_the_session_alone(session, read_only, capsys):
    before = _files(session)
    refused(*cli(capsys, "report", session, "-o", read_only, "--no-history")[::2], "cannot write the report")
    assert _files(session) == before


def test_a_report_on_a_full_disk_is_one_line_and_leaves_the_recordings_readable(tmp_path, small_disk, capsys):
    folder = record_session(small_disk / "s", [ExercisePlan("knee_rolls", 1)])
    before = _files(folder)
    filler = small_disk / "filler"
    with contextlib.suppress(OSError), open(filler, "wb") as file:
        file.write(b"\0" * (4 << 20))
    refused(*cli(capsys, "report", folder, "--no-history")[::2], "No space left on device")
    assert {name: data for name, data in _files(folder).items() if name in before} == before
    assert load_session(folder).exercises[0].frames


def _history_with(session: Path, path: Path) -> Path:
    from posecheck.history import open_history
    from posecheck.report import make_report

    with open_history(path) as store:
        store.add_report(make_report(session, history=False).report.data)
    return path


def test_a_history_file_cut_short_is_refused_with_a_message(tmp_path, session, capsys):
    history = _history_with(session, tmp_path / "history.sqlite3")
    history.write_bytes(history.read_bytes()[:100])
    refused(*cli(capsys, "history", "--file", history)[::2], "cannot be read", "move it aside")


def test_a_progress_plot_into_a_read_only_folder_is_one_line(tmp_path, session, read_only, capsys):
    history = _history_with(session, tmp_path / "history.sqlite3")
    refused(*cli(capsys, "history", "--file", history, "--plot", read_only / "p.png")[::2], str(read_only))
