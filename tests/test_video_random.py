"""Held-out varied video, end to end: eight clips of the randomised block (issue 13, seed 3000).

samples/video_random/ holds eight clips of the 100-clip block `tools.render --random-block 100 --seed 3000`
(random body, clothes, room, camera, light and picture), rendered after the rules were frozen and measured
once (its README has the block's figures). The rules were changed after that measurement (the elbow, the
lifted head and the craned neck became reminders: the block's false alarms on HEELS_SITTING and
PELVIC_FLOOR_LENS were two of the reasons), so the block is dev now; the held-out figures are a later
block's. Each runs as `posecheck evaluate` runs it: video -> MediaPipe
(full) -> the exercise's rules -> events scored against the clip's labels. The tests assert from the
labels: every rep counted (per side for knee rolls), each labelled fault found on its rep, nothing raised
where nothing is labelled. The measurement's misses are strict xfails giving what was measured, so a change
either way shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rendered_clips import RenderedClips, assert_each_fault_found, assert_every_rep_counted, assert_nothing_unlabelled

RANDOM = Path(__file__).resolve().parents[1] / "samples" / "video_random"
MAX_TOTAL_BYTES = 9 * 1024 * 1024  # this folder's own budget
BLOCK_SEED = 3000

ROLLS_SHOULDERS = "0003__knee_rolls__shoulders_on_floor__left"  # dim, window behind, full motion blur
HEELS_OVERARCHED = "0012__heels_stretch__back_overarched__right"  # lens on the floor, 3 m, dark clothes
BACK_SHORT_HOLDS = "0022__back_extensions__hold_too_short__right"  # elderly, dark skin and clothes, dark mat
DEEP_SHORT_HOLD = "0028__deep_abdominal__hold_too_short__left"  # heavy, loose dark shirt, heavy JPEG
HEELS_SITTING = "0032__heels_stretch__sitting_on_heels__right"  # lens 0.6-1 m high, 16-25 degrees off
ROLLS_KNEES = "0046__knee_rolls__knees_together__left"  # elderly, loose dark shirt, shorts
PELVIC_FLOOR_LENS = "0060__pelvic_tilts__correct__right"  # lens on the floor, near, dim
PELVIC_WINDOW = "0076__pelvic_tilts__correct__right"  # elderly, loose dark shirt, bright window behind
CLIPS = (ROLLS_SHOULDERS, HEELS_OVERARCHED, BACK_SHORT_HOLDS, DEEP_SHORT_HOLD, HEELS_SITTING, ROLLS_KNEES,
         PELVIC_FLOOR_LENS, PELVIC_WINDOW)
# The sagging back is a reminder since (exercise_rules.heels_stretch): its clip is counted and nags nothing.
WITH_JUDGED_FAULTS = (ROLLS_SHOULDERS, BACK_SHORT_HOLDS, DEEP_SHORT_HOLD, ROLLS_KNEES)

# The held-out measurement's misses, by (clip, test): what was measured.
MISSES = {
    (ROLLS_SHOULDERS, "faults_found"): "measured: shoulders_on_floor found on 3 of 4 rolls",
    (ROLLS_KNEES, "faults_found"): "measured: knees_together found on 2 of 4 rolls; on the other 2 the check "
                                   "abstained (said it could not judge), neither found nor missed",
    (ROLLS_KNEES, "nothing_unlabelled"): "measured: shoulders_on_floor on 2 rolls where the shoulders stayed",
}


CLIPS_SCORED = RenderedClips(RANDOM, CLIPS, MISSES)
_cases, _labels, _scored = CLIPS_SCORED.cases, CLIPS_SCORED.labels, CLIPS_SCORED.scored


def test_the_clips_are_the_held_out_blocks_and_fit_their_budget() -> None:
    videos = {p.stem for p in RANDOM.glob("*.mp4")}
    assert videos == set(CLIPS), "every committed clip is tested, and only those"
    for clip in CLIPS:
        labels = _labels(clip)
        assert labels["seed"] == BLOCK_SEED and labels["video"] == f"{clip}.mp4"
        assert clip.startswith(f"{labels['block_index']:04d}__{labels['exercise']}__{labels['variant']}__")
        assert set(labels["factors"]) >= {"camera_height", "camera_angle", "light", "clothing", "compression"}
    total = sum(p.stat().st_size for p in RANDOM.rglob("*") if p.is_file())
    assert total < MAX_TOTAL_BYTES, f"samples/video_random holds {total / 1e6:.1f} MB"


@pytest.mark.parametrize("clip", _cases("count"))
def test_every_rep_is_counted(clip: str, full_model: Path) -> None:
    assert_every_rep_counted(*_scored(clip))


@pytest.mark.parametrize("clip", _cases("sides", (ROLLS_SHOULDERS, ROLLS_KNEES)))
def test_knee_rolls_are_counted_per_side(clip: str, full_model: Path) -> None:
    _, scored = _scored(clip)
    assert scored["reps_by_side_detected"] == scored["reps_by_side_expected"]


@pytest.mark.parametrize("clip", _cases("faults_found", WITH_JUDGED_FAULTS))
def test_each_labelled_fault_is_found_on_its_rep(clip: str, full_model: Path) -> None:
    assert_each_fault_found(*_scored(clip))


@pytest.mark.parametrize("clip", _cases("nothing_unlabelled"))
def test_nothing_is_raised_where_nothing_is_labelled(clip: str, full_model: Path) -> None:
    assert_nothing_unlabelled(_scored(clip)[1])
