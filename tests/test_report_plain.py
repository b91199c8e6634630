"""The report reads to a patient: plain sentences with the reps, distances in cm, holds against the target,
a title naming what was done; the rules' figures (torso lengths, degrees, limits) only folded away for the
physiotherapist.

The session is a real one (tests/session_builders.py: labelled kinematic sets done in front of the live
trainer, through the rules); what the report should say comes from the sets' labels and the rule modules.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from session_builders import RealSet, record_live_session

import exercise_rules
from posecheck.exercise import Check
from posecheck.report import make_report
from posecheck.report.plain import CM_PER_TORSO_LENGTH, PHRASES, hold_sentence, own_name

# An angle check (hands not under the shoulders), a distance check (a shoulder lifting) and holds too short,
# then a set in which nobody is seen: three exercises done and one empty.
HANDS = RealSet("heels_stretch", "hands_under_shoulders", 1000)
SHOULDERS = RealSet("knee_rolls", "shoulders_on_floor", 1001)
SHORT_HOLDS = RealSet("back_extensions", "hold_too_short", 1000)
EMPTY = RealSet("pelvic_tilts", "correct", 1000, max_reps=3, nobody=True)
DONE = (HANDS, SHOULDERS, SHORT_HOLDS)
# The rules time a hold from when the body is near its furthest to when it leaves: up to this much longer than
# the labels' hold.
HOLD_SLACK_S = 1.5
# `posecheck routine` names a session after every exercise it plans (posecheck/live/command.py).
ROUTINE_NAME = " ".join(m.TITLE for m in exercise_rules.all_exercises().values())


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    folder = record_live_session(tmp_path_factory.mktemp("plain") / "session", [*DONE, EMPTY], name=ROUTINE_NAME)
    files = make_report(folder, history=False)
    return json.loads(files.json.read_text(encoding="utf-8")), files.html.read_text(encoding="utf-8")


def _text(markup: str) -> str:
    """What a reader sees of some HTML, as one line."""
    markup = re.sub(r"<(style|script)\b.*?</\1>", " ", markup, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _outside_details(page: str) -> str:
    return _text(re.sub(r"<details\b.*?</details>", " ", page, flags=re.S))


def _inside_details(page: str) -> str:
    return " ".join(_text(block) for block in re.findall(r"<details\b.*?</details>", page, flags=re.S))


def _rep_numbers(sentence: str) -> list[int]:
    """The rep numbers a sentence names ("in reps 2, 5 and 6", "2.7 s in rep 2")."""
    number = r"\d+(?!\d|\.\d)"  # a whole number, not seconds ("2.7 s")
    lists = re.findall(rf"\breps? ({number}(?:(?:, | and ){number})*)", sentence)
    return sorted(int(n) for found in lists for n in re.findall(r"\d+", found))


def _exercise(report: dict, name: str) -> dict:
    return next(e for e in report["exercises"] if e["exercise"] == name)


def _check(exercise: str, name: str) -> Check:
    return next(c for c in exercise_rules.get(exercise).CHECKS if c.name == name)


def test_the_title_names_only_the_exercises_done(made) -> None:
    report, page = made
    heading = _text(re.search(r'<h1 id="title">(.*?)</h1>', page, re.S).group(1)).lower()
    tab = re.search(r"<title>(.*?)</title>", page, re.S).group(1).lower()
    for s in DONE:
        title = exercise_rules.get(s.exercise).TITLE.lower()
        assert title in heading and title in tab
    not_done = [m.TITLE.lower() for name, m in exercise_rules.all_exercises().items()
                if name not in {s.exercise for s in DONE}]
    assert not_done and not any(title in heading or title in tab for title in not_done)
    assert _exercise(report, EMPTY.exercise)["reps"]["done"] == 0  # recorded, yet not named as done


def test_outside_the_folded_details_no_unit_a_patient_would_not_know(made) -> None:
    report, page = made
    seen = _outside_details(page).lower()
    for word in ("torso length", "degree", "°", "limit of"):
        assert word not in seen, word
    # Neither a reading nor a limit of the rules' own units shows, for any check of these exercises.
    for e in report["exercises"]:
        for check in exercise_rules.get(e["exercise"]).CHECKS:
            if check.unit != "s" and check.threshold != int(check.threshold):
                assert not re.search(rf"(?<![\d.]){re.escape(f'{check.threshold:g}')}(?![\d.])", seen), check.name
        for fault in e["faults"]:
            for figure in re.findall(r"\d+\.\d\d", fault["worst"]["detail"] or ""):
                assert figure not in seen, (fault["check"], figure)


def test_the_folded_details_keep_every_figure_for_the_physiotherapist(made) -> None:
    report, page = made
    folded = _inside_details(page)
    assert "Details for your physiotherapist" in folded
    for e in report["exercises"]:
        for row in e["rep_table"]:
            for fault in row["faults"]:
                assert f"rep {row['rep']}: {fault['detail']}" in folded


def test_each_fault_is_a_plain_sentence_naming_the_labelled_reps(made) -> None:
    report, page = made
    seen = _outside_details(page)
    for s, check in ((HANDS, "hands_under_shoulders"), (SHOULDERS, "shoulders_on_floor"),
                     (SHORT_HOLDS, "hold_too_short")):
        fault = next(f for f in _exercise(report, s.exercise)["faults"] if f["check"] == check)
        assert fault["plain"] in seen
        assert _rep_numbers(fault["plain"]) == s.reps_with(check), check
        assert check not in fault["plain"] and check.replace("_", " ") not in fault["plain"]


def test_a_lifted_shoulder_is_said_in_centimetres_past_the_rules_limit(made) -> None:
    report, _ = made
    fault = next(f for f in _exercise(report, "knee_rolls")["faults"] if f["check"] == "shoulders_on_floor")
    cm = int(re.search(r"about (\d+) cm", fault["plain"]).group(1))
    assert fault["worst"]["unit"] == "torso lengths"
    assert abs(cm - fault["worst"]["value"] * CM_PER_TORSO_LENGTH) <= 0.5
    assert cm >= _check("knee_rolls", "shoulders_on_floor").threshold * CM_PER_TORSO_LENGTH


def test_an_angle_is_said_as_what_it_looks_like(made) -> None:
    report, _ = made
    fault = next(f for f in _exercise(report, "heels_stretch")["faults"] if f["check"] == "hands_under_shoulders")
    assert "under your shoulders" in fault["plain"] and not re.search(r"\d+\.\d", fault["plain"])


def test_a_reminder_is_said_as_not_judged_beside_the_faults(made) -> None:
    """The heels stretch's "don't lock your elbows" and "avoid over-arching your lower back" are reminders
    (posecheck.exercise.Reminder): the report says each was said and why the camera does not judge it, and
    lists no fault for it."""
    report, page = made
    reminders = exercise_rules.get("heels_stretch").EXERCISE.reminders
    heels = _exercise(report, "heels_stretch")
    assert [r["check"] for r in heels["notices"]["reminders"]] == [r.name for r in reminders]
    for reminder in reminders:
        assert reminder.name not in {f["check"] for f in heels["faults"]}
        assert f"Reminded, not judged: “{reminder.cue}”." in _outside_details(page)
        assert reminder.reason in _inside_details(page)


def test_short_holds_are_said_with_their_seconds_against_the_target(made) -> None:
    report, page = made
    seen = _outside_details(page)
    targets = exercise_rules.get("back_extensions").TARGETS
    fault = next(f for f in _exercise(report, "back_extensions")["faults"] if f["check"] == "hold_too_short")
    labelled = {r["n"]: r["hold_ms"] / 1000 for r in SHORT_HOLDS.labels["reps"]}
    said = {int(rep): float(s) for s, rep in re.findall(r"(\d+\.\d) s in rep (\d+)", fault["plain"])}
    assert sorted(said) == SHORT_HOLDS.reps_with("hold_too_short")
    for rep, seconds in said.items():
        assert labelled[rep] - 0.1 <= seconds <= labelled[rep] + HOLD_SLACK_S and seconds < targets.hold_min_s
    holds = _exercise(report, "back_extensions")["holds"]["plain"]
    assert holds in seen and f"{targets.hold_min_s:g}-{targets.hold_max_s:g} s" in holds
    assert f"{len(said)} of {len(SHORT_HOLDS.labels['reps'])} were too short" in holds


def test_one_deep_breath_is_answered_in_seconds(made) -> None:
    """The heels stretch's holds (every labelled one 3.9 s or more) against one deep breath, as seconds."""
    report, page = made
    sheet = exercise_rules.get("heels_stretch").TARGETS
    assert min(r["hold_ms"] for r in HANDS.labels["reps"]) >= sheet.hold_min_s * 1000
    holds = _exercise(report, "heels_stretch")["holds"]["plain"]
    assert holds in _outside_details(page)
    assert f"one deep breath is {sheet.hold_min_s:g}-{sheet.hold_max_s:g} s" in holds and "long enough" in holds


def test_breaths_of_deep_abdominal_are_read_as_seconds() -> None:
    sheet = exercise_rules.get("deep_abdominal").TARGETS
    per_breath = sheet.hold_min_s / sheet.hold_breaths[0]
    enough, short = sheet.hold_min_s + per_breath, sheet.hold_min_s - 2 * per_breath
    for value, verdict in ((enough, "that was enough"), (short, "that was too short")):
        holds = {"values_s": [value], "mean_s": value, "min_s": value, "max_s": value, "target_s": None,
                 "target_breaths": list(sheet.hold_breaths)}
        said = hold_sentence("deep_abdominal", holds)
        assert f"{sheet.hold_min_s:g}-{sheet.hold_max_s:g} s" in said and said.endswith(f"{verdict}.")


def test_a_name_someone_gave_is_kept_and_posecheck_s_own_is_not() -> None:
    assert own_name(ROUTINE_NAME) is None
    assert own_name("Knee rolls: knee_rolls__correct__right__b1.mp4") is None  # `analyze` names it so
    assert own_name("Tuesday with Anna") == "Tuesday with Anna"


def test_the_cm_a_torso_length_is_taken_for_agrees_with_the_rules_own_reasons() -> None:
    """The rule modules say some limits both ways ("0.06 torso lengths (3 cm)"): the report's centimetres
    must read them the same."""
    pairs = []
    for module in exercise_rules.all_exercises().values():
        for check in module.CHECKS:
            for lengths, lo, hi in re.findall(r"(\d*\.\d+) torso lengths \((\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))? cm\)",
                                              check.reason):
                pairs.append((float(lengths), float(lo), float(hi or lo)))
    assert len(pairs) >= 3
    for lengths, lo, hi in pairs:
        assert 0.9 * lo <= lengths * CM_PER_TORSO_LENGTH <= 1.1 * hi, (lengths, lo, hi)



def test_every_check_of_every_exercise_has_its_plain_words() -> None:
    """A new check in a rule module needs its sentence here too, else the report falls back to its name."""
    for name, module in exercise_rules.all_exercises().items():
        for check in module.CHECKS:
            assert (name, check.name) in PHRASES, (name, check.name)
            said = PHRASES[(name, check.name)]
            assert "_" not in said.label and check.name not in said.sentence
            # A rise or move from the rest position is said in cm; knees apart reads one knee against the other's
            # drop, not a distance a person would picture.
            if check.unit == "torso lengths" and not check.fault_below and check.name != "knees_together":
                assert "{amount}" in said.sentence, (name, check.name)
