"""The frame loop: the camera on its own thread keeping only the newest frame, one inference at a time,
the window redrawn for every camera frame.

    camera thread:  read -> keep newest (older unread frames are dropped, never queued)
    main thread:    newest frame -> (if MediaPipe is idle) submit -> redraw window -> keys
                    a finished pose -> trainer (rules, recording, cues)

Inference runs in MediaPipe's live-stream mode on its own thread, so a slow model never blocks the
window: while it works, new camera frames are shown with the last skeleton and are not inferred.
The cue for a frame is therefore out at most one inference time (plus the wait for the next camera
frame) after the frame arrived.
"""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from posecheck.landmarks import PoseFrame
from posecheck.live.trainer import Action, Stage, Trainer
from posecheck.live.window import Window, draw_hud
from posecheck.lumbar import LumbarFlow
from posecheck.native import quiet_stderr
from posecheck.pipeline import needs_lumbar, needs_mask, search_every_ms
from posecheck.pose import PoseEstimator
from posecheck.sources import Frame, Source

# While a pose is being inferred the loop looks for it this often (a small share of a 30 fps frame).
RESULT_POLL_S = 0.004
# MediaPipe may drop a frame without a result; after this long the loop stops waiting for it.
IN_FLIGHT_TIMEOUT_S = 2.0
# Playing a video every frame, a slow pose (the model's first, on a busy machine) is waited for, not dropped.
EVERY_FRAME_TIMEOUT_S = 60.0
# With no camera frame for this long the loop still reads keys and checks for results.
IDLE_WAIT_S = 0.05
# MediaPipe's set-up messages come with its first inferences (the landmark model's with the first person).
QUIET_FRAMES = 30


@dataclass(frozen=True)
class Captured:
    frame: Frame
    at: float  # monotonic seconds when the frame was read


class Pace(StrEnum):
    """What a video standing in for the camera does with its next frame (`NewestFrame`'s `pace`)."""

    PLAY = "play"  # give it out
    HOLD = "hold"  # not yet: the newest frame is given again, a frame's time later (a person keeping still)
    SKIP = "skip"  # drop it unseen (the rest of a clip whose exercise is over)


class NewestFrame:
    """Reads a source on a thread and keeps only the newest frame.

    A video file stands in for a camera: with `realtime` its frames come out at their timestamps; with
    `every_frame` each comes out only once the loop has asked for the next (after the one before was
    inferred and given to the trainer), so every frame is inferred and the session is the same however
    fast the machine is (time is the video's, not the wall clock's).
    `ended` turns true when the source gives no more frames (a camera unplugged, a video's end).

    `pace` (for a video; see `ClipWaits`) is asked about each of the source's frames before it is given
    out: held, the newest frame is given again with the next index and a frame's time later, so the
    trainer's clock runs on while the video waits; the video's later frames keep their spacing after it.
    """

    def __init__(self, source: Source, realtime: bool, clock: Callable[[], float] = time.monotonic,
                 every_frame: bool = False, pace: Callable[[Frame], Pace] | None = None) -> None:
        self.source = source
        self.realtime = realtime and not every_frame
        self.every_frame = every_frame
        self.clock = clock
        self.pace = pace
        self.read = 0  # frames given out (held ones included)
        self.held = 0  # frames given again while the source was held
        self.ended = False
        self.error: BaseException | None = None
        self._latest: Captured | None = None
        self._asked = -1  # the loop asked for a frame newer than this one
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="posecheck-camera", daemon=True)
        self._thread.start()

    def _given(self) -> Iterator[Frame]:
        """The frames to give out: the source's, with held ones between them and skipped ones left out.

        A source frame is read only when the one before has been given out (a camera's is never kept
        waiting), and `pace` is asked when the next frame is wanted (every frame: after the one before
        reached the trainer)."""
        step_ms = max(1, round(1000 / (self.source.fps or 30.0)))
        shown: Frame | None = None  # the newest frame given out
        source_ms: int | None = None  # the source's time of the frame `shown` was made from
        for upcoming in self.source.frames():
            verdict = Pace.PLAY
            while shown is not None and self.pace is not None:
                verdict = self.pace(upcoming)
                if verdict is not Pace.HOLD:
                    break
                shown = Frame(shown.index + 1, shown.timestamp_ms + step_ms, shown.image, shown.clip)
                self.held += 1
                yield shown
            if verdict is Pace.SKIP:
                source_ms = None  # the next frame played comes a frame's time after the newest shown
                continue
            out = upcoming
            if shown is not None:
                gap = upcoming.timestamp_ms - source_ms if source_ms is not None else step_ms
                out = Frame(shown.index + 1, shown.timestamp_ms + max(1, gap), upcoming.image, upcoming.clip)
            source_ms, shown = upcoming.timestamp_ms, out
            yield out

    def _run(self) -> None:
        start = self.clock()
        given = self._given()
        try:
            while not self._stop.is_set():
                if self.every_frame:
                    with self._changed:
                        # Not over a frame the loop has not finished with (`close` sets _stop and wakes this).
                        self._changed.wait_for(lambda: self._stop.is_set() or self._latest is None
                                               or self._asked >= self._latest.frame.index)
                    if self._stop.is_set():
                        break
                frame = next(given, None)
                if frame is None:
                    break
                if self.realtime:
                    delay = start + frame.timestamp_ms / 1000.0 - self.clock()
                    if delay > 0 and self._stop.wait(delay):
                        break
                with self._changed:
                    self._latest = Captured(frame, self.clock())
                    self.read += 1
                    self._changed.notify_all()
        except Exception as error:  # a camera that fails mid-read ends the session like one unplugged
            self.error = error
        finally:
            with self._changed:
                self.ended = True
                self._changed.notify_all()

    def newer(self, than_index: int, timeout: float) -> Captured | None:
        """The newest frame if it is newer than `than_index`, waiting up to `timeout` for one."""

        def ready() -> bool:
            return self.ended or (self._latest is not None and self._latest.frame.index > than_index)

        with self._changed:
            if than_index > self._asked:
                self._asked = than_index
                self._changed.notify_all()
            self._changed.wait_for(ready, timeout)
            latest = self._latest
            if latest is None or latest.frame.index <= than_index:
                return None
        return latest

    def close(self) -> None:
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        self._thread.join(timeout=5)
        self.source.close()


# A clip's first frame waits through the set-up check this long at most (the check passes in about
# SETTLE_S on a still start position); a clip that does not begin in the exercise's start position plays.
SETUP_HOLD_S = 4.0


class ClipWaits:
    """A video file standing in for the camera waits like the person on the mat: the `pace` of its frames.

    Clip k (one file, or the k-th of `--source a.mp4 --source b.mp4`) is the routine's k-th exercise:

    - it waits at its first frame through the notices, the pain question and the exercise's instructions
      (and up to SETUP_HOLD_S of the set-up check), so they do not use it up; the clip before it waits at
      its last frame until the routine comes to this clip's exercise;
    - it plays while its set is under way and stands still while the set is paused or stopped (the end
      screen, a pain stop);
    - once the routine has moved past its exercise, the rest of it is skipped (a single clip then ends
      the session: "the clip ended").
    """

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self._setup: tuple[int, int] | None = None  # (exercise index, trainer time) the set-up check began
        self._clip = 0  # the clip of the newest frame played (the source's first is played unasked)

    def __call__(self, upcoming: Frame) -> Pace:
        pace = self._pace(upcoming)
        if pace is Pace.PLAY:
            self._clip = upcoming.clip
        return pace

    def _pace(self, upcoming: Frame) -> Pace:
        t = self.trainer
        if t.done:
            return Pace.PLAY
        if upcoming.clip > t.index:
            return Pace.HOLD
        if upcoming.clip < t.index:
            return Pace.SKIP
        if upcoming.clip != self._clip:
            return Pace.PLAY  # the clip's first frame: shown, and held from the next
        if t.stage is Stage.EXERCISE:
            return Pace.HOLD if t.paused else Pace.PLAY
        if t.stage is Stage.SETUP:
            now = t.now_ms or 0
            if self._setup is None or self._setup[0] != t.index:
                self._setup = (t.index, now)
            return Pace.HOLD if t.paused or now - self._setup[1] < SETUP_HOLD_S * 1000 else Pace.PLAY
        return Pace.HOLD  # the notices and instructions before it, the end screen or a pain stop after


@dataclass
class LoopStats:
    """What the loop did: camera frames, frames shown and inferred, and frame-to-cue latency."""

    read: int = 0
    shown: int = 0
    inferred: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # capture -> rules' events out, per inferred frame
    screen_latencies_ms: list[float] = field(default_factory=list)  # capture -> its cue drawn in the window
    inference_ms: list[float] = field(default_factory=list)  # submit -> result

    def rates(self) -> dict[str, float]:
        s = max(self.seconds, 1e-9)

        def median(values: list[float]) -> float:
            return statistics.median(values) if values else float("nan")

        def p95(values: list[float]) -> float:
            return sorted(values)[int(0.95 * (len(values) - 1))] if values else float("nan")

        return {
            "camera_fps": self.read / s, "window_fps": self.shown / s, "inference_fps": self.inferred / s,
            "latency_median_ms": median(self.latencies_ms), "latency_p95_ms": p95(self.latencies_ms),
            "screen_latency_median_ms": median(self.screen_latencies_ms),
            "screen_latency_p95_ms": p95(self.screen_latencies_ms),
            "inference_median_ms": median(self.inference_ms),
        }


class LiveLoop:
    """Runs a trainer on a camera until the session is done, the time is up or the camera is gone."""

    def __init__(self, reader: NewestFrame, estimator: PoseEstimator, trainer: Trainer,
                 window: Window | None = None, max_seconds: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.reader = reader
        self.estimator = estimator
        self.trainer = trainer
        self.window = window
        self.max_seconds = max_seconds
        self.clock = clock
        self.stats = LoopStats()
        self.last_pose: PoseFrame | None = None
        self._lumbar: tuple[str, LumbarFlow] | None = None  # the lower back's movement, for the exercise on

    def _with_lumbar(self, pose: PoseFrame, image: np.ndarray) -> PoseFrame:
        """The pose with the lower back's movement, for an exercise that counts from it (a new video's
        state for each exercise the routine moves to)."""
        exercise = self.trainer.step.exercise
        if not needs_lumbar(exercise):
            return pose
        if self._lumbar is None or self._lumbar[0] != exercise:
            self._lumbar = (exercise, LumbarFlow())
        return self._lumbar[1](image, pose)

    def run(self) -> str:
        """Why it ended: the trainer's reason ("completed", "quit", ...), "time_up" or "camera_lost"."""
        start = self.clock()
        last_index = -1
        in_flight: Captured | None = None
        sent_at = 0.0
        estimating: str | None = None  # the exercise MediaPipe has been following
        undrawn: float | None = None  # capture time of the newest inferred frame whose cue is not yet on screen
        shown: Captured | None = None  # the camera frame on screen
        # MediaPipe logs its set-up natively on the first inferences; keep that off the user's screen.
        quiet: contextlib.ExitStack | None = contextlib.ExitStack()
        quiet.enter_context(quiet_stderr())
        try:
            while not self.trainer.done:
                if self.max_seconds is not None and self.clock() - start >= self.max_seconds:
                    self.trainer.finish("time_up")
                    break
                # Read before asking for a frame: the camera's last frame, published since, is still taken.
                ended = self.reader.ended
                if in_flight is not None and self.reader.every_frame:
                    captured = None  # the next frame waits for this one's pose: not taken to be shown only
                    ended = False
                    time.sleep(RESULT_POLL_S)
                else:
                    captured = self.reader.newer(last_index, RESULT_POLL_S if in_flight else IDLE_WAIT_S)
                if in_flight is not None:
                    pose = self.estimator.latest()
                    if pose is not None and pose is not self.last_pose and (
                            pose.timestamp_ms >= in_flight.frame.timestamp_ms):
                        self.stats.inference_ms.append((self.clock() - sent_at) * 1000)
                        self.trainer.on_pose(self._with_lumbar(pose, in_flight.frame.image), in_flight.frame.image,
                                             self.estimator.people_seen)
                        self.stats.latencies_ms.append((self.clock() - in_flight.at) * 1000)
                        self.stats.inferred += 1
                        self.last_pose = pose
                        undrawn = in_flight.at
                        in_flight = None
                        if self.window is not None and shown is not None and captured is None:
                            # The cue goes on screen now, over the newest camera picture, not a frame later.
                            self._show(shown, undrawn)
                            undrawn = None
                        if quiet is not None and (pose.has_pose or self.stats.inferred >= QUIET_FRAMES):
                            quiet.close()
                            quiet = None
                    elif self.clock() - sent_at > (EVERY_FRAME_TIMEOUT_S if self.reader.every_frame
                                                   else IN_FLIGHT_TIMEOUT_S):
                        in_flight = None
                if captured is not None:
                    last_index = captured.frame.index
                    if in_flight is None and not self.trainer.done:
                        exercise = self.trainer.step.exercise
                        # The mask only for an exercise that reads an outline (the belly; the routine moves on).
                        self.estimator.needs_mask = needs_mask(exercise)
                        self.estimator.search_every_ms = search_every_ms(exercise)
                        if exercise != estimating:  # the routine moved on to a new position
                            if estimating is not None:
                                self.estimator.restart()
                            estimating = exercise
                        self.estimator.submit(captured.frame.image, captured.frame.timestamp_ms)
                        in_flight, sent_at = captured, self.clock()
                    if self.window is not None:
                        shown = captured
                        self._show(captured, undrawn)
                        self.stats.shown += 1
                        undrawn = None
                elif ended and in_flight is None:
                    self.trainer.finish("camera_lost")
                    break
                if self.window is not None:
                    key = self.window.key(1)
                    if key is not None:
                        self.trainer.on_key(Action(key))
        finally:
            if quiet is not None:
                quiet.close()
            self.stats.seconds = self.clock() - start
            self.stats.read = self.reader.read
        return self.trainer.ended_by or "completed"

    def _show(self, captured: Captured, undrawn: float | None) -> None:
        assert self.window is not None
        self.window.show(draw_hud(captured.frame.image, self.last_pose, self.trainer.hud()))
        if undrawn is not None:
            self.stats.screen_latencies_ms.append((self.clock() - undrawn) * 1000)
