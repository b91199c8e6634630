"""A stillness check's limit rises with the picture's wobble on a still body, never with real movement."""

import dataclasses
import math

import numpy as np
from kinematic_sets import labelled

import exercise_rules.deep_abdominal as deep_abdominal
from posecheck.calibration import landmark_index
from posecheck.events import EventKind
from posecheck.exercise import ExerciseRun
from posecheck.wobble import AFTER_REP_S, MAX_RAISE, MIN_SAMPLES, Wobble


def _fed(readings: np.ndarray, fps: float = 30.0, since_rep_s: float = math.inf) -> Wobble:
    wobble = Wobble()
    for i, r in enumerate(readings):
        wobble.add(i / fps, float(r), since_rep_s)
    return wobble


def test_a_steady_reading_or_a_steady_drift_is_no_wobble_and_leaves_the_limit():
    assert _fed(np.full(90, 0.04)).limit(0.055, 5.0) == 0.055
    drift = _fed(np.linspace(0.0, 0.2, 90))  # the rest reference catching up with a body that moved
    assert drift.level() < 0.005 and drift.limit(0.055, 5.0) == 0.055


def test_a_wandering_reading_raises_the_limit_up_to_twice_the_threshold():
    rng = np.random.default_rng(3)
    small = _fed(np.abs(rng.normal(0.0, 0.015, 300)))
    assert 0.055 < small.limit(0.055, 5.0) < MAX_RAISE * 0.055
    large = _fed(np.abs(rng.normal(0.0, 0.05, 300)))
    assert large.limit(0.055, 5.0) == MAX_RAISE * 0.055


def test_too_few_readings_or_readings_just_after_a_rep_are_not_trusted():
    rng = np.random.default_rng(4)
    noisy = np.abs(rng.normal(0.0, 0.05, 300))
    assert _fed(noisy[:MIN_SAMPLES]).level() is None
    assert _fed(noisy, since_rep_s=AFTER_REP_S / 2).level() is None  # coming back from a rep: movement


def _wandering_foot(frames: list, near: str, px: float, tau_s: float, seed: int) -> list:
    """The frames with the near foot's three points wandering together, as MediaPipe's do on a still foot
    in a noisy picture (correlated over `tau_s`, `px` pixels; the torso is about 270 px long here)."""
    rng = np.random.default_rng(seed)
    idx = [landmark_index(n, near) for n in ("near_ankle", "near_heel", "near_foot_index")]
    out, off, last = [], np.zeros(2), None
    for f in frames:
        if not f.has_pose:
            out.append(f)
            continue
        t = f.timestamp_ms / 1000
        a = math.exp(-(1 / 30 if last is None else t - last) / tau_s)
        last = t
        off = a * off + math.sqrt(1 - a * a) * rng.normal(0.0, px, 2)
        image = f.image.copy()
        image[idx, 0] += off[0] / f.image_size[0]
        image[idx, 1] += off[1] / f.image_size[1]
        out.append(dataclasses.replace(f, image=image))
    return out


def _legs_faults(kind: str, seed: int, exercise=deep_abdominal.EXERCISE) -> dict[int, bool]:
    s = labelled("deep_abdominal", kind, seed, max_reps=2)
    frames = _wandering_foot(list(s.frames), s.labels["near_side"], 20.0, 0.4, seed)
    run = ExerciseRun(exercise, s.labels["profile"])
    flagged = {e.rep for f in frames for e in run.update(f) if e.kind is EventKind.FAULT and e.check == "legs_still"}
    return {n: n in flagged for n in range(1, len(s.labels["reps"]) + 1)}


def test_a_foot_wandering_in_a_noisy_picture_is_not_nagged_and_a_foot_sliding_out_still_is():
    fixed = dataclasses.replace(deep_abdominal.EXERCISE, checks=tuple(
        dataclasses.replace(c, wobble_scale=0.0) for c in deep_abdominal.CHECKS))
    assert any(_legs_faults("correct", 1001, fixed).values())  # one fixed limit nags the still person
    assert not any(_legs_faults("correct", 1001).values())
    s = labelled("deep_abdominal", "legs_still", 1000, max_reps=2)
    assert _legs_faults("legs_still", 1000) == {
        n: "legs_still" in r["faults"] for n, r in enumerate(s.labels["reps"], start=1)}
