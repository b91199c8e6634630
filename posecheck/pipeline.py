"""The frame pipeline: source -> pose -> rules -> events, each arrow a plain function or generator.

    header, poses = pipeline.poses("samples/video/knee_rolls.mp4")   # source -> pose
    for frame in poses:                                             # PoseFrame (maybe empty)
        events = run.update(frame)                                  # rules -> events

A recording (`.jsonl`) replays its poses; anything else goes through MediaPipe.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from posecheck.landmarks import PoseFrame
from posecheck.models import DEFAULT_VARIANT, ResolvedModel, resolve_model
from posecheck.pose import PoseEstimator
from posecheck.progress import progress
from posecheck.recording import RecordingHeader, iter_recording
from posecheck.sources import Frame, ImagesSource, Source, is_recording, open_source


def estimate(frames: Iterator[Frame], estimator: PoseEstimator) -> Iterator[PoseFrame]:
    """pose: one PoseFrame per camera frame."""
    for frame in frames:
        yield estimator.detect(frame.image, frame.timestamp_ms)


def header_for(source: Source, model: ResolvedModel) -> RecordingHeader:
    return RecordingHeader(
        source=source.description, fps=source.fps, image_size=source.size,
        model_variant=model.variant, model_sha256=model.sha256,
    )


def poses(spec: str, variant: str = DEFAULT_VARIANT, model: str | Path | None = None,
          show_progress: bool = True) -> tuple[RecordingHeader, Iterator[PoseFrame]]:
    """The poses of a source (video, image folder, webcam) or of a recording's replay."""
    if is_recording(str(spec)):
        return iter_recording(spec)
    resolved = resolve_model(variant, model)  # before opening a camera: fail fast without a model
    source = open_source(spec)
    mode = "image" if isinstance(source, ImagesSource) else "video"

    def run() -> Iterator[PoseFrame]:
        with source, PoseEstimator(resolved.path, mode=mode) as estimator:
            frames = progress(source.frames(), source.frame_count, Path(source.description).name,
                              enabled=show_progress and not source.live)
            yield from estimate(frames, estimator)

    return header_for(source, resolved), run()
