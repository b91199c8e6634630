"""The programme over weeks: days exercised per week against the plan's frequency, and the current streak.

A day counts as exercised when a session that day (local time) counted at least one rep; an empty set
does not make a day. The streak counts the plan's days only: the run of planned days, back from today,
each with a session. A day the plan leaves free neither adds to it nor breaks it, and today, while it
lasts, does not break it before you have exercised. With the sheet's plan (every day) that is the run of
consecutive days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

STREAK_LOOKBACK_DAYS = 3660  # ten years: a streak is never looked for further back


@dataclass(frozen=True)
class Week:
    """One calendar week (Monday to Sunday) of the programme."""

    start: date  # its Monday
    days: int  # days exercised
    planned: int  # days the plan asks in a whole week
    planned_so_far: int  # planned days up to today (all of them once the week is over)
    current: bool  # the week holding today

    @property
    def met(self) -> bool:
        return self.days >= self.planned

    def verdict(self) -> str:
        if self.met:
            return "met"
        if self.current:
            return f"this week so far ({self.planned_so_far} planned by today)"
        return f"{self.planned - self.days} short"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks(days: Iterable[date], weekdays: tuple[int, ...], today: date) -> list[Week]:
    """Every week from the first exercised day's to today's, each with its days exercised and planned."""
    done = set(days)
    if not done:
        return []
    out = []
    start, last = monday(min(done)), monday(max(max(done), today))
    while start <= last:
        week = [start + timedelta(days=i) for i in range(7)]
        out.append(Week(
            start=start,
            days=sum(day in done for day in week),
            planned=len(weekdays),
            planned_so_far=sum(day.weekday() in weekdays and day <= today for day in week),
            current=start <= today < start + timedelta(days=7),
        ))
        start += timedelta(days=7)
    return out


def streak(days: Iterable[date], weekdays: tuple[int, ...], today: date) -> int:
    """How many of the plan's days in a row, back from today, had a session (see the module's docstring)."""
    done = set(days)
    if not weekdays:
        return 0
    run, day = 0, today
    if day.weekday() in weekdays and day not in done:
        day -= timedelta(days=1)  # today is not over: it cannot break the streak yet
    for _ in range(STREAK_LOOKBACK_DAYS):
        if day.weekday() in weekdays:
            if day not in done:
                break
            run += 1
        day -= timedelta(days=1)
    return run
