"""Each exercise against the previous session that did it and against the plan in force that day, in words.

"The previous session" is the latest earlier session in the history that counted at least one rep of the
exercise (an empty set is not a session of it to compare with). "The plan" is the targets the session
recorded for the exercise: the plan's on the day, so a report made again later says the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from posecheck.report.plain import breath_seconds
from posecheck.report.targets import Targets
from posecheck.words import count

SAME_HOLD_S = 0.1  # hold averages closer than this read as the same (they are rounded to 0.1 s)
SAME_FAULTS_PER_REP = 0.005  # faults per rep are shown to two decimals
FIRST_SESSION = "first session"


class EarlierSessions(Protocol):
    """What the comparison needs of the history (`posecheck.history.HistoryStore` is one)."""

    def previous(self, exercise: str, before: datetime, session_key: str | None = None) -> dict[str, Any] | None:
        ...

    def previous_pain(self, before: datetime, session_key: str | None = None) -> dict[str, Any] | None:
        ...


def _range(pair: list[float] | tuple[float, float]) -> str:
    lo, hi = (f"{v:g}" for v in pair)
    return lo if lo == hi else f"{lo}-{hi}"


def _plan_words(target: list[int] | None, before: list[int] | None, done: int, status: str) -> str:
    """`plan asks 10-12 (last time 6-8): 2 short`."""
    if not target:
        return ""
    text = f"; plan asks {_range(target)}"
    if before and list(before) != list(target):
        text += f" (last time {_range(before)})"
    verdict = {"met": "met", "above": "more than asked", "below": f"{target[0] - done} short"}.get(status)
    return text + (f": {verdict}" if verdict else "")


def reps_line(exercise: dict[str, Any], previous: dict[str, Any] | None, first: bool) -> str:
    """`8 reps, 2 more than last time (6); plan asks 10: 2 short.`"""
    reps = exercise["reps"]
    done = reps["done"]
    text = count(done, "rep")
    if previous is not None:
        before = previous["reps_done"]
        change = done - before
        text += (f", the same as last time ({before})" if change == 0 else
                 f", {change} more than last time ({before})" if change > 0 else
                 f", {-change} fewer than last time ({before})")
    elif first:
        text += f" ({FIRST_SESSION})"
    before_target = previous["target"] if previous else None
    return text + _plan_words(reps["target"], before_target, done, reps["status"]) + "."


def hold_line(exercise: dict[str, Any], previous: dict[str, Any] | None, first: bool) -> str | None:
    """`Holds 6.8 s on average, 1.2 s longer than last time (5.6 s); plan asks 5-10 s: met.` (None: no hold asked)"""
    holds = exercise["holds"]
    if not (holds["target_s"] or holds["target_breaths"]):
        return None  # an exercise without a hold (pelvic tilts rock): its "holds" are not worth a line
    mean, before = holds["mean_s"], previous["mean_hold_s"] if previous else None
    text = f"Holds {mean:.1f} s on average" if mean is not None else "No hold timed"
    if before is not None and mean is not None:
        change = mean - before
        text += (f", about the same as last time ({before:.1f} s)" if abs(change) < SAME_HOLD_S else
                 f", {abs(change):.1f} s {'longer' if change > 0 else 'shorter'} than last time ({before:.1f} s)")
    elif before is not None:
        text += f" (last time {before:.1f} s)"
    elif first:
        text += f" ({FIRST_SESSION})"
    if holds["target_s"]:
        text += f"; plan asks {_range(holds['target_s'])} s"
        if holds["values_s"]:
            short = holds["short"]
            text += f": {short} of {len(holds['values_s'])} short" if short else ": met"
    elif holds["target_breaths"]:
        breaths = _range(holds["target_breaths"])
        text += "; plan asks one deep breath" if breaths == "1" else f"; plan asks {breaths} breaths"
        seconds = breath_seconds(exercise["exercise"], tuple(holds["target_breaths"]))
        text += f" (about {_range(seconds)} s)" if seconds else ""
    return text + "."


def faults_per_rep(exercise: dict[str, Any]) -> float | None:
    done = exercise["reps"]["done"]
    return sum(f["count"] for f in exercise["faults"]) / done if done else None


def faults_line(exercise: dict[str, Any], previous: dict[str, Any] | None, first: bool) -> str | None:
    """`0.25 faults per rep, fewer than last time (0.50).` (None: no rep to judge by)"""
    now = faults_per_rep(exercise)
    if now is None:
        return None
    before = previous["faults_per_rep"] if previous else None
    text = "No faults" if now == 0 else f"{now:.2f} faults per rep"
    if before is not None:
        if abs(now - before) < SAME_FAULTS_PER_REP:
            text += ", as last time" if now == 0 else f", the same as last time ({before:.2f})"
        else:
            text += f", {'more' if now > before else 'fewer'} than last time ({before:.2f})"
    elif first:
        text += f" ({FIRST_SESSION})"
    return text + "."


def _previous_entry(row: dict[str, Any]) -> dict[str, Any]:
    """What the report keeps of the previous session's exercise (a history row)."""
    lo, hi = row["target_reps_min"], row["target_reps_max"]
    hold = row["mean_hold_s"]
    return {
        "started_at": row["started_at"],
        "folder": row["folder"],
        "reps_done": row["reps_done"],
        "target": None if lo is None else [lo, hi],
        "target_text": None if lo is None else Targets((lo, hi)).describe(),
        "mean_hold_s": None if hold is None else round(hold, 1),
        "faults_per_rep": None if row["faults_per_rep"] is None else round(row["faults_per_rep"], 2),
        "set_status": row["set_status"],
    }


def compare_exercise(exercise: dict[str, Any], row: dict[str, Any] | None, consulted: bool) -> dict[str, Any]:
    """`{"previous", "first", "lines"}` for one exercise of the report; `consulted`: a history was looked in."""
    previous = _previous_entry(row) if row is not None else None
    first = consulted and previous is None
    lines = [reps_line(exercise, previous, first), hold_line(exercise, previous, first),
             faults_line(exercise, previous, first)]
    return {"previous": previous, "first": first, "lines": [line for line in lines if line]}


def pain_line(pain: dict[str, Any], previous: dict[str, Any] | None, consulted: bool) -> str | None:
    """`Last rated session: before 4, after 4.`; None when this session has no rating to compare."""
    if pain["before"] is None and pain["after"] is None:
        return None
    if previous is None:
        return f"Pain: {FIRST_SESSION} with a rating." if consulted else None

    def rated(value: int | None) -> str:
        return "not rated" if value is None else str(value)

    return f"Last rated session: before {rated(previous['pain_before'])}, after {rated(previous['pain_after'])}."


def add_comparisons(data: dict[str, Any], session_key: str, started_at: datetime | None,
                    history: EarlierSessions | None) -> None:
    """Give each exercise of the report's `data` its "compare" entry, and the report its pain comparison."""
    consulted = history is not None and started_at is not None
    for exercise in data["exercises"]:
        row = history.previous(exercise["exercise"], started_at, session_key) if consulted else None
        exercise["compare"] = compare_exercise(exercise, row, consulted)
    earlier = history.previous_pain(started_at, session_key) if consulted else None
    data["pain_previous"] = None if earlier is None else {
        "started_at": earlier["started_at"], "before": earlier["pain_before"], "after": earlier["pain_after"]}
    data["pain_compare"] = pain_line(data["pain"], earlier, consulted)
    data["compared_with_history"] = consulted
