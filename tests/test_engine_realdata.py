"""Start positions recognised in real photographs run through MediaPipe (../shared/realdata).

The photos are posed stills, many from a 3/4 view rather than the side, so these are sanity floors
for the start-position geometry on real MediaPipe output, not accuracy figures.
"""

from __future__ import annotations

import pytest
from conftest import REALDATA

import exercise_rules
from posecheck import pipeline
from posecheck.calibration import provisional_body
from posecheck.smoothing import VISIBLE

pytestmark = pytest.mark.skipif(not (REALDATA / "MANIFEST.tsv").exists(),
                                reason="../shared/realdata is not beside this checkout")

# Photo folder -> the exercise whose start position it shows.
START_POSITIONS = {"all_fours": "heels_stretch", "supine_knees_bent": "knee_rolls",
                   "prone_elbows": "back_extensions"}


def _verdicts(folder: str, model) -> list[dict[str, bool]]:
    _, poses = pipeline.poses(str(REALDATA / folder), model=model, show_progress=False)
    out = []
    for frame in poses:
        if not frame.has_pose:
            continue
        visible = (frame.visibility >= VISIBLE) & (frame.presence >= VISIBLE)
        z = frame.image[:, 2] * frame.image_size[0]
        body = provisional_body(frame.xy, z, frame.visibility, visible)
        out.append({name: bool(exercise_rules.get(name).start_position(body)) for name in START_POSITIONS.values()})
    return out


def test_start_positions_are_told_apart_in_real_photos(full_model):
    for folder, exercise in START_POSITIONS.items():
        verdicts = _verdicts(folder, full_model)
        assert verdicts, folder
        matching = sum(v[exercise] for v in verdicts) / len(verdicts)
        others = [v[name] for v in verdicts for name in START_POSITIONS.values() if name != exercise]
        assert matching >= 0.5, f"{folder}: {exercise} start position seen in {matching:.0%} of photos"
        assert sum(others) / len(others) <= 1 / 3, f"{folder}: other start positions claimed"
