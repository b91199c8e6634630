"""`--variant auto`: the most accurate pose model that keeps up with the camera on this machine.

At the start of a live session each model present is timed on the bundled clip's frames (a person on a
mat, resized to the camera's picture), tracked as the live loop runs it, after a warm-up; the most
accurate one (heavy, then full, then lite) whose inference fits in the camera's frame interval, with
headroom, is chosen. None fits: the fastest present (lite when it is there).

    choice = choose({"lite": 21.0, "full": 31.5, "heavy": 95.0}, camera_fps=30)   # pure
    choice.variant, choice.why                                                      # "full", "..."
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from posecheck.models import ResolvedModel

AUTO = "auto"
# Most accurate first.
BY_ACCURACY = ("heavy", "full", "lite")
FALLBACK = "lite"
# Share of the camera's frame interval one inference may take: the rest goes to the rules, the window,
# the camera thread and a search for a bystander now and then (about two frames' inference every two seconds).
HEADROOM = 0.75
# The first inferences set MediaPipe up (and find the person with the detector): not timed.
WARMUP_FRAMES = 4
TIMED_FRAMES = 10
# A camera that does not say its rate is taken to be this fast (most webcams).
DEFAULT_CAMERA_FPS = 30.0


@dataclass(frozen=True)
class Choice:
    variant: str
    why: str
    timings_ms: dict[str, float] = field(default_factory=dict)  # median inference per variant timed

    def to_dict(self) -> dict[str, object]:
        return {"variant": self.variant, "chosen_by": AUTO, "why": self.why,
                "inference_ms": {k: round(v, 1) for k, v in self.timings_ms.items()}}


def budget_ms(camera_fps: float, headroom: float = HEADROOM) -> float:
    """How long one inference may take to keep up with a camera of `camera_fps`."""
    fps = camera_fps if camera_fps and camera_fps > 0 else DEFAULT_CAMERA_FPS
    return headroom * 1000.0 / fps


def choose(timings_ms: Mapping[str, float], camera_fps: float, headroom: float = HEADROOM) -> Choice:
    """The most accurate variant whose median inference (ms) fits the camera's frame interval with
    headroom; the fastest timed when none does. Variants without a timing (not present) are not chosen: a
    machine with only the full model, too slow for the camera, runs the full model rather than fail for want
    of lite."""
    budget = budget_ms(camera_fps, headroom)
    fps = camera_fps if camera_fps and camera_fps > 0 else DEFAULT_CAMERA_FPS
    timed = ", ".join(f"{v} {timings_ms[v]:.0f} ms" for v in reversed(BY_ACCURACY) if v in timings_ms)
    for variant in BY_ACCURACY:
        if variant in timings_ms and timings_ms[variant] <= budget:
            return Choice(variant, f"the most accurate model within {budget:.0f} ms a frame "
                          f"(a {fps:g} fps camera): {timed}", dict(timings_ms))
    fastest = min(timings_ms, key=lambda v: timings_ms[v], default=FALLBACK)
    return Choice(fastest, f"no model keeps up with a {fps:g} fps camera ({budget:.0f} ms a frame): {timed}; "
                  "the fastest present", dict(timings_ms))


def sample_frames(size: tuple[int, int], n: int = WARMUP_FRAMES + TIMED_FRAMES) -> list[np.ndarray]:
    """Frames of the bundled clip (a person on a mat) at the camera's picture size."""
    import cv2

    from posecheck.demo import DEMO_CLIP, clip_path
    from posecheck.sources import open_source

    with open_source(str(clip_path(DEMO_CLIP))) as source:
        images = [f.image for _, f in zip(range(n), source.frames(), strict=False)]
    width, height = size
    if width > 0 and height > 0:
        images = [cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR) for image in images]
    return images


def time_inference(model: Path, frames: list[np.ndarray], needs_mask: bool = False, every_frame: bool = False,
                   clock: Callable[[], float] = time.perf_counter) -> float:
    """Median ms of one inference (video mode, as the live loop runs it) after the warm-up: tracked, or
    with the detector on every frame (`every_frame`, an exercise with DETECT_EVERY_FRAME)."""
    from posecheck.pose import PoseEstimator

    times = []
    # No scheduled search in the tracked frames: it is paid for by the headroom.
    with PoseEstimator(model, mode="video", needs_mask=needs_mask,
                       search_every_ms=0 if every_frame else 10**9) as estimator:
        for i, image in enumerate(frames):
            start = clock()
            estimator.detect(image, i * 33)
            if i >= WARMUP_FRAMES:
                times.append((clock() - start) * 1000.0)
    return statistics.median(times)


def pick(present: Mapping[str, Path], camera_fps: float, size: tuple[int, int],
         needs_mask: bool = False, every_frame: bool = False) -> Choice:
    """Times the present models, fastest first, stopping at the first too slow for the camera
    (a more accurate one is slower still), and chooses."""
    frames = sample_frames(size)
    budget = budget_ms(camera_fps)
    timings: dict[str, float] = {}
    for variant in reversed(BY_ACCURACY):
        if variant not in present:
            continue
        timings[variant] = time_inference(present[variant], frames, needs_mask, every_frame)
        if timings[variant] > budget:
            break
    return choose(timings, camera_fps)


def present_models() -> dict[str, Path]:
    """The variants fetched and intact; none: the error saying how to fetch one."""
    from posecheck.models import DEFAULT_VARIANT, VARIANTS, ModelError, resolve_model

    present = {}
    for variant in VARIANTS:
        try:
            present[variant] = resolve_model(variant).path
        except ModelError:
            continue
    if not present:
        resolve_model(DEFAULT_VARIANT)  # raises, saying how to fetch it
    return present


def resolve_auto(present: Mapping[str, Path], camera_fps: float, size: tuple[int, int],
                 needs_mask: bool = False, every_frame: bool = False) -> tuple[ResolvedModel, Choice]:
    """The chosen model, resolved as `--variant` would resolve it, and why it was chosen."""
    from posecheck.models import resolve_model

    choice = pick(present, camera_fps, size, needs_mask, every_frame)
    return resolve_model(choice.variant), choice
