"""Real MediaPipe inference on real pixels: the astronaut photograph, as an image and as a video."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import ASTRONAUT_SHIFT_PX, REPO

from posecheck import pipeline
from posecheck.landmarks import Landmark, PoseFrame
from posecheck.pose import PoseEstimator, choose_exerciser


def _haar_face(image_bgr: np.ndarray) -> tuple[int, int, int, int]:
    """The largest face OpenCV's Haar cascade finds: an independent witness for the nose landmark."""
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    faces = cascade.detectMultiScale(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY), 1.1, 5)
    assert len(faces) >= 1
    return tuple(max(faces, key=lambda f: f[2] * f[3]))


def test_astronaut_photo_is_found_with_the_nose_on_her_face(astronaut_bgr, full_model):
    with PoseEstimator(full_model, mode="image") as estimator:
        frame = estimator.detect(astronaut_bgr, 0)
    assert frame.has_pose
    assert frame.image_size == (astronaut_bgr.shape[1], astronaut_bgr.shape[0])
    x, y, w, h = _haar_face(astronaut_bgr)
    nose = frame.point(Landmark.NOSE)
    assert x <= nose[0] <= x + w and y <= nose[1] <= y + h
    # Upright in the photo: shoulders below the face, and both seen well.
    shoulders = frame.xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]]
    assert (shoulders[:, 1] > y + h).all()
    assert frame.visibility[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].min() > 0.8
    assert frame.world.shape == (33, 3) and np.abs(frame.world).max() < 2.0  # metres, around the hips


def test_astronaut_video_is_followed_as_she_moves(astronaut_video, full_model):
    header, poses = pipeline.poses(str(astronaut_video), model=full_model, show_progress=False)
    frames = list(poses)
    assert header.fps == pytest.approx(15, abs=0.01)
    assert len(frames) == 30 and all(f.has_pose for f in frames)
    # Timestamps come from the file: 15 fps is 66.7 ms a frame.
    times = np.array([f.timestamp_ms for f in frames])
    assert np.all(np.diff(times) > 0)
    assert (times[-1] - times[0]) / 29 == pytest.approx(1000 / 15, abs=2)
    # The nose moves with the picture.
    nose_x = np.array([f.point(Landmark.NOSE)[0] for f in frames])
    slope = np.polyfit(np.arange(30), nose_x, 1)[0]
    assert slope == pytest.approx(ASTRONAUT_SHIFT_PX, abs=0.6)


def test_an_empty_room_gives_empty_frames_not_none(full_model):
    blank = np.full((360, 480, 3), 200, np.uint8)
    with PoseEstimator(full_model, mode="video") as estimator:
        frames = [estimator.detect(blank, t * 66) for t in range(3)]
    assert all(isinstance(f, PoseFrame) and not f.has_pose for f in frames)
    assert frames[0].xy.shape == (0, 2)


def _person_at(x: float, y: float, t: int = 0) -> PoseFrame:
    """A schematic standing person centred at (x, y) in normalised image coordinates."""
    image = np.zeros((33, 3))
    image[:, 0] = x
    image[:, 1] = y
    image[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER], 1] = y - 0.1
    image[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 1] = y + 0.1
    image[[Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE], 1] = y + 0.2
    image[[Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE], 1] = y + 0.3
    return PoseFrame(t, (640, 480), image, np.ones(33), np.ones(33), np.zeros((33, 3)))


def test_the_person_lowest_in_the_picture_is_taken_for_the_exerciser_at_first():
    bystander, on_mat = _person_at(0.3, 0.3), _person_at(0.7, 0.6)
    assert choose_exerciser([bystander, on_mat], previous=None) == 1


def test_the_exerciser_is_followed_even_when_a_bystander_is_lower():
    exerciser = _person_at(0.7, 0.4)
    moved_a_little = _person_at(0.71, 0.41)
    lower_bystander = _person_at(0.2, 0.6)
    assert choose_exerciser([lower_bystander, moved_a_little], previous=exerciser) == 1
    assert choose_exerciser([], previous=exerciser) is None


def _result_of(estimator: PoseEstimator, timestamp_ms: int) -> PoseFrame | None:
    """Live mode: the pose of the frame submitted at `timestamp_ms`, once it is the newest (None: not
    within 30 s)."""
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        latest = estimator.latest()
        if latest is not None and latest.timestamp_ms == timestamp_ms:
            return latest
        time.sleep(0.01)
    return None


def test_live_mode_gives_the_newest_pose_through_latest(astronaut_bgr, full_model):
    import time

    with PoseEstimator(full_model, mode="live") as estimator:
        assert estimator.latest() is None
        for i in range(5):
            estimator.submit(astronaut_bgr, i * 33)
            time.sleep(0.2)  # slower than inference, so MediaPipe drops none of them
        latest = _result_of(estimator, 4 * 33)
    assert latest is not None and latest.has_pose and latest.timestamp_ms == 4 * 33
    with pytest.raises(Exception, match="submit"), PoseEstimator(full_model, mode="live") as estimator:
        estimator.detect(astronaut_bgr, 0)


def test_a_restarted_live_estimator_forgets_the_last_pose_and_finds_the_person_again(astronaut_bgr, full_model):
    # The routine restarts MediaPipe when it moves to the next exercise: nothing of the last one is kept
    # (its newest pose, whom it followed), and the next frames are inferred afresh.
    with PoseEstimator(full_model, mode="live") as estimator:
        estimator.submit(astronaut_bgr, 0)
        before = _result_of(estimator, 0)
        estimator.restart()
        assert estimator.latest() is None and estimator.searched == 1
        estimator.submit(astronaut_bgr, 33)
        after = _result_of(estimator, 33)
        assert estimator.searched == 2  # a new person: searched for, not tracked
    assert before is not None and before.has_pose and after is not None and after.has_pose
    assert np.allclose(before.xy, after.xy, atol=3.0)


def test_a_recording_replays_the_poses_it_recorded(tmp_path, astronaut_video, full_model):
    from posecheck.recording import write_recording

    header, poses = pipeline.poses(str(astronaut_video), model=full_model, show_progress=False)
    recorded = list(poses)
    path = tmp_path / "rec.jsonl"
    write_recording(path, header, recorded)
    replay_header, replayed = pipeline.poses(str(path))
    replayed = list(replayed)
    assert replay_header.fps == header.fps and replay_header.model_sha256 == header.model_sha256
    assert [f.timestamp_ms for f in replayed] == [f.timestamp_ms for f in recorded]
    np.testing.assert_allclose(replayed[7].xy, recorded[7].xy, atol=0.01)


def test_a_bystander_who_walks_in_is_seen_within_a_search_and_the_exerciser_is_kept(full_model):
    from posecheck.pose import SEARCH_EVERY_MS
    from posecheck.sources import open_source

    clips = sorted((REPO / "samples" / "video").glob("heels_stretch__correct__*.mp4"))
    if not clips:
        pytest.skip("no rendered heels-stretch clip in samples/video")
    with open_source(str(clips[0])) as source:
        frames = [f for _, f in zip(range(45), source.frames(), strict=False)]
    alone, joined = 20, 25  # the second person (a copy of the first) appears on the right at frame 20
    width = frames[0].image.shape[1]
    people, left_half, searched = [], [], []
    with PoseEstimator(full_model, mode="video") as estimator:
        for i, f in enumerate(frames):
            empty_floor = np.full_like(f.image, f.image[-5:, -5:].mean(axis=(0, 1)).astype(np.uint8))
            image = np.hstack([f.image, f.image if i >= alone else empty_floor])
            pose = estimator.detect(image, f.timestamp_ms)
            people.append(estimator.people_seen)
            left_half.append(pose.has_pose and pose.xy[:, 0].mean() < width)
            searched.append(estimator.searched)
    assert all(left_half)  # the exerciser is followed, never swapped for the newcomer
    assert people[:alone] == [1] * alone
    # One person alone is tracked, not searched for on every frame.
    assert searched[alone - 1] < alone / 2
    # The newcomer is counted within one search interval and for as long as they stay.
    interval = int(np.ceil(SEARCH_EVERY_MS / np.diff([f.timestamp_ms for f in frames]).mean()))
    first_seen = people.index(2)
    assert alone <= first_seen <= alone + interval
    assert set(people[first_seen:]) == {2}
    assert len(frames) == alone + joined
