"""Public photographs of floor exercises (../shared/realdata): how often MediaPipe finds the person."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import REALDATA

from posecheck import pipeline

pytestmark = pytest.mark.skipif(not (REALDATA / "MANIFEST.tsv").exists(),
                                reason="../shared/realdata is not beside this checkout")

# Every photo shows a person on the floor; MediaPipe full found 100% of them when this was written.
# The floor leaves room for a change of MediaPipe version, not for a broken pipeline.
MIN_DETECTION_RATE = 0.85


def test_people_in_floor_exercise_photos_are_found(tmp_path, full_model, record_property):
    with open(REALDATA / "MANIFEST.tsv") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    rates = {}
    for folder in sorted({row["class"] for row in rows}):
        _, poses = pipeline.poses(str(REALDATA / folder), model=full_model, show_progress=False)
        found = [frame.has_pose for frame in poses]
        rates[folder] = (sum(found), len(found))
    total_found = sum(f for f, _ in rates.values())
    total = sum(n for _, n in rates.values())
    assert total == len(rows)
    summary = {k: f"{f}/{n}" for k, (f, n) in rates.items()}
    record_property("detection_rates", json.dumps(summary))
    print("detection rates:", summary)
    assert total_found / total >= MIN_DETECTION_RATE, summary
