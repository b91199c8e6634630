"""`posecheck remind --time 18:30 --to FILE.ics [--plan PATH]`: a calendar reminder on the plan's days.

One RFC 5545 event that repeats (weekly on the plan's weekdays, or daily), 15 minutes long, with an alarm
at its start. Its time is floating (no time zone): 18:30 wherever the calendar is, summer time or not.
Its UID is always the same, so importing a new file replaces the old reminder rather than adding one.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event, vRecur

from posecheck.errors import PosecheckError
from posecheck.plan import EVERY_DAY, Plan, plan_for
from posecheck.plan_command import parse_day
from posecheck.report.targets import title

SUMMARY = "posecheck: lower-back routine"
DURATION = timedelta(minutes=15)  # the routine's five exercises take about a quarter of an hour
UID = f"{uuid.uuid5(uuid.NAMESPACE_URL, 'posecheck:lower-back-routine')}@posecheck"
PRODID = "-//posecheck//remind//EN"
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # date.weekday() order


def parse_time(text: str) -> time:
    """HH:MM on a 24-hour clock."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return time(hours, minutes)
    except ValueError as error:
        raise PosecheckError(f"--time takes HH:MM on a 24-hour clock (e.g. 18:30), not {text!r}") from error


def first_day(plan: Plan, start: date) -> date:
    """The first planned day on or after `start`: an event's DTSTART is its first occurrence."""
    return next(start + timedelta(days=n) for n in range(7) if plan.is_planned_day(start + timedelta(days=n)))


def reminder(plan: Plan, at: time, start: date, now: datetime | None = None) -> Calendar:
    """The calendar with the one repeating event and its alarm."""
    begin = datetime.combine(first_day(plan, start), at)
    rule = {"FREQ": "DAILY"} if plan.weekdays == EVERY_DAY else {
        "FREQ": "WEEKLY", "BYDAY": [BYDAY[d] for d in plan.weekdays]}
    exercises = ", ".join(title(e.exercise) for e in plan.exercises)
    description = (f"{exercises}. Run `posecheck routine`; `posecheck plan show` says the day's targets. "
                   "Stop and speak to a physiotherapist if anything hurts.")
    event = Event()
    event.add("uid", UID)
    event.add("dtstamp", now or datetime.now(UTC))
    event.add("summary", SUMMARY)
    event.add("description", description)
    event.add("dtstart", begin)
    event.add("dtend", begin + DURATION)
    event.add("rrule", vRecur(rule))
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", SUMMARY)
    alarm.add("trigger", timedelta(0))  # at the event's start
    event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return calendar


def run(args: argparse.Namespace) -> int:
    at = parse_time(args.time)
    plan = plan_for(args.plan)
    start = parse_day(args.start, "--start")
    out = Path(args.to).expanduser()
    calendar = reminder(plan, at, start)
    try:
        out.write_bytes(calendar.to_ical())  # CRLF line ends, lines folded at 75 octets
    except OSError as error:
        raise PosecheckError(f"cannot write {out}: {error.strerror}") from error
    print(f"{out}: {SUMMARY}, {plan.schedule_text()} at {at.strftime('%H:%M')} from "
          f"{first_day(plan, start).isoformat()}; import it into your calendar")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "remind", help="a calendar file (.ics) that reminds you on your plan's days",
        description="Writes an iCalendar file with one repeating 15-minute event on the plan's days (daily "
        "without named days) at the time given, with an alarm; import it into your calendar.",
    )
    parser.add_argument("--time", required=True, metavar="HH:MM", help="when to exercise, e.g. 18:30")
    parser.add_argument("--to", required=True, metavar="FILE.ics", help="the calendar file to write")
    parser.add_argument("--plan", help="the plan file (default: plan.toml in the config folder, else the sheet)")
    parser.add_argument("--start", help="the first day it may fall on, YYYY-MM-DD (default today)")
    parser.set_defaults(func=run)
