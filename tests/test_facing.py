"""Frames MediaPipe reads back to front are left out (posecheck.facing)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from kinematic_sets import labelled, reps_of

import exercise_rules
import posecheck.exercise
from posecheck.events import EventKind
from posecheck.facing import FACING_SETTLED, Facing, back_to_front, frame_facing
from posecheck.landmarks import Landmark, PoseFrame


def _body(head_x: float, hips_x: float, head_y: float = 200.0) -> np.ndarray:
    """33 points (pixels): the hips at `hips_x`, the shoulders 100 px towards the head, the head at `head_x`."""
    xy = np.full((33, 2), [hips_x, 200.0])
    towards = 1.0 if head_x >= hips_x else -1.0
    xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]] = [hips_x + 100 * towards, 200.0]
    xy[[Landmark.NOSE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR]] = [head_x, head_y]
    return xy


def test_a_lying_body_faces_the_way_its_head_lies_and_an_upright_one_says_nothing():
    assert frame_facing(_body(head_x=430, hips_x=300)) == 1
    assert frame_facing(_body(head_x=170, hips_x=300)) == -1
    # Sitting or kneeling up the head is above the hips, a little to one side.
    assert frame_facing(_body(head_x=320, hips_x=300, head_y=20)) == 0


def test_the_persons_own_way_is_where_most_recent_frames_lie():
    facing = Facing()
    for i in range(int(FACING_SETTLED) - 1):
        facing.add(i / 15, -1)
    assert facing.settled() == 0  # too few frames yet to say
    for i in range(30):
        facing.add(1 + i / 15, -1 if i % 3 else 1)  # a third read back to front
    assert facing.settled() == -1
    assert back_to_front(1, facing.settled()) and not back_to_front(-1, facing.settled())
    assert not back_to_front(0, -1) and not back_to_front(1, 0)
    # Long after, lying the other way for as long settles it that way.
    for i in range(200):
        facing.add(60 + i / 15, 1)
    assert facing.settled() == 1


def _back_to_front(frame: PoseFrame) -> PoseFrame:
    """The frame as MediaPipe reads a body back to front: every point mirrored about the hips."""
    image = frame.image.copy()
    hips_x = image[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0].mean()
    image[:, 0] = 2 * hips_x - image[:, 0]
    return dataclasses.replace(frame, image=image)


def _glitched(frames: list[PoseFrame]) -> list[PoseFrame]:
    """A third of the frames, three in a row at a time (0.2 s at 15 fps), read back to front."""
    return [_back_to_front(f) if f.has_pose and (i // 3) % 3 == 1 else f for i, f in enumerate(frames)]


def _events(frames: list[PoseFrame]) -> list:
    run = exercise_rules.get("knee_rolls").run()
    return [e for frame in frames for e in run.update(frame)] + run.finish()


def test_knee_rolls_read_back_to_front_every_few_frames_are_counted_per_side_without_faults():
    s = labelled("knee_rolls", "correct", 1000, max_reps=6)
    events = _events(_glitched(s.frames))
    reps = reps_of(tuple(events))
    assert len(reps) == s.labels["rep_count"]["total"]
    for side in ("left", "right"):
        assert sum(r.side == side for r in reps) == s.labels["rep_count"][side], side
    assert [e.check for e in events if e.kind is EventKind.FAULT] == []


def test_without_leaving_them_out_those_frames_break_the_count_or_raise_faults(monkeypatch: pytest.MonkeyPatch):
    # The frames above are a real trial of the filter: let them through and the set reads wrong.
    monkeypatch.setattr(posecheck.exercise, "back_to_front", lambda facing, own: False)
    s = labelled("knee_rolls", "correct", 1000, max_reps=6)
    events = _events(_glitched(s.frames))
    faults = [e for e in events if e.kind is EventKind.FAULT]
    assert len(reps_of(tuple(events))) != s.labels["rep_count"]["total"] or faults
