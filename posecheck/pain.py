"""Pain on the 0-10 numeric rating scale, before and after a session, and the advice a rise brings.

session.json keeps the ratings as ``"pain": {"before": n, "after": n}``; either may be null (skipped).
"""

from __future__ import annotations

from typing import Any

from posecheck.errors import PosecheckError

PAIN_MIN, PAIN_MAX = 0, 10
# A rise of two points on the 0-10 scale is the smallest change that matters to the person.
RISE_FOR_ADVICE = 2
QUESTION = "Pain now, 0-10? (keys 0-9, T for 10, S to skip)"
SCALE_LINE = "0 is no pain at all, 10 the worst pain you can imagine."


def parse_rating(text: str, option: str) -> int:
    """A rating given on the command line (`option` names it in the error)."""
    try:
        value = int(text)
    except ValueError:
        raise PosecheckError(f"{option} must be a whole number from 0 to 10, not {text!r}") from None
    if not PAIN_MIN <= value <= PAIN_MAX:
        raise PosecheckError(f"{option} must be from 0 to 10 (the pain scale), not {value}")
    return value


def valid_rating(value: Any) -> int | None:
    """`value` if it is a rating on the scale, else None (a hand-edited session.json is not trusted)."""
    ok = isinstance(value, int) and not isinstance(value, bool) and PAIN_MIN <= value <= PAIN_MAX
    return value if ok else None


def ratings(data: Any) -> dict[str, int | None]:
    """{"before", "after"} from session.json's "pain" entry, each None when absent or not a rating."""
    pain = data if isinstance(data, dict) else {}
    return {"before": valid_rating(pain.get("before")), "after": valid_rating(pain.get("after"))}


def rise(before: int | None, after: int | None) -> int | None:
    """After minus before, when both were rated."""
    return None if before is None or after is None else after - before


def rise_advice(before: int | None, after: int | None) -> str | None:
    """The advice for a rise of RISE_FOR_ADVICE or more, else None."""
    change = rise(before, after)
    if change is None or change < RISE_FOR_ADVICE:
        return None
    return f"Your pain went up by {change}: speak to your physiotherapist before the next session"
