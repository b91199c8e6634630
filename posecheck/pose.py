"""Pose estimation: MediaPipe's PoseLandmarker, one `PoseFrame` per image, following the exerciser.

MediaPipe is asked only for what the exercise uses, because what it is asked for is most of its cost
(lite on 640x480, 2 cores: a second pose doubles the time of a frame, the mask adds a sixth):

- one pose, tracked: in video and live modes MediaPipe runs its person detector only when it has lost
  the person, so a tracked frame costs the landmark model alone;
- a search for a second person (a bystander) with two poses, on a schedule (`SEARCH_EVERY_MS` of
  camera time) and whenever the tracked pose is lost or jumps to somewhere else; while a search sees
  two people every frame is searched, as the exerciser must be told from the bystander on each;
- the segmentation mask only when the exercise reads the person's outline (the belly's breaths: `needs_mask`).

`search_every_ms=0` searches every frame (the detector always runs), as posecheck did before: for
exercises whose checks misread a pose tracked alone (posecheck.pipeline.search_every_ms).

`people_seen` is therefore as old as the last search: a bystander who walks in is noticed within
`SEARCH_EVERY_MS`; one who leaves, on the next searched frame.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from posecheck.dim_light import DimLight
from posecheck.errors import PosecheckError
from posecheck.landmarks import Landmark, PoseFrame
from posecheck.lumbar import RunningAxis
from posecheck.native import quiet_stderr
from posecheck.silhouette import belly_outline, torso_outline
from posecheck.smoothing import VISIBLE
from posecheck.zoom import WHOLE, Part, Zoom, cut, paste, to_whole

Mode = Literal["image", "video", "live"]

# Two candidates are enough to tell the exerciser from one bystander; more costs detector time.
SEARCH_NUM_POSES = 2
# A candidate further than this many torso lengths from the exerciser's last position is someone else.
SAME_PERSON_MAX_JUMP = 1.0
# How often (camera time) a tracked person's surroundings are searched for a second one: the set-up
# check's "one person" advice can wait two seconds; the search costs about two tracked frames (every
# second instead: lite 0.91 of plain MediaPipe's frame rate against 0.92, benchmarks/plain_mediapipe.py).
SEARCH_EVERY_MS = 2000

_TORSO = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
_BODY = [*_TORSO, Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE, Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]


def torso_centre(frame: PoseFrame) -> np.ndarray:
    return frame.xy[_TORSO].mean(axis=0)


def torso_length(frame: PoseFrame) -> float:
    xy = frame.xy
    shoulders = xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=0)
    hips = xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=0)
    return float(np.linalg.norm(shoulders - hips))


def jump(frame: PoseFrame, previous: PoseFrame) -> float:
    """How far `frame`'s torso is from `previous`'s, in `previous`'s torso lengths."""
    scale = max(torso_length(previous), 1.0)
    return float(np.linalg.norm(torso_centre(frame) - torso_centre(previous))) / scale


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
        jumps = [jump(c, previous) for c in candidates]
        nearest = int(np.argmin(jumps))
        if jumps[nearest] <= SAME_PERSON_MAX_JUMP:
            return nearest
    return int(np.argmax([c.xy[_BODY, 1].mean() for c in candidates]))


class PoseEstimator:
    """MediaPipe's PoseLandmarker in one running mode; use as a context manager.

    `detect(image_bgr, timestamp_ms)` returns the exerciser's PoseFrame (empty when nobody is seen).
    In "live" mode, `submit` hands a frame over without waiting and `latest()` gives the newest result.
    `needs_mask` (settable between frames, e.g. when a routine moves to the next exercise) asks for the
    segmentation mask and fills `PoseFrame.torso_outline`. Still images ("image" mode) are each searched
    for two people, as nothing links one to the next.
    """

    def __init__(self, model_path: str | Path, mode: Mode = "video", needs_mask: bool = False,
                 search_every_ms: int = SEARCH_EVERY_MS, min_confidence: float = 0.5) -> None:
        self.model_path = Path(model_path)
        self.mode = mode
        self.search_every_ms = search_every_ms
        self.min_confidence = min_confidence
        self.needs_mask = needs_mask
        self.people_seen = 0  # how many people the last search found (before choosing the exerciser)
        self.searched = 0  # frames that went to the two-pose search (the rest were tracked)
        self._last_ts: int | None = None
        self._landmarkers: dict[tuple[int, bool], Any] = {}
        self._warmed: set[tuple[int, bool]] = set()
        self._lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        """Nobody followed yet, and the landmarkers made now, not at the first frames: a missing or broken
        model fails here, and a live window does not stall while MediaPipe sets up."""
        self._previous: PoseFrame | None = None
        self._axis = RunningAxis()  # the belly's outline is measured against it
        self._last_search_ms: int | None = None
        self._search_next = True  # the first frame, a lost or jumping pose, or a crowd: search
        self._latest: PoseFrame | None = None
        self._pending: dict[int, tuple[int, tuple[int, int], Part]] = {}
        self._light = DimLight()  # a dim picture is evened out once the person is lost in it
        self._zoom = Zoom()  # a person too small to be found in the whole picture is searched in its parts
        for search in (True, False) if self.mode != "image" else (True,):
            self._landmarker(self._key(search))

    # -- which landmarker --------------------------------------------------------------------------
    def _key(self, search: bool) -> tuple[int, bool]:
        return (SEARCH_NUM_POSES if search or self.mode == "image" else 1, self.needs_mask)

    def _landmarker(self, key: tuple[int, bool]) -> Any:
        if key not in self._landmarkers:
            self._landmarkers[key] = self._create(*key)
        return self._landmarkers[key]

    def _create(self, num_poses: int, mask: bool) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision

        running_mode = {
            "image": vision.RunningMode.IMAGE,
            "video": vision.RunningMode.VIDEO,
            "live": vision.RunningMode.LIVE_STREAM,
        }[self.mode]
        callback = functools.partial(self._on_result, num_poses > 1) if self.mode == "live" else None
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=running_mode,
            num_poses=num_poses,
            min_pose_detection_confidence=self.min_confidence,
            min_pose_presence_confidence=self.min_confidence,
            min_tracking_confidence=self.min_confidence,
            # The mask shows what landmarks cannot: the belly's outline rising with a breath (posecheck.silhouette).
            output_segmentation_masks=mask,
            result_callback=callback,
        )
        try:
            with quiet_stderr():
                return vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError, OSError) as error:
            raise PosecheckError(f"cannot load the pose model {self.model_path}: {error}") from error

    def _belly(self, frame: PoseFrame, mask: np.ndarray) -> float:
        """The belly's outline above the hip-to-shoulder line of the last seconds (a breath must not move
        the line it is measured from)."""
        hip, shoulder = self._axis.update(frame)
        return belly_outline(mask[..., 0] if mask.ndim == 3 else mask, hip, shoulder)

    def _search_due(self, timestamp_ms: int) -> bool:
        if self.mode == "image" or self._search_next or self._last_search_ms is None:
            return True
        return timestamp_ms - self._last_search_ms >= self.search_every_ms

    # -- results -----------------------------------------------------------------------------------
    def _to_frame(self, result: Any, timestamp_ms: int, size: tuple[int, int], searched: bool,
                  part: Part = WHOLE) -> PoseFrame:
        candidates = [PoseFrame.from_mediapipe(result, timestamp_ms, size, i)
                      for i in range(len(result.pose_landmarks))]
        if part != WHOLE:
            candidates = [replace(c, image=to_whole(c.image, part)) for c in candidates]
        # Still images are unrelated to each other: only video follows a person from frame to frame.
        previous = None if self.mode == "image" else self._previous
        chosen = choose_exerciser(candidates, previous)
        frame = PoseFrame.empty(timestamp_ms, size) if chosen is None else candidates[chosen]
        if frame.has_pose and chosen is not None and len(result.segmentation_masks or ()) > chosen:
            mask = paste(result.segmentation_masks[chosen].numpy_view(), part, size)
            frame = replace(frame, torso_outline=outline_of(frame, mask), belly=self._belly(frame, mask))
        if searched:
            self.searched += 1
            self._last_search_ms = timestamp_ms
            self.people_seen = len(candidates)
            # With two people in view each frame must tell them apart: keep searching until one is left.
            self._search_next = len(candidates) != 1
        else:
            lost = not frame.has_pose
            moved = frame.has_pose and previous is not None and jump(frame, previous) > SAME_PERSON_MAX_JUMP
            if lost:
                self.people_seen = 0
            # The tracker picks whoever the detector scored best when it lost someone: check who it is.
            self._search_next = lost or moved
        if frame.has_pose:
            self._previous = frame
        self._light.found(timestamp_ms, frame.has_pose)
        if self.mode != "image":  # still images are unrelated: each is searched whole
            self._zoom.found(timestamp_ms, frame.image if frame.has_pose else None, frame.visibility >= VISIBLE)
        return frame

    def _mp_image(self, image_bgr: np.ndarray) -> tuple[Any, Part]:
        """The frame as MediaPipe takes it: checked, evened out where dim (posecheck.dim_light), the part
        of it searched for a person too small for the whole (posecheck.zoom), RGB; and that part."""
        import mediapipe as mp

        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
            raise PosecheckError(f"expected an 8-bit colour image, got shape {image_bgr.shape}")
        part = WHOLE if self.mode == "image" else self._zoom.part()
        rgb = np.ascontiguousarray(cut(self._light.prepare(image_bgr), part)[:, :, ::-1])
        return mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), part

    def _monotonic(self, timestamp_ms: int) -> int:
        # MediaPipe refuses timestamps that do not increase; a broken file can repeat one.
        ts = timestamp_ms if self._last_ts is None or timestamp_ms > self._last_ts else self._last_ts + 1
        self._last_ts = ts
        return ts

    def detect(self, image_bgr: np.ndarray, timestamp_ms: int) -> PoseFrame:
        size = (image_bgr.shape[1], image_bgr.shape[0])
        if self.mode == "live":
            raise PosecheckError("detect() is for image and video modes; use submit() in live mode")
        image, part = self._mp_image(image_bgr)
        searched = self._search_due(timestamp_ms)
        key = self._key(searched)
        landmarker = self._landmarker(key)
        # A landmarker's first inference logs its set-up natively; later ones are silent.
        quiet = quiet_stderr() if key not in self._warmed else contextlib.nullcontext()
        with quiet:
            if self.mode == "image":
                result = landmarker.detect(image)
            else:
                result = landmarker.detect_for_video(image, self._monotonic(timestamp_ms))
        self._warmed.add(key)
        return self._to_frame(result, timestamp_ms, size, searched, part)

    def submit(self, image_bgr: np.ndarray, timestamp_ms: int) -> None:
        """Live mode: hand a frame to MediaPipe without waiting; the result arrives in `latest()`.

        Submit the next frame after this one's result: which landmarker it goes to depends on it.
        """
        ts = self._monotonic(timestamp_ms)
        with self._lock:
            landmarker = self._landmarker(self._key(self._search_due(timestamp_ms)))
            image, part = self._mp_image(image_bgr)
            self._pending[ts] = (timestamp_ms, (image_bgr.shape[1], image_bgr.shape[0]), part)
        landmarker.detect_async(image, ts)

    def _on_result(self, searched: bool, result: Any, _image: Any, ts: int) -> None:
        with self._lock:
            timestamp_ms, size, part = self._pending.pop(ts, (ts, (0, 0), WHOLE))
            for old in [t for t in self._pending if t < ts]:
                del self._pending[old]  # MediaPipe dropped these frames
            self._latest = self._to_frame(result, timestamp_ms, size, searched, part)

    def latest(self) -> PoseFrame | None:
        with self._lock:
            return self._latest

    def close(self) -> None:
        with quiet_stderr():
            for landmarker in self._landmarkers.values():
                landmarker.close()
        self._landmarkers.clear()

    def restart(self) -> None:
        """Start afresh on the next frame, as for a new person: the next exercise puts them in another
        position (all fours, then on the back, then on the stomach), and MediaPipe's tracking carried over
        from the last one can hold on to a wrong pose for the new one. Call it with no frame in flight, once
        `needs_mask` and `search_every_ms` are the next exercise's (the new landmarkers are made for them)."""
        self.close()  # once closed, no landmarker hands over a result: nothing below races a callback
        self._warmed.clear()
        self._start()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
