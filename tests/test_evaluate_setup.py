"""`posecheck evaluate` says what the live set-up check would have advised before a clip's set (real
MediaPipe on a committed clip's first seconds, as rendered and in a room with the lights nearly off."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from posecheck.evaluate import setup_advice
from posecheck.live.setup_check import DARK_MEAN
from posecheck.pipeline import poses

CLIP = Path(__file__).resolve().parents[1] / "samples" / "video" / "knee_rolls__correct__right__b1.mp4"
LEAD_IN_MS = 2000


def _copy(tmp_path: Path, name: str, gain: float) -> Path:
    capture = cv2.VideoCapture(str(CLIP))
    fps = capture.get(cv2.CAP_PROP_FPS)
    out = tmp_path / name
    writer = None
    for _ in range(round(fps * LEAD_IN_MS / 1000) + 5):
        ok, image = capture.read()
        if not ok:
            break
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, image.shape[1::-1])
        writer.write(cv2.convertScaleAbs(image, alpha=gain))
    capture.release()
    assert writer is not None
    writer.release()
    return out


@pytest.mark.parametrize(("gain", "warned"), [(1.0, None), (0.15, "light")])
def test_set_up_advice_before_the_set(tmp_path: Path, gain: float, warned: str | None) -> None:
    video = _copy(tmp_path, f"gain{gain}.mp4", gain)
    image = cv2.VideoCapture(str(video)).read()[1]
    assert (float(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).mean()) < DARK_MEAN) == (warned == "light")
    _, stream = poses(str(video), show_progress=False, exercise="knee_rolls")
    found = setup_advice(video, list(stream), LEAD_IN_MS)
    assert found["setup_warned"] == (warned is not None)
    if warned:
        assert found["setup_advice"] == warned and found["setup_advice_share"] >= 0.5
    else:
        assert found["setup_advice_share"] < 0.5


def test_items_scored_in_parallel_score_as_one_at_a_time(tmp_path: Path) -> None:
    import shutil

    from posecheck.evaluate import evaluate_dir

    kinematic = CLIP.parents[1] / "kinematic"
    for stem in ("back_extensions__hips_grounded__dev1000", "knee_rolls__correct__dev1000",
                 "heels_stretch__knees_under_hips__dev1001"):
        for suffix in (".jsonl", ".labels.json"):
            shutil.copy(kinematic / f"{stem}{suffix}", tmp_path)
    one, two = evaluate_dir(tmp_path), evaluate_dir(tmp_path, jobs=2)
    assert len(one["items"]) == 3 and one["items"] == two["items"]
    assert one["overall"] == two["overall"]
