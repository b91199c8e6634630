"""Pose estimation: MediaPipe's PoseLandmarker, one `PoseFrame` per image, following the exerciser."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

import numpy as np

from posecheck.errors import PosecheckError
from posecheck.landmarks import Landmark, PoseFrame
from posecheck.native import quiet_stderr
from posecheck.silhouette import torso_outline

Mode = Literal["image", "video", "live"]

# Two candidates are enough to tell the exerciser from one bystander; more costs detector time.
DEFAULT_NUM_POSES = 2
# A candidate further than this many torso lengths from the exerciser's last position is someone else.
SAME_PERSON_MAX_JUMP = 1.0

_TORSO = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
_BODY = [*_TORSO, Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE, Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]


def torso_centre(frame: PoseFrame) -> np.ndarray:
    return frame.xy[_TORSO].mean(axis=0)


def torso_length(frame: PoseFrame) -> float:
    xy = frame.xy
    shoulders = xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=0)
    hips = xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=0)
    return float(np.linalg.norm(shoulders - hips))


def outline_of(frame: PoseFrame, mask: np.ndarray) -> float:
    """The torso's outline (posecheck.silhouette) in `frame`, from MediaPipe's mask for that person."""
    xy = frame.xy
    hip = xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=0)
    shoulder = xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=0)
    return torso_outline(mask[..., 0] if mask.ndim == 3 else mask, hip, shoulder)


def choose_exerciser(candidates: Sequence[PoseFrame], previous: PoseFrame | None) -> int | None:
    """Which candidate is the exerciser: the one nearest where they were, else the one on the floor.

    People on the mat lie, kneel or sit low; a bystander stands or kneels above them, so with no
    history we take the candidate whose body sits lowest in the image.
    """
    if not candidates:
        return None
    if previous is not None and previous.has_pose:
        scale = max(torso_length(previous), 1.0)
        jumps = [float(np.linalg.norm(torso_centre(c) - torso_centre(previous))) / scale for c in candidates]
        nearest = int(np.argmin(jumps))
        if jumps[nearest] <= SAME_PERSON_MAX_JUMP:
            return nearest
    return int(np.argmax([c.xy[_BODY, 1].mean() for c in candidates]))


class PoseEstimator:
    """MediaPipe's PoseLandmarker in one running mode; use as a context manager.

    `detect(image_bgr, timestamp_ms)` returns the exerciser's PoseFrame (empty when nobody is seen).
    In "live" mode, `submit` hands a frame over without waiting and `latest()` gives the newest result.
    """

    def __init__(self, model_path: str | Path, mode: Mode = "video", num_poses: int = DEFAULT_NUM_POSES,
                 min_confidence: float = 0.5) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        self.mode = mode
        self.people_seen = 0  # how many people the last frame held (before choosing the exerciser)
        self._previous: PoseFrame | None = None
        self._last_ts: int | None = None
        self._warmed = False
        self._lock = threading.Lock()
        self._latest: PoseFrame | None = None
        self._pending: dict[int, tuple[int, tuple[int, int]]] = {}
        running_mode = {
            "image": vision.RunningMode.IMAGE,
            "video": vision.RunningMode.VIDEO,
            "live": vision.RunningMode.LIVE_STREAM,
        }[mode]
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=running_mode,
            num_poses=num_poses,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
            # The mask shows what landmarks cannot: the outline of the back (posecheck.silhouette).
            output_segmentation_masks=True,
            result_callback=self._on_result if mode == "live" else None,
        )
        try:
            with quiet_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError, OSError) as error:
            raise PosecheckError(f"cannot load the pose model {model_path}: {error}") from error

    def _to_frame(self, result, timestamp_ms: int, size: tuple[int, int]) -> PoseFrame:
        candidates = [PoseFrame.from_mediapipe(result, timestamp_ms, size, i)
                      for i in range(len(result.pose_landmarks))]
        self.people_seen = len(candidates)
        # Still images are unrelated to each other: only video follows a person from frame to frame.
        previous = None if self.mode == "image" else self._previous
        chosen = choose_exerciser(candidates, previous)
        frame = PoseFrame.empty(timestamp_ms, size) if chosen is None else candidates[chosen]
        if frame.has_pose and chosen is not None and len(result.segmentation_masks or ()) > chosen:
            frame = replace(frame, torso_outline=outline_of(frame, result.segmentation_masks[chosen].numpy_view()))
        if frame.has_pose:
            self._previous = frame
        return frame

    @staticmethod
    def _mp_image(image_bgr: np.ndarray):
        import mediapipe as mp

        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
            raise PosecheckError(f"expected an 8-bit colour image, got shape {image_bgr.shape}")
        rgb = np.ascontiguousarray(image_bgr[:, :, ::-1])
        return mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)

    def _monotonic(self, timestamp_ms: int) -> int:
        # MediaPipe refuses timestamps that do not increase; a broken file can repeat one.
        ts = timestamp_ms if self._last_ts is None or timestamp_ms > self._last_ts else self._last_ts + 1
        self._last_ts = ts
        return ts

    def detect(self, image_bgr: np.ndarray, timestamp_ms: int) -> PoseFrame:
        size = (image_bgr.shape[1], image_bgr.shape[0])
        image = self._mp_image(image_bgr)
        if self.mode == "live":
            raise PosecheckError("detect() is for image and video modes; use submit() in live mode")
        # The first inference logs its set-up natively; later ones are silent.
        quiet = quiet_stderr() if not self._warmed else contextlib.nullcontext()
        with quiet:
            if self.mode == "image":
                result = self._landmarker.detect(image)
            else:
                result = self._landmarker.detect_for_video(image, self._monotonic(timestamp_ms))
        self._warmed = True
        return self._to_frame(result, timestamp_ms, size)

    def submit(self, image_bgr: np.ndarray, timestamp_ms: int) -> None:
        """Live mode: hand a frame to MediaPipe without waiting; the result arrives in `latest()`."""
        ts = self._monotonic(timestamp_ms)
        with self._lock:
            self._pending[ts] = (timestamp_ms, (image_bgr.shape[1], image_bgr.shape[0]))
        self._landmarker.detect_async(self._mp_image(image_bgr), ts)

    def _on_result(self, result, _image, ts: int) -> None:
        with self._lock:
            timestamp_ms, size = self._pending.pop(ts, (ts, (0, 0)))
            for old in [t for t in self._pending if t < ts]:
                del self._pending[old]  # MediaPipe dropped these frames
            self._latest = self._to_frame(result, timestamp_ms, size)

    def latest(self) -> PoseFrame | None:
        with self._lock:
            return self._latest

    def close(self) -> None:
        with quiet_stderr():
            self._landmarker.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
