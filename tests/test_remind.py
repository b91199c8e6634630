"""`posecheck remind`: a calendar file with one repeating event on the plan's days, read back with icalendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from dateutil.rrule import rrulestr
from icalendar import Calendar

from posecheck.plan import WEEKDAYS, spread
from posecheck.remind import DURATION, SUMMARY

SATURDAY = date(2026, 12, 5)
BYDAY = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}


def remind(tmp_path: Path, at: str, plan_text: str | None, start: date = SATURDAY) -> bytes:
    args = ["remind", "--time", at, "--to", str(tmp_path / "r.ics"), "--start", start.isoformat()]
    if plan_text is not None:
        (tmp_path / "plan.toml").write_text(plan_text, encoding="utf-8")
        args += ["--plan", str(tmp_path / "plan.toml")]
    # No plan file in the config folder: without --plan, the sheet.
    done = run_cli(*args, env={"XDG_CONFIG_HOME": str(tmp_path / "config"), "POSECHECK_PROFILE": ""})
    assert done.returncode == 0, done.stderr
    return (tmp_path / "r.ics").read_bytes()


def the_event(raw: bytes):
    calendar = Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def first_on_or_after(start: date, weekdays: list[int]) -> date:
    return next(start + timedelta(days=n) for n in range(7) if (start + timedelta(days=n)).weekday() in weekdays)


@pytest.mark.parametrize("days", [["mon", "wed", "fri"], ["tue", "sat"], ["sun"]])
def test_the_event_repeats_weekly_on_the_plans_days_at_the_time_given(tmp_path, days):
    plan = f'version = 1\ndays = {days!r}\n[[exercise]]\nname = "knee_rolls"\n'.replace("'", '"')
    raw = remind(tmp_path, "18:30", plan)
    calendar, event = the_event(raw)
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert sorted(rule["BYDAY"]) == sorted(BYDAY[d] for d in days)
    start = event.decoded("DTSTART")
    weekdays = [WEEKDAYS.index(d) for d in days]
    assert start == datetime.combine(first_on_or_after(SATURDAY, weekdays), time(18, 30))
    assert event.decoded("DTEND") - start == timedelta(minutes=15) == DURATION
    # Every occurrence falls on a planned day at 18:30.
    occurrences = rrulestr(rule.to_ical().decode(), dtstart=start)[:20]
    assert {o.weekday() for o in occurrences} == set(weekdays)
    assert {o.time() for o in occurrences} == {time(18, 30)}
    assert str(event["SUMMARY"]) == SUMMARY == "posecheck: lower-back routine"
    assert event["UID"] and event.decoded("DTSTAMP").tzinfo is not None
    [alarm] = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(0)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]


def test_without_named_days_the_event_is_daily_from_the_first_day(tmp_path):
    _, event = the_event(remind(tmp_path, "07:05", None))
    assert event["RRULE"]["FREQ"] == ["DAILY"] and "BYDAY" not in event["RRULE"]
    assert event.decoded("DTSTART") == datetime.combine(SATURDAY, time(7, 5))


def test_days_per_week_become_the_spread_weekdays(tmp_path):
    plan = 'version = 1\ndays_per_week = 3\n[[exercise]]\nname = "knee_rolls"\n'
    _, event = the_event(remind(tmp_path, "18:30", plan))
    assert sorted(event["RRULE"]["BYDAY"]) == sorted(BYDAY[WEEKDAYS[d]] for d in spread(3))


def test_the_file_has_crlf_line_ends_and_lines_folded_at_75_octets(tmp_path):
    raw = remind(tmp_path, "18:30", None)
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long description is folded


@pytest.mark.parametrize("at", ["25:00", "6pm", "18:30:00"])
def test_a_bad_time_is_one_line_and_exit_2(tmp_path, at):
    done = run_cli("remind", "--time", at, "--to", str(tmp_path / "r.ics"))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "HH:MM" in line
    assert not (tmp_path / "r.ics").exists()
