"""A session: one folder, written as it happens, that a crash cannot corrupt.

Layout of a session folder::

    session.json                       what the session is (rewritten atomically)
    01-knee_rolls.landmarks.jsonl      the landmark recording (posecheck.recording), one line per frame
    01-knee_rolls.events.jsonl         one `Event.to_dict()` per line
    01-knee_rolls.mp4                  optional: the camera's video, one video frame per landmark frame

``session.json`` (format ``"posecheck-session"``, version 1)::

    {"format": "posecheck-session", "version": 1, "id": "<hex>",
     "started_at": "2026-11-25T09:40:00+00:00", "ended_at": null or ISO time,
     "error": "what stopped it" (only when an error did),
     "name": "...", "notes": "...", "profile": {...settings...},
     "pain": {"before": 0-10 or null, "after": 0-10 or null} (only when pain was asked or given),
     "exercises": [{"index": 1, "exercise": "knee_rolls", "targets": {...},
                    "started_at": ISO, "ended_at": ISO or null,
                    "files": {"landmarks": "01-knee_rolls.landmarks.jsonl",
                              "events": "01-knee_rolls.events.jsonl", "video": "01-knee_rolls.mp4" or null}}]}

It is rewritten through a temporary file and `os.replace` whenever an exercise starts or ends and when
the session ends, so it is always either the old or the new version. Landmark and event lines are
flushed one by one: a session killed with SIGKILL loses at most the line being written.
`load_session` reads whatever a session folder holds and says what is missing.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import uuid
import warnings
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from posecheck.errors import PosecheckError
from posecheck.events import Event
from posecheck.landmarks import PoseFrame
from posecheck.pain import ratings
from posecheck.recording import RecordingError, RecordingHeader, RecordingWriter, iter_recording

FORMAT = "posecheck-session"
VERSION = 1
SESSION_FILE = "session.json"
_SAFE_NAME = re.compile(r"[^a-z0-9_]+")
_EVENT_FIELDS = frozenset(f.name for f in fields(Event))


class SessionError(PosecheckError):
    """A session folder that cannot be written or read."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def parse_time(text: Any) -> datetime | None:
    """An ISO time from session.json, or None when absent or unreadable."""
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def new_session_dir(requested: str | Path | None = None) -> Path:
    """The folder for a new session: the one asked for, else a time-stamped one in the user's data folder."""
    if requested:
        return Path(requested).expanduser()
    from posecheck.history.store import data_dir

    stamped = data_dir() / "sessions" / datetime.now().strftime("%Y-%m-%d_%H%M%S")
    # Two sessions started within the same second (back-to-back `analyze` runs) each get their own folder.
    candidate, n = stamped, 1
    while candidate.exists():
        n += 1
        candidate = stamped.with_name(f"{stamped.name}-{n}")
    return candidate


def file_stem(index: int, exercise: str) -> str:
    """`01-knee_rolls`: the exercise's files sort in the order they were done."""
    safe = _SAFE_NAME.sub("_", exercise.lower()).strip("_") or "exercise"
    return f"{index:02d}-{safe}"


def _write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    tmp_name: str | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".session-", suffix=".tmp", delete=False
        ) as tmp:
            tmp_name = tmp.name
            json.dump(data, tmp, indent=2, ensure_ascii=False)
            tmp.write("\n")
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    except OSError as error:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)  # the old session.json stays whole; leave no half copy
        raise SessionError(f"cannot write {path}: {error.strerror}") from error


class ExerciseWriter:
    """Writes one exercise's landmarks and events as they arrive; closed by the session."""

    def __init__(self, session: SessionWriter, entry: dict[str, Any], header: RecordingHeader) -> None:
        self._session = session
        self.entry = entry
        self.exercise: str = entry["exercise"]
        files = entry["files"]
        self.landmarks_path = session.path / files["landmarks"]
        self.events_path = session.path / files["events"]
        self.video_path: Path | None = session.path / files["video"] if files["video"] else None
        self._recording = RecordingWriter(self.landmarks_path, header)
        try:
            self._events: IO[str] = open(self.events_path, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            self._recording.close()
            raise SessionError(f"cannot write {self.events_path}: {error.strerror}") from error
        self.closed = False

    def write_frame(self, frame: PoseFrame) -> None:
        self._recording.write(frame)

    def write_events(self, events: list[Event]) -> None:
        if not events:
            return
        try:
            for event in events:
                self._events.write(json.dumps(event.to_dict(), separators=(",", ":"), ensure_ascii=False))
                self._events.write("\n")
            self._events.flush()
        except OSError as error:
            raise SessionError(f"cannot write {self.events_path}: {error.strerror}") from error

    def close(self) -> None:
        """Finish the exercise (idempotent); the session notes when it ended."""
        if self.closed:
            return
        self.closed = True
        self._recording.close()
        self._events.close()
        self._session._exercise_ended(self)

    def __enter__(self) -> ExerciseWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SessionWriter:
    """Writes a session folder; a context manager. One exercise is open at a time.

    >>> with SessionWriter(folder, name="Tuesday", profile={"model": "full"}) as session:
    ...     exercise = session.start_exercise("knee_rolls", targets, header)
    ...     for frame in poses:
    ...         exercise.write_frame(frame)
    ...         exercise.write_events(run.update(frame))
    """

    def __init__(
        self,
        path: str | Path,
        name: str = "",
        notes: str = "",
        profile: dict[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SessionError(f"cannot create the session folder {self.path}: {error.strerror}") from error
        if (self.path / SESSION_FILE).exists():
            raise SessionError(f"{self.path} already holds a session; choose a new folder")
        self.data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "id": uuid.uuid4().hex,
            "started_at": now_iso(),
            "ended_at": None,
            "name": name,
            "notes": notes,
            "profile": dict(profile or {}),
            "exercises": [],
        }
        self._current: ExerciseWriter | None = None
        self._save()

    def _save(self) -> None:
        _write_json_atomically(self.path / SESSION_FILE, self.data)

    def save(self) -> None:
        """Rewrite session.json now, after a change to `data` (a pain rating, say) a crash must not lose."""
        self._save()

    def start_exercise(
        self,
        exercise: str,
        targets: dict[str, Any] | None,
        header: RecordingHeader,
        video: bool = False,
    ) -> ExerciseWriter:
        """Open the next exercise's files (closing the previous exercise).

        With `video=True` the exercise's `video_path` names the mp4 the caller writes, one video frame per
        landmark frame, so frame i of the recording is frame i of the video.
        """
        if self._current is not None:
            self._current.close()
        index = len(self.data["exercises"]) + 1
        stem = file_stem(index, exercise)
        entry = {
            "index": index,
            "exercise": exercise,
            "targets": dict(targets or {}),
            "started_at": now_iso(),
            "ended_at": None,
            "files": {
                "landmarks": f"{stem}.landmarks.jsonl",
                "events": f"{stem}.events.jsonl",
                "video": f"{stem}.mp4" if video else None,
            },
        }
        self.data["exercises"].append(entry)
        self._current = ExerciseWriter(self, entry, header)
        self._save()
        return self._current

    def _exercise_ended(self, writer: ExerciseWriter) -> None:
        writer.entry["ended_at"] = now_iso()
        if self._current is writer:
            self._current = None
        self._save()

    def close(self, error: str | None = None) -> None:
        """End the session; `error` says what stopped it when it did not end normally."""
        if self._current is not None:
            self._current.close()
        if self.data["ended_at"] is None:
            self.data["ended_at"] = now_iso()
            if error:
                self.data["error"] = error
            self._save()

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        # Ctrl-C is the person stopping the session; anything else is a failure the report should mention.
        failed = exc is not None and not isinstance(exc, KeyboardInterrupt)
        self.close(f"{exc_type.__name__}: {exc}" if failed and exc_type else None)


@dataclass
class ExerciseRecord:
    """One exercise of a loaded session: what session.json says and what its files hold."""

    index: int
    exercise: str
    targets: dict[str, Any]
    started_at: datetime | None
    ended_at: datetime | None
    files: dict[str, str | None]
    header: RecordingHeader | None = None
    frames: list[PoseFrame] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    video_path: Path | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def has_pose(self) -> bool:
        return any(frame.has_pose for frame in self.frames)

    @property
    def complete(self) -> bool:
        return self.ended_at is not None and not self.problems


@dataclass
class Session:
    """A session folder as read back; `problems` says what was missing or cut off."""

    path: Path
    id: str | None
    started_at: datetime | None
    ended_at: datetime | None
    name: str
    notes: str
    profile: dict[str, Any]
    exercises: list[ExerciseRecord]
    problems: list[str] = field(default_factory=list)
    pain: dict[str, int | None] = field(default_factory=lambda: {"before": None, "after": None})

    @property
    def complete(self) -> bool:
        """Ended normally and every file read in full."""
        return (
            self.ended_at is not None
            and not self.problems
            and all(exercise.complete for exercise in self.exercises)
        )

    @property
    def has_pose(self) -> bool:
        return any(exercise.has_pose for exercise in self.exercises)


def load_session(path: str | Path) -> Session:
    """Read a session folder (or its session.json), tolerating a session that was killed mid-way.

    Raises `SessionError` only when the path is not a session at all.
    """
    path = Path(path)
    if path.is_file() and path.name == SESSION_FILE:
        path = path.parent
    if not path.exists():
        raise SessionError(f"no such session folder: {path}")
    if not path.is_dir():
        raise SessionError(f"{path} is not a session folder (give the folder that holds {SESSION_FILE})")
    problems: list[str] = []
    data = _read_session_json(path, problems)
    rebuilt = data is None
    if data is None:
        data = _reconstruct(path)
        if not data["exercises"]:
            raise SessionError(
                f"{path} is not a posecheck session: it holds neither {SESSION_FILE} nor any recording"
            )
    session = Session(
        path=path,
        id=data.get("id") if isinstance(data.get("id"), str) else None,
        started_at=parse_time(data.get("started_at")),
        ended_at=parse_time(data.get("ended_at")),
        name=str(data.get("name") or ""),
        notes=str(data.get("notes") or ""),
        profile=data.get("profile") if isinstance(data.get("profile"), dict) else {},
        exercises=[],
        problems=problems,
        pain=ratings(data.get("pain")),
    )
    if session.ended_at is None and not rebuilt:
        problems.append("the session did not end normally (it was stopped or crashed)")
    if data.get("error"):
        problems.append(f"the session stopped on an error: {data['error']}")
    for position, entry in enumerate(data.get("exercises") or [], start=1):
        if isinstance(entry, dict):
            session.exercises.append(_load_exercise(path, entry, position))
    return session


def _read_session_json(path: Path, problems: list[str]) -> dict[str, Any] | None:
    file = path / SESSION_FILE
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{SESSION_FILE} is missing; the session was rebuilt from its recordings")
        return None
    except (ValueError, UnicodeDecodeError, RecursionError):
        problems.append(f"{SESSION_FILE} is unreadable; the session was rebuilt from its recordings")
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError(f"{file} is not a posecheck session (format is not {FORMAT!r})")
    if data.get("version") != VERSION:
        raise SessionError(
            f"{file}: session format version {data.get('version')!r}; this posecheck reads version {VERSION}"
        )
    return data


def _reconstruct(path: Path) -> dict[str, Any]:
    """A stand-in for a missing session.json, from the file names in the folder."""
    exercises = []
    for landmarks in sorted(path.glob("*.landmarks.jsonl")):
        stem = landmarks.name.removesuffix(".landmarks.jsonl")
        number, _, exercise = stem.partition("-")
        video = path / f"{stem}.mp4"
        exercises.append(
            {
                "index": int(number) if number.isdigit() else len(exercises) + 1,
                "exercise": exercise or stem,
                "targets": {},
                "files": {
                    "landmarks": landmarks.name,
                    "events": f"{stem}.events.jsonl",
                    "video": video.name if video.exists() else None,
                },
            }
        )
    return {"exercises": exercises}


def _safe_file(folder: Path, name: Any) -> Path | None:
    """A file named in session.json, only if it lies inside the session folder."""
    if not isinstance(name, str) or not name or Path(name).name != name:
        return None
    return folder / name


def _load_exercise(folder: Path, entry: dict[str, Any], position: int) -> ExerciseRecord:
    files = entry.get("files") if isinstance(entry.get("files"), dict) else {}
    record = ExerciseRecord(
        index=entry["index"] if _is_int(entry.get("index")) else position,
        exercise=str(entry.get("exercise") or "unknown"),
        targets=entry.get("targets") if isinstance(entry.get("targets"), dict) else {},
        started_at=parse_time(entry.get("started_at")),
        ended_at=parse_time(entry.get("ended_at")),
        files={key: files.get(key) for key in ("landmarks", "events", "video")},
    )
    if "ended_at" in entry and record.ended_at is None:
        record.problems.append("the exercise did not end normally")
    _load_landmarks(record, _safe_file(folder, files.get("landmarks")))
    _load_events(record, _safe_file(folder, files.get("events")))
    video = _safe_file(folder, files.get("video"))
    if files.get("video"):
        if video is not None and video.is_file():
            record.video_path = video
        else:
            record.problems.append(f"the video {files.get('video')} is missing")
    return record


def _load_landmarks(record: ExerciseRecord, file: Path | None) -> None:
    if file is None or not file.is_file():
        record.problems.append(f"the landmark recording {record.files.get('landmarks')} is missing")
        return
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            record.header, frames = iter_recording(file)
            for frame in frames:  # keep every frame read before a broken line
                record.frames.append(frame)
    except RecordingError as error:
        record.problems.append(f"the landmark recording stops early: {error}")
        return
    if caught:
        record.problems.append(f"the landmark recording {file.name} ends with a cut-off line")


def _load_events(record: ExerciseRecord, file: Path | None) -> None:
    if file is None or not file.is_file():
        record.problems.append(f"the event log {record.files.get('events')} is missing")
        return
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        record.problems.append(f"the event log {file.name} cannot be read: {error.strerror}")
        return
    lines = text.split("\n")
    bad = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            # Fields a later posecheck adds are skipped, not fatal.
            event = Event.from_dict({k: v for k, v in data.items() if k in _EVENT_FIELDS})
            if not _well_typed(event):
                raise TypeError("an event field has the wrong type")
            record.events.append(event)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            if number == len(lines):  # the last line, with no newline: cut off when the writer died
                record.problems.append(f"the event log {file.name} ends with a cut-off line")
            else:
                bad += 1
    if bad:
        record.problems.append(f"the event log {file.name} has {bad} unreadable line(s), skipped")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _well_typed(event: Event) -> bool:
    """An event line a hand or a bug edited into nonsense (a time that is not a number, say) is skipped."""
    numbers_ok = all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                     for v in (event.value, event.limit) if v is not None)
    texts_ok = all(v is None or isinstance(v, str) for v in (event.side, event.check, event.cue, event.detail))
    return (_is_int(event.timestamp_ms) and isinstance(event.exercise, str) and numbers_ok and texts_ok
            and all(v is None or _is_int(v) for v in (event.rep, event.hold_ms)))

