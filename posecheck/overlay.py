"""Drawing the pose on an image; no judging here (that is the rules' job)."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from posecheck.landmarks import SKELETON, Landmark, PoseFrame

MIN_VISIBILITY = 0.5  # landmarks MediaPipe is less sure of are drawn faint, not hidden

BONE_BGR = (235, 200, 40)  # teal-blue: stands out on skin, clothes and floors alike
JOINT_BGR = (255, 255, 255)
FAINT_BGR = (150, 150, 150)
HIGHLIGHT_BGR = (40, 40, 230)  # red: the joints a fault is about


def draw_skeleton(
    image: np.ndarray,
    frame: PoseFrame,
    *,
    color: tuple[int, int, int] = BONE_BGR,
    joint_color: tuple[int, int, int] = JOINT_BGR,
    thickness: int | None = None,
    highlight: Iterable[Landmark] = (),
    min_visibility: float = MIN_VISIBILITY,
) -> np.ndarray:
    """Draw `frame`'s skeleton onto the BGR `image` in place and return it.

    The frame's normalised coordinates are scaled to `image`'s own size, so the image may be a resized
    copy of the camera frame. Bones with a landmark seen poorly are drawn thin and grey; `highlight`
    joints are ringed in red. An empty frame draws nothing.
    """
    if not frame.has_pose:
        return image
    height, width = image.shape[:2]
    scale = max(width, height)
    thickness = thickness or max(2, round(scale / 240))
    points = np.round(frame.image[:, :2] * (width, height)).astype(np.int32)
    seen = frame.visibility >= min_visibility
    # Faint bones first, so a guess never hides a bone MediaPipe is sure of.
    for a, b in sorted(SKELETON, key=lambda bone: bool(seen[bone[0]] and seen[bone[1]])):
        good = seen[a] and seen[b]
        cv2.line(
            image,
            tuple(int(v) for v in points[a]),
            tuple(int(v) for v in points[b]),
            color if good else FAINT_BGR,
            thickness if good else max(1, thickness // 2),
            cv2.LINE_AA,
        )
    radius = thickness + 1
    for index in {int(m) for bone in SKELETON for m in bone}:
        centre = tuple(int(v) for v in points[index])
        cv2.circle(image, centre, radius, joint_color if seen[index] else FAINT_BGR, -1, cv2.LINE_AA)
    for mark in highlight:
        centre = tuple(int(v) for v in points[int(mark)])
        cv2.circle(image, centre, radius * 3, HIGHLIGHT_BGR, max(2, thickness), cv2.LINE_AA)
    return image
