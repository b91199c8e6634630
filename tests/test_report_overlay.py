"""The skeleton drawing the report's snapshots use (and the live window will): bones where the joints are."""

from __future__ import annotations

import numpy as np
from session_builders import KNEES_UP, SIZE, pose_frame

from posecheck.landmarks import Landmark, PoseFrame
from posecheck.overlay import BONE_BGR, FAINT_BGR, draw_skeleton


def _blank(scale: float = 0.5) -> np.ndarray:
    return np.zeros((round(SIZE[1] * scale), round(SIZE[0] * scale), 3), np.uint8)


def test_the_thigh_is_drawn_between_hip_and_knee_at_any_image_size() -> None:
    frame = pose_frame(KNEES_UP, 0)
    for scale in (0.5, 1.0):
        image = draw_skeleton(_blank(scale), frame)
        h, w = image.shape[:2]
        hip, knee = frame.image[Landmark.LEFT_HIP, :2], frame.image[Landmark.LEFT_KNEE, :2]
        middle = np.round((hip + knee) / 2 * (w, h)).astype(int)
        assert tuple(image[middle[1], middle[0]]) == BONE_BGR
        assert not image[: h // 3].any(), "nothing above the person lying on the mat"


def test_an_empty_frame_draws_nothing() -> None:
    image = draw_skeleton(_blank(), PoseFrame.empty(0, SIZE))
    assert not image.any()


def test_poorly_seen_landmarks_are_drawn_faint() -> None:
    frame = pose_frame(KNEES_UP, 0)
    visibility = frame.visibility.copy()
    visibility[[Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE]] = 0.1
    unsure = PoseFrame(0, SIZE, frame.image, visibility, frame.presence, frame.world)
    image = draw_skeleton(_blank(1.0), unsure)
    hip, knee = unsure.image[Landmark.LEFT_HIP, :2], unsure.image[Landmark.LEFT_KNEE, :2]
    middle = np.round((hip + knee) / 2 * SIZE).astype(int)
    assert tuple(image[middle[1], middle[0]]) == FAINT_BGR
