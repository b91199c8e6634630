"""How a set ended: done, empty (no rep counted) or stopped (ended short of its target, or for pain).

The live trainer writes how each set ended as session.json's "ended_by"; an analysed video has none. A set
that ended otherwise than by reaching its target is marked, in the report and the history, rather than
listed like a finished one.
"""

from __future__ import annotations

from typing import Any

ENDED_BY_WORDS = {
    "pain": "stopped for pain",
    "quit": "quit",
    "next": "skipped to the next exercise",
    "redo": "started again",
    "time_up": "time ran out",
    "camera_lost": "the camera (or the clip standing in for it) stopped",
    "interrupted": "interrupted",
    "error": "stopped on an error",
}
CUT_SHORT = "cut short"  # no word from the trainer, but the recording stops early (a crash)


def set_status(reps: dict[str, Any], ended_by: str | None, cut_short: bool) -> dict[str, Any]:
    """`{"status", "ended_by", "text"}` of a set from the report's reps entry and how it ended."""
    why = ENDED_BY_WORDS.get(ended_by or "") or (CUT_SHORT if cut_short else None)
    if reps["done"] == 0:
        status = "empty"
        text = f"empty set: no rep counted ({why})" if why else "empty set: no rep counted"
    elif why and (ended_by == "pain" or reps["status"] == "below"):
        status, text = "stopped", f"stopped: {why}"
    else:
        status, text = "done", None
    return {"status": status, "ended_by": ended_by, "text": text}


def mark(status: str | None, ended_by: str | None) -> str:
    """A few words for a history row: "" for a finished set."""
    if status == "empty":
        return "empty set"
    if status == "stopped":
        return f"stopped: {ENDED_BY_WORDS.get(ended_by or '', CUT_SHORT)}"
    return ""
