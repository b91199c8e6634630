"""Words for people: counts with the right plural."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`count(1, "rep")` -> "1 rep", `count(3, "rep")` -> "3 reps"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
