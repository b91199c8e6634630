"""Committed rendered clips scored end to end as `posecheck evaluate` scores them: video -> MediaPipe
(full) -> the exercise's rules -> events scored against the clip's labels. Shared by the held-out video
tests (samples/video_untuned, samples/video_random): what each asserts comes from the labels, and a
measured miss is a strict xfail giving the reading, so a change either way shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from posecheck.evaluate import from_rendered_video, score_labelled
from posecheck.landmarks import PoseFrame
from posecheck.pipeline import poses


class RenderedClips:
    """The clips of one folder (names relative to it, without the suffix) and their measured misses,
    {(clip, test): what was measured}."""

    def __init__(self, folder: Path, clips: tuple[str, ...], misses: dict[tuple[str, str], str]) -> None:
        self.folder, self.clips, self.misses = folder, clips, misses
        self._frames: dict[str, tuple[PoseFrame, ...]] = {}

    def cases(self, test: str, clips: tuple[str, ...] | None = None) -> list[Any]:
        """pytest params for `test` over `clips` (all by default), the measured misses as strict xfails."""
        return [pytest.param(clip, id=clip.replace("/", "-"),
                             marks=[pytest.mark.xfail(strict=True, raises=AssertionError,
                                                      reason=self.misses[clip, test])]
                             if (clip, test) in self.misses else [])
                for clip in (self.clips if clips is None else clips)]

    def labels(self, clip: str) -> dict[str, Any]:
        return json.loads((self.folder / f"{clip}.json").read_text())

    def frames(self, clip: str) -> tuple[PoseFrame, ...]:
        """The clip's poses, as `posecheck evaluate` reads them (full model, what the exercise's checks need)."""
        if clip not in self._frames:
            _, frames = poses(str(self.folder / f"{clip}.mp4"), "full", show_progress=False,
                              exercise=self.labels(clip)["exercise"])
            self._frames[clip] = tuple(frames)
        return self._frames[clip]

    def scored(self, clip: str, **profile: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """The clip's labels (evaluate's format) and the rules' events scored against them."""
        labels = {**from_rendered_video(self.labels(clip)), "profile": profile}
        return labels, score_labelled(labels, self.frames(clip))


def assert_every_rep_counted(labels: dict[str, Any], scored: dict[str, Any]) -> None:
    assert scored["detection_rate"] == 1.0
    assert scored["reps_detected"] == labels["rep_count"]["total"]


def assert_each_fault_found(labels: dict[str, Any], scored: dict[str, Any]) -> None:
    labelled = {check: sum(check in rep["faults"] for rep in labels["reps"]) for check in scored["checks"]}
    assert sum(labelled.values()) > 0, "the clip has no labelled fault this exercise judges"
    assert {check: scored["checks"][check]["tp"] for check in labelled} == labelled


def assert_nothing_unlabelled(scored: dict[str, Any]) -> None:
    assert {check: k["fp"] for check, k in scored["checks"].items() if k["fp"]} == {}
    assert scored["false_alarms"] == 0
