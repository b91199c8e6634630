"""The frame pipeline: source -> pose -> rules -> events, each arrow a plain function or generator.

    header, poses = pipeline.poses("samples/video/knee_rolls.mp4", exercise="knee_rolls")  # source -> pose
    for frame in poses:                                                                   # PoseFrame (maybe empty)
        events = run.update(frame)                                                        # rules -> events

A recording (`.jsonl`) replays its poses; anything else goes through MediaPipe, asked only for what
the exercise's checks read (`needs_mask`, `search_every_ms`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from posecheck.landmarks import PoseFrame
from posecheck.lumbar import LumbarFlow
from posecheck.models import DEFAULT_VARIANT, ResolvedModel, resolve_model
from posecheck.pose import SEARCH_EVERY_MS, PoseEstimator
from posecheck.progress import progress
from posecheck.recording import RecordingHeader, iter_recording
from posecheck.sources import Frame, ImagesSource, Source, is_recording, open_source


@functools.cache  # asked on every live frame; a rule module's answer never changes
def needs_mask(exercise: str | None) -> bool:
    """Whether the exercise reads the person's outline (the belly's, for breaths), which needs
    MediaPipe's segmentation mask (a rule module says so with `USES_OUTLINE = True`). No exercise named
    (a recording made for later): yes, so the recording holds the outline too."""
    if exercise is None:
        return True
    import exercise_rules

    return bool(getattr(exercise_rules.get(exercise), "USES_OUTLINE", False))


@functools.cache
def needs_lumbar(exercise: str | None) -> bool:
    """Whether the exercise counts from the lower back's movement in the picture (posecheck.lumbar; a rule
    module says so with `USES_LUMBAR = True`). No exercise named: yes, as for the outline."""
    if exercise is None:
        return True
    import exercise_rules

    return bool(getattr(exercise_rules.get(exercise), "USES_LUMBAR", False))


@functools.cache
def search_every_ms(exercise: str | None) -> int:
    """How often the pose stage runs MediaPipe's person detector (two poses) for `exercise`: on every
    frame for a rule module that says `DETECT_EVERY_FRAME = True` (its checks misread a pose tracked
    alone) and when no exercise is named (a recording made for any of them), else on posecheck.pose's
    schedule."""
    if exercise is None:
        return 0
    import exercise_rules

    return 0 if getattr(exercise_rules.get(exercise), "DETECT_EVERY_FRAME", False) else SEARCH_EVERY_MS


def estimate(frames: Iterator[Frame], estimator: PoseEstimator, lumbar: LumbarFlow | None = None
             ) -> Iterator[PoseFrame]:
    """pose: one PoseFrame per camera frame (with the lower back's movement when `lumbar` is given)."""
    for frame in frames:
        pose = estimator.detect(frame.image, frame.timestamp_ms)
        yield pose if lumbar is None else lumbar(frame.image, pose)


def header_for(source: Source, model: ResolvedModel) -> RecordingHeader:
    return RecordingHeader(
        source=source.description, fps=source.fps, image_size=source.size,
        model_variant=model.variant, model_sha256=model.sha256,
    )


def poses(spec: str, variant: str = DEFAULT_VARIANT, model: str | Path | None = None,
          show_progress: bool = True, exercise: str | None = None) -> tuple[RecordingHeader, Iterator[PoseFrame]]:
    """The poses of a source (video, image folder, webcam) or of a recording's replay, for `exercise`'s
    rules (None: everything posecheck can read, the outline included, with the detector on every
    frame as for the most demanding exercise)."""
    if is_recording(str(spec)):
        return iter_recording(spec)
    resolved = resolve_model(variant, model)  # before opening a camera: fail fast without a model
    mask, search = needs_mask(exercise), search_every_ms(exercise)
    source = open_source(spec)
    mode = "image" if isinstance(source, ImagesSource) else "video"

    def run() -> Iterator[PoseFrame]:
        with source, PoseEstimator(resolved.path, mode=mode, needs_mask=mask,
                                         search_every_ms=search) as estimator:
            frames = progress(source.frames(), source.frame_count, Path(source.description).name,
                              enabled=show_progress and not source.live)
            yield from estimate(frames, estimator, LumbarFlow() if needs_lumbar(exercise) else None)

    return header_for(source, resolved), run()
