"""The start position names what is off (issue 18): on a committed recording's start position nothing
is, and moving one joint out of place names that part in the sheet's words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import exercise_rules
from posecheck.calibration import Body, provisional_body
from posecheck.exercise import VISIBLE
from posecheck.recording import iter_recording

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "kinematic"


def first_start_body(exercise: str, recording: str) -> Body:
    """The first frame of a committed recording in the exercise's start position, in body units."""
    ex = exercise_rules.get(exercise).EXERCISE
    _, frames = iter_recording(SAMPLES / recording)
    for frame in frames:
        if not frame.has_pose:
            continue
        visible = (frame.visibility >= VISIBLE) & (frame.presence >= VISIBLE)
        body = provisional_body(frame.xy.astype(float), frame.image[:, 2] * frame.image_size[0],
                                frame.visibility, visible)
        if ex.start_position(body):
            return body
    raise AssertionError(f"{recording}: never in the start position")


def moved(body: Body, name: str, dx: float, dy: float) -> Body:
    points = body.points.copy()
    points[body.index(name)] += np.array([dx, dy])
    return Body(points, body.visible_mask, body.z, body.near, None, body.scale_px)


HEELS = ("heels_stretch", "heels_stretch__knees_under_hips__dev1001.jsonl")
KNEES = ("knee_rolls", "knee_rolls__correct__dev1000.jsonl")
BACK = ("back_extensions", "back_extensions__hips_grounded__dev1000.jsonl")


@pytest.mark.parametrize(("source", "joint", "dx", "dy", "cue"), [
    # +x is towards the head, +y up, in torso lengths.
    (HEELS, "near_knee", 1.0, 0.0, "Bring your knees under your hips"),
    (HEELS, "near_wrist", 0.0, 1.0, "Kneel on all fours, your back level"),
    (HEELS, "near_shoulder", -0.4, -0.8, "Kneel on all fours, your back level"),
    (KNEES, "near_knee", 0.0, -0.6, "Bring your knees up, feet on the floor"),
    (KNEES, "near_shoulder", 0.0, 0.9, "Lie on your back, your head on a small cushion"),
    (BACK, "near_knee", 0.0, 0.6, "Lie flat on your stomach, legs down"),
    (BACK, "near_shoulder", 0.0, -0.5, "Prop yourself up onto your elbows"),
])
def test_the_part_out_of_place_is_named(source, joint, dx, dy, cue):
    exercise, recording = source
    start = exercise_rules.get(exercise).EXERCISE.start_position
    body = first_start_body(exercise, recording)
    assert start.what_is_off(body) is None
    assert start.what_is_off(moved(body, joint, dx, dy)) == cue


def test_the_lying_exercises_share_the_knee_rolls_start_position():
    # Lying exercises share the knee-rolls start position ("Begin how you would when doing knee rolls").
    assert exercise_rules.get("pelvic_tilts").EXERCISE.start_position is \
        exercise_rules.get("knee_rolls").EXERCISE.start_position
    assert exercise_rules.get("deep_abdominal").EXERCISE.start_position is \
        exercise_rules.get("knee_rolls").EXERCISE.start_position
