"""The kinematic generator's habit sets (tools/kinematic_habits.py): deterministic, labelled exactly,
every habit with every exercise, and the plain sets left as they were."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from kinematic_sets import FAULTS, SetPlan, make_set, plans, write_set

from tools.kinematic_habits import PACED, START_DIRECTIONS, Habits, HabitSet, habit_rng
from tools.make_kinematic_samples import HABITS_DEV_SEED_BASE, HABITS_HELDOUT_SEED_BASE, HELDOUT_SEED_BASE

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "kinematic"
DEV = list(plans("habits-dev", per_kind=2, correct=6))


@pytest.fixture(scope="module")
def dev_labels() -> list[dict]:
    return [make_set(plan, with_frames=False).labels for plan in DEV]


def test_habit_splits_have_their_own_seeds_and_habits():
    assert DEV[0].seed == HABITS_DEV_SEED_BASE and all(p.habits for p in DEV)
    heldout = next(plans("habits-heldout"))
    assert heldout.seed == HABITS_HELDOUT_SEED_BASE and heldout.habits
    assert not any(p.habits for p in plans("heldout")) and next(plans("heldout")).seed == HELDOUT_SEED_BASE


def test_a_habit_set_is_the_same_every_time():
    plan = SetPlan("pelvic_tilts", "head_down", HABITS_DEV_SEED_BASE + 3, "habits-dev", 15.0, 3, True)
    a, b = make_set(plan), make_set(plan)
    assert a.labels == b.labels
    assert len(a.frames) == len(b.frames)
    for fa, fb in zip(a.frames[::25], b.frames[::25], strict=True):
        assert fa.has_pose == fb.has_pose
        if fa.has_pose:
            np.testing.assert_array_equal(fa.image, fb.image)


def test_habit_labels_are_consistent(dev_labels):
    for labels in dev_labels:
        reps = labels["reps"]
        assert reps and labels["rep_count"]["total"] == len(reps)
        for r in reps:
            assert 0 <= r["start_ms"] < r["end_ms"]
            assert r["hold_ms"] <= r["end_ms"] - r["start_ms"]
        for a, b in pairwise(reps):
            assert a["end_ms"] <= b["start_ms"]
        for iv in labels["transitions"]:
            assert iv["kind"] in ("get_down", "get_up")
            assert all(r["end_ms"] <= iv["start_ms"] or r["start_ms"] >= iv["end_ms"] for r in reps)
        assert bool(labels["transitions"]) == labels["habits"]["get_in_out"]
        if labels["transitions"]:
            down, up = labels["transitions"]
            assert down["start_ms"] == 0 and down["end_ms"] < reps[0]["start_ms"]
            assert up["start_ms"] >= reps[-1]["end_ms"]
        faulty = [r for r in reps if r["faults"]]
        assert (labels["set_kind"] == "correct") == (not faulty)
        assert all(r["faults"] == [labels["set_kind"]] for r in faulty)
        if labels["set_kind"] == "hold_too_short":
            # A pause mid-rep on a short hold goes into the rest after it, or the hold is not short.
            assert max(r["hold_ms"] for r in faulty) < min(r["hold_ms"] for r in reps if not r["faults"])


def test_every_habit_level_shows_up_with_every_exercise(dev_labels):
    for exercise in FAULTS:
        seen: dict[str, set[str]] = {}
        for labels in dev_labels:
            if labels["exercise"] == exercise:
                for name, level in labels["factors"].items():
                    assert isinstance(level, str)
                    seen.setdefault(name, set()).add(level)
        wanted = {"end": 2, "pauses": 3 if exercise in PACED else 2, "fidgets": 2, "look_at_screen": 2,
                  "get_in_out": 2}
        if exercise in PACED:
            wanted |= {"rhythm": 2, "range": 2, "tempo": 3, "rests": 2}
        if exercise in START_DIRECTIONS:
            wanted["start_direction"] = 2
        assert {name: len(levels) for name, levels in seen.items()} == wanted, exercise


def test_tempo_levels_bucket_the_speed_factor(dev_labels):
    for labels in dev_labels:
        tempo = labels["habits"].get("tempo")
        if tempo is None:
            assert "tempo" not in labels["factors"]
            continue
        assert 0.5 <= tempo <= 2.0
        assert labels["factors"]["tempo"] == ("slow" if tempo < 0.8 else "fast" if tempo > 1.3 else "usual")


def _habit_set(exercise: str, seed: int, **want: str) -> HabitSet:
    """The first habit set from `seed` on whose habits match `want`."""
    for s in range(seed, seed + 400):
        plan = SetPlan(exercise, "correct", s, "habits-dev", 15.0, None, True)
        if all(getattr(Habits.draw(exercise, habit_rng(plan)), k) == v for k, v in want.items()):
            return HabitSet.build(plan, np.random.default_rng(s), "left")
    raise AssertionError(f"no {exercise} set with {want}")


@pytest.mark.parametrize("rhythm", ["paused", "continuous"])
@pytest.mark.parametrize("direction", ["arch_first", "press_first"])
def test_a_pelvic_tilt_rep_is_one_rock_whichever_way_it_starts(rhythm, direction):
    hs = _habit_set("pelvic_tilts", 20_000, start_direction=direction, rhythm=rhythm, pauses="none", fidgets=False)
    first = 1.0 if direction == "arch_first" else -1.0
    for r in hs.reps:
        assert hs.tl.at(r.start)["tilt"] == pytest.approx(0.0, abs=1e-6)
        assert hs.tl.at(r.end)["tilt"] == pytest.approx(0.0, abs=1e-6)
        mid = [hs.tl.at(t)["tilt"] for t in np.linspace(r.start, r.end, 60)[1:-1]]
        assert first * mid[2] > 0  # the first way it goes
        assert max(mid) > 0 > min(mid)  # and the other way, before back at the start
    joined = [a.end == b.start for a, b in pairwise(hs.reps)]
    assert all(joined) if rhythm == "continuous" else not any(joined)


def test_continuous_knee_rolls_keep_their_holds_and_pass_the_centre_without_a_rest():
    hs = _habit_set("knee_rolls", 20_000, rhythm="continuous", pauses="none", fidgets=False)
    for r in hs.reps:
        assert hs.tl.at(r.end)["roll"] == pytest.approx(0.0, abs=1e-6)
        assert r.hold >= 3.5
    sides = [r.side for r in hs.reps]
    assert all(a != b for a, b in pairwise(sides))
    assert sum(a.end == b.start for a, b in pairwise(hs.reps)) == len(hs.reps) - 1


def test_small_knee_rolls_go_a_third_of_the_way():
    hs = _habit_set("knee_rolls", 20_000, range="small")
    biggest = max(abs(v["roll"]) for _, v in hs.tl.keys)
    assert 50 / 3 - 0.01 <= biggest <= 75 / 3 + 0.01


def test_the_plain_sets_are_unchanged(tmp_path):
    # The committed knee-roll set (see COMMITTED): the habits must not move a single byte of it.
    plan = SetPlan("knee_rolls", "correct", 1000, "dev", 15.0, 4)
    name = "knee_rolls__correct__dev1000"
    write_set(make_set(plan), tmp_path, name)
    for suffix in (".jsonl", ".labels.json"):
        assert (tmp_path / f"{name}{suffix}").read_bytes() == (SAMPLES / f"{name}{suffix}").read_bytes()


def test_a_short_hold_paused_mid_rep_stays_short():
    """Habits v19's knee 1190019: the mid-rep pause fell on a short roll and held it 6.5 s under a
    hold_too_short label; the pause goes into the rest after it instead."""
    labels = make_set(SetPlan("knee_rolls", "hold_too_short", 1_190_019, "habits-heldout", 15.0, None, True),
                      with_frames=False).labels
    assert labels["habits"]["pauses"] == "mid_rep"
    short = [r["hold_ms"] for r in labels["reps"] if r["faults"]]
    assert short and max(short) < 1000
