"""Breaths counted in the belly's outline (issue 14 item 3): on rendered people who breathe, with real
MediaPipe (its segmentation mask) on real pixels, and the counter's own logic on made-up signals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import exercise_rules
from posecheck.breath import KEEP_BREATHING_S, Breaths, HoldBreaths
from posecheck.events import EventKind
from posecheck.pipeline import poses

REPO = Path(__file__).resolve().parents[1]
# The committed clips breathe as tools/render/exercises.py's `breathing` makes them: a 4 s breath from
# the clip's start. The realistic renders carry their own breath (`breath_m`, the belly's rise per frame).
RENDER_BREATH_S = 4.0


def holds_and_breaths(clip: Path) -> tuple[list[tuple[float, float, int | None]], int]:
    """Each hold's (start s, end s, breaths seen) when the clip is analysed as deep abdominal strengthening,
    and how many times "Keep breathing" was said."""
    run = exercise_rules.get("deep_abdominal").run()
    _, frames = poses(str(clip), "full", show_progress=False, exercise="deep_abdominal")
    events = [e for f in frames for e in run.update(f)] + run.finish()
    starts = {e.rep: e.timestamp_ms / 1000 for e in events if e.kind is EventKind.REP_STARTED}
    holds = [(starts[e.rep], e.timestamp_ms / 1000, e.breaths) for e in events if e.kind is EventKind.REP_COMPLETED]
    return holds, sum(e.kind is EventKind.BREATHING for e in events)


def breath_starts(labels: dict) -> np.ndarray:
    """When each breath in begins, from the render's own breath."""
    if "breath_m" not in labels:
        return np.arange(0.0, labels["frame_count"] / labels["fps"], RENDER_BREATH_S)
    rise = np.asarray(labels["breath_m"], float)
    mid = (rise.max() + rise.min()) / 2
    return np.flatnonzero((rise[:-1] < mid) & (rise[1:] >= mid)) / labels["fps"]


@pytest.mark.parametrize(("clip", "margin"), [
    ("video/deep_abdominal__hold_too_short__left__b2.mp4", 0),  # measured exact on 11 of 13 committed holds
    ("realistic_tilts/pelvic_tilts__real_still04__right__b0.mp4", 1),  # within one on 12 of 12 (6 exact)
])
def test_breaths_in_each_hold_are_counted_from_the_picture(full_model, clip, margin):
    path = REPO / "samples" / clip
    labels = json.loads(path.with_suffix(".json").read_text())
    starts = breath_starts(labels)
    holds, keep_breathing = holds_and_breaths(path)
    assert holds
    for begin, end, seen in holds:
        truth = int(((starts >= begin) & (starts < end)).sum())
        assert seen is not None and abs(seen - truth) <= margin, (begin, end, seen, truth)
    assert keep_breathing == 0  # they breathe all along


def fed(counter: HoldBreaths, signal: list[tuple[float, float, bool]]) -> list[float]:
    """Feed (t, belly, holding) frames; when "Keep breathing" was due."""
    return [t for t, belly, holding in signal if counter.update(t, belly, holding)]


def breathing(t: float, period: float = 4.5, depth: float = 0.02) -> float:
    return 0.15 + depth / 2 * math.sin(2 * math.pi * t / period)


FPS = 15


def test_a_breath_held_in_a_hold_is_noticed_once_and_breathing_again_is_counted():
    held_from, held_to = 20.0, 40.0  # the hold is 10-50 s; breath held (the belly still) for 20 s of it
    frames = [(i / FPS, breathing(i / FPS) if not held_from <= i / FPS < held_to else breathing(held_from),
               10.0 <= i / FPS < 50.0) for i in range(60 * FPS)]
    counter = HoldBreaths()
    said = fed(counter, frames[: 50 * FPS])
    assert len(said) == 1 and held_from + KEEP_BREATHING_S - 5 <= said[0] <= held_from + KEEP_BREATHING_S + 5
    breaths = counter.hold_ended()
    # 40 s of the hold, 20 of them breathing: about four breaths (each 4.5 s), not the hold's nine.
    assert breaths is not None and 2 <= breaths <= 5


def test_steady_breathing_never_says_keep_breathing_and_counts_the_breaths():
    counter = HoldBreaths()
    frames = [(i / FPS, breathing(i / FPS), 6.0 <= i / FPS < 33.0) for i in range(40 * FPS)]
    assert fed(counter, frames[: 33 * FPS]) == []
    assert counter.hold_ended() in (5, 6, 7)  # 27 s of 4.5 s breaths: six


def test_without_an_outline_nothing_is_counted_or_said():
    counter = HoldBreaths()
    assert fed(counter, [(i / FPS, math.nan, i > 5 * FPS) for i in range(40 * FPS)]) == []
    assert counter.hold_ended() is None
    assert Breaths().update(0.0, None) is False


def test_an_outline_with_holes_in_it_is_not_counted_as_extra_breaths():
    """MediaPipe's mask in a dim picture drops the belly's outline for single frames (0.07-0.23 torso
    lengths on randomised block 3010): the cycles those make come sooner than any breath."""
    for seed in (0, 1, 2):
        rng = np.random.default_rng(seed)
        counter = Breaths()
        for i in range(27 * FPS):  # 27 s of 4.5 s breaths: six
            hole = rng.uniform(0.05, 0.2) if rng.random() < 0.1 else 0.0  # in a tenth of the frames
            counter.update(i / FPS, breathing(i / FPS) - hole)
        assert 4 <= counter.counted <= 8  # without MIN_BREATH_S: 10-13


def test_a_pelvis_lifting_for_a_few_seconds_does_not_hide_the_breaths_around_it():
    """The outline is measured from the hip-to-shoulder line: a pelvis that lifts (the pelvis_still fault)
    moves it far more than a breath. Over 4 s of a 40 s hold that must not raise the bar past the breaths."""
    def belly(t: float, lift: float) -> float:
        return breathing(t) + (lift * (1 - math.cos(2 * math.pi * (t - 15) / 4)) / 2 if 15 <= t < 19 else 0.0)

    counts = []
    for lift in (0.0, 0.08):
        counter = Breaths()
        for i in range(40 * FPS):
            counter.update(i / FPS, belly(i / FPS, lift))
        counts.append(counter.counted)
    assert counts[1] >= counts[0] - 1  # 9 and 8 (the 95th percentile as the size: 9 and 5)


def test_a_still_belly_is_not_taken_for_breaths():
    rng = np.random.default_rng(0)
    counter = Breaths()
    for i in range(60 * FPS):  # mask flicker of a fraction of a millimetre, no breath
        counter.update(i / FPS, 0.15 + float(rng.normal(0, 0.0003)))
    assert counter.counted == 0
