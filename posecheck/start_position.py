"""A start position as the sheet gives it: parts, each with what to say when it is not so.

An exercise module lists the parts in the order a person gets into them (lying down before bending the
knees), so `what_is_off` names the first thing to change ("Bring your knees under your hips") rather
than "Get into the start position".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from posecheck.calibration import Body, provisional_body
from posecheck.exercise import VISIBLE
from posecheck.landmarks import PoseFrame


@dataclass(frozen=True)
class Part:
    cue: str  # what to do when this part is not so, in the sheet's words
    holds: Callable[[Body], bool]


@dataclass(frozen=True)
class StartPosition:
    parts: tuple[Part, ...]

    def __call__(self, body: Body) -> bool:
        return all(part.holds(body) for part in self.parts)

    def what_is_off(self, body: Body) -> str | None:
        """The cue of the first part that does not hold, or None in the start position."""
        return next((part.cue for part in self.parts if not part.holds(body)), None)


def what_is_off_in(frame: PoseFrame, start: Callable[[Body], bool]) -> str | None:
    """What is off in one camera frame (the set-up check's question before an exercise), or None; a start
    position without parts says only whether it holds."""
    if not frame.has_pose:
        return None  # the set-up check says "get onto the mat" itself
    visible = (frame.visibility >= VISIBLE) & (frame.presence >= VISIBLE)
    body = provisional_body(frame.xy.astype(float), frame.image[:, 2] * frame.image_size[0], frame.visibility,
                            visible)
    if isinstance(start, StartPosition):
        return start.what_is_off(body)
    return None if start(body) else "Get into the start position"
