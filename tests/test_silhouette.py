"""The back's outline from a segmentation mask: a sag brings it down towards the hip-shoulder line."""

from __future__ import annotations

import math

import cv2
import numpy as np

from posecheck.silhouette import torso_outline

HIP, SHOULDER = np.array([100.0, 200.0]), np.array([300.0, 200.0])  # a torso 200 px long, level


def _all_fours_mask(sag_px: float) -> np.ndarray:
    """A level torso seen from the side, 70 px thick, its back (top edge) 30 px over the joints' line,
    dipping by `sag_px` in the middle (a bend, not a slope)."""
    mask = np.zeros((400, 400), np.float32)
    xs = np.arange(80, 321)
    top = 200 - 30 + sag_px * np.clip(1 - np.abs(xs - 200) / 90, 0, None)
    outline = np.concatenate([np.stack([xs, top], 1), [[320, 240], [80, 240]]]).astype(np.int32)
    cv2.fillPoly(mask, [outline], 1.0)
    return mask


def test_a_straight_back_stands_its_thickness_over_the_joints_line():
    assert math.isclose(torso_outline(_all_fours_mask(0), HIP, SHOULDER), 30 / 200, abs_tol=0.01)


def test_a_sagging_back_brings_its_outline_down_towards_the_joints_line():
    straight = torso_outline(_all_fours_mask(0), HIP, SHOULDER)
    sagging = torso_outline(_all_fours_mask(14), HIP, SHOULDER)
    assert math.isclose(straight - sagging, 14 / 200, abs_tol=0.012)


def test_the_outline_is_read_the_same_facing_either_way():
    mask = _all_fours_mask(10)
    mirrored = mask[:, ::-1].copy()
    flip = np.array([399.0, 0.0])
    assert math.isclose(torso_outline(mask, HIP, SHOULDER),
                        torso_outline(mirrored, np.abs(flip - HIP), np.abs(flip - SHOULDER)), abs_tol=0.01)


def test_no_person_in_the_mask_gives_no_outline():
    assert math.isnan(torso_outline(np.zeros((400, 400), np.float32), HIP, SHOULDER))
