"""What an exercise run reports, frame by frame: reps, holds, faults and abstentions."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    CALIBRATED = "calibrated"  # start position seen at rest; baselines taken
    REP_STARTED = "rep_started"
    REP_COMPLETED = "rep_completed"
    FAULT = "fault"
    NOT_IN_START_POSITION = "not_in_start_position"
    CANNOT_SEE_YOU = "cannot_see_you"  # too few landmarks visible: checks abstain
    ABSTAINED = "abstained"  # one check could not judge (what it looks at hidden or not seen well enough)
    SET_COMPLETED = "set_completed"  # the exercise's targets are reached
    WAITING = "waiting"  # cannot calibrate or judge yet: says why and what to do
    NOTHING_COUNTED = "nothing_counted"  # a set ended with no rep: says why
    PACING = "pacing"  # the app starts pacing reps the camera cannot see (or stops: it sees them again)
    BREATHING = "breathing"  # breaths were seen, then none for a while in a hold: "Keep breathing"
    REMINDER = "reminder"  # a point of form said once, never judged (exercise.Reminder); detail: why not
    SIDE_READ_AGAIN = "side_read_again"  # a counted rep's side, read again once the next rep showed the lean


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"  # form fault: fix it
    STOP = "stop"  # safety: stop the movement


@dataclass(frozen=True)
class Event:
    """One thing that happened at `timestamp_ms` during an exercise run."""

    kind: EventKind
    timestamp_ms: int
    exercise: str
    rep: int | None = None  # 1-based rep number the event belongs to
    side: str | None = None  # "left" / "right" where the exercise has sides
    hold_ms: int | None = None  # for rep_completed: how long the end position was held
    check: str | None = None  # for fault / abstained: the check's name
    severity: Severity | None = None
    cue: str | None = None  # short words for the person ("Keep your hips on the floor")
    detail: str | None = None  # why, for the report (measured value against threshold)
    value: float | None = None  # for fault: the measured value, in the check's unit
    limit: float | None = None  # for fault: the threshold it crossed, same unit
    paced: bool | None = None  # for rep_completed: counted by the app's pace, not seen by the camera
    breaths: int | None = None  # for rep_completed: breaths seen in the hold (posecheck.breath); None: not seen

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, StrEnum) else v) for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        data = dict(data)
        data["kind"] = EventKind(data["kind"])
        if data.get("severity") is not None:
            data["severity"] = Severity(data["severity"])
        return cls(**data)


def rep_sides(events: list[Event]) -> dict[int, str]:
    """Each counted rep's side: its `rep_completed`'s, or the last `side_read_again` about it."""
    sides: dict[int, str] = {}
    for e in events:
        if e.rep is not None and e.side and e.kind in (EventKind.REP_COMPLETED, EventKind.SIDE_READ_AGAIN):
            sides[e.rep] = e.side
    return sides
