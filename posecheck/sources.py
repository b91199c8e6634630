"""Where frames come from: a webcam, a video file, a folder of images. Each yields `Frame`s."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from posecheck.errors import PosecheckError
from posecheck.native import quiet_stderr

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
IMAGE_FOLDER_FPS = 1.0  # a folder of photos is a slide show: one second each
RECORDING_SUFFIXES = (".jsonl", ".jsonl.gz")


class SourceError(PosecheckError):
    """A source that cannot be opened or read."""


@dataclass(frozen=True)
class Frame:
    index: int
    timestamp_ms: int
    image: np.ndarray = field(repr=False)  # BGR, uint8, (h, w, 3)
    clip: int = 0  # which of several video files played one after another (`ClipsSource`) it comes from


class Source:
    """A stream of frames with what is known about it up front."""

    description: str = ""
    fps: float = 0.0
    size: tuple[int, int] = (0, 0)  # (width, height)
    frame_count: int | None = None  # None for a live camera
    live: bool = False

    def frames(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VideoSource(Source):
    """A video file, through the FFmpeg backend of OpenCV; timestamps come from the file."""

    def __init__(self, path: Path) -> None:
        self.description = str(path)
        if path.stat().st_size == 0:
            raise SourceError(f"{path} is empty (0 bytes): it holds no video")
        with quiet_stderr():
            self._capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        if not self._capture.isOpened():
            raise SourceError(f"{path} is not a video that OpenCV's FFmpeg can read")
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS)) or 30.0
        count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None
        ok, first = self._capture.read()
        if not ok or first is None:
            self._capture.release()
            raise SourceError(f"{path} holds no frames that can be decoded")
        self._first = first
        self.size = (first.shape[1], first.shape[0])

    def _timestamp(self, index: int, previous: int) -> int:
        pos = self._capture.get(cv2.CAP_PROP_POS_MSEC)
        ts = round(pos) if pos > 0 or index == 0 else round(index * 1000 / self.fps)
        return ts if index == 0 or ts > previous else previous + max(1, int(1000 / self.fps))

    def frames(self) -> Iterator[Frame]:
        index, previous, image = 0, -1, self._first
        while image is not None:
            previous = self._timestamp(index, previous)
            yield Frame(index, previous, image)
            index += 1
            ok, image = self._capture.read()
            if not ok:
                image = None

    def close(self) -> None:
        self._capture.release()


class ImagesSource(Source):
    """Still images, in the order given, as a slow slide show (a folder of photos, or one photo)."""

    def __init__(self, paths: list[Path], description: str) -> None:
        self.description = description
        self.paths = paths
        self.fps = IMAGE_FOLDER_FPS
        self.frame_count = len(paths)
        first = cv2.imread(str(paths[0]))
        self.size = (first.shape[1], first.shape[0]) if first is not None else (0, 0)

    @classmethod
    def from_folder(cls, path: Path) -> ImagesSource:
        paths = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            raise SourceError(f"{path} is a folder with no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return cls(paths, str(path))

    def frames(self) -> Iterator[Frame]:
        step_ms = int(1000 / self.fps)
        for index, path in enumerate(self.paths):
            image = cv2.imread(str(path))
            if image is None:
                print(f"posecheck: skipping {path.name}: not an image OpenCV can read", file=sys.stderr)
                continue
            yield Frame(index, index * step_ms, image)


class WebcamSource(Source):
    """A camera by index or device path; timestamps from the monotonic clock at capture."""

    live = True

    def __init__(self, device: int | str) -> None:
        self.description = f"webcam {device}"
        with quiet_stderr():
            self._capture = cv2.VideoCapture(device)
        if not self._capture.isOpened():
            raise SourceError(
                f"cannot open webcam {device}: no such camera, or it is in use by another program "
                "(pass --source with another index, a device path or a video file)"
            )
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS)) or 30.0
        self.size = (int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                     int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))

    def frames(self) -> Iterator[Frame]:
        start = time.monotonic()
        index = 0
        while True:
            ok, image = self._capture.read()
            if not ok or image is None:
                return  # the camera went away: the caller ends the session with what it has
            yield Frame(index, int((time.monotonic() - start) * 1000), image)
            index += 1

    def close(self) -> None:
        self._capture.release()


class ClipsSource(Source):
    """Video files played one after another as one stream: frames numbered on and timed on across the
    clips (the next clip's first frame a frame's time after the last one's), each saying its `clip`.

    The live trainer plays one clip per exercise: `--source a.mp4 --source b.mp4` (posecheck.live.loop's
    `ClipWaits` holds each until its exercise starts)."""

    def __init__(self, clips: list[VideoSource]) -> None:
        if not clips:
            raise SourceError("no clips to play")
        self.clips = clips
        self.description = ", ".join(c.description for c in clips)
        self.fps = clips[0].fps
        self.size = clips[0].size
        counts = [c.frame_count for c in clips]
        self.frame_count = None if None in counts else sum(c for c in counts if c is not None)

    def frames(self) -> Iterator[Frame]:
        index, offset_ms, last_ms = 0, 0, -1
        step_ms = max(1, round(1000 / (self.fps or 30.0)))
        for number, clip in enumerate(self.clips):
            for frame in clip.frames():
                last_ms = offset_ms + frame.timestamp_ms
                yield Frame(index, last_ms, frame.image, number)
                index += 1
            offset_ms = last_ms + step_ms

    def close(self) -> None:
        for clip in self.clips:
            clip.close()


def is_recording(spec: str) -> bool:
    return spec.endswith(RECORDING_SUFFIXES)


def is_video_file(spec: str) -> bool:
    """A file that `open_source` reads as a video (not a recording, an image or a camera)."""
    path = Path(spec)
    return (not is_recording(spec) and not spec.isdigit() and path.is_file()
            and path.suffix.lower() not in IMAGE_SUFFIXES)


def open_source(spec: str | int) -> Source:
    """A webcam (index like "0" or /dev/videoN), a video file or a folder of images."""
    if isinstance(spec, int) or str(spec).isdigit():
        return WebcamSource(int(spec))
    path = Path(spec).expanduser()
    if str(spec).startswith("/dev/video"):
        return WebcamSource(str(path))
    if not path.exists():
        raise SourceError(f"no such file or folder: {path}")
    if path.is_dir():
        return ImagesSource.from_folder(path)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        if cv2.imread(str(path)) is None:
            raise SourceError(f"{path} is not an image OpenCV can read")
        return ImagesSource([path], str(path))
    return VideoSource(path)


def open_sources(specs: list[str]) -> Source:
    """One source (`open_source`), or several video files played one after another (`ClipsSource`)."""
    if len(specs) == 1:
        return open_source(specs[0])
    for spec in specs:
        if not is_video_file(spec):
            what = "no such file" if not Path(spec).expanduser().exists() else "not a video file"
            raise SourceError(f"{spec}: {what}; several sources can only be video files, played one after another")
    clips: list[VideoSource] = []
    try:
        for spec in specs:
            clips.append(VideoSource(Path(spec).expanduser()))
    except SourceError:
        for clip in clips:
            clip.close()
        raise
    return ClipsSource(clips)
