"""The form-feedback report: what was done against the routine's targets, what went wrong, and where."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from session_builders import FPS, KNEES_UP, SIZE, ExercisePlan, header, pose_frame, record_session

from posecheck import cli
from posecheck.events import Event, EventKind
from posecheck.live.trainer import PAIN_CHECK, PAIN_CUE
from posecheck.report import Report, build_report, make_report, render_html, write_report
from posecheck.report.focus import ALL_GOOD, CAMERA_ADVICE
from posecheck.report.images import BACKGROUND_BGR
from posecheck.session import SessionWriter, load_session

SHOULDERS = ("shoulders_on_floor", "Keep both shoulders on the floor")
HIPS = ("hips_grounded", "Keep your hips on the floor")
# The checks and cues the rules emit; the safety stop is the trainer's pain stop (key P).
PAIN = (PAIN_CHECK, PAIN_CUE)


@pytest.fixture(scope="module")
def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    plans = [
        ExercisePlan("knee_rolls", 9, faults={3: [SHOULDERS], 6: [SHOULDERS]}),
        ExercisePlan("back_extensions", 8, faults={2: [HIPS, PAIN], 4: [HIPS], 5: [HIPS], 7: [HIPS]},
                     stop_checks=frozenset({PAIN_CHECK}), hold_s=3.5, rep_s=6.0),
        ExercisePlan("pelvic_tilts", 7, unseen_reps=frozenset({4})),
    ]
    return record_session(tmp_path_factory.mktemp("report") / "session", plans, name="Tuesday",
                          notes="Left knee a bit sore")


@pytest.fixture(scope="module")
def built(session_folder: Path) -> Report:
    return build_report(load_session(session_folder))


@pytest.fixture(scope="module")
def report(built: Report) -> dict:
    return built.data


def _exercise(report: dict, name: str) -> dict:
    return next(e for e in report["exercises"] if e["exercise"] == name)


def _decode(uri: str) -> np.ndarray:
    payload = base64.b64decode(uri.split(",", 1)[1])
    return cv2.imdecode(np.frombuffer(payload, np.uint8), cv2.IMREAD_COLOR)


def test_reps_are_counted_per_side_against_the_routine_targets(report: dict) -> None:
    knees = _exercise(report, "knee_rolls")
    assert knees["reps"]["done"] == 9
    assert knees["reps"]["by_side"] == {"left": 5, "right": 4}
    assert knees["reps"]["target"] == [8, 10] and knees["reps"]["status"] == "met"
    assert knees["target_text"] == "8-10 reps, alternating sides, hold one deep breath"
    tilts = _exercise(report, "pelvic_tilts")
    assert (tilts["reps"]["done"], tilts["reps"]["status"]) == (7, "below")
    assert [row["reps_status"] for row in report["summary"]] == ["met", "met", "below"]


def test_back_extension_holds_are_timed_against_five_to_ten_seconds(report: dict) -> None:
    holds = _exercise(report, "back_extensions")["holds"]
    assert holds["values_s"] == [3.5] * 8
    assert holds["target_s"] == [5, 10]
    assert holds["short"] == 8


def test_every_fault_is_in_its_rep_row_with_its_cue(report: dict) -> None:
    rows = {row["rep"]: row for row in _exercise(report, "back_extensions")["rep_table"]}
    assert [f["check"] for f in rows[2]["faults"]] == ["hips_grounded", PAIN_CHECK]
    assert rows[2]["faults"][1]["cue"] == PAIN_CUE
    assert rows[2]["faults"][1]["severity"] == "stop"
    assert [rep for rep, row in rows.items() if row["faults"]] == [2, 4, 5, 7]
    assert all(row["completed"] for row in rows.values())


def test_each_kind_of_fault_has_its_worst_moment_drawn_from_the_landmarks(report: dict) -> None:
    faults = {f["check"]: f for f in _exercise(report, "back_extensions")["faults"]}
    assert list(faults) == [PAIN_CHECK, "hips_grounded"], "the safety stop comes first"
    hips = faults["hips_grounded"]
    assert (hips["count"], hips["reps"]) == (4, [2, 4, 5, 7])
    # The engine reports each rep's worst value; rep 7 went furthest past the limit.
    assert hips["worst"]["rep"] == 7 and hips["worst"]["detail"] == "17.00 deg, over the limit of 10"
    assert hips["worst"]["snapshot"] == "drawing"
    assert hips["worst"]["frame_index"] is not None


def test_the_snapshot_shows_a_skeleton_on_a_plain_background(built: Report) -> None:
    worst = _exercise(built.data, "back_extensions")["faults"][0]["worst"]
    picture = _decode(built.images[worst["image_id"]])
    assert picture.shape[1] == 560
    background = np.all(picture == BACKGROUND_BGR, axis=2)
    assert 0.5 < background.mean() < 0.99, "mostly background, with a drawn skeleton on it"
    dark = picture.sum(axis=2) < 300
    assert dark.sum() > 200, "the bones are drawn in a dark colour"


def test_the_plot_has_the_rep_boundaries_and_the_fault_marks(report: dict, built: Report) -> None:
    signal = _exercise(report, "back_extensions")["signal"]
    # By default the plot shows what the rules count reps on: here, how far the shoulders rise.
    assert signal["name"] == "rules" and signal["label"].startswith("Shoulder rise")
    assert signal["unit"] == "torso lengths" and signal["side"] == "left"
    assert [span["rep"] for span in signal["rep_spans"]] == list(range(1, 9))
    assert len(signal["fault_marks"]) == 5
    values = [v for v in signal["values"] if v is not None]
    assert max(values) - min(values) > 0.2, "the shoulders rise as the back extends"
    tilts = _exercise(report, "pelvic_tilts")["signal"]
    assert None in tilts["values"], "unseen frames have no value"
    plot = _decode(built.images[signal["image_id"]])
    assert plot.shape[1] > 800


def test_the_plotted_signal_is_pluggable(session_folder: Path) -> None:
    def knee_x(frame, side: str) -> float:
        return float(frame.image[25, 0])

    choices = {"knee_rolls": knee_x, "pelvic_tilts": "knee_angle", "back_extensions": "trunk_angle"}
    data = build_report(load_session(session_folder), choices).data
    assert _exercise(data, "knee_rolls")["signal"]["name"] == "knee_x"
    assert _exercise(data, "pelvic_tilts")["signal"]["name"] == "knee_angle"
    trunk = _exercise(data, "back_extensions")["signal"]
    values = [v for v in trunk["values"] if v is not None]
    assert trunk["name"] == "trunk_angle" and max(values) - min(values) > 15, "the trunk rises 15+ degrees"


def test_focus_puts_the_safety_stop_first_then_what_spoiled_most_reps(report: dict) -> None:
    focus = report["focus"]
    assert len(focus) == 3
    assert focus[0]["text"] == f"Back extensions: {PAIN_CUE.rstrip('.')}."
    assert "safety stop" in focus[0]["why"]
    # Every hold was short of 5 s (8 of 8), the hips lifted in 4 of 8 reps, pelvic tilts were 3 short of 10.
    assert focus[1]["text"] == "Back extensions: hold each one for at least 5 seconds."
    assert focus[1]["why"] == "8 of 8 holds were shorter (average 3.5 s)."
    assert focus[2]["text"] == "Back extensions: Keep your hips on the floor."
    assert focus[2]["why"] == "In back extensions this came up in 4 of 8 reps."


def test_a_clean_session_is_told_its_form_looked_good(tmp_path: Path) -> None:
    folder = record_session(tmp_path / "s", [ExercisePlan("heels_stretch", 9)])
    data = build_report(load_session(folder)).data
    assert data["focus"] == [{"text": ALL_GOOD, "why": "No faults were flagged and the targets were met."}]
    assert data["session"]["complete"]


def test_report_files_are_written_and_the_json_holds_the_same_content(built: Report, tmp_path: Path) -> None:
    files = write_report(built, tmp_path / "out")
    data = json.loads(files.json.read_text())
    assert (data["format"], data["version"]) == ("posecheck-report", 1)
    html = files.html.read_text()
    for exercise in data["exercises"]:
        assert exercise["title"] in html
        for fault in exercise["faults"]:
            assert fault["cue"].replace("'", "&#39;") in html
    assert data["session"]["duration_s"] == pytest.approx(
        sum(e["duration_s"] for e in data["exercises"]), abs=0.2)


def test_the_html_is_self_contained(built: Report) -> None:
    html = render_html(built)
    assert "<style>" in html
    references = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert references, "the page has images and links"
    assert all(ref.startswith(("data:image/", "#")) for ref in references)
    assert "<script" not in html
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) >= 6  # 3 plots, 3 snapshots


def test_user_text_and_file_names_are_escaped(tmp_path: Path) -> None:
    attack = "<script>alert('x')</script>"
    folder = record_session(tmp_path / "<script>folder", [ExercisePlan("knee_rolls", 2, faults={1: [SHOULDERS]})],
                            name=f"Name {attack}", notes=f"Notes {attack}", source=f"{attack}.mp4")
    files = make_report(folder, history=False)
    html = files.html.read_text()
    assert "<script" not in html.lower()
    assert html.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") >= 3  # name (twice), notes, source
    assert "&lt;script&gt;folder" in html
    assert json.loads(files.json.read_text())["session"]["name"] == f"Name {attack}"


def test_a_killed_session_still_gives_a_report_marked_incomplete(tmp_path: Path) -> None:
    folder = record_session(tmp_path / "s", [ExercisePlan("knee_rolls", 9), ExercisePlan("pelvic_tilts", 12)],
                            end=False)
    events = folder / "02-pelvic_tilts.events.jsonl"
    lines = events.read_text().splitlines(keepends=True)
    events.write_text("".join(lines[: len(lines) // 2]) + lines[len(lines) // 2][:10])
    files = make_report(folder, history=False)
    data = json.loads(files.json.read_text())
    assert data["session"]["complete"] is False
    assert any("did not end normally" in p for p in data["session"]["problems"])
    assert any("cut-off line" in p for p in data["session"]["problems"])
    tilts = _exercise(data, "pelvic_tilts")
    assert 0 < tilts["reps"]["done"] < 12
    assert _exercise(data, "knee_rolls")["reps"]["done"] == 9
    assert not any("pelvic tilts: aim for" in item["text"].lower() for item in data["focus"]), (
        "reps cut short by the crash are not blamed on the person")
    assert [row["complete"] for row in data["summary"]] == [True, False]
    html = files.html.read_text()
    assert 'id="incomplete"' in html and "Incomplete session." in html


def test_a_session_with_no_pose_says_so(tmp_path: Path) -> None:
    folder = record_session(tmp_path / "s", [ExercisePlan("deep_abdominal", 5, no_pose=True)])
    files = make_report(folder, history=False)
    data = json.loads(files.json.read_text())
    assert data["session"]["has_pose"] is False
    assert data["focus"][0]["text"] == CAMERA_ADVICE
    exercise = data["exercises"][0]
    assert exercise["in_view"] == 0.0 and exercise["signal"]["image_id"] is None
    html = files.html.read_text()
    assert "No pose was found in this session." in html
    assert "no movement to plot" in html


def test_a_session_killed_before_any_exercise_gives_a_report(tmp_path: Path) -> None:
    SessionWriter(tmp_path / "s", name="too short")  # never closed: as if killed at once
    data = json.loads(make_report(tmp_path / "s", history=False).json.read_text())
    assert data["exercises"] == [] and data["session"]["complete"] is False
    assert data["focus"][0]["text"] == "Record at least one exercise next time."


def test_the_snapshot_comes_from_the_recorded_video_when_there_is_one(tmp_path: Path) -> None:
    wall = (40, 160, 90)  # a green wall no drawing uses
    with SessionWriter(tmp_path / "s") as session:
        exercise = session.start_exercise("pelvic_tilts", None, header(), video=True)
        video = cv2.VideoWriter(str(exercise.video_path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
        if not video.isOpened():
            pytest.skip("this OpenCV build cannot write mp4 files")
        for i in range(30):
            frame = pose_frame(KNEES_UP, i * 66)
            image = np.full((SIZE[1], SIZE[0], 3), wall, np.uint8)
            video.write(image)
            exercise.write_frame(frame)
        video.release()
        exercise.write_events([Event(EventKind.FAULT, 990, "pelvic_tilts", rep=1, check="neck_tense",
                                     cue="Don't tense up through the neck")])
    built = build_report(load_session(tmp_path / "s"))
    worst = built.data["exercises"][0]["faults"][0]["worst"]
    assert (worst["snapshot"], worst["frame_index"]) == ("video", 15)
    picture = _decode(built.images[worst["image_id"]])
    assert np.abs(np.median(picture.reshape(-1, 3), axis=0) - wall).max() < 12, "the video's own pixels"


def test_report_command_writes_the_files(session_folder: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["report", str(session_folder), "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "report.html").is_file() and (tmp_path / "out" / "report.json").is_file()
    assert "report.html" in capsys.readouterr().out
    assert (tmp_path / "data" / "history.sqlite3").is_file()


def test_report_command_on_a_missing_session_exits_2_with_one_line(tmp_path: Path, capsys) -> None:
    assert cli.main(["report", str(tmp_path / "nowhere"), "--no-history"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("posecheck: no such session folder") and err.count("\n") == 1


def test_knee_rolls_mostly_to_one_side_are_pointed_out(tmp_path: Path) -> None:
    with SessionWriter(tmp_path / "s") as session:
        exercise = session.start_exercise("knee_rolls", None, header())
        for i in range(8 * FPS * 4):
            exercise.write_frame(pose_frame(KNEES_UP, i * 66))
        sides = ["left"] * 6 + ["right"] * 2
        exercise.write_events([Event(EventKind.REP_COMPLETED, 2000 + 4000 * n, "knee_rolls", rep=n + 1, side=side,
                                     hold_ms=1500) for n, side in enumerate(sides)])
    data = build_report(load_session(tmp_path / "s")).data
    assert data["exercises"][0]["reps"]["by_side"] == {"left": 6, "right": 2}
    assert {"text": "Knee rolls: alternate sides evenly.", "why": "6 went to the left and 2 to the right."} in (
        data["focus"])


def test_being_out_of_view_for_a_third_of_an_exercise_asks_for_a_better_camera_place(tmp_path: Path) -> None:
    folder = record_session(tmp_path / "s", [ExercisePlan("pelvic_tilts", 12, unseen_reps=frozenset(range(1, 6)))])
    data = build_report(load_session(folder)).data
    exercise = data["exercises"][0]
    assert 0.5 < exercise["in_view"] < 0.7
    assert data["focus"][0]["text"] == CAMERA_ADVICE
    assert f"out of view for {round(100 * (1 - exercise['in_view']))}% of pelvic tilts" in data["focus"][0]["why"]


def test_an_exercise_the_report_does_not_know_still_gets_its_section(tmp_path: Path) -> None:
    with SessionWriter(tmp_path / "s") as session:
        exercise = session.start_exercise("side_planks", {"reps": "lots"}, header())
        for i in range(40):
            exercise.write_frame(pose_frame(KNEES_UP, i * 66))
        exercise.write_events([Event(EventKind.REP_COMPLETED, 1000, "side_planks", rep=1),
                               Event(EventKind.FAULT, 1200, "side_planks")])
    with (tmp_path / "s" / "01-side_planks.events.jsonl").open("a") as events:
        events.write('{"kind": "new_kind", "timestamp_ms": 5}\n')
    files = make_report(tmp_path / "s", history=False)
    exercise = json.loads(files.json.read_text())["exercises"][0]
    assert (exercise["title"], exercise["target_text"], exercise["reps"]["status"]) == (
        "Side planks", "no target known", "unknown")
    assert exercise["faults"][0]["check"] == "unnamed check"
    assert any("1 unreadable line" in p for p in exercise["problems"])
    assert "Side planks" in files.html.read_text()


def test_a_real_set_of_short_holds_gives_the_hold_advice_once(tmp_path):
    # A recording through the rules (not events made up in code): the rule's `hold_too_short` faults and
    # the report's own hold figures both speak of the holds; the focus list says it once.
    from kinematic_sets import labelled, write_set

    from posecheck.cli import main

    s = labelled("back_extensions", "hold_too_short", 1001, max_reps=3)
    faulty = sum("hold_too_short" in r["faults"] for r in s.labels["reps"])
    assert faulty * 2 > len(s.labels["reps"])  # most holds short: the report's hold figures speak up too
    path = write_set(s, tmp_path, "short_holds")
    session = tmp_path / "session"
    assert main(["analyze", str(path), "--exercise", "back_extensions", "--session-dir", str(session),
                 "--no-history", "--no-open"]) == 0
    report = json.loads((session / "report.json").read_text())
    (exercise,) = report["exercises"]
    assert any(f["check"] == "hold_too_short" for f in exercise["faults"])
    holds = [item["text"] for item in report["focus"] if "hold" in item["text"].lower()]
    assert len(holds) == 1, report["focus"]
