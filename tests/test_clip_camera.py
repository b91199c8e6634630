"""A video standing in for the camera waits like the person on the mat (issue 18 item 8): its first frame is
shown through the pain question and the instructions (`posecheck.live.loop.ClipWaits`), so trying `live` or
`routine` on a sample clip counts the clip's reps, and ends saying the clip ended; several clips, one per
exercise, play in the routine's order (`--source a.mp4 --source b.mp4`)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import cv2
import numpy as np
from conftest import REPO, run_cli

from posecheck.live.loop import SETUP_HOLD_S, ClipWaits, NewestFrame, Pace
from posecheck.live.profile import write_default_profile
from posecheck.live.trainer import Stage
from posecheck.session import load_session
from posecheck.sources import ClipsSource, Frame, Source, open_sources

HEELS = REPO / "samples" / "video" / "heels_stretch__correct__right__b0.mp4"


class TwoClips(Source):
    """Two clips of five frames at 15 fps; frame i of clip c is filled with 10 * c + i."""

    description, fps, size = "two clips", 15.0, (8, 6)

    def frames(self):
        for i in range(10):
            yield Frame(i, i * 67, np.full((6, 8, 3), 10 * (i // 5) + i % 5, np.uint8), i // 5)


@dataclass
class Routine:
    """What ClipWaits reads of the trainer."""

    index: int = 0
    stage: Stage = Stage.PAIN_BEFORE
    paused: bool = False
    done: bool = False
    now_ms: int | None = None


def take(reader: NewestFrame, routine: Routine, last: int) -> Frame | None:
    """The next frame, as the loop takes it when the one before has reached the trainer."""
    captured = reader.newer(last, timeout=5)
    if captured is None:
        return None
    routine.now_ms = captured.frame.timestamp_ms
    return captured.frame


def test_a_clip_waits_at_its_first_frame_until_its_set_and_the_next_clip_until_its_exercise():
    routine = Routine()
    reader = NewestFrame(TwoClips(), realtime=False, every_frame=True, pace=ClipWaits(routine))
    shown: list[tuple[int, int]] = []  # (what the frame shows: 10 * clip + frame, timestamp)
    last = -1

    def step(n: int) -> None:
        nonlocal last
        for _ in range(n):
            frame = take(reader, routine, last)
            assert frame is not None
            last = frame.index
            shown.append((int(frame.image[0, 0, 0]), frame.timestamp_ms))

    step(4)  # the pain question: the first frame, again and again
    routine.stage = Stage.INSTRUCTIONS
    step(2)
    routine.stage = Stage.EXERCISE
    step(2)  # the set: the clip plays
    routine.paused = True
    step(2)  # paused: it stands still
    routine.paused = False
    step(4)  # the rest of clip 0, then its last frame while its exercise goes on
    routine.index, routine.stage = 1, Stage.INSTRUCTIONS
    step(3)  # the next exercise's instructions: clip 1's first frame
    routine.stage = Stage.EXERCISE
    step(2)
    routine.index = 2  # the routine moved on: the rest of clip 1 is skipped
    assert take(reader, routine, last) is None and reader.ended
    reader.close()
    assert [what for what, _ in shown] == [0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 3, 4, 4, 4, 10, 10, 10, 11, 12]
    times = [t for _, t in shown]
    assert times == sorted(set(times)) and all(b - a == 67 for a, b in itertools.pairwise(times))  # one frame's time
    assert reader.held == 11 and reader.read == len(shown)


def test_the_set_up_check_sees_the_first_frame_a_while_then_the_clip_plays():
    routine = Routine(stage=Stage.SETUP)
    waits = ClipWaits(routine)
    first, second = Frame(0, 0, np.zeros((2, 2, 3), np.uint8)), Frame(1, 67, np.zeros((2, 2, 3), np.uint8))
    routine.now_ms = 10_000
    assert waits(second) is Pace.HOLD
    routine.now_ms = 10_000 + int(SETUP_HOLD_S * 1000) - 1
    assert waits(second) is Pace.HOLD
    routine.now_ms = 10_000 + int(SETUP_HOLD_S * 1000)
    assert waits(second) is Pace.PLAY  # a clip that does not start in the start position is not held for ever
    assert waits(first) is Pace.PLAY


def test_several_video_files_play_as_one_stream_numbered_and_timed_on(tmp_path):
    paths = []
    for clip, count in enumerate((4, 3)):
        path = tmp_path / f"clip{clip}.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 15, (32, 24))
        for i in range(count):
            writer.write(np.full((24, 32, 3), 40 * clip + 10 * i, np.uint8))
        writer.release()
        paths.append(str(path))
    with open_sources(paths) as source:
        assert isinstance(source, ClipsSource) and source.frame_count == 7 and source.fps == 15.0
        frames = list(source.frames())
    assert [f.index for f in frames] == list(range(7))
    assert [f.clip for f in frames] == [0, 0, 0, 0, 1, 1, 1]
    times = [f.timestamp_ms for f in frames]
    assert times[4] - times[3] == 67 and times == sorted(set(times))


def test_trying_live_on_a_sample_clip_counts_its_reps_after_the_instructions_and_says_the_clip_ended(tmp_path):
    write_default_profile(tmp_path / "profile.toml")
    done = run_cli("live", "--exercise", "heels_stretch", "--source", str(HEELS), "--headless", "--no-voice",
                   "--every-frame", "--variant", "full", "--instructions-seconds", "6", "--no-history",
                   "--session-dir", str(tmp_path / "session"), "--profile", str(tmp_path / "profile.toml"),
                   env={"POSECHECK_DATA_DIR": str(tmp_path / "data"), "DISPLAY": ""})
    assert done.returncode == 1, done.stderr  # ended before the set's 8-10 reps: as a camera lost
    assert "the clip ended before the session was done" in done.stderr
    assert "Heels stretch: 3 reps" in done.stdout and "ended: the clip ended" in done.stdout
    labels = json.loads(HEELS.with_suffix(".json").read_text())
    (record,) = load_session(tmp_path / "session").exercises
    # The instructions' 6 s and the set-up check used none of the clip: every rep of it was counted, and
    # the set saw every frame of it (from the first, held until the check passed).
    assert len([e for e in record.events if e.kind == "rep_completed"]) == len(labels["reps"]) == 3
    assert labels["frame_count"] <= len(record.frames) <= labels["frame_count"] + 2
