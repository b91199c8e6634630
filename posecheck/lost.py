"""How long MediaPipe has gone without finding the person: the zoom and the dim-light lift both wait on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Lost:
    """Told after every frame whether the person was found; keeps when they were last lost."""

    since_ms: int | None = None  # the first frame of the run without the person (None: found last frame)

    def update(self, timestamp_ms: int, person: bool) -> int:
        """Milliseconds the person has been missing, this frame included (0: found)."""
        if person:
            self.since_ms = None
            return 0
        if self.since_ms is None:
            self.since_ms = timestamp_ms
        return timestamp_ms - self.since_ms
