"""The form-feedback report: what was done against the routine's targets, what went wrong, and where.

The sessions are real exercise runs (tests/session_builders.py: labelled kinematic sets done in front of the
live trainer, through the rules); what the report should say comes from the sets' labels.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from session_builders import (
    FPS,
    KNEES_UP,
    SIZE,
    ExercisePlan,
    RealSet,
    header,
    pose_frame,
    record_live_session,
    record_session,
)

import exercise_rules
from exercise_rules import knee_rolls
from posecheck import cli
from posecheck.events import Event, EventKind
from posecheck.live.trainer import PAIN_CHECK, PAIN_CUE
from posecheck.report import Report, build_report, make_report, render_html, write_report
from posecheck.report.focus import ALL_GOOD, CAMERA_ADVICE
from posecheck.report.images import BACKGROUND_BGR
from posecheck.session import SessionWriter, load_session

SHOULDERS = ("shoulders_on_floor", "Keep both shoulders on the floor")

# Knee rolls with a shoulder lifting in some rolls; back extensions with the hips lifting in some reps, stopped
# for pain (key P) halfway through the 8th; pelvic tilts cut after 7, with a second nobody is found in.
KNEES = RealSet("knee_rolls", "shoulders_on_floor", 1001)
BACK = RealSet("back_extensions", "hips_grounded", 1000, pain_in_rep=8)
TILTS = RealSet("pelvic_tilts", "hips_grounded", 1000, max_reps=7)
# The rules time a hold from when the body is near its furthest to when it leaves: a little of the way up
# and down that the labels' hold leaves out (0.6-1.3 s on these sets' reps).
HOLD_SLACK_S = 1.5


def _cue(exercise: str, check: str) -> str:
    return next(c.cue for c in exercise_rules.get(exercise).CHECKS if c.name == check)


@pytest.fixture(scope="module")
def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record_live_session(tmp_path_factory.mktemp("report") / "session", [KNEES, BACK, TILTS], name="Tuesday",
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


def test_the_sets_show_what_the_tests_rely_on():
    # The labels, not the rules: each fixture set has what the tests below look for.
    assert KNEES.labels["rep_count"] == {"total": 8, "left": 4, "right": 4} and KNEES.reps_with("shoulders_on_floor")
    assert BACK.reps_done == 7 and BACK.reps_with("hips_grounded")
    assert TILTS.labels["rep_count"]["total"] == 7 and TILTS.labels["disturbances"]["no_pose"]


def test_reps_are_counted_per_side_against_the_routine_targets(report: dict) -> None:
    knees = _exercise(report, "knee_rolls")
    labelled = KNEES.labels["rep_count"]
    assert knees["reps"]["done"] == labelled["total"]
    assert knees["reps"]["by_side"] == {"left": labelled["left"], "right": labelled["right"]}
    assert knees["reps"]["target"] == [8, 10] and knees["reps"]["status"] == "met"
    assert knees["target_text"] == "8-10 reps, alternating sides, hold one deep breath"
    # Stopped for pain in the 8th rep: 7 done, one short of the 8-10.
    back = _exercise(report, "back_extensions")
    assert (back["reps"]["done"], back["reps"]["started_not_finished"], back["reps"]["status"]) == (
        BACK.reps_done, 1, "below")
    tilts = _exercise(report, "pelvic_tilts")
    assert (tilts["reps"]["done"], tilts["reps"]["status"]) == (TILTS.labels["rep_count"]["total"], "below")
    assert [row["reps_status"] for row in report["summary"]] == ["met", "below", "below"]


def test_back_extension_holds_are_timed_against_five_to_ten_seconds(report: dict) -> None:
    holds = _exercise(report, "back_extensions")["holds"]
    labelled = [r["hold_ms"] / 1000 for r in BACK.labels["reps"][: BACK.reps_done]]
    assert len(holds["values_s"]) == len(labelled)
    for measured, held in zip(holds["values_s"], labelled, strict=True):
        assert held <= measured <= held + HOLD_SLACK_S
    assert holds["target_s"] == [5, 10]
    assert holds["short"] == sum(h < 5 for h in labelled)
    # A knee roll is held for a breath: shown, not judged in seconds.
    assert _exercise(report, "knee_rolls")["holds"]["short"] is None


def test_every_fault_is_in_its_rep_row_with_its_cue(report: dict) -> None:
    rows = {row["rep"]: row for row in _exercise(report, "back_extensions")["rep_table"]}
    hips = BACK.reps_with("hips_grounded")
    assert [rep for rep, row in rows.items() if row["faults"]] == [*hips, BACK.pain_in_rep]
    for rep in hips:
        (fault,) = rows[rep]["faults"]
        assert (fault["check"], fault["cue"], fault["severity"]) == (
            "hips_grounded", _cue("back_extensions", "hips_grounded"), "warning")
    (pain,) = rows[BACK.pain_in_rep]["faults"]
    assert (pain["check"], pain["cue"], pain["severity"]) == (PAIN_CHECK, PAIN_CUE, "stop")
    assert [rep for rep, row in rows.items() if row["completed"]] == list(range(1, BACK.reps_done + 1))
    knees = {row["rep"]: row for row in _exercise(report, "knee_rolls")["rep_table"]}
    assert [rep for rep, row in knees.items() if row["faults"]] == KNEES.reps_with("shoulders_on_floor")
    assert [row["side"] for row in knees.values()] == [r["side"] for r in KNEES.labels["reps"]]


def test_each_kind_of_fault_has_its_worst_moment_drawn_from_the_landmarks(report: dict, session_folder: Path) -> None:
    faults = {f["check"]: f for f in _exercise(report, "back_extensions")["faults"]}
    assert list(faults) == [PAIN_CHECK, "hips_grounded"], "the safety stop comes first"
    hips = faults["hips_grounded"]
    assert (hips["count"], hips["reps"]) == (len(BACK.reps_with("hips_grounded")), BACK.reps_with("hips_grounded"))
    # The worst is the rep whose hips rose furthest past the limit, as the rules measured and recorded it.
    record = load_session(session_folder).exercises[1]
    recorded = [e for e in record.events if e.kind is EventKind.FAULT and e.check == "hips_grounded"]
    furthest = max(recorded, key=lambda e: abs(e.value - e.limit))
    assert hips["worst"]["rep"] == furthest.rep and hips["worst"]["detail"] == furthest.detail
    assert hips["worst"]["snapshot"] == "drawing"
    shown = record.frames[hips["worst"]["frame_index"]]
    assert shown.has_pose and abs(shown.timestamp_ms - furthest.timestamp_ms) <= 1000 // FPS


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
    assert signal["unit"] == "torso lengths" and signal["side"] == BACK.labels["near_side"]
    assert [span["rep"] for span in signal["rep_spans"]] == list(range(1, BACK.pain_in_rep + 1))
    assert len(signal["fault_marks"]) == len(BACK.reps_with("hips_grounded")) + 1  # and the pain stop
    values = [v for v in signal["values"] if v is not None]
    assert max(values) - min(values) > 0.2, "the shoulders rise as the back extends"
    plot = _decode(built.images[signal["image_id"]])
    assert plot.shape[1] > 800
    # Nobody was found for a second of the pelvic tilts: those frames have no value, the others do.
    tilts = _exercise(report, "pelvic_tilts")["signal"]
    gap = TILTS.labels["disturbances"]["no_pose"]
    inside = [v for t, v in zip(tilts["t_s"], tilts["values"], strict=True)
              if gap["start_ms"] <= t * 1000 < gap["end_ms"]]
    assert inside and all(v is None for v in inside)
    assert sum(v is not None for v in tilts["values"]) > 0.9 * len(tilts["values"])


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
    # The pain stop first; then by the share of reps spoiled: the hips in 3 of 7 back extensions, a shoulder
    # in 3 of 8 knee rolls, ahead of the 3 pelvic tilts missing of 10 and the hips in 2 of 7 tilts.
    hips, shoulders = BACK.reps_with("hips_grounded"), KNEES.reps_with("shoulders_on_floor")
    tilts_hips = TILTS.reps_with("hips_grounded")
    assert len(hips) / BACK.reps_done > len(shoulders) / KNEES.reps_done > 3 / 10 > len(tilts_hips) / TILTS.reps_done
    focus = report["focus"]
    assert len(focus) == 3
    assert focus[0]["text"] == f"Back extensions: {PAIN_CUE.rstrip('.')}."
    assert "safety stop" in focus[0]["why"]
    assert focus[1]["text"] == f"Back extensions: {_cue('back_extensions', 'hips_grounded').rstrip('.')}."
    assert focus[1]["why"] == f"In back extensions this came up in {len(hips)} of {BACK.reps_done} reps."
    assert focus[2]["text"] == f"Knee rolls: {_cue('knee_rolls', 'shoulders_on_floor').rstrip('.')}."
    assert focus[2]["why"] == f"In knee rolls this came up in {len(shoulders)} of {KNEES.reps_done} reps."


def test_a_clean_session_is_told_its_form_looked_good(tmp_path: Path) -> None:
    clean = RealSet("heels_stretch", "correct", 1000)
    assert 8 <= clean.reps_done <= 10 and all(r["hold_ms"] >= 3000 for r in clean.labels["reps"])
    folder = record_live_session(tmp_path / "s", [clean])
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
    knees, tilts = RealSet("knee_rolls", "correct", 1000), RealSet("pelvic_tilts", "correct", 1001)
    folder = record_live_session(tmp_path / "s", [knees, tilts], end=False)
    events = folder / "02-pelvic_tilts.events.jsonl"
    lines = events.read_text().splitlines(keepends=True)
    events.write_text("".join(lines[: len(lines) // 2]) + lines[len(lines) // 2][:10])
    files = make_report(folder, history=False)
    data = json.loads(files.json.read_text())
    assert data["session"]["complete"] is False
    assert any("did not end normally" in p for p in data["session"]["problems"])
    assert any("cut-off line" in p for p in data["session"]["problems"])
    done = _exercise(data, "pelvic_tilts")["reps"]["done"]
    assert 0 < done < tilts.reps_done  # the second half of the events is gone
    assert _exercise(data, "knee_rolls")["reps"]["done"] == knees.reps_done
    assert not any("pelvic tilts: aim for" in item["text"].lower() for item in data["focus"]), (
        "reps cut short by the crash are not blamed on the person")
    assert [row["complete"] for row in data["summary"]] == [True, False]
    html = files.html.read_text()
    assert 'id="incomplete"' in html and "Incomplete session." in html


def test_a_session_with_no_pose_says_so(tmp_path: Path) -> None:
    folder = record_live_session(tmp_path / "s", [RealSet("deep_abdominal", "correct", 1000, nobody=True)])
    files = make_report(folder, history=False)
    data = json.loads(files.json.read_text())
    assert data["session"]["has_pose"] is False
    assert data["focus"][0]["text"] == CAMERA_ADVICE
    exercise = data["exercises"][0]
    assert exercise["in_view"] == 0.0 and exercise["signal"]["image_id"] is None
    assert exercise["notices"]["cannot_see_you"] >= 1, "the rules said so while it happened"
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
    one_sided = RealSet("knee_rolls", "alternate_sides", 1001)
    left, right = one_sided.labels["rep_count"]["left"], one_sided.labels["rep_count"]["right"]
    assert abs(left - right) >= 2, "the set goes mostly one way"
    folder = record_live_session(tmp_path / "s", [one_sided])
    data = build_report(load_session(folder)).data
    assert data["exercises"][0]["reps"]["by_side"] == {"left": left, "right": right}
    # Said once, in the rule's own cue, not again in the report's own words (issue 17: no duplicate advice).
    cue = knee_rolls.EXERCISE.check("alternate_sides").cue
    about_sides = [item["text"] for item in data["focus"] if "side" in item["text"].lower()]
    assert about_sides == [f"Knee rolls: {cue.rstrip('.')}."]


def test_being_out_of_view_for_a_third_of_an_exercise_asks_for_a_better_camera_place(tmp_path: Path) -> None:
    hidden = RealSet("pelvic_tilts", "correct", 1001, unseen_reps=frozenset(range(1, 6)))
    seen = np.mean([f.has_pose for f in hidden.frames()])
    assert 0.5 < seen < 0.8, "nobody is found for a third of the set or so"
    folder = record_live_session(tmp_path / "s", [hidden])
    data = build_report(load_session(folder)).data
    exercise = data["exercises"][0]
    assert exercise["in_view"] == pytest.approx(seen, abs=0.002)
    assert data["focus"][0]["text"] == CAMERA_ADVICE
    assert f"out of view for {round(100 * (1 - seen))}% of pelvic tilts" in data["focus"][0]["why"]


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
