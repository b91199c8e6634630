"""Session folders for the report, history, export and session tests, built two ways.

- `record_live_session(folder, [RealSet(...), ...])`: real exercise runs. Labelled kinematic sets
  (tools/make_kinematic_samples.py: a body moving as in the routine, with MediaPipe's errors) are done in
  front of the live trainer, which runs each exercise's rules on every frame and records the session as
  `posecheck routine` does. What the report says comes from the rules; what it should say comes from the
  sets' labels. The sets are dev sets whose labels the rules agree with (the exercise tests hold them to it).
- `record_session(folder, [ExercisePlan(...), ...])`: poses and events made up in code (with the checks and
  cues the rules emit), for tests of how session files are handled (killed, escaped, unknown exercises),
  where the events need to be exactly so and not what a rule would say.

Made-up poses are a side view (left side to the camera) of a person on a mat, 1280x720, with the joints
where the routine puts them; a rep moves from the start pose to the end pose, holds, and comes back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from kinematic_sets import labelled

from posecheck.events import Event, EventKind, Severity
from posecheck.landmarks import N_LANDMARKS, Landmark, PoseFrame
from posecheck.live.routine import step
from posecheck.live.trainer import Action, Trainer
from posecheck.recording import RecordingHeader
from posecheck.report.targets import ROUTINE_TARGETS, Targets
from posecheck.session import SessionWriter

FPS = 15
SIZE = (1280, 720)
NEAR_VISIBILITY = 0.95
FAR_VISIBILITY = 0.7  # the far side is partly hidden behind the body

Joints = dict[str, tuple[float, float]]  # head, shoulder, elbow, wrist, hip, knee, ankle (normalised x, y)

# (start pose, end pose) per exercise.
POSES: dict[str, tuple[Joints, Joints]] = {
    "heels_stretch": (  # all fours -> sitting back towards the heels
        dict(head=(0.27, 0.44), shoulder=(0.35, 0.48), elbow=(0.35, 0.62), wrist=(0.35, 0.76),
             hip=(0.62, 0.48), knee=(0.62, 0.75), ankle=(0.80, 0.76)),
        dict(head=(0.27, 0.62), shoulder=(0.38, 0.60), elbow=(0.33, 0.70), wrist=(0.30, 0.76),
             hip=(0.72, 0.60), knee=(0.62, 0.75), ankle=(0.80, 0.76)),
    ),
    "knee_rolls": (  # on the back, knees up -> knees rolled to the side
        dict(head=(0.18, 0.71), shoulder=(0.28, 0.74), elbow=(0.28, 0.76), wrist=(0.28, 0.77),
             hip=(0.52, 0.75), knee=(0.64, 0.58), ankle=(0.75, 0.76)),
        dict(head=(0.18, 0.71), shoulder=(0.28, 0.74), elbow=(0.28, 0.76), wrist=(0.28, 0.77),
             hip=(0.52, 0.74), knee=(0.66, 0.70), ankle=(0.75, 0.76)),
    ),
    "back_extensions": (  # prone on the elbows -> pushed up on the hands
        dict(head=(0.22, 0.56), shoulder=(0.30, 0.62), elbow=(0.30, 0.76), wrist=(0.22, 0.76),
             hip=(0.55, 0.74), knee=(0.70, 0.76), ankle=(0.85, 0.77)),
        dict(head=(0.24, 0.40), shoulder=(0.32, 0.48), elbow=(0.29, 0.62), wrist=(0.27, 0.76),
             hip=(0.55, 0.73), knee=(0.70, 0.76), ankle=(0.85, 0.77)),
    ),
    "deep_abdominal": (  # knee-rolls start, held still
        dict(head=(0.18, 0.71), shoulder=(0.28, 0.74), elbow=(0.28, 0.76), wrist=(0.28, 0.77),
             hip=(0.52, 0.75), knee=(0.64, 0.58), ankle=(0.75, 0.76)),
        dict(head=(0.18, 0.71), shoulder=(0.28, 0.74), elbow=(0.28, 0.76), wrist=(0.28, 0.77),
             hip=(0.52, 0.75), knee=(0.645, 0.585), ankle=(0.75, 0.76)),
    ),
    "pelvic_tilts": (  # knee-rolls start -> pelvis tilted
        dict(head=(0.18, 0.71), shoulder=(0.28, 0.74), elbow=(0.28, 0.76), wrist=(0.28, 0.77),
             hip=(0.52, 0.75), knee=(0.64, 0.58), ankle=(0.75, 0.76)),
        dict(head=(0.18, 0.71), shoulder=(0.28, 0.74), elbow=(0.28, 0.76), wrist=(0.28, 0.77),
             hip=(0.52, 0.73), knee=(0.635, 0.585), ankle=(0.75, 0.76)),
    ),
}


def _lerp(a: Joints, b: Joints, w: float) -> Joints:
    return {k: (a[k][0] + w * (b[k][0] - a[k][0]), a[k][1] + w * (b[k][1] - a[k][1])) for k in a}


def pose_frame(joints: Joints, timestamp_ms: int, size: tuple[int, int] = SIZE) -> PoseFrame:
    """A full 33-landmark frame from the main joints of the near (left) side; the far side sits just behind."""
    image = np.zeros((N_LANDMARKS, 3), np.float32)
    visibility = np.full(N_LANDMARKS, NEAR_VISIBILITY, np.float32)
    hx, hy = joints["head"]
    for mark in (Landmark.NOSE, Landmark.LEFT_EYE_INNER, Landmark.LEFT_EYE, Landmark.LEFT_EYE_OUTER,
                 Landmark.RIGHT_EYE_INNER, Landmark.RIGHT_EYE, Landmark.RIGHT_EYE_OUTER, Landmark.MOUTH_LEFT,
                 Landmark.MOUTH_RIGHT):
        image[mark] = (hx - 0.02, hy + 0.005 * (mark % 3), -0.1)
    image[Landmark.LEFT_EAR] = (hx + 0.01, hy, -0.05)
    image[Landmark.RIGHT_EAR] = (hx + 0.012, hy - 0.004, 0.05)
    parts = {"shoulder": "SHOULDER", "elbow": "ELBOW", "wrist": "WRIST", "hip": "HIP", "knee": "KNEE",
             "ankle": "ANKLE"}
    for key, part in parts.items():
        x, y = joints[key]
        image[Landmark[f"LEFT_{part}"]] = (x, y, -0.1)
        image[Landmark[f"RIGHT_{part}"]] = (x + 0.008, y - 0.006, 0.1)
        visibility[Landmark[f"RIGHT_{part}"]] = FAR_VISIBILITY
    for side in ("LEFT", "RIGHT"):
        wx, wy, wz = image[Landmark[f"{side}_WRIST"]]
        for finger in ("PINKY", "INDEX", "THUMB"):
            image[Landmark[f"{side}_{finger}"]] = (wx - 0.015, wy, wz)
        ax, ay, az = image[Landmark[f"{side}_ANKLE"]]
        image[Landmark[f"{side}_HEEL"]] = (ax - 0.01, ay + 0.01, az)
        image[Landmark[f"{side}_FOOT_INDEX"]] = (ax + 0.03, ay + 0.01, az)
    world = (image - image[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=0)) * 2.0
    return PoseFrame(timestamp_ms, size, image, visibility, np.ones(N_LANDMARKS), world)


@dataclass
class ExercisePlan:
    """What happens in one synthetic exercise: how many reps, which faults in which reps."""

    exercise: str
    reps: int
    faults: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # rep -> [(check, cue)]
    stop_checks: frozenset[str] = frozenset()  # checks raised with Severity.STOP
    hold_s: float = 2.0
    rep_s: float = 4.0
    no_pose: bool = False
    unseen_reps: frozenset[int] = frozenset()  # reps during which nobody is seen

    def frames_and_events(self, t0_ms: int = 0) -> tuple[list[PoseFrame], list[Event]]:
        start, end = POSES[self.exercise]
        frames: list[PoseFrame] = []
        events: list[Event] = []
        step = 1000 / FPS
        alternating = ROUTINE_TARGETS[self.exercise].alternating_sides
        move_s = (self.rep_s - self.hold_s) / 2
        lead_s = 2.0
        n = int((lead_s + self.reps * self.rep_s + 1.0) * FPS)
        if not self.no_pose:
            events.append(Event(EventKind.CALIBRATED, t0_ms + 1000, self.exercise))
        for i in range(n):
            t_s = i * step / 1000
            t = t0_ms + round(i * step)
            k = (t_s - lead_s) / self.rep_s
            rep = int(k) + 1 if 0 <= k < self.reps else None
            phase = (t_s - lead_s) - (rep - 1) * self.rep_s if rep else 0.0
            w = min(phase / move_s, 1.0, (self.rep_s - phase) / move_s) if rep else 0.0
            if self.no_pose or rep in self.unseen_reps:
                frames.append(PoseFrame.empty(t, SIZE))
            else:
                frames.append(pose_frame(_lerp(start, end, max(0.0, w)), t))
        if self.no_pose:
            return frames, [Event(EventKind.CANNOT_SEE_YOU, t0_ms + 1000, self.exercise)]
        for rep in range(1, self.reps + 1):
            side = ("left" if rep % 2 else "right") if alternating else None
            begin = t0_ms + round((lead_s + (rep - 1) * self.rep_s) * 1000)
            events.append(Event(EventKind.REP_STARTED, begin, self.exercise, rep=rep, side=side))
            for check, cue in self.faults.get(rep, []):
                events.append(Event(
                    EventKind.FAULT, begin + round(move_s * 1000) + 300, self.exercise, rep=rep, side=side,
                    check=check, severity=Severity.STOP if check in self.stop_checks else Severity.WARNING,
                    cue=cue, detail=f"{10 + rep:.2f} deg, over the limit of 10",  # later reps go further
                ))
            events.append(Event(EventKind.REP_COMPLETED, begin + round(self.rep_s * 1000), self.exercise,
                                rep=rep, side=side, hold_ms=round(self.hold_s * 1000)))
        return frames, events


def header(source: str = "camera 0") -> RecordingHeader:
    return RecordingHeader(source=source, fps=FPS, image_size=SIZE, model_variant="full")


def record_session(
    folder: Path, plans: list[ExercisePlan], name: str = "Morning routine", notes: str = "",
    source: str = "camera 0", end: bool = True, targets: dict[str, Targets] | None = None,
) -> Path:
    """Write a session folder as the live pipeline would; `end=False` leaves it as if killed.

    Each exercise records the routine's targets unless `targets` (a plan's) names its own.
    """
    writer = SessionWriter(folder, name=name, notes=notes, profile={"model": "full"})
    t0 = 0
    for plan in plans:
        frames, events = plan.frames_and_events(t0)
        set_targets = (targets or {}).get(plan.exercise, ROUTINE_TARGETS[plan.exercise])
        exercise = writer.start_exercise(plan.exercise, set_targets.to_dict(), header(source))
        pending = sorted(events, key=lambda e: e.timestamp_ms)
        for frame in frames:
            exercise.write_frame(frame)
            due = [e for e in pending if e.timestamp_ms <= frame.timestamp_ms]
            pending = pending[len(due):]
            exercise.write_events(due)
        exercise.write_events(pending)
        if end:
            exercise.close()
        t0 = frames[-1].timestamp_ms + 1000
    if end:
        writer.close()
    return folder


KNEES_UP = POSES["knee_rolls"][0]  # the start position of knee rolls, deep abdominals and pelvic tilts


@dataclass(frozen=True)
class RealSet:
    """One labelled kinematic set done in front of the live trainer (`record_live_session`)."""

    exercise: str
    kind: str  # "correct", or the check the set breaks in about a third of its reps
    seed: int  # a dev seed
    max_reps: int | None = None  # the set cut after this many reps
    unseen_reps: frozenset[int] = frozenset()  # labelled reps during which the camera finds nobody
    nobody: bool = False  # the camera finds nobody in any frame (pointed at the wall)
    pain_in_rep: int | None = None  # the exerciser presses P halfway through this labelled rep

    @property
    def labels(self) -> dict[str, Any]:
        """What happened in the set: reps (start, end, hold, side, faults), disturbances (tools/ README)."""
        return labelled(self.exercise, self.kind, self.seed, max_reps=self.max_reps).labels

    def reps_with(self, check: str) -> list[int]:
        """The labelled reps that break `check`, among those done before any pain stop."""
        return [r["n"] for r in self.labels["reps"] if check in r["faults"] and r["n"] <= self.reps_done]

    @property
    def reps_done(self) -> int:
        """Reps finished: all the labelled ones, or those before the rep the pain stopped."""
        total = self.labels["rep_count"]["total"]
        return total if self.pain_in_rep is None else self.pain_in_rep - 1

    @property
    def pain_at_ms(self) -> int | None:
        """When P is pressed, in the set's own time (None: never)."""
        if self.pain_in_rep is None:
            return None
        rep = self.labels["reps"][self.pain_in_rep - 1]
        return (rep["start_ms"] + rep["end_ms"]) // 2

    def frames(self, t0_ms: int = 0) -> list[PoseFrame]:
        """The set's poses starting at camera time `t0_ms`, with nobody found where the set says so."""
        s = labelled(self.exercise, self.kind, self.seed, max_reps=self.max_reps)
        hidden = [(r["start_ms"], r["end_ms"]) for r in self.labels["reps"] if r["n"] in self.unseen_reps]
        out = []
        for frame in s.frames:
            t = frame.timestamp_ms
            if self.nobody or any(a <= t <= b for a, b in hidden):
                out.append(PoseFrame.empty(t0_ms + t, frame.image_size))
            else:
                out.append(dataclasses.replace(frame, timestamp_ms=t0_ms + t))
        return out


def record_live_session(
    folder: Path, sets: list[RealSet], name: str = "Morning routine", notes: str = "",
    source: str = "camera 0", end: bool = True,
) -> Path:
    """Do `sets` one after the other in front of the live trainer and record the session into `folder`.

    The sets' poses stand in for MediaPipe's on a camera (no instructions wait, no set-up check, no video).
    A set ends as a live one does: the trainer ends it at its target, or the person presses P (`pain_in_rep`)
    and then N, or N when the set is over; after the last set, Q. `end=False` leaves the session as if the
    program were killed after the last frame.
    """
    session = SessionWriter(folder, name=name, notes=notes, profile={"model": "full"})
    trainer = Trainer([step(s.exercise) for s in sets], session, header(source), instructions_s=0.0,
                      setup_check=False)
    image = np.zeros((1, 1, 3), np.uint8)  # no video is kept and the set-up check is off: no pixels needed
    t0 = 0
    for index, real in enumerate(sets):
        frames = real.frames(t0)
        pain = None if real.pain_at_ms is None else t0 + real.pain_at_ms
        for frame in frames:
            if trainer.index != index:  # the trainer ended the set at its target
                break
            trainer.on_pose(frame, image, people=int(frame.has_pose))
            if pain is not None and frame.timestamp_ms >= pain:
                trainer.on_key(Action.PAIN)
                break
        if trainer.index == index and index < len(sets) - 1:
            trainer.on_key(Action.NEXT)  # the set is over (or stopped for pain): on to the next
        t0 = frames[-1].timestamp_ms + 1000
    if end:
        trainer.on_key(Action.QUIT)
        session.close()
    return folder
