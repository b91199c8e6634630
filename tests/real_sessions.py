"""Sessions made the way posecheck makes them, from labelled kinematic sets run through the rules: by
`posecheck analyze` (a recording, judged against a plan file) or by the live trainer fed the set's frames
(which records how each set ended, and the pain ratings)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from kinematic_sets import LabelledSet, labelled, write_set

from posecheck.cli import main
from posecheck.landmarks import PoseFrame
from posecheck.live.routine import step
from posecheck.live.trainer import Action, Trainer
from posecheck.session import SESSION_FILE, SessionWriter


def plan_file(path: Path, exercise: str, reps: tuple[int, int], hold_seconds: tuple[int, int] | None = None,
              days: str | None = None) -> Path:
    """A one-exercise plan, as a physiotherapist would write it."""
    lines = ["version = 1"] + ([f"days = {days}"] if days else [])
    lines += ["[[exercise]]", f'name = "{exercise}"', f"reps = [{reps[0]}, {reps[1]}]"]
    if hold_seconds:
        lines.append(f"hold_seconds = [{hold_seconds[0]}, {hold_seconds[1]}]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def analysed(folder: Path, exercise: str, kind: str, seed: int, reps: int, plan: Path | None = None,
             history: bool = True) -> tuple[LabelledSet, dict]:
    """`posecheck analyze` of a labelled set into `folder`; returns the set and its report's content."""
    s = labelled(exercise, kind, seed, max_reps=reps)
    recording = write_set(s, folder.parent / "recordings", f"{folder.name}-{exercise}")
    argv = ["analyze", str(recording), "--exercise", exercise, "--session-dir", str(folder), "--no-open"]
    argv += (["--plan", str(plan)] if plan else []) + ([] if history else ["--no-history"])
    assert main(argv) == 0
    return s, json.loads((folder / "report.json").read_text(encoding="utf-8"))


def trained(folder: Path, done: LabelledSet, then_empty: str, pain: tuple[int, int] | None = None) -> Path:
    """A live session: the trainer fed `done`'s frames, N pressed (moving on before the target), then nobody
    seen in `then_empty` until Q: a stopped set and an empty one, each with its "ended_by"."""
    writer = SessionWriter(folder)
    trainer = Trainer([step(done.labels["exercise"]), step(then_empty)], writer, done.header, instructions_s=0.0,
                      setup_check=False, pain_before=pain[0] if pain else None,
                      pain_after=pain[1] if pain else None)
    width, height = done.header.image_size
    image = np.zeros((height, width, 3), np.uint8)
    for frame in done.frames:
        trainer.on_pose(frame, image, people=1)
    trainer.on_key(Action.NEXT)
    t = done.frames[-1].timestamp_ms
    for _ in range(30):
        t += 67
        trainer.on_pose(PoseFrame.empty(t, done.header.image_size), image, people=0)
    trainer.on_key(Action.QUIT)
    writer.close()
    return folder


def set_started_at(folder: Path, iso: str) -> None:
    """Move a session to another day (the history is made of sessions on chosen dates)."""
    path = folder / SESSION_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["started_at"] = iso
    path.write_text(json.dumps(data), encoding="utf-8")


def trained_sets(folder: Path, sets: list[LabelledSet], name: str = "") -> Path:
    """A live session of several exercises: each set's frames fed to the trainer, N pressed after each
    (the sets are shorter than the plan asks, so the trainer never moves on by itself), Q at the end."""
    writer = SessionWriter(folder, name=name)
    trainer = Trainer([step(s.labels["exercise"]) for s in sets], writer, sets[0].header, instructions_s=0.0,
                      setup_check=False)
    t0 = 0
    for number, s in enumerate(sets):
        width, height = s.header.image_size
        image = np.zeros((height, width, 3), np.uint8)
        for frame in s.frames:
            trainer.on_pose(PoseFrame(t0 + frame.timestamp_ms, frame.image_size, frame.image, frame.visibility,
                                      frame.presence, frame.world), image, people=1)
        t0 += s.frames[-1].timestamp_ms + 1000
        trainer.on_key(Action.NEXT if number < len(sets) - 1 else Action.QUIT)
        trainer.on_pose(PoseFrame.empty(t0, s.header.image_size), image, people=0)  # past the instructions
    writer.close()
    return folder
