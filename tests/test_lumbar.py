"""Pelvic tilts counted from the lower back's movement in the picture (posecheck.lumbar), with real
MediaPipe on rendered clips of tilts that move like people (samples/realistic_tilts): the pelvis turns
under the skin while the landmarks barely move."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from conftest import REPO

import exercise_rules
from posecheck.events import EventKind
from posecheck.landmarks import PoseFrame
from posecheck.phases import Completed, CycleCounter
from posecheck.recording import frame_from_dict, frame_to_dict

CLIPS = REPO / "samples" / "realistic_tilts"
ROCKS = "pelvic_tilts__real_rocks10__left__b4"
STILL = "pelvic_tilts__real_still04__right__b0"


@cache
def poses(name: str) -> tuple[PoseFrame, ...]:
    from posecheck.pipeline import poses as pipeline_poses

    _, frames = pipeline_poses(str(CLIPS / f"{name}.mp4"), show_progress=False, exercise="pelvic_tilts")
    return tuple(frames)


def reps(frames, live: bool = False) -> int:
    run = exercise_rules.get("pelvic_tilts").run(live=live)
    events = [e for f in frames for e in run.update(f)] + run.finish()
    return sum(e.kind is EventKind.REP_COMPLETED for e in events)


@pytest.mark.usefixtures("full_model")
def test_tilts_that_barely_move_the_landmarks_are_counted_from_the_lower_back():
    labels = json.loads((CLIPS / f"{ROCKS}.json").read_text())
    frames = poses(ROCKS)
    assert sum(math.isfinite(f.lumbar) for f in frames) >= 0.95 * len(frames)
    assert reps(frames) == len(labels["reps"])
    # The same frames without the picture's signal: the angle at the hip alone sees no rock.
    assert reps([replace(f, lumbar=math.nan) for f in frames]) == 0


@pytest.mark.usefixtures("full_model")
def test_lying_still_and_breathing_counts_no_rock():
    labels = json.loads((CLIPS / f"{STILL}.json").read_text())
    assert labels["reps"] == []
    assert reps(poses(STILL)) == 0


def test_the_lower_backs_movement_is_recorded_and_read_back():
    frames = poses(ROCKS)[100:103]
    back = [frame_from_dict(frame_to_dict(f), f.image_size) for f in frames]
    assert [round(b.lumbar, 7) for b in back] == [round(f.lumbar, 7) for f in frames]


@pytest.mark.parametrize("size", [0.004, 0.02])
def test_full_cycles_of_any_size_above_the_floor_count_once_each(size):
    fps, n = 15, 8
    t = np.arange(int(n * 5.0 * fps)) / fps
    signal = size * np.sin(2 * np.pi * t / 5.0)  # eight 5-second rocks
    counter = CycleCounter(floor=0.0025, share=0.3)
    done = [c for ti, s in zip(t, signal, strict=True) for c in counter.update(float(ti), float(s))
            if isinstance(c, Completed)]
    assert len(done) == n


def test_a_signal_under_the_floor_counts_nothing():
    t = np.arange(600) / 15
    counter = CycleCounter(floor=0.0025, share=0.3)
    assert not [c for ti in t for c in counter.update(float(ti), 0.002 * math.sin(ti))]


def _rocks(counter: CycleCounter, sizes: list[tuple[float, float]], fps: int = 15) -> int:
    """Completed rocks on a signal of 5-second rocks, each a press (down by the first size) then an arch
    (up by the second), between rests of 2 s."""
    t0, done = 0.0, 0
    parts = [np.zeros(2 * fps)]
    for down, up in sizes:
        x = np.arange(5 * fps) / (5 * fps)
        parts.append(np.where(x < 0.5, -down * np.sin(2 * np.pi * x), -up * np.sin(2 * np.pi * x)))
    parts.append(np.zeros(2 * fps))
    for s in np.concatenate(parts):
        done += sum(isinstance(c, Completed) for c in counter.update(t0, float(s)))
        t0 += 1 / fps
    return done


def _pelvic_picture_counter() -> CycleCounter:
    views = exercise_rules.get("pelvic_tilts").EXERCISE.picture_counter()
    return views.picture


def test_a_press_much_smaller_than_the_arch_still_counts_each_rock():
    # The mat stops the press: the lower back goes 2-4 times further up than down (block 3006).
    sizes = [(0.003, 0.012)] * 6
    assert _rocks(_pelvic_picture_counter(), sizes) == 6
    # Against the pooled size (0.3 of the arch's), the presses fall short and the rocks go uncounted.
    assert _rocks(CycleCounter(floor=0.0025, share=0.3), sizes) < 6


def test_a_rock_whose_press_is_too_small_to_see_counts_on_its_arch_alone():
    # The last rock of block 3006 0029: its press never took the band-passed movement below zero.
    sizes = [(0.003, 0.012)] * 5 + [(0.0, 0.012)]
    assert _rocks(_pelvic_picture_counter(), sizes) == 6
    views = exercise_rules.get("pelvic_tilts").EXERCISE.picture_counter().picture
    assert views.lone_back is not None
    views.lone_back = None
    assert _rocks(views, sizes) == 5
    # Bumps on the arch's side at rest, well under the arches, are no rocks.
    assert _rocks(_pelvic_picture_counter(), [(0.003, 0.012)] * 6 + [(0.0, 0.004)] * 3) == 6


def test_the_first_small_rocks_count_once_the_rocking_is_clear():
    # Small rocks under the still floor (0.0025) first, before their size is known, then larger ones.
    sizes = [(0.0021, 0.0022)] * 2 + [(0.005, 0.006)] * 6
    assert _rocks(_pelvic_picture_counter(), sizes) == 8
    assert _rocks(CycleCounter(floor=0.0025, share=0.3), sizes) == 6


def test_breaths_lying_still_under_the_floor_count_no_rock():
    t = np.arange(900) / 15
    counter = _pelvic_picture_counter()
    assert not [c for ti in t for c in counter.update(float(ti), 0.0022 * math.sin(2 * math.pi * ti / 4.5))]


def test_the_reports_plot_names_the_movement_the_reps_were_counted_on():
    from posecheck.report.signals import rules_series

    counted = rules_series("pelvic_tilts", poses(ROCKS), {})
    assert counted is not None
    values, label, unit = counted
    assert (label, unit) == ("Lower back movement", "torso lengths")
    assert np.isfinite(values).mean() > 0.9


def _two_views(picture_size: float, angle_size: float, rocks: int = 8) -> int:
    """Rocks counted by pelvic tilts' two views on a picture signal and an angle signal of these sizes
    (a rest of 2 s, then `rocks` 6-second rocks, then a rest)."""
    from exercise_rules import pelvic_tilts as pt
    from posecheck.phases import TwoViews

    fps = 15
    t = np.arange(int((4 + 6 * rocks) * fps)) / fps
    moving = (t >= 2) & (t < 2 + 6 * rocks)
    wave = np.where(moving, -np.sin(2 * np.pi * (t - 2) / 6.0), 0.0)  # the press first, as the sheet says
    views = pt.EXERCISE.picture_counter()
    assert isinstance(views, TwoViews)
    done = 0
    for ti, w in zip(t, wave, strict=True):
        views.see_landmarks(float(angle_size * w))
        done += sum(isinstance(c, Completed) for c in views.update(float(ti), float(picture_size * w), True))
    return done


def test_two_views_count_from_the_picture_where_the_landmarks_see_no_rock():
    assert _two_views(picture_size=0.01, angle_size=0.5) == 8


def test_two_views_count_from_the_landmarks_where_the_picture_is_faint():
    # A faint picture (dark clothes give the flow nothing to follow: under its floor, no rock of its own);
    # the angle at the hip swings 8 degrees each way, as on the rendered clips.
    assert _two_views(picture_size=0.0022, angle_size=8.0) == 8
    assert _two_views(picture_size=0.0022, angle_size=0.5) == 0


def test_two_views_count_each_rock_once_where_both_see_it():
    assert _two_views(picture_size=0.01, angle_size=8.0) == 8
