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
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from posecheck.landmarks import PoseFrame
from posecheck.live.trainer import Action, Trainer
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


class NewestFrame:
    """Reads a source on a thread and keeps only the newest frame.

    A video file stands in for a camera: with `realtime` its frames come out at their timestamps; with
    `every_frame` each comes out only once the loop has taken the one before, so every frame is inferred
    and the session is the same however fast the machine is (time is the video's, not the wall clock's).
    `ended` turns true when the source gives no more frames (a camera unplugged, a video's end).
    """

    def __init__(self, source: Source, realtime: bool, clock: Callable[[], float] = time.monotonic,
                 every_frame: bool = False) -> None:
        self.source = source
        self.realtime = realtime and not every_frame
        self.every_frame = every_frame
        self.clock = clock
        self.read = 0  # frames read from the source
        self.ended = False
        self.error: BaseException | None = None
        self._latest: Captured | None = None
        self._taken = -1  # index of the newest frame handed out
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="posecheck-camera", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start = self.clock()
        try:
            for frame in self.source.frames():
                if self._stop.is_set():
                    break
                if self.realtime:
                    delay = start + frame.timestamp_ms / 1000.0 - self.clock()
                    if delay > 0 and self._stop.wait(delay):
                        break
                with self._changed:
                    if self.every_frame:
                        # Never over a frame not yet handed out (`close` sets _stop and wakes this).
                        self._changed.wait_for(lambda: self._stop.is_set() or self._latest is None
                                               or self._taken >= self._latest.frame.index)
                        if self._stop.is_set():
                            break
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
            self._changed.wait_for(ready, timeout)
            latest = self._latest
            if latest is None or latest.frame.index <= than_index:
                return None
            self._taken = latest.frame.index
            self._changed.notify_all()
        return latest

    def close(self) -> None:
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        self._thread.join(timeout=5)
        self.source.close()


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
                        # The mask only for an exercise that reads the back's outline (the routine moves on).
                        self.estimator.needs_mask = needs_mask(self.trainer.step.exercise)
                        self.estimator.search_every_ms = search_every_ms(self.trainer.step.exercise)
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
