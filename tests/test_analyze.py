"""`posecheck analyze` and `posecheck demo`: a run recorded as a session, with its report."""

from __future__ import annotations

import json

from conftest import REPO, run_cli

import exercise_rules
from posecheck.events import EventKind
from posecheck.recording import iter_recording
from posecheck.session import load_session

KINEMATIC = REPO / "samples" / "kinematic"
VIDEO = REPO / "samples" / "video"


def test_analysing_a_recording_records_the_session_and_writes_its_report(tmp_path):
    source = KINEMATIC / "knee_rolls__correct__dev1000.jsonl"
    labels = json.loads(source.with_name(source.stem + ".labels.json").read_text())
    done = run_cli("analyze", str(source), "--exercise", "knee_rolls", "--session-dir", str(tmp_path / "s"),
                   env={"POSECHECK_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert f"Knee rolls: {labels['rep_count']['total']} reps, 0 faults" in done.stdout
    session = load_session(tmp_path / "s")
    assert session.complete
    [exercise] = session.exercises
    # The session holds every frame and the same events the rules give on a direct replay.
    _, frames = iter_recording(source)
    run = exercise_rules.get("knee_rolls").run()
    direct = [e for frame in frames for e in run.update(frame)]
    assert len(exercise.frames) == sum(1 for _ in iter_recording(source)[1])
    assert [e.to_dict() for e in exercise.events] == [e.to_dict() for e in direct]
    report = json.loads((tmp_path / "s" / "report.json").read_text())
    assert report["exercises"][0]["exercise"] == "knee_rolls"
    assert list((tmp_path / "data").glob("history*"))  # analysed sessions go into the history
    assert (tmp_path / "s" / "report.html").read_text().count("<table") >= 1


def test_the_demo_runs_the_real_pipeline_on_a_bundled_clip_and_writes_a_report(tmp_path, full_model):
    from posecheck.demo import DEMO_CLIP

    labels = json.loads((VIDEO / DEMO_CLIP).with_suffix(".json").read_text())
    done = run_cli("demo", "--session-dir", str(tmp_path / "demo"), env={"POSECHECK_DATA_DIR": str(tmp_path / "d")})
    assert done.returncode == 0, done.stderr
    assert f"report: {tmp_path / 'demo' / 'report.html'}" in done.stdout
    session = load_session(tmp_path / "demo")
    [exercise] = session.exercises
    assert len(exercise.frames) == labels["frame_count"]
    assert sum(f.has_pose for f in exercise.frames) >= 0.95 * labels["frame_count"]
    completed = [e for e in exercise.events if e.kind is EventKind.REP_COMPLETED]
    assert len(completed) == len(labels["reps"])
    assert exercise.video_path is not None and exercise.video_path.stat().st_size > 0
    # A demo is not one of the user's sessions.
    assert not list((tmp_path / "d").glob("history*"))


def test_the_bundled_demo_clip_is_the_sample_clip_itself():
    from posecheck.demo import BUNDLED, DEMO_CLIP, clip_path

    # posecheck/data links to samples/video: the wheel carries the clip without a second copy in git.
    assert (BUNDLED / DEMO_CLIP).resolve() == (VIDEO / DEMO_CLIP).resolve()
    assert clip_path(DEMO_CLIP) == BUNDLED / DEMO_CLIP
    assert clip_path("pelvic_tilts__correct__right__b0.mp4") == VIDEO / "pelvic_tilts__correct__right__b0.mp4"


def test_a_demo_clip_that_does_not_exist_gets_one_line(tmp_path):
    done = run_cli("demo", "--clip", "no_such_clip.mp4", env={"POSECHECK_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2
    assert done.stderr.startswith("posecheck: no sample clip no_such_clip.mp4: installed, posecheck carries")
    assert "Traceback" not in done.stderr
