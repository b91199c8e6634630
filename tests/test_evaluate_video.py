"""`posecheck evaluate` on rendered clips: video items run through MediaPipe and are scored."""

from __future__ import annotations

import json
import shutil

from conftest import REPO, run_cli

VIDEO = REPO / "samples" / "video"
CLIP = "back_extensions__hold_too_short__right__b2"  # the shortest clip: keeps the test quick


def test_a_rendered_clip_is_evaluated_as_a_video_item_with_its_detection_rate(tmp_path, full_model):
    for suffix in (".mp4", ".json"):
        shutil.copy(VIDEO / f"{CLIP}{suffix}", tmp_path / f"{CLIP}{suffix}")
    labels = json.loads((VIDEO / f"{CLIP}.json").read_text())
    out = tmp_path / "eval.json"
    done = run_cli("evaluate", str(tmp_path), "--json", str(out))
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    [item] = result["items"]
    assert item["kind"] == "video" and item["exercise"] == "back_extensions"
    # The rendered person is found in (nearly) every frame.
    assert item["detection_rate"] >= 0.95
    assert set(result["exercises"]) == {"back_extensions"}
    for key in ("rep_exact_rate", "rep_mae", "fault_precision", "fault_recall", "fault_f1",
                "false_alarms_per_correct_rep", "abstention_rate", "detection_rate"):
        assert key in result["overall"], key
    assert item["reps_expected"] == len(labels["reps"])
    # Every labelled rep of this clip holds too briefly: the rule must find that on real pixels.
    assert all(rep["faults"] == ["hold_too_short"] for rep in labels["reps"])
    assert item["checks"]["hold_too_short"]["tp"] == len(labels["reps"])
    assert item["reps_detected"] == item["reps_expected"]
