"""The set-up check's judgement of the picture, with real MediaPipe on real pixels: light behind the person,
the camera looking down from too high, the camera off to the feet or the head. The pictures are frames of
the committed clips (samples/video), copies of them with light put behind the person, and stills rendered
from cameras put where they should not be (samples/setup_views, made by tools/render/setup_views.py)."""

from __future__ import annotations

import json
from functools import partial

import cv2
import numpy as np
import pytest
from conftest import REPO

import exercise_rules
from posecheck.live.setup_check import CHECKS, assess
from posecheck.pose import PoseEstimator
from posecheck.start_position import what_is_off_in

SAMPLES = REPO / "samples" / "video"
VIEWS = REPO / "samples" / "setup_views"
CLIPS = sorted(p.stem for p in SAMPLES.glob("*.mp4") if p.with_suffix(".json").exists())
START_FRAME = 10  # in every clip's lead-in: the start position, before the first rep


@pytest.fixture(scope="module")
def estimator(full_model):
    with PoseEstimator(full_model, mode="image") as found:
        yield found


def judge(estimator: PoseEstimator, image: np.ndarray) -> str | None:
    """The check the set-up check names first for this picture (None: nothing to change)."""
    image = np.ascontiguousarray(image)
    pose = estimator.detect(image, 0)
    advice = assess(image, pose, estimator.people_seen)
    return None if advice is None else advice.check


def clip_frame(name: str, index: int) -> np.ndarray:
    capture = cv2.VideoCapture(str(SAMPLES / f"{name}.mp4"))
    try:
        capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, image = capture.read()
    finally:
        capture.release()
    assert ok, f"{name} has no frame {index}"
    return image


def labels_of(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def person_box(labels: dict, index: int, shape: tuple[int, ...]) -> np.ndarray:
    """The box around the person's ground-truth landmarks, widened by a sixth of a torso: True inside."""
    xy = np.asarray(labels["landmarks"]["xy"][index])
    torso = np.linalg.norm(xy[[11, 12]].mean(axis=0) - xy[[23, 24]].mean(axis=0))
    low = np.floor(xy.min(axis=0) - torso / 6).astype(int).clip(0)
    high = np.ceil(xy.max(axis=0) + torso / 6).astype(int)
    box = np.zeros(shape[:2], bool)
    box[low[1]:high[1], low[0]:high[0]] = True
    return box


def light_behind(image: np.ndarray, box: np.ndarray, strength: float) -> np.ndarray:
    """A light behind the person: the picture outside their box pushed toward white by `strength`, the box
    darkened by 0.7 `strength` (the camera's exposure turned down for the light)."""
    out = image.astype(np.float32)
    out[~box] += strength * (255 - out[~box])
    out[box] *= 1 - 0.7 * strength
    return out.clip(0, 255).astype(np.uint8)


def test_the_checks_are_listed_in_the_order_they_are_made():
    assert CHECKS.index("person") < CHECKS.index("back_light") < CHECKS.index("whole_body")
    assert CHECKS[-2:] == ("side_view", "camera_height")


def test_every_committed_clip_passes_in_its_start_position(estimator):
    """Lit from the front, the camera at the side at 0.35-0.6 m: nothing to change, for all 26 clips."""
    assert len(CLIPS) >= 26
    for name in CLIPS:
        assert START_FRAME * 1000 / labels_of(name)["fps"] < labels_of(name)["reps"][0]["start_ms"]
    found = {name: judge(estimator, clip_frame(name, START_FRAME)) for name in CLIPS}
    assert found == dict.fromkeys(CLIPS)


def test_no_committed_clip_is_taken_for_back_lit_or_off_to_the_side_during_the_exercise(estimator):
    """The middle and the end of every clip: the same light and the same camera as at the start. Only a
    body that rolls its shoulders off the mat (the fault shoulders_on_floor) may look like a view from
    above (the set-up check does not run then)."""
    for name in CLIPS:
        labels = labels_of(name)
        count = labels["frame_count"]
        for index in (count // 2, count - 1 - START_FRAME):
            found = judge(estimator, clip_frame(name, index))
            at_ms = index * 1000 / labels["fps"]
            rolled = any("shoulders_on_floor" in rep["faults"] and rep["start_ms"] <= at_ms <= rep["end_ms"]
                         for rep in labels["reps"])
            assert found is None or (found == "camera_height" and rolled), (name, index, found)


@pytest.mark.parametrize("exercise", ["heels_stretch", "knee_rolls", "back_extensions", "deep_abdominal",
                                      "pelvic_tilts"])
def test_a_light_behind_the_person_is_named_and_an_even_change_of_light_is_not(estimator, exercise):
    (name,) = [c for c in CLIPS if c.startswith(f"{exercise}__correct__")]
    frame = clip_frame(name, START_FRAME)
    box = person_box(labels_of(name), START_FRAME, frame.shape)
    assert judge(estimator, light_behind(frame, box, 0.7)) == "back_light"
    # The same room with less light everywhere (still above "Turn the lights on"): nothing behind the person.
    assert judge(estimator, (frame * 0.6).astype(np.uint8)) is None


def test_back_light_advice_says_what_to_change(estimator):
    name = next(c for c in CLIPS if c.startswith("knee_rolls__correct__"))
    frame = clip_frame(name, START_FRAME)
    image = light_behind(frame, person_box(labels_of(name), START_FRAME, frame.shape), 0.7)
    pose = estimator.detect(image, 0)
    advice = assess(image, pose, estimator.people_seen)
    assert advice is not None and advice.text == "Light behind you: turn the camera or close the curtain"


VIEW_LABELS = json.loads((VIEWS / "views.json").read_text())


def expected_for(view: dict) -> str | None:
    """What a camera put there should be told, from where it was put."""
    if abs(view["off_square_deg"]) >= 30:
        return "side_view"
    if view["looks_down_deg"] >= 30:
        return "camera_height"
    assert abs(view["off_square_deg"]) < 1 and view["looks_down_deg"] < 10  # at the side, level with the mat
    return None


@pytest.mark.parametrize("view", sorted(VIEW_LABELS))
def test_a_camera_too_high_or_off_the_side_is_told_which(estimator, view):
    image = cv2.imread(str(VIEWS / f"{view}.jpg"))
    assert judge(estimator, image) == expected_for(VIEW_LABELS[view])


def test_the_camera_advice_says_which_way_to_move_it(estimator):
    said = {}
    for view in ("pelvic_tilts_high", "knee_rolls_toward_feet"):
        image = cv2.imread(str(VIEWS / f"{view}.jpg"))
        said[view] = assess(image, estimator.detect(image, 0), estimator.people_seen).text
    assert said == {"pelvic_tilts_high": "Lower the camera to the height of your hips on the mat",
                    "knee_rolls_toward_feet": "Move the camera level with your hips, at your side"}


def judge_for(estimator: PoseEstimator, image: np.ndarray, exercise: str):
    """The set-up check's advice before `exercise`: the picture, then the exercise's start position."""
    ex = exercise_rules.get(exercise).EXERCISE
    image = np.ascontiguousarray(image)
    pose = estimator.detect(image, 0)
    return assess(image, pose, estimator.people_seen,
                  partial(what_is_off_in, start=ex.start_position))


@pytest.mark.parametrize("clip", [c for c in CLIPS if "__correct__" in c])
def test_the_set_up_check_passes_a_person_in_the_exercises_start_position(estimator, clip):
    assert judge_for(estimator, clip_frame(clip, START_FRAME), labels_of(clip)["exercise"]) is None


@pytest.mark.parametrize(("clip", "asked", "cue"), [
    # Lying with the knees up, asked for the heels stretch: not on all fours.
    ("knee_rolls__correct__right__b1", "heels_stretch", "Kneel on all fours, your back level"),
    # On all fours, asked for back extensions: the legs are not down on the mat.
    ("heels_stretch__correct__right__b0", "back_extensions", "Lie flat on your stomach, legs down"),
    # Propped on the elbows, asked for knee rolls: the knees are not up.
    ("back_extensions__correct__left__b2", "knee_rolls", "Bring your knees up, feet on the floor"),
])
def test_the_set_up_check_names_what_is_off_in_another_exercises_position(estimator, clip, asked, cue):
    advice = judge_for(estimator, clip_frame(clip, START_FRAME), asked)
    assert advice is not None and advice.check == "start_position" and advice.text == cue
