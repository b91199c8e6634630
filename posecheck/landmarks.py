"""The pose of one frame: MediaPipe's 33 landmarks as NumPy arrays in a small frozen dataclass."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np

N_LANDMARKS = 33


class Landmark(IntEnum):
    """MediaPipe's 33-landmark pose layout (BlazePose topology)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


# Bones drawn as the skeleton (pairs of landmarks).
SKELETON: tuple[tuple[Landmark, Landmark], ...] = tuple(
    (Landmark[a], Landmark[b])
    for a, b in [
        ("LEFT_EAR", "LEFT_EYE"), ("RIGHT_EAR", "RIGHT_EYE"), ("LEFT_EYE", "NOSE"), ("RIGHT_EYE", "NOSE"),
        ("LEFT_SHOULDER", "RIGHT_SHOULDER"), ("LEFT_HIP", "RIGHT_HIP"),
        ("LEFT_SHOULDER", "LEFT_HIP"), ("RIGHT_SHOULDER", "RIGHT_HIP"),
        ("LEFT_SHOULDER", "LEFT_ELBOW"), ("LEFT_ELBOW", "LEFT_WRIST"),
        ("RIGHT_SHOULDER", "RIGHT_ELBOW"), ("RIGHT_ELBOW", "RIGHT_WRIST"),
        ("LEFT_HIP", "LEFT_KNEE"), ("LEFT_KNEE", "LEFT_ANKLE"), ("LEFT_ANKLE", "LEFT_HEEL"),
        ("LEFT_HEEL", "LEFT_FOOT_INDEX"), ("LEFT_ANKLE", "LEFT_FOOT_INDEX"),
        ("RIGHT_HIP", "RIGHT_KNEE"), ("RIGHT_KNEE", "RIGHT_ANKLE"), ("RIGHT_ANKLE", "RIGHT_HEEL"),
        ("RIGHT_HEEL", "RIGHT_FOOT_INDEX"), ("RIGHT_ANKLE", "RIGHT_FOOT_INDEX"),
    ]
)


def _array(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = np.asarray(value, dtype=np.float32)
    if out.shape != shape:
        raise ValueError(f"expected shape {shape}, got {out.shape}")
    return out


@dataclass(frozen=True)
class PoseFrame:
    """The exerciser's pose in one frame, or no pose (an empty frame, not `None`).

    - `image`: (33, 3) normalised image coordinates: x, y in [0, 1] of the image width and height,
      z MediaPipe's relative depth (same scale as x, smaller is nearer the camera).
    - `visibility`, `presence`: (33,) MediaPipe's scores in [0, 1].
    - `world`: (33, 3) metres, origin between the hips (MediaPipe's world landmarks).
    - `torso_outline`: how high the torso's upper outline stands above the hip-to-shoulder line at its
      lowest, in torso lengths, from MediaPipe's segmentation mask (posecheck.silhouette); NaN: none.
    - `lumbar`: the lower back's movement across the body (posecheck.lumbar), torso lengths; NaN: none.
    - `belly`: the belly's upper outline above the hip-to-shoulder line of the last seconds (posecheck.breath
      counts breaths in it), torso lengths, from the segmentation mask; NaN: none.
    An empty frame has arrays of length 0.
    """

    timestamp_ms: int
    image_size: tuple[int, int]  # (width, height) in pixels
    image: np.ndarray = field(repr=False)
    visibility: np.ndarray = field(repr=False)
    presence: np.ndarray = field(repr=False)
    world: np.ndarray = field(repr=False)
    torso_outline: float = math.nan
    lumbar: float = math.nan  # the lower back's band-passed movement (posecheck.lumbar); NaN: not measured
    belly: float = math.nan  # the belly's outline (posecheck.silhouette.belly_outline); NaN: not measured

    def __post_init__(self) -> None:
        n = len(self.image)
        if n not in (0, N_LANDMARKS):
            raise ValueError(f"a pose has {N_LANDMARKS} landmarks or none, not {n}")
        object.__setattr__(self, "image", _array(self.image, (n, 3)))
        object.__setattr__(self, "visibility", _array(self.visibility, (n,)))
        object.__setattr__(self, "presence", _array(self.presence, (n,)))
        object.__setattr__(self, "world", _array(self.world, (n, 3)))
        object.__setattr__(self, "image_size", (int(self.image_size[0]), int(self.image_size[1])))
        object.__setattr__(self, "timestamp_ms", int(self.timestamp_ms))
        object.__setattr__(self, "torso_outline", float(self.torso_outline))
        object.__setattr__(self, "belly", float(self.belly))
        object.__setattr__(self, "lumbar", float(self.lumbar))

    @classmethod
    def empty(cls, timestamp_ms: int, image_size: tuple[int, int]) -> PoseFrame:
        """A frame in which nobody was found."""
        return cls(timestamp_ms, image_size, np.zeros((0, 3)), np.zeros(0), np.zeros(0), np.zeros((0, 3)))

    @classmethod
    def from_mediapipe(
        cls, result: Any, timestamp_ms: int, image_size: tuple[int, int], index: int = 0
    ) -> PoseFrame:
        """The `index`-th person of a MediaPipe `PoseLandmarkerResult` (empty when there is none)."""
        if index >= len(result.pose_landmarks):
            return cls.empty(timestamp_ms, image_size)
        marks = result.pose_landmarks[index]
        world = result.pose_world_landmarks[index]
        return cls(
            timestamp_ms,
            image_size,
            [(m.x, m.y, m.z) for m in marks],
            [_score(m.visibility) for m in marks],
            [_score(m.presence) for m in marks],
            [(m.x, m.y, m.z) for m in world],
        )

    @property
    def has_pose(self) -> bool:
        return len(self.image) == N_LANDMARKS

    def __bool__(self) -> bool:
        return self.has_pose

    @property
    def xy(self) -> np.ndarray:
        """(33, 2) image coordinates in pixels (x right, y down)."""
        return self.image[:, :2] * np.asarray(self.image_size, dtype=np.float32)

    def point(self, landmark: Landmark) -> np.ndarray:
        """One landmark's pixel position (x, y)."""
        return self.xy[int(landmark)]


def _score(value: float | None) -> float:
    return 0.0 if value is None else float(value)
