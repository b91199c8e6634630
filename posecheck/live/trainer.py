"""The guided session: each exercise goes instructions -> set-up check -> exercise, and keys steer it.

With `ask_pain` (the window) the session opens and closes with the pain question (0-10), each skipped
on its own after PAIN_ASK_S so a person on the mat is never stuck. With `end_screen` (the window) a
finished set's summary stays up: SUMMARY_S before the routine's next exercise, until a key after the last.

Hands-free (a person on the mat cannot reach the keyboard): gestures (posecheck.live.gestures: one arm
raised and held pauses and goes on, both arms stop for pain) and voice commands (posecheck.live.listen:
"pause", "go on", "next", "stop", "pain") do what their keys do.

What a person needs while not looking is spoken (posecheck.live.voice orders it: faults first): each
exercise's short instruction, "hold" as a hold begins and "come back" once it has lasted its target,
"that's 3 of 8" on each rep, and "well done" with the one thing to work on as the set ends.

`Trainer` holds the session's state (which exercise, which stage, the set's counters, the current cue)
and records every set into the session folder. It is fed poses (`on_pose`) and key actions (`on_key`),
gestures (read from the poses) and voice commands (`commands`, polled on every frame, or `on_command`),
and says what the window should show (`hud`). No drawing and no camera here; time comes only from
the frames' timestamps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

import cv2
import numpy as np

import exercise_rules
from posecheck.calibration import landmark_index
from posecheck.errors import PosecheckError
from posecheck.events import Event, EventKind, Severity
from posecheck.landmarks import PoseFrame
from posecheck.live.gestures import LABELS, Gesture, GestureWatch
from posecheck.live.guidance import (
    HOLD_DONE_SHOWN,
    HoldWatch,
    SetSummary,
    hold_done_phrase,
    hold_phrase,
    of_target,
)
from posecheck.live.listen import Command, CommandSource
from posecheck.live.routine import PHYSIO_NOTICE, Step, create_run
from posecheck.live.setup_check import SetupCheck
from posecheck.live.voice import Priority, Voice
from posecheck.live.window import Hud
from posecheck.pain import QUESTION, SCALE_LINE, rise_advice
from posecheck.phases import HoldCounter
from posecheck.recording import RecordingHeader
from posecheck.session import ExerciseWriter, SessionWriter
from posecheck.start_position import what_is_off_in
from posecheck.words import count

# Long enough to read four lines from the mat; space pauses the countdown.
INSTRUCTIONS_S = 15.0
# The first-run notice stays up this long (any of space or n moves on).
NOTICE_S = 10.0
# A cue stays on screen this long after the event that raised it.
CUE_S = 4.0
# After the minimum reps, a rest this long ends the set (the person has stopped).
REST_AFTER_SET_S = 8.0
# "Well done" stays on screen this long (without the end screen).
BANNER_S = 3.0
# A set's end screen before the routine's next exercise (any key moves on sooner) ...
SUMMARY_S = 5.0
# ... and after the last, until a key, or this long: a session left alone still ends and saves its report.
END_SCREEN_MAX_S = 60.0
# "Voice unavailable: ..." stays on screen this long, once.
VOICE_NOTICE_S = 8.0
# A paced step's words are worth saying this late at most (the shortest step lasts 1.5 s).
PACE_SAY_S = 1.5
# The pain question skips itself after this long: nobody is stuck on the mat waiting for a key.
PAIN_ASK_S = 10.0
# The advice after a rise in pain stays up this long before the session ends (any key ends it sooner).
ADVICE_S = 10.0
# A gesture's ring shows once the hold is this far on: a one-frame misreading of an arm never flashes it.
GESTURE_SHOWN = 0.25
# A pause asked for without the keyboard is said, with how to go on (the person may not see the screen).
PAUSED_BY = {"gesture": "Paused. Raise your arm again to go on.",
             "voice": "Paused. Say go on to go on."}
RESUMED = "Carry on."  # not a command's word: the trainer's own voice never commands it
# One slow deep breath: four seconds in, four out (about 7 breaths a minute).
BREATH_IN_S = 4.0
BREATH_OUT_S = 4.0

SETUP_FINE = "Good: the camera sees you. Stay still"
PAIN_CHECK = "pain_reported"
PAIN_CUE = "Stop. Speak to a physiotherapist before you go on"
PAIN_LINES = (
    "You asked to stop for pain: the exercise is stopped and recorded.",
    "Pain is a sign to stop. Speak to a physiotherapist before doing this exercise again.",
    "Press N to go on to the next exercise, or Q to finish and save.",
    "Pain now, 0-10? Keys 0-9, T for 10.",
)
PAIN_QUESTION_LINES = (QUESTION, SCALE_LINE, f"It is skipped after {PAIN_ASK_S:g} s.")
# Only a session that ends this way has someone still on the mat to ask how their pain is.
ASK_AFTER = ("completed", "quit")


class Stage(StrEnum):
    NOTICE = "notice"  # first run: speak to a physiotherapist first
    PAIN_BEFORE = "pain_before"  # pain now, 0-10, before the first exercise
    INSTRUCTIONS = "instructions"  # the routine's words for the next exercise
    SETUP = "setup"  # waiting until the camera sees the exercise well
    EXERCISE = "exercise"
    PAIN = "pain"  # stopped for pain: advice shown until n (next) or q
    PAIN_AFTER = "pain_after"  # pain now, 0-10, as the session ends
    ADVICE = "advice"  # the pain went up: speak to a physiotherapist (shown before the end)
    SUMMARY = "summary"  # a set done: its summary, until a key or for a while
    DONE = "done"


# Where the pause key pauses (elsewhere it moves on or ends, and the hands-free pause does what the key does).
PAUSABLE = frozenset({Stage.NOTICE, Stage.PAIN_BEFORE, Stage.INSTRUCTIONS, Stage.SETUP, Stage.EXERCISE,
                      Stage.PAIN, Stage.PAIN_AFTER})


class Action(StrEnum):
    PAUSE = "pause"  # space
    NEXT = "next"  # n
    REDO = "redo"  # r
    PAIN = "pain"  # p
    QUIT = "quit"  # q
    SKIP = "skip"  # s: skip the pain question
    # A pain rating on the 0-10 scale: keys 0-9, and t for 10.
    RATE_0 = "0"
    RATE_1 = "1"
    RATE_2 = "2"
    RATE_3 = "3"
    RATE_4 = "4"
    RATE_5 = "5"
    RATE_6 = "6"
    RATE_7 = "7"
    RATE_8 = "8"
    RATE_9 = "9"
    RATE_10 = "10"

    @property
    def rating(self) -> int | None:
        return int(self.value) if self.value.isdigit() else None


@dataclass
class Cue:
    text: str
    severity: Severity
    until_ms: int
    check: str | None = None


@dataclass
class SetCounters:
    """What the window shows about the set under way, read from its events."""

    reps: int = 0
    sides: dict[int, str] = field(default_factory=dict)  # each counted rep's side
    rep_started_ms: int | None = None
    last_rep_ms: int | None = None
    last_hold_s: float | None = None
    set_completed: bool = False

    @property
    def by_side(self) -> dict[str, int]:
        return dict(Counter(self.sides.values()))


class SetRecorder:
    """One set's files: landmarks and events through the session, and the video when asked."""

    def __init__(self, writer: ExerciseWriter, fps: float) -> None:
        self.writer = writer
        self.fps = fps
        self._video: cv2.VideoWriter | None = None

    def write(self, frame: PoseFrame, image: np.ndarray, events: list[Event]) -> None:
        self.writer.write_frame(frame)
        self.writer.write_events(events)
        if self.writer.video_path is not None:
            if self._video is None:
                size = (image.shape[1], image.shape[0])
                self._video = cv2.VideoWriter(str(self.writer.video_path), cv2.VideoWriter_fourcc(*"mp4v"),
                                              self.fps or 30.0, size)
            self._video.write(image)

    def close(self, ended_by: str) -> None:
        self.writer.entry["ended_by"] = ended_by
        if self._video is not None:
            self._video.release()
        self.writer.close()


class Trainer:
    """A session of one or more exercises, recorded as it goes."""

    def __init__(
        self,
        steps: list[Step],
        session: SessionWriter,
        header: RecordingHeader,
        settings: dict[str, Any] | None = None,
        voice: Voice | None = None,
        announce: Callable[[int, str], None] | None = None,
        first_run: bool = False,
        instructions_s: float = INSTRUCTIONS_S,
        setup_check: bool = True,
        record_video: bool = False,
        on_notice_done: Callable[[], None] | None = None,
        ask_pain: bool = False,
        pain_before: int | None = None,
        pain_after: int | None = None,
        end_screen: bool = False,
        gestures: bool = True,
        commands: CommandSource | None = None,
    ) -> None:
        if not steps:
            raise PosecheckError("no exercises to do")
        self.steps = steps
        self.session = session
        self.header = header
        self.settings = dict(settings or {})
        self.voice = voice or Voice(enabled=False)
        self.announce = announce or (lambda t_ms, text: None)
        self.instructions_s = instructions_s
        self.check_setup = setup_check
        self.record_video = record_video
        self.on_notice_done = on_notice_done
        self.ask_pain = ask_pain
        self.end_screen = end_screen
        self.gestures = GestureWatch() if gestures else None
        self.commands = commands
        self.pain: dict[str, int | None] = {"before": pain_before, "after": pain_after}
        if pain_before is not None or pain_after is not None:
            self._save_pain()
        self.index = 0
        self.stage = Stage.NOTICE if first_run else Stage.INSTRUCTIONS
        self.paused = False
        self.ended_by: str | None = None
        self.now_ms: int | None = None
        self._stage_started_ms: int | None = None
        self._paused_ms = 0.0  # camera time spent paused in this stage (timers skip it)
        self._setup = SetupCheck()
        self._setup_advice: str | None = None
        self._setup_seen = False  # the set-up check has judged at least one frame
        self._paced_step: str | None = None  # the paced step last said
        self._run: Any = None
        self._recorder: SetRecorder | None = None
        self._hold: HoldWatch | None = None  # when the rep under way is holding, for the hold cues
        self._hold_target_s: float | None = None  # the set's shortest hold, seconds
        self._set_events: list[Event] = []
        self.summary: SetSummary | None = None  # the last set's, for its end screen
        self.notice: tuple[str, int] | None = None  # (text, until_ms): a one-off notice (the voice failing)
        self._voice_told = False
        self.counters = SetCounters()
        self.cue: Cue | None = None
        self.banner: tuple[str, int] | None = None
        self.sets: list[dict[str, Any]] = []  # a line per finished set, for the summary
        self.events: list[Event] = []
        self.exercise_pain: int | None = None  # the rating given after stopping for pain
        if first_run:
            for line in PHYSIO_NOTICE:
                self.announce(0, line)
            self.voice.say(PHYSIO_NOTICE[0], Priority.GUIDE)  # the first run: is the voice heard?
        else:
            self._begin()

    # -- what is happening ---------------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self.steps[min(self.index, len(self.steps) - 1)]

    @property
    def done(self) -> bool:
        return self.stage is Stage.DONE

    def _stage_elapsed_s(self) -> float:
        if self.now_ms is None or self._stage_started_ms is None:
            return 0.0
        return (self.now_ms - self._stage_started_ms) / 1000.0 - self._paused_ms / 1000.0

    def _enter(self, stage: Stage) -> None:
        self.stage = stage
        self._stage_started_ms = self.now_ms
        self._paused_ms = 0.0
        if stage is Stage.INSTRUCTIONS:
            self.announce(self.now_ms or 0, f"Next: {self.step.title} ({self.step.targets.describe()})")
            for line in self.step.instructions_for(self.settings):
                self.announce(self.now_ms or 0, f"  {line}")
            self.voice.say(self.step.spoken_for(self.settings), Priority.GUIDE)
        elif stage is Stage.SUMMARY:
            self.cue = None
        elif stage is Stage.SETUP:
            exercise = exercise_rules.get(self.step.exercise).EXERCISE
            self._setup = SetupCheck(start=partial(what_is_off_in, start=exercise.start_position))
            self._setup_advice = None
            self._setup_seen = False

    # -- input ---------------------------------------------------------------------------------
    def on_pose(self, frame: PoseFrame, image: np.ndarray, people: int) -> list[Event]:
        """One inferred camera frame; returns the rules' events (empty outside an exercise)."""
        with self.voice.gathered():  # the frame's most important words first; what waits, once the voice is free
            events = self._on_pose(frame, image, people)
        if self.voice.problem is not None and not self._voice_told:
            self._voice_told = True
            self.notice = (f"Voice unavailable: {self.voice.problem}", (self.now_ms or 0) + int(VOICE_NOTICE_S * 1000))
        return events

    def _on_pose(self, frame: PoseFrame, image: np.ndarray, people: int) -> list[Event]:
        previous = self.now_ms
        self.now_ms = frame.timestamp_ms
        if self._stage_started_ms is None:
            self._stage_started_ms = self.now_ms
        # Before the pause check: a pause is ended the way it was begun, hands-free.
        if self.commands is not None:
            for command in self.commands.poll():
                self.on_command(command)
        if self.gestures is not None:
            gesture = self.gestures.update(frame)
            if gesture is not None:
                self.on_gesture(gesture)
        if self.stage is Stage.DONE:
            return []
        if self.paused:
            if previous is not None:
                self._paused_ms += self.now_ms - previous
            return []
        # One frame may pass through several stages: the frame that ends the set-up check is the set's first.
        if self.stage is Stage.NOTICE and self._stage_elapsed_s() >= NOTICE_S:
            self._notice_done()
        if self.stage in (Stage.PAIN_BEFORE, Stage.PAIN_AFTER) and self._stage_elapsed_s() >= PAIN_ASK_S:
            self._answer(None)
        if self.stage is Stage.ADVICE and self._stage_elapsed_s() >= ADVICE_S:
            self.stage = Stage.DONE
        if self.stage is Stage.SUMMARY and self._stage_elapsed_s() >= self._summary_s():
            self._next_step()
        if self.stage is Stage.INSTRUCTIONS and self._stage_elapsed_s() >= self.instructions_s:
            self._enter(Stage.SETUP if self.check_setup else Stage.EXERCISE)
            if self.stage is Stage.EXERCISE:
                self._start_set()
        if self.stage is Stage.SETUP:
            self._check_setup(frame, image, people)
        if self.stage is Stage.EXERCISE:
            return self._exercise(frame, image)
        return []

    def on_key(self, action: Action) -> None:
        if self.stage is Stage.DONE:
            return
        if self.stage is Stage.ADVICE:
            self.stage = Stage.DONE  # read: any key ends the session
            return
        if self.stage is Stage.SUMMARY:
            if action is Action.PAIN:
                self._pain()
            elif action is Action.QUIT:
                self.finish("quit")
            else:
                self._next_step()  # read: any other key moves on
            return
        if self.stage in (Stage.PAIN_BEFORE, Stage.PAIN_AFTER):
            self._on_question_key(action)
            return
        if action.rating is not None:
            if self.stage is Stage.PAIN:
                self._rate_exercise(action.rating)
            return
        if action is Action.QUIT:
            self.finish("quit")
        elif action is Action.PAUSE:
            self.paused = not self.paused
            if self.paused and self._run is not None:
                self._run.pause()  # a hold cut by the pause is not a hold too short
                self.counters.rep_started_ms = None
                if self._hold is not None:
                    self._hold.reset()
            self.announce(self.now_ms or 0, "Paused" if self.paused else "Go on")
        elif action is Action.NEXT:
            self.paused = False
            if self.stage is Stage.NOTICE:
                self._notice_done()
            else:
                self._end_set("next")
                self._next_step()
        elif action is Action.REDO:
            self.paused = False
            if self.stage is Stage.EXERCISE or self.stage is Stage.PAIN:
                self._end_set("redo")
                self._enter(Stage.SETUP if self.check_setup else Stage.EXERCISE)
                if self.stage is Stage.EXERCISE:
                    self._start_set()
            elif self.stage is not Stage.NOTICE:
                self._enter(Stage.INSTRUCTIONS)
        elif action is Action.PAIN:
            self._pain()

    def on_gesture(self, gesture: Gesture) -> None:
        """A held gesture: one arm is the pause key (said, as the screen may be out of sight), both arms P."""
        if gesture is Gesture.PAIN:
            self.announce(self.now_ms or 0, "Both arms raised: stop for pain")
            self.on_key(Action.PAIN)
        elif self.stage in PAUSABLE:
            self._hands_free_pause(not self.paused, "gesture")
        else:
            self.on_key(Action.PAUSE)  # as the key does there: the end screen moves on

    def on_command(self, command: Command) -> None:
        """A voice command: the key it stands for. "pause" only pauses and "go on" only goes on (said twice,
        nothing toggles back); on the end screen "go on" moves on like any key."""
        self.announce(self.now_ms or 0, f'Heard "{command.value}"')
        if command is Command.PAIN:
            self.on_key(Action.PAIN)
        elif command is Command.STOP:
            self.on_key(Action.QUIT)
        elif command is Command.NEXT:
            self.on_key(Action.NEXT)
        elif self.stage not in PAUSABLE:
            if command is Command.RESUME:
                self.on_key(Action.NEXT)
        elif (command is Command.PAUSE) != self.paused:
            self._hands_free_pause(command is Command.PAUSE, "voice")

    def _hands_free_pause(self, pause: bool, by: str) -> None:
        if pause == self.paused:
            return
        self.on_key(Action.PAUSE)
        self.voice.say(PAUSED_BY[by] if self.paused else RESUMED, Priority.GUIDE)

    def _on_question_key(self, action: Action) -> None:
        """The pain question takes a rating, s (or n) to skip, q to skip and end, space to pause its timer."""
        if action.rating is not None:
            self._answer(action.rating)
        elif action in (Action.SKIP, Action.NEXT):
            self._answer(None)
        elif action is Action.QUIT:
            if self.stage is Stage.PAIN_BEFORE:
                self.finish("quit")
            else:
                self._answer(None)
        elif action is Action.PAUSE:
            self.paused = not self.paused

    # -- stages --------------------------------------------------------------------------------
    def _notice_done(self) -> None:
        if self.on_notice_done is not None:
            self.on_notice_done()
        self._begin()

    def _begin(self) -> None:
        """The first exercise's instructions, after asking about pain when nobody said yet."""
        if self.ask_pain and self.pain["before"] is None:
            self._ask(Stage.PAIN_BEFORE)
        else:
            self._enter(Stage.INSTRUCTIONS)

    def _ask(self, stage: Stage) -> None:
        self.paused = False
        self._enter(stage)
        self.cue = Cue(QUESTION, Severity.INFO, self.now_ms or 0)
        self.announce(self.now_ms or 0, QUESTION)
        self.voice.say("Pain now, nought to ten?", Priority.GUIDE)

    def _answer(self, rating: int | None) -> None:
        """The pain question answered (None: skipped or timed out); the session goes on or ends."""
        asked = "before" if self.stage is Stage.PAIN_BEFORE else "after"
        self.paused = False
        self.cue = None
        self.pain[asked] = rating
        self._save_pain()
        self.announce(self.now_ms or 0, f"Pain {asked}: {'skipped' if rating is None else rating}")
        if asked == "before":
            self._enter(Stage.INSTRUCTIONS)
        else:
            self._end_session()

    def _save_pain(self) -> None:
        self.session.data["pain"] = dict(self.pain)
        self.session.save()

    def _rate_exercise(self, rating: int) -> None:
        """A rating after stopping for pain: kept with the exercise it stopped."""
        self.exercise_pain = rating
        stopped = [e for e in self.session.data["exercises"] if e.get("ended_by") == "pain"]
        if stopped:
            stopped[-1]["pain"] = rating
            self.session.save()
        self.announce(self.now_ms or 0, f"Pain {rating} recorded")

    @property
    def advice(self) -> str | None:
        """The advice when the pain went up over the session (None when it did not, or was not rated)."""
        return rise_advice(self.pain["before"], self.pain["after"])

    def _end_session(self) -> None:
        """The session is over: a rise in pain is said (and shown for a while in the window), then done."""
        advice = self.advice
        if advice is None or not self.ask_pain:
            self.stage = Stage.DONE
            return
        self._enter(Stage.ADVICE)
        self.cue = Cue(advice, Severity.STOP, (self.now_ms or 0) + int(ADVICE_S * 1000))
        self.announce(self.now_ms or 0, advice)
        self.voice.say(advice, Priority.GUIDE)

    def _check_setup(self, frame: PoseFrame, image: np.ndarray, people: int) -> None:
        status = self._setup.update(image, frame, people)
        advice = status.advice.text if status.advice else None
        if advice is not None and advice != self._setup_advice:
            self.announce(self.now_ms or 0, advice)
        if advice is not None:
            self.voice.say(advice)
        self._setup_advice = advice
        self._setup_seen = True
        if status.ready:
            self._enter(Stage.EXERCISE)
            self._start_set()

    def _start_set(self) -> None:
        step = self.step
        self._run = create_run(step.exercise, self.settings)
        header = RecordingHeader(
            source=self.header.source, fps=self.header.fps, image_size=self.header.image_size,
            model_variant=self.header.model_variant, model_sha256=self.header.model_sha256,
            extra={**self.header.extra, "live": True},
        )
        writer = self.session.start_exercise(step.exercise, step.targets.to_dict(), header,
                                             video=self.record_video)
        self._recorder = SetRecorder(writer, self.header.fps)
        self.counters = SetCounters()
        self._set_events = []
        self._hold_target_s = self._hold_target()
        seen = self._run.seen_counter
        # Holds the camera sees (a paced hold says its own "hold" and "relax").
        self._hold = HoldWatch(self._hold_target_s, seen.hold_band, seen.hold_noise) if (
            self._hold_target_s and isinstance(seen, HoldCounter)) else None
        self.cue = None
        self.announce(self.now_ms or 0, f"Start: {step.title}")
        self.voice.hush()  # an instruction still being read (moved on early) would hold up the set's words
        self.voice.say(f"Start {step.title}", Priority.GUIDE)

    def _hold_target(self) -> float | None:
        """The set's shortest hold in seconds: the plan's seconds, or its breaths at the rules' own reading."""
        targets = self.step.targets
        if targets.hold_s:
            return float(targets.hold_s[0])
        own = getattr(getattr(self._run, "exercise", None), "targets", None)
        if targets.hold_breaths and own is not None and own.hold_breaths and own.hold_min_s:
            return own.hold_min_s * targets.hold_breaths[0] / own.hold_breaths[0]
        return None

    def _exercise(self, frame: PoseFrame, image: np.ndarray) -> list[Event]:
        events = self._run.update(frame)
        assert self._recorder is not None
        self._recorder.write(frame, image, events)
        self.events.extend(events)
        self._set_events.extend(events)
        pace = self.pace
        if pace is not None and pace[0] != self._paced_step:
            # Before the rep's count: the paced step is timed, the count can wait a moment.
            self.voice.say(pace[0], Priority.GUIDE, PACE_SAY_S)
        self._paced_step = pace[0] if pace else None
        for event in events:
            self._on_event(event)
        c = self.counters
        if self._hold is not None and c.rep_started_ms is not None and pace is None:
            self._on_hold(self._hold.update(frame.timestamp_ms / 1000.0, self._run.signal), frame.timestamp_ms)
        lo, hi = self.step.targets.reps
        rested = c.last_rep_ms is not None and c.rep_started_ms is None and (
            frame.timestamp_ms - c.last_rep_ms) / 1000.0 >= REST_AFTER_SET_S
        if c.reps >= hi or (c.reps >= lo and rested):
            self._complete_set(frame.timestamp_ms)
        return events

    def _on_hold(self, moment: str | None, t_ms: int) -> None:
        """Say the hold's moments: "hold" as it begins, "come back" (also on screen) once it is long enough."""
        if moment == "hold":
            text = hold_phrase(self.step.targets)
            self.announce(t_ms, text)
            self.voice.say(text, Priority.GUIDE)
        elif moment == "done":
            self.announce(t_ms, HOLD_DONE_SHOWN)
            self.voice.say(hold_done_phrase(self.step.exercise), Priority.GUIDE)
            live = self.cue is not None and self.cue.until_ms >= t_ms
            if not live or self.cue.severity is Severity.INFO:  # a fault's cue stays up
                self.cue = Cue(HOLD_DONE_SHOWN, Severity.INFO, t_ms + int(CUE_S * 1000))

    def _complete_set(self, t_ms: int) -> None:
        """The set reached its target: well done, said and (with the end screen) shown with its summary."""
        self._end_set("completed")
        summary = self.summary
        assert summary is not None
        for words in summary.spoken():
            self.voice.say(words, Priority.GUIDE)
        self.announce(t_ms, f"Set done: {summary.title}: {'; '.join(summary.lines())}")
        if self.end_screen:
            self._enter(Stage.SUMMARY)
            return
        self.banner = (f"Well done: {count(summary.reps, 'rep')}", t_ms + int(BANNER_S * 1000))
        self._next_step()

    def _summary_s(self) -> float:
        return SUMMARY_S if self.index + 1 < len(self.steps) else END_SCREEN_MAX_S

    def _on_event(self, event: Event) -> None:
        c = self.counters
        t = event.timestamp_ms
        if event.kind in (EventKind.REP_STARTED, EventKind.REP_COMPLETED) and self._hold is not None:
            self._hold.reset()
        if event.kind is EventKind.REP_STARTED:
            c.rep_started_ms = t
        elif event.kind is EventKind.REP_COMPLETED:
            c.reps += 1
            c.rep_started_ms = None
            c.last_rep_ms = t
            c.last_hold_s = (event.hold_ms or 0) / 1000.0
            if event.side:
                c.sides[event.rep or c.reps] = event.side
            side = f" ({event.side})" if event.side else ""
            self.announce(t, f"rep {c.reps}{side}, held {c.last_hold_s:.1f} s")
            self.voice.say(of_target(c.reps, self.step.targets.reps), Priority.GUIDE)
        elif event.kind is EventKind.SIDE_READ_AGAIN and event.side and event.rep in c.sides:
            c.sides[event.rep] = event.side
        elif event.kind is EventKind.SET_COMPLETED:
            c.set_completed = True
            # Said only when the set goes on: at its last rep "well done" follows anyway.
            going_on = c.reps < self.step.targets.reps[1]
            self._show_cue("Target reached: well done", Severity.INFO, t, said=going_on)
        elif event.cue and event.kind in (EventKind.FAULT, EventKind.NOT_IN_START_POSITION, EventKind.CANNOT_SEE_YOU,
                                          EventKind.WAITING, EventKind.PACING, EventKind.BREATHING,
                                          EventKind.REMINDER):
            self._show_cue(event.cue, event.severity or Severity.INFO, t, event.check,
                           fault=event.kind is EventKind.FAULT)

    def _show_cue(self, text: str, severity: Severity, t_ms: int, check: str | None = None,
                  fault: bool = False, said: bool = True) -> None:
        self.cue = Cue(text, severity, t_ms + int(CUE_S * 1000), check)
        self.announce(t_ms, text)
        if said:
            priority = Priority.STOP if severity is Severity.STOP else Priority.FAULT if fault else Priority.GUIDE
            self.voice.say(text, priority)

    def _pain(self) -> None:
        t = self.now_ms or 0
        event = Event(EventKind.FAULT, t, self.step.exercise, rep=self.counters.reps + 1, check=PAIN_CHECK,
                      severity=Severity.STOP, cue=PAIN_CUE, detail="the exerciser pressed P: pain, stop")
        if self._recorder is not None:
            self._recorder.writer.write_events([event])
            self.events.append(event)
        notes = self.session.data.get("notes") or ""
        self.session.data["notes"] = (notes + "\n" if notes else "") + (
            f"Stopped for pain during {self.step.title}: speak to a physiotherapist.")
        self._end_set("pain")
        self.cue = Cue(PAIN_CUE, Severity.STOP, t + int(CUE_S * 1000), PAIN_CHECK)
        self.announce(t, PAIN_CUE)
        self.voice.say(PAIN_CUE, Priority.STOP)
        self.paused = False
        self.exercise_pain = None
        self._enter(Stage.PAIN)

    def _end_set(self, ended_by: str) -> None:
        if self._recorder is None:
            return
        if self._run is not None:
            last = self._run.finish()  # a set with no rep says why, in the recording and the report
            self._recorder.writer.write_events(last)
            self.events.extend(last)
            self._set_events.extend(last)
        c = self.counters
        self.summary = SetSummary.of(self.step.title, self.step.targets, self._set_events, self._hold_target_s,
                                     ignore_checks=(PAIN_CHECK,))
        self.sets.append({"exercise": self.step.exercise, "title": self.step.title, "reps": c.reps,
                          "by_side": dict(c.by_side), "target": self.step.targets.describe(),
                          "ended_by": ended_by, "focus": [cue for cue, _ in self.summary.focus]})
        self._recorder.close(ended_by)
        self._recorder = None
        self._run = None
        self._hold = None

    def _next_step(self) -> None:
        self.index += 1
        self.cue = None
        if self.index >= len(self.steps):
            self.finish("completed")
        else:
            self._enter(Stage.INSTRUCTIONS)

    def finish(self, ended_by: str) -> None:
        """End the session: the open set is recorded as ended by `ended_by` (idempotent).

        A session completed or quit after an exercise asks about pain first (with `ask_pain`); one cut
        short otherwise (time up, camera lost, interrupted) ends at once, and so does a second `finish`.
        """
        if self.stage is Stage.DONE:
            return
        if self.ended_by is not None:  # already asking or advising: end now
            self.stage = Stage.DONE
            return
        self._end_set(ended_by)
        self.ended_by = ended_by
        if ended_by not in ASK_AFTER:
            self.stage = Stage.DONE
        elif self.ask_pain and self.sets and self.pain["after"] is None:
            self._ask(Stage.PAIN_AFTER)
        else:
            self._end_session()

    # -- output --------------------------------------------------------------------------------
    def hud(self) -> Hud:
        now = self.now_ms or 0
        step = self.step
        c = self.counters
        asking = self.stage in (Stage.PAIN, Stage.PAIN_BEFORE, Stage.PAIN_AFTER, Stage.ADVICE)
        cue = self.cue if self.cue is not None and (self.cue.until_ms >= now or asking) else None
        advice = None
        if self.stage is Stage.SETUP:
            # Nothing to change: say so while the check makes sure it stays that way.
            advice = self._setup_advice or (SETUP_FINE if self._setup_seen else None)
        hold_s = breath = None
        hold_done = False
        targets = step.targets
        if self.stage is Stage.EXERCISE and (targets.hold_s or targets.hold_breaths):
            if self._hold is not None:  # timed from when the body arrived where it holds
                hold_s = self._hold.held_s(now / 1000.0) if c.rep_started_ms is not None else None
                hold_done = self._hold.done
            elif c.rep_started_ms is not None:
                hold_s = max(0.0, (now - c.rep_started_ms) / 1000.0)
        if hold_s is not None:
            if hold_done:
                breath = ("Come back", 1.0, 0)
            elif targets.hold_s:
                # "Breathe in and hold for 5-10 seconds": a ring filling up to the shortest hold.
                breath = ("Breathe in and hold", min(1.0, hold_s / targets.hold_s[0]), 0)
            else:
                breath = breath_pacing(hold_s)
        last_set = self.index + 1 >= len(self.steps)
        countdown = None
        if self.stage is Stage.INSTRUCTIONS:
            countdown = max(0.0, self.instructions_s - self._stage_elapsed_s())
        elif self.stage is Stage.NOTICE:
            countdown = max(0.0, NOTICE_S - self._stage_elapsed_s())
        elif self.stage in (Stage.PAIN_BEFORE, Stage.PAIN_AFTER):
            countdown = max(0.0, PAIN_ASK_S - self._stage_elapsed_s())
        elif self.stage is Stage.ADVICE:
            countdown = max(0.0, ADVICE_S - self._stage_elapsed_s())
        elif self.stage is Stage.SUMMARY and not last_set:
            countdown = max(0.0, SUMMARY_S - self._stage_elapsed_s())
        lines: tuple[str, ...] = ()
        if self.stage is Stage.NOTICE:
            lines = (*PHYSIO_NOTICE, self.voice.status())
        elif self.stage is Stage.INSTRUCTIONS:
            lines = step.instructions_for(self.settings)
        elif self.stage is Stage.PAIN:
            rated = () if self.exercise_pain is None else (f"Pain {self.exercise_pain} recorded.",)
            lines = PAIN_LINES + rated
        elif self.stage in (Stage.PAIN_BEFORE, Stage.PAIN_AFTER):
            lines = PAIN_QUESTION_LINES
        elif self.stage is Stage.ADVICE:
            lines = (self.advice or "", "Press any key to finish.")
        elif self.stage is Stage.SUMMARY and self.summary is not None:
            lines = (*self.summary.lines(), *(("Press any key to finish.",) if last_set else ()))
        banner = self.banner[0] if self.banner and self.banner[1] >= now else None
        notice = self.notice[0] if self.notice and self.notice[1] >= now else None
        return Hud(
            stage=str(self.stage), title=step.title, steps=len(self.steps),
            step_number=min(self.index, len(self.steps) - 1) + 1,  # the session's end still names the last
            reps=c.reps, reps_target=step.targets.reps,
            by_side=dict(c.by_side) if step.targets.alternating_sides else None,
            hold_s=hold_s, hold_target=_hold_target(step), breath=breath, last_hold_s=c.last_hold_s,
            cue=cue.text if cue else advice, cue_severity=str(cue.severity) if cue else "info",
            lines=lines, countdown_s=countdown, paused=self.paused, banner=banner,
            highlight=self._highlight(cue.check if cue else None), pace=self.pace,
            hold_done=hold_done, notice=notice, gesture=self._gesture_shown(),
            exercise=step.exercise, gestures=self.gestures is not None,  # the window's pictures and bottom line
        )

    def _gesture_shown(self) -> tuple[str, float] | None:
        """(label, 0..1) while a gesture is being held: the window draws it as a filling ring."""
        held = self.gestures.progress if self.gestures is not None else None
        if held is None or held[1] < GESTURE_SHOWN or self.stage is Stage.DONE:
            return None
        gesture, done = held
        return ("Hold to go on" if self.paused and gesture is Gesture.PAUSE else LABELS[gesture]), done

    @property
    def pace(self) -> tuple[str, float] | None:
        """While the app paces the reps the camera cannot see: what to do now, how far through it (0..1)."""
        return getattr(getattr(self._run, "counter", None), "pace", None) if self.stage is Stage.EXERCISE else None

    def _highlight(self, check: str | None) -> tuple[int, ...]:
        """The joints a fault is about, once the rules know which side faces the camera."""
        run = self._run
        calibration = getattr(run, "calibration", None)
        if check is None or calibration is None:
            return ()
        try:
            names = run.exercise.check(check).landmarks
            return tuple(landmark_index(name, calibration.near) for name in names)
        except (KeyError, AttributeError):
            return ()


def breath_pacing(elapsed_s: float) -> tuple[str, float, int]:
    """(Breathe in / Breathe out, how full the lungs are 0..1, breaths completed) at `elapsed_s`."""
    cycle = BREATH_IN_S + BREATH_OUT_S
    into = elapsed_s % cycle
    if into < BREATH_IN_S:
        return "Breathe in", into / BREATH_IN_S, int(elapsed_s // cycle)
    return "Breathe out", 1.0 - (into - BREATH_IN_S) / BREATH_OUT_S, int(elapsed_s // cycle)


def _hold_target(step: Step) -> str:
    t = step.targets
    if t.hold_s:
        lo, hi = t.hold_s
        return f"hold {lo:g}-{hi:g} s"
    if t.hold_breaths:
        lo, hi = t.hold_breaths
        return "hold 1 deep breath" if hi == 1 else f"hold {lo}-{hi} breaths"
    return ""
