"""Landmark recordings: JSON Lines, one header line then one line per frame, written as frames arrive.

Header: ``{"format": "posecheck-landmarks", "version": 1, "model": {"variant", "sha256"}, "source",
"fps", "image_size": [w, h], ...extra}``. Frame: ``{"t": ms, "pose": null}`` or
``{"t": ms, "image": [[x, y, z] * 33], "visibility": [...], "presence": [...], "world": [[x, y, z] * 33]}``,
with ``"outline"`` (the torso's outline, posecheck.silhouette) where the pose stage read one.

Each line is flushed to the OS as soon as it is written, so a run killed with SIGKILL keeps every
frame it had finished. Loading accepts a truncated last line (with a warning), nothing else broken.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from posecheck.errors import PosecheckError
from posecheck.landmarks import PoseFrame

FORMAT = "posecheck-landmarks"
VERSION = 1
_DECIMALS = 5  # 1e-5 of the image is far below a pixel


class RecordingError(PosecheckError):
    """A recording that cannot be read."""


@dataclass(frozen=True)
class RecordingHeader:
    source: str
    fps: float
    image_size: tuple[int, int]
    model_variant: str | None = None
    model_sha256: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "model": {"variant": self.model_variant, "sha256": self.model_sha256},
            "source": self.source,
            "fps": self.fps,
            "image_size": list(self.image_size),
            **self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordingHeader:
        known = {"format", "version", "model", "source", "fps", "image_size"}
        model = data.get("model") or {}
        return cls(
            source=str(data.get("source", "")),
            fps=float(data.get("fps") or 0.0),
            image_size=(int(data["image_size"][0]), int(data["image_size"][1])),
            model_variant=model.get("variant"),
            model_sha256=model.get("sha256"),
            extra={k: v for k, v in data.items() if k not in known},
        )


@dataclass(frozen=True)
class Recording:
    header: RecordingHeader
    frames: list[PoseFrame]
    truncated: bool = False  # the last line was cut off (the writer was killed)


def _rounded(rows: Any) -> list:
    return [[round(float(v), _DECIMALS) for v in row] for row in rows]


def _finite(value: float) -> float | None:
    return round(float(value), _DECIMALS) if math.isfinite(value) else None


def frame_to_dict(frame: PoseFrame) -> dict[str, Any]:
    if not frame.has_pose:
        return {"t": frame.timestamp_ms, "pose": None}
    out = {
        "t": frame.timestamp_ms,
        "image": _rounded(frame.image),
        "visibility": [_finite(v) for v in frame.visibility],
        "presence": [_finite(v) for v in frame.presence],
        "world": _rounded(frame.world),
    }
    if math.isfinite(frame.torso_outline):
        out["outline"] = _finite(frame.torso_outline)
    if math.isfinite(frame.lumbar):
        out["lumbar"] = round(float(frame.lumbar), 7)  # thousandths of a torso length: more digits
    if math.isfinite(frame.belly):
        out["belly"] = round(float(frame.belly), 6)  # a breath moves it a few thousandths
    return out


def frame_from_dict(data: dict[str, Any], image_size: tuple[int, int]) -> PoseFrame:
    t = int(data["t"])
    if data.get("image") is None:
        return PoseFrame.empty(t, image_size)
    return PoseFrame(
        t,
        image_size,
        data["image"],
        [0.0 if v is None else v for v in data["visibility"]],
        [0.0 if v is None else v for v in data["presence"]],
        data["world"],
        math.nan if data.get("outline") is None else data["outline"],
        math.nan if data.get("lumbar") is None else data["lumbar"],
        math.nan if data.get("belly") is None else data["belly"],
    )


class RecordingWriter:
    """Writes a recording line by line; use as a context manager."""

    def __init__(self, path: str | Path, header: RecordingHeader) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise RecordingError(f"cannot write the recording {self.path}: {error.strerror}") from error
        self._failed = False
        self._write(header.to_dict())
        self.frames_written = 0

    def _write(self, data: dict[str, Any]) -> None:
        try:
            self._file.write(json.dumps(data, separators=(",", ":")) + "\n")
            self._file.flush()
        except OSError as error:
            self._failed = True
            raise RecordingError(f"cannot write the recording {self.path}: {error.strerror}") from error

    def write(self, frame: PoseFrame) -> None:
        self._write(frame_to_dict(frame))
        self.frames_written += 1

    def close(self) -> None:
        try:
            self._file.close()
        except OSError as error:
            # After a failed write (a full disk) the unwritten rest of the line cannot be flushed either; that
            # failure was reported already, and every line before it is on disk.
            if not self._failed:
                raise RecordingError(f"cannot write the recording {self.path}: {error.strerror}") from error

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_recording(path: str | Path, header: RecordingHeader, frames: Iterable[PoseFrame]) -> int:
    """Write a whole recording; returns the number of frames written."""
    with RecordingWriter(path, header) as writer:
        for frame in frames:
            writer.write(frame)
        return writer.frames_written


def _lines(path: Path) -> Iterator[tuple[int, str, bool]]:
    """(line number, text, is_last) for each line of the file."""
    try:
        with open(path, encoding="utf-8") as file:
            previous: tuple[int, str] | None = None
            for number, line in enumerate(file, start=1):
                if previous is not None:
                    yield previous[0], previous[1], False
                previous = (number, line)
            if previous is not None:
                yield previous[0], previous[1], True
    except FileNotFoundError as error:
        raise RecordingError(f"no such recording: {path}") from error
    except IsADirectoryError as error:
        raise RecordingError(f"{path} is a folder, not a recording") from error
    except UnicodeDecodeError as error:
        raise RecordingError(f"{path} is not a posecheck recording (not text)") from error


def iter_recording(path: str | Path) -> tuple[RecordingHeader, Iterator[PoseFrame]]:
    """The header and a lazy stream of frames; raises `RecordingError` naming the first bad line."""
    path = Path(path)
    lines = _lines(path)
    first = next(lines, None)
    if first is None:
        raise RecordingError(f"{path} is empty: it holds no recording")
    header = _parse_header(path, first[1])

    def frames() -> Iterator[PoseFrame]:
        for number, text, is_last in lines:
            if not text.strip():
                continue
            try:
                yield frame_from_dict(json.loads(text), header.image_size)
            except (ValueError, KeyError, TypeError, RecursionError) as error:  # RecursionError: "[[[[..."
                if is_last and not text.endswith("\n"):
                    warnings.warn(
                        f"{path}: the last line ({number}) is cut off; the recording ends before it",
                        stacklevel=2,
                    )
                    return
                raise RecordingError(f"{path}, line {number}: not a valid frame ({error})") from error

    return header, frames()


def _parse_header(path: Path, text: str) -> RecordingHeader:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise RecordingError(f"{path}, line 1: not a posecheck recording (no JSON header)") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError(f"{path}, line 1: not a posecheck recording (format is not {FORMAT!r})")
    if data.get("version") != VERSION:
        raise RecordingError(
            f"{path}: recording format version {data.get('version')!r}; this posecheck reads version {VERSION}"
        )
    try:
        return RecordingHeader.from_dict(data)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise RecordingError(f"{path}, line 1: the header is incomplete ({error})") from error


def load_recording(path: str | Path) -> Recording:
    """Read a whole recording (see `iter_recording`)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        header, frames = iter_recording(path)
        frames_list = list(frames)
    for w in caught:
        warnings.warn(w.message, stacklevel=2)
    return Recording(header, frames_list, truncated=bool(caught))
