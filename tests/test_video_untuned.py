"""Held-out video, end to end: rendered clips of seeds the rules were never tuned on.

samples/video_untuned/ holds six clips of seeds 21, 22 and 25, rendered after the rules were frozen and
measured once (its README has the figures). Each clip runs as `posecheck evaluate` runs it: video ->
MediaPipe (full) -> the exercise's rules -> events scored against the clip's labels. The tests assert what
that measurement found, from the labels: every rep counted, each labelled fault found on its rep, nothing
raised where nothing is labelled. Its misses are strict xfails that give the reading that missed, so a
change either way shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rendered_clips import RenderedClips, assert_each_fault_found, assert_every_rep_counted, assert_nothing_unlabelled

UNTUNED = Path(__file__).resolve().parents[1] / "samples" / "video_untuned"
MAX_TOTAL_BYTES = 6 * 1024 * 1024  # this folder's own budget, apart from samples/video's 30 MB
# Rendered seeds seen before: tuned on (0-3; the outline study's 10) or measured once as held out (4-6, 11).
SEEN_SEEDS = frozenset({0, 1, 2, 3, 4, 5, 6, 10, 11})

HEELS_CORRECT = "seed21/heels_stretch__correct__right__b0"
# Soft elbows that read just under the old locked limit (166.75): settled rest means 165.8-166.4; and locked
# ones just over it: 169.4, 168.2, 169.0. The elbow is a reminder now (exercise_rules.heels_stretch), so
# these two say that nothing else is raised on them.
HEELS_SOFT_ELBOWS = "seed22/heels_stretch__sitting_on_heels__right__b2"
HEELS_LOCKED = "seed25/heels_stretch__elbows_locked__left__b1"
KNEE_ROLLS_FEET = "seed21/knee_rolls__feet_on_floor__left__b1"
PELVIC_BRIDGE = "seed21/pelvic_tilts__hips_grounded__left__b2"
BACK_SHORT_HOLDS = "seed22/back_extensions__hold_too_short__right__b2"
CLIPS = (HEELS_CORRECT, HEELS_SOFT_ELBOWS, HEELS_LOCKED, KNEE_ROLLS_FEET, PELVIC_BRIDGE, BACK_SHORT_HOLDS)

# The held-out measurement's misses, by (clip, test): why, with the reading.
MISSES = {
    (PELVIC_BRIDGE, "faults_found"): "measured: every bridge flagged (the hip 0.24-0.28 torso lengths up, the "
                                     "angle at the hip opened 29 degrees; limits 0.10 and 15) since the rest "
                                     "no longer follows a lifted hip (2 of 6 before), but the counter's "
                                     "rocks run mid-rock to mid-rock (3.7, 8.3, 13.4 s against 6.0, 10.8, 16.3 s "
                                     "labelled), so the faults land on the next rep: 5 of 6 on their labelled rep",
}


CLIPS_SCORED = RenderedClips(UNTUNED, CLIPS, MISSES)
_cases, _labels, _scored = CLIPS_SCORED.cases, CLIPS_SCORED.labels, CLIPS_SCORED.scored


def test_the_clips_are_of_seeds_never_seen_and_fit_their_budget() -> None:
    videos = {str(p.relative_to(UNTUNED).with_suffix("")) for p in UNTUNED.rglob("*.mp4")}
    assert videos == set(CLIPS), "every committed clip is tested, and only those"
    for clip in CLIPS:
        labels = _labels(clip)
        assert labels["seed"] not in SEEN_SEEDS and clip.startswith(f"seed{labels['seed']}/")
        assert labels["video"] == Path(clip).name + ".mp4"
    total = sum(p.stat().st_size for p in UNTUNED.rglob("*") if p.is_file())
    assert total < MAX_TOTAL_BYTES, f"samples/video_untuned holds {total / 1e6:.1f} MB"


@pytest.mark.parametrize("clip", _cases("count"))
def test_every_rep_is_counted(clip: str, full_model: Path) -> None:
    assert_every_rep_counted(*_scored(clip))


@pytest.mark.parametrize("clip", _cases("sides", (KNEE_ROLLS_FEET,)))
def test_knee_rolls_are_counted_per_side(clip: str, full_model: Path) -> None:
    _, scored = _scored(clip)
    assert scored["reps_by_side_detected"] == scored["reps_by_side_expected"]


@pytest.mark.parametrize("clip", _cases("faults_found", (KNEE_ROLLS_FEET, PELVIC_BRIDGE, BACK_SHORT_HOLDS)))
def test_each_labelled_fault_is_found_on_its_rep(clip: str, full_model: Path) -> None:
    assert_each_fault_found(*_scored(clip))


@pytest.mark.parametrize("clip", _cases("nothing_unlabelled"))
def test_nothing_is_raised_where_nothing_is_labelled(clip: str, full_model: Path) -> None:
    assert_nothing_unlabelled(_scored(clip)[1])


def test_sitting_on_the_heels_is_flagged_for_a_knee_problem(full_model: Path) -> None:
    # Judged only with a knee problem, so evaluate's default run leaves these labels unscored.
    labels, scored = _scored(HEELS_SOFT_ELBOWS, knee_problem=True)
    sitting = sum("sitting_on_heels" in rep["faults"] for rep in labels["reps"])
    assert sitting == len(labels["reps"]) == scored["checks"]["sitting_on_heels"]["tp"]
    labels, correct = _scored(HEELS_CORRECT, knee_problem=True)
    assert correct["correct_reps"] == len(labels["reps"]) and correct["false_alarms"] == 0
