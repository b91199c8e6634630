"""The report compares each exercise with the previous session that did it and with the plan in force that day."""

from __future__ import annotations

import json

import pytest
from real_sessions import analysed, plan_file, trained

from posecheck import cli
from posecheck.history import open_history

EXERCISE = "back_extensions"


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Three days of back extensions analysed through the rules, each under its own plan, in one data folder:
    3 clean reps (plan 3-4), 5 reps with the hips lifting once (plan 6-8), the same 5 reps again (plan 4-6)."""
    root = tmp_path_factory.mktemp("compare")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POSECHECK_DATA_DIR", str(root / "data"))
        first_set, first = analysed(root / "s1", EXERCISE, "correct", 1001, 3,
                                    plan_file(root / "a.toml", EXERCISE, (3, 4), (5, 10)))
        second_set, second = analysed(root / "s2", EXERCISE, "hips_grounded", 1002, 5,
                                      plan_file(root / "b.toml", EXERCISE, (6, 8), (6, 10)))
        _, third = analysed(root / "s3", EXERCISE, "hips_grounded", 1002, 5,
                            plan_file(root / "c.toml", EXERCISE, (4, 6), (6, 10)))
    assert first["exercises"][0]["reps"]["done"] == len(first_set.labels["reps"]) == 3
    assert second["exercises"][0]["reps"]["done"] == len(second_set.labels["reps"]) == 5
    return {"root": root, "reports": [first, second, third]}


def _compare(report: dict) -> dict:
    (exercise,) = report["exercises"]
    return exercise["compare"]


def test_the_first_session_of_an_exercise_says_first_session(sessions: dict) -> None:
    first = _compare(sessions["reports"][0])
    assert first["first"] is True and first["previous"] is None
    assert first["lines"][0] == "3 reps (first session); plan asks 3-4: met."
    assert first["lines"][2] == "No faults (first session)."
    html = (sessions["root"] / "s1" / "report.html").read_text()
    assert "First session of it: against the plan" in html
    assert "3 reps (first session); plan asks 3-4: met." in html


def test_the_next_session_is_compared_with_the_previous_one_in_plain_words(sessions: dict) -> None:
    first, second = (r["exercises"][0] for r in sessions["reports"][:2])
    compare = second["compare"]
    assert compare["previous"]["reps_done"] == 3 and compare["previous"]["target"] == [3, 4]
    assert compare["previous"]["folder"] == str((sessions["root"] / "s1").resolve())
    reps, holds, faults = compare["lines"]
    assert reps == "5 reps, 2 more than last time (3); plan asks 6-8 (last time 3-4): 1 short."
    # The holds and faults as each report measured them; the comparison says how they moved.
    before, now = first["holds"]["mean_s"], second["holds"]["mean_s"]
    longer = "longer" if now > before else "shorter"
    short = second["holds"]["short"]
    verdict = f"{short} of 5 short" if short else "met"
    assert holds == f"Holds {now:.1f} s on average, {abs(now - before):.1f} s {longer} than last time " \
                    f"({before:.1f} s); plan asks 6-10 s: {verdict}."
    lifted = sum(f["count"] for f in second["faults"])
    assert lifted >= 1, "the hips lifting was flagged"
    assert faults == f"{lifted / 5:.2f} faults per rep, more than last time (0.00)."


def test_a_plan_that_changes_targets_changes_what_the_comparison_calls_met(sessions: dict) -> None:
    second, third = (r["exercises"][0] for r in sessions["reports"][1:])
    assert second["reps"]["done"] == third["reps"]["done"] == 5  # the same set, judged by two plans
    assert second["reps"]["status"] == "below" and third["reps"]["status"] == "met"
    assert third["compare"]["lines"][0] == "5 reps, the same as last time (5); plan asks 4-6 (last time 6-8): met."
    assert third["compare"]["lines"][2].endswith(", the same as last time ({:.2f}).".format(
        sum(f["count"] for f in second["faults"]) / 5))


def test_the_report_shows_the_comparison_and_its_plot(sessions: dict) -> None:
    html = (sessions["root"] / "s2" / "report.html").read_text()
    assert "5 reps, 2 more than last time (3); plan asks 6-8 (last time 3-4): 1 short." in html
    assert 'id="compare-plot"><img src="data:image/png;base64,' in html
    assert "in the previous session that did it (grey)" in html
    summary = html[html.index('id="summary"'):html.index('id="exercise-1"')]
    assert "3 reps" in summary, "the summary's last-time column"


def test_a_report_made_again_later_compares_only_with_earlier_sessions(sessions: dict, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(sessions["root"] / "data"))
    assert cli.main(["report", str(sessions["root"] / "s1"), "-o", str(tmp_path)]) == 0
    again = json.loads((tmp_path / "report.json").read_text())
    assert _compare(again)["first"] is True, "s2 and s3 came later: they are not 'last time' for s1"


def test_without_the_history_the_report_judges_against_the_plan_only(sessions: dict, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(sessions["root"] / "data"))
    assert cli.main(["report", str(sessions["root"] / "s3"), "-o", str(tmp_path), "--no-history"]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["compared_with_history"] is False
    compare = _compare(report)
    assert compare["previous"] is None and compare["first"] is False, "not looked for: not called a first session"
    assert compare["lines"][0] == "5 reps; plan asks 4-6: met."


def test_pain_is_compared_with_the_last_rated_session_and_an_empty_set_is_no_last_time(tmp_path, monkeypatch) -> None:
    from kinematic_sets import labelled

    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))
    done = labelled(EXERCISE, "correct", 1001, max_reps=3)
    monday = trained(tmp_path / "monday", done, "knee_rolls", pain=(3, 5))
    tuesday = trained(tmp_path / "tuesday", done, "knee_rolls", pain=(4, 2))
    for folder in (monday, tuesday):
        assert cli.main(["report", str(folder)]) == 0
    report = json.loads((tuesday / "report.json").read_text())
    assert report["pain_previous"]["before"] == 3 and report["pain_previous"]["after"] == 5
    assert report["pain_compare"] == "Last rated session: before 3, after 5."
    assert "Last rated session: before 3, after 5." in (tuesday / "report.html").read_text()
    back, knees = report["exercises"]
    assert back["compare"]["lines"][0] == "3 reps, the same as last time (3); plan asks 8-10: 5 short."
    # Monday's knee rolls had no rep: not a session of knee rolls to compare with.
    assert knees["reps"]["done"] == 0 and knees["compare"]["first"] is True
    with open_history() as store:
        assert [(s["pain_before"], s["pain_after"]) for s in store.sessions()] == [(3, 5), (4, 2)]
