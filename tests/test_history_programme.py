"""`posecheck history` over weeks: days per week against the plan, the streak, pain and faults per rep over
time, each session's report, empty and stopped sets marked, and a plot that reads with one day or many."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import cv2
import pytest
from kinematic_sets import labelled
from real_sessions import analysed, plan_file, set_started_at, trained

from posecheck import cli
from posecheck.history import open_history, programme, progress
from posecheck.history.store import MIGRATIONS, HistoryStore
from posecheck.plan import EVERY_DAY
from posecheck.report import build_report
from posecheck.session import load_session

MON_WED_FRI = (0, 2, 4)
# November 2026: the 2nd is a Monday.
EXERCISED = [date(2026, 11, d) for d in (2, 4, 6, 9, 13, 16, 17, 18)]  # the 11th (a Wednesday) missed


def test_the_streak_counts_the_plans_days_in_a_row_back_from_today() -> None:
    thursday = date(2026, 11, 19)
    # Wed 18, Mon 16, Fri 13 done; Wed 11 missed. Tue 17 was off the plan: it neither adds nor breaks.
    assert programme.streak(EXERCISED, MON_WED_FRI, thursday) == 3
    assert programme.streak(EXERCISED, MON_WED_FRI, date(2026, 11, 20)) == 3, "today (Fri) is not over yet"
    assert programme.streak(EXERCISED, MON_WED_FRI, date(2026, 11, 21)) == 0, "Friday went by without a session"
    assert programme.streak([*EXERCISED, date(2026, 11, 20)], MON_WED_FRI, date(2026, 11, 20)) == 4


def test_with_every_day_planned_the_streak_is_consecutive_days() -> None:
    assert programme.streak(EXERCISED, EVERY_DAY, date(2026, 11, 18)) == 3  # 16, 17, 18
    assert programme.streak(EXERCISED, EVERY_DAY, date(2026, 11, 19)) == 3  # today not over
    assert programme.streak(EXERCISED, EVERY_DAY, date(2026, 11, 20)) == 0
    assert programme.streak([], EVERY_DAY, date(2026, 11, 20)) == 0


def test_days_per_week_are_counted_against_the_plans_frequency() -> None:
    weeks = programme.weeks(EXERCISED, MON_WED_FRI, date(2026, 11, 25))
    assert [w.start for w in weeks] == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16),
                                        date(2026, 11, 23)]
    assert [(w.days, w.planned) for w in weeks] == [(3, 3), (2, 3), (3, 3), (0, 3)]
    assert [w.verdict() for w in weeks] == ["met", "1 short", "met",
                                            "this week so far (2 planned by today)"]  # Mon 23 and Wed 25
    text = progress.weeks_table(weeks, "3 days a week (Mon, Wed, Fri)")
    assert "plan: 3 days a week (Mon, Wed, Fri)" in text
    assert re.search(r"^2026-11-09\s+2\s+3\s+1 short$", text, re.M)


def _local_noon(day: date) -> str:
    return datetime.combine(day, time(12)).astimezone().astimezone(UTC).isoformat()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A made-up fortnight ending today, from real sessions: analysed sets under a Mon/Wed/Fri plan and a live
    session with a stopped and an empty set, each moved to its day and reported into one data folder."""
    root = tmp_path_factory.mktemp("programme")
    today = date.today()
    plan = plan_file(root / "plan.toml", "back_extensions", (3, 4), (5, 10), days='["mon", "wed", "fri"]')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POSECHECK_DATA_DIR", str(root / "data"))
        days = sorted(today - timedelta(days=n) for n in (13, 11, 9, 6, 4, 2))
        folders = []
        for number, day in enumerate(days):
            folder = root / f"day{number}"
            analysed(folder, "back_extensions", "correct" if number % 2 else "hips_grounded", 1001 + number, 3,
                     plan, history=False)
            data = json.loads((folder / "session.json").read_text())
            data["pain"] = {"before": 6 - number // 2, "after": 5 - number // 2}
            (folder / "session.json").write_text(json.dumps(data))
            set_started_at(folder, _local_noon(day))
            assert cli.main(["report", str(folder)]) == 0
            folders.append(folder)
        live = trained(root / "live", labelled("back_extensions", "correct", 1001, max_reps=3), "knee_rolls",
                       pain=(2, 2))
        set_started_at(live, _local_noon(today))
        assert cli.main(["report", str(live), "-o", str(root / "elsewhere")]) == 0
    return {"root": root, "plan": plan, "days": days, "folders": folders, "live": live, "today": today}


def _history(history: dict, capsys, *args: str) -> str:
    capsys.readouterr()
    assert cli.main(["history", "--plan", str(history["plan"]), "--plot", str(history["root"] / "p.png"),
                     *args]) == 0
    return capsys.readouterr().out


def test_pain_is_kept_in_the_history_and_shown_over_time(history: dict, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(history["root"] / "data"))
    with open_history() as store:
        pain = [(s["pain_before"], s["pain_after"]) for s in store.sessions()]
    assert pain == [(6, 5), (6, 5), (5, 4), (5, 4), (4, 3), (4, 3), (2, 2)]
    out = _history(history, capsys)
    section = out[out.index("Sessions, with pain"):]
    first = datetime.combine(history["days"][0], time(12)).strftime("%Y-%m-%d %H:%M")
    assert re.search(rf"^{first}\s+6\s+5\s+{re.escape(str(history['folders'][0].resolve()))}/report.html$",
                     section, re.M)


def test_each_session_row_gives_its_reports_path(history: dict, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(history["root"] / "data"))
    out = _history(history, capsys)
    for folder in history["folders"]:
        assert f"{folder.resolve()}/report.html" in out
    # A report written elsewhere (`report -o`) is found where it was written.
    assert f"{(history['root'] / 'elsewhere').resolve()}/report.html" in out
    (history["folders"][1] / "report.html").rename(history["folders"][1] / "moved.html")
    try:
        assert progress.NO_REPORT in _history(history, capsys)
    finally:
        (history["folders"][1] / "moved.html").rename(history["folders"][1] / "report.html")


def test_empty_and_stopped_sets_are_marked_and_an_empty_one_is_no_day_exercised(history: dict, monkeypatch,
                                                                                capsys) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(history["root"] / "data"))
    out = _history(history, capsys)
    lines = out.splitlines()
    stopped = [line for line in lines if "[stopped: skipped to the next exercise]" in line]
    empty = [line for line in lines if "Knee rolls [empty set]" in line]
    assert len(stopped) == 1 and stopped[0].split()[2:4] == ["Back", "extensions"]
    assert len(empty) == 1 and re.search(r"Knee rolls \[empty set\]\s+0\s+8-10\s", empty[0])
    plain = [line for line in lines if line.startswith(("20", "19")) and "Back extensions" in line and "[" not in line]
    assert len(plain) == 6, "the analysed sets are listed as they are"
    with open_history() as store:
        rows = store.progress()
    assert [r["set_status"] for r in rows if r["exercise"] == "knee_rolls"] == ["empty"]
    days = progress.exercised_days([r for r in rows if r["exercise"] == "knee_rolls"])
    assert days == set(), "a day with only an empty set is not a day exercised"


def test_days_per_week_and_the_streak_come_from_the_history(history: dict, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(history["root"] / "data"))
    out = _history(history, capsys)
    today, days = history["today"], {*history["days"], history["today"]}
    weeks = programme.weeks(days, MON_WED_FRI, today)
    assert "plan: Mon, Wed, Fri" in out
    for week in weeks:
        assert re.search(rf"^{week.start.isoformat()}\s+{week.days}\s+3\s", out, re.M)
    # The streak as worked out from the days (checked by hand on made-up dates above).
    assert f"Current streak: {programme.streak(days, MON_WED_FRI, today)} planned day" in out


def test_the_plot_has_the_programme_row_and_a_row_per_exercise(history: dict, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(history["root"] / "data"))
    _history(history, capsys)
    picture = cv2.imread(str(history["root"] / "p.png"))
    assert picture is not None and picture.shape[0] > 600  # three rows: programme, back extensions, knee rolls
    with open_history() as store:
        rows, sessions = store.progress(), store.sessions()
    weeks = programme.weeks(progress.exercised_days(rows), MON_WED_FRI, history["today"])
    figure = progress.figure(rows, sessions, weeks, history["today"])
    axes = figure.axes
    assert len(axes) == 9
    pain_ax = axes[1]
    plotted = {line.get_label(): list(line.get_ydata()) for line in pain_ax.get_lines()}
    assert plotted["before"] == [6, 6, 5, 5, 4, 4, 2] and plotted["after"] == [5, 5, 4, 4, 3, 3, 2]
    assert [bar.get_height() for bar in axes[0].patches] == [w.days for w in weeks]


def _one_session_rows(day: datetime) -> tuple[list[dict], list[dict]]:
    row = {"started_at": day.astimezone(UTC).isoformat(), "exercise": "knee_rolls", "reps_done": 9, "faults": 2,
           "faults_per_rep": 2 / 9, "mean_hold_s": 2.0, "target_reps_min": 8, "target_reps_max": 10,
           "target_hold_min_s": None, "target_hold_max_s": None, "set_status": "done", "ended_by": None,
           "complete": 1, "in_view": 1.0, "session_key": "k"}
    session = {"started_at": row["started_at"], "pain_before": 3, "pain_after": 2, "report": None,
               "session_key": "k"}
    return [row], [session]


def _labels(ax) -> list[str]:
    ax.figure.canvas.draw()
    return [label.get_text() for label in ax.get_xticklabels() if label.get_text()]


def test_one_day_of_data_plots_on_a_date_axis_of_days_not_hours(tmp_path: Path) -> None:
    today = date.today()
    rows, sessions = _one_session_rows(datetime.combine(today, time(9, 30)).astimezone())
    weeks = programme.weeks(progress.exercised_days(rows), EVERY_DAY, today)
    figure = progress.figure(rows, sessions, weeks, today)
    for ax in figure.axes:
        lo, hi = ax.get_xlim()
        assert hi - lo >= progress.MIN_SPAN_DAYS, "a few days' span, not a few hours"
        labels = _labels(ax)
        assert len(labels) >= 3 and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", text) for text in labels), labels
    assert progress.plot(rows, sessions, weeks, tmp_path / "one.png", today).is_file()
    assert cv2.imread(str(tmp_path / "one.png")) is not None


def test_two_sessions_on_one_day_are_one_point_not_a_vertical_line() -> None:
    today = date.today()
    (morning,), sessions = _one_session_rows(datetime.combine(today, time(8)).astimezone())
    evening = dict(morning, started_at=datetime.combine(today, time(19)).astimezone().astimezone(UTC).isoformat(),
                   reps_done=7)
    figure = progress.figure([morning, evening], sessions, [], today)
    reps_ax = figure.axes[3]
    line = next(line for line in reps_ax.get_lines() if line.get_linestyle() == "-")
    assert list(line.get_ydata()) == [8.0], "the day's mean, one point"
    dots = [line for line in reps_ax.get_lines() if line.get_linestyle() in ("None", "")]
    assert sorted(dots[0].get_ydata()) == [7, 9], "each session's own value, as dots on that day"


def test_many_months_of_data_keep_readable_date_labels() -> None:
    today = date.today()
    rows = []
    for n in range(0, 200, 3):
        (row,), _ = _one_session_rows(datetime.combine(today - timedelta(days=n), time(9)).astimezone())
        rows.append(row)
    figure = progress.figure(rows, [], [], today)
    labels = _labels(figure.axes[3])
    assert 3 <= len(labels) <= progress.MAX_TICKS + 1
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", text) for text in labels), labels


def test_a_history_from_before_pain_was_kept_reads_pain_from_the_session(tmp_path: Path) -> None:
    folder = trained(tmp_path / "old", labelled("back_extensions", "correct", 1001, max_reps=3), "knee_rolls",
                     pain=(7, 4))
    path = tmp_path / "h.sqlite3"
    report = build_report(load_session(folder)).data
    with HistoryStore(path, MIGRATIONS[:1]) as old:  # the schema before pain was kept
        db = old.connection
        db.execute("INSERT INTO sessions (session_key, folder, started_at, complete, has_pose, added_at)"
                   " VALUES (?, ?, ?, 1, 1, ?)", ("old", str(folder), report["session"]["started_at"], "now"))
        db.execute("INSERT INTO exercises (session_id, position, exercise, reps_done) VALUES (1, 1, 'knee_rolls', 0)")
    with open_history(path) as store:
        (session,) = store.sessions()
        (row,) = store.progress()
    assert (session["pain_before"], session["pain_after"]) == (7, 4)
    assert row["set_status"] == "empty", "an empty set from before is still marked"
    connection = sqlite3.connect(path)
    columns = {r[1] for r in connection.execute("PRAGMA table_info(sessions)")}
    connection.close()
    assert {"pain_before", "pain_after", "report_path"} <= columns
