"""The report in a patient's words: each fault as a sentence with its reps, holds against the sheet's target,
and a title naming what was done.

The figures the rules judge by (torso lengths, degrees, limits) stay in the report, folded away for the
physiotherapist; here a distance is said in centimetres ("about 3 cm") and an angle as what it looks like
("your elbows were locked straight").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import exercise_rules
from posecheck.errors import PosecheckError
from posecheck.report.targets import TITLES

# A torso length is the body's scale in the rules: the near-side shoulder-to-hip distance in the picture
# (posecheck.calibration). For an adult it is about 50 cm, as the rules' own reasons read it (0.07 torso
# lengths, 3.5 cm); a person's own is within a fifth of that, so a distance is said as "about" whole cm.
CM_PER_TORSO_LENGTH = 50.0
TORSO_LENGTHS = "torso lengths"
PAIN_CHECK = "pain_reported"  # the live trainer's check for a pain stop (posecheck.live.trainer)


@dataclass(frozen=True)
class Phrase:
    """What a fault looked like, in the sheet's words: `label` names it in a rep's row; `sentence` says it,
    with `{amount}` where a distance ("about 3 cm") goes when the check measures one."""

    label: str
    sentence: str


_HOLD = Phrase("hold too short", "You came back before the hold was done")
_PAIN = Phrase("stopped for pain", "You stopped for pain")

# Keyed by exercise and check name (exercise_rules/*.py); written from the routine sheet's words.
PHRASES: dict[tuple[str, str], Phrase] = {
    ("heels_stretch", "knees_under_hips"): Phrase("knees not under hips", "Your knees were not under your hips"),
    ("heels_stretch", "hands_under_shoulders"): Phrase("hands not under shoulders",
                                                       "Your hands were not under your shoulders"),
    ("heels_stretch", "neck_long"): Phrase("head dropped", "Your head dropped below the line of your back"),
    ("heels_stretch", "sitting_on_heels"): Phrase("sat on heels", "You sat back onto your heels"),
    ("heels_stretch", "hold_too_short"): _HOLD,
    ("knee_rolls", "shoulders_on_floor"): Phrase("shoulder lifted", "A shoulder lifted{amount} off the floor"),
    ("knee_rolls", "knees_together"): Phrase("knees apart", "Your knees came apart"),
    ("knee_rolls", "feet_on_floor"): Phrase("feet lifted", "Your feet lifted{amount} off the floor"),
    ("knee_rolls", "hold_too_short"): _HOLD,
    ("knee_rolls", "alternate_sides"): Phrase("same side again", "You rolled to the same side twice in a row"),
    ("back_extensions", "hips_grounded"): Phrase("hips lifted", "Your hips lifted{amount} off the floor"),
    ("back_extensions", "hold_too_short"): _HOLD,
    ("deep_abdominal", "pelvis_still"): Phrase("pelvis lifted", "Your pelvis lifted{amount} off the floor"),
    ("deep_abdominal", "legs_still"): Phrase("legs moved", "Your legs moved{amount} during the hold"),
    ("deep_abdominal", "head_and_shoulders_relaxed"): Phrase(
        "head or shoulders tensed", "Your head or shoulders came up{amount}: a sign of tensing"),
    ("deep_abdominal", "hold_too_short"): Phrase("hold too short", "You let go before the hold was done"),
    ("pelvic_tilts", "hips_grounded"): Phrase("hips lifted",
                                              "Your hips lifted{amount} off the floor: a bridge, not a tilt"),
}

_UNIT = re.compile(r"^\s*-?\d+(?:\.\d+)?\s+(.*?),\s+(?:over|under) the limit")


def phrase(exercise: str, check: str) -> Phrase:
    """The phrase for `check` in `exercise`; a check without one is named by its own words."""
    if check == PAIN_CHECK:
        return _PAIN
    found = PHRASES.get((exercise, check))
    if found is not None:
        return found
    words = check.replace("_", " ")
    return Phrase(words, f"Flagged: {words}")


def unit_of(detail: str | None) -> str | None:
    """The unit a fault's detail gives its reading in ("0.08 torso lengths, over the limit of 0.06, ...")."""
    match = _UNIT.match(detail or "")
    return match[1] if match else None


def centimetres(torso_lengths: float) -> int:
    """A distance in torso lengths as whole centimetres, at least 1."""
    return max(1, round(abs(torso_lengths) * CM_PER_TORSO_LENGTH))


def and_list(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}" if items else ""


def in_reps(reps: list[int]) -> str:
    """`in rep 2`, `in reps 2 and 3`."""
    return f"in rep{'s' if len(reps) > 1 else ''} {and_list([str(r) for r in reps])}" if reps else ""


def fault_sentence(exercise: dict[str, Any], fault: dict[str, Any]) -> str:
    """One fault of an exercise's report entry as a sentence: what it looked like, how far, in which reps."""
    said = phrase(exercise["exercise"], fault["check"])
    worst = fault["worst"]
    amount = ""
    if "{amount}" in said.sentence and worst.get("value") is not None and worst.get("unit") == TORSO_LENGTHS:
        amount = f" {'up to ' if fault['count'] > 1 else ''}about {centimetres(worst['value'])} cm"
    text = said.sentence.format(amount=amount)
    if fault["check"] == "hold_too_short":
        held = [f"{r['hold_s']:.1f} s in rep {r['rep']}" for r in exercise["rep_table"]
                if r["rep"] in fault["reps"] and r["hold_s"] is not None]
        target = hold_target(exercise["exercise"], exercise["holds"])
        if held:
            return f"{text}: {and_list(held)}" + (f" ({target[2]})." if target else ".")
    where = in_reps(fault["reps"])
    if where:
        return f"{text} {where}."
    return f"{text} between reps." if fault["count"] else f"{text}."


def _range(lo: float, hi: float) -> str:
    return f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"


def breath_seconds(exercise: str, breaths: tuple[int, int]) -> tuple[float, float] | None:
    """How long `breaths` take as the exercise's rules read a breath (the sheet's one deep breath: 3-6 s)."""
    try:
        sheet = exercise_rules.get(exercise).TARGETS
    except PosecheckError:  # an exercise this version does not know: no reading of its breaths
        return None
    if not (sheet.hold_breaths and sheet.hold_max_s):
        return None
    lo_s, hi_s = sheet.hold_min_s / sheet.hold_breaths[0], sheet.hold_max_s / sheet.hold_breaths[1]
    return round(breaths[0] * lo_s, 1), round(breaths[1] * hi_s, 1)


def hold_target(exercise: str, holds: dict[str, Any]) -> tuple[float, float, str] | None:
    """The hold asked, in seconds, and in words: (3.0, 6.0, "one deep breath is 3-6 s"); None: no hold asked."""
    if holds["target_s"]:
        lo, hi = holds["target_s"]
        return lo, hi, f"the target is {_range(lo, hi)} s"
    breaths = tuple(holds["target_breaths"] or ())
    seconds = breath_seconds(exercise, breaths) if breaths else None
    if seconds is None:
        return None
    lo, hi = seconds
    if breaths == (1, 1):
        return lo, hi, f"one deep breath is {_range(lo, hi)} s"
    return lo, hi, f"{_range(*breaths)} breaths is about {_range(lo, hi)} s"


def hold_sentence(exercise: str, holds: dict[str, Any]) -> str | None:
    """Whether the holds were long enough, against the target: "Held 4.8 s: one deep breath is 3-6 s, so
    that was enough." None when the exercise asks no hold or none was timed."""
    values = holds["values_s"]
    target = hold_target(exercise, holds)
    if not values or target is None:
        return None
    lo, _, asked = target
    held = (f"Held {values[0]:.1f} s" if len(values) == 1 else
            f"Held {holds['mean_s']:.1f} s on average ({holds['min_s']:.1f}-{holds['max_s']:.1f} s)")
    short = sum(v < lo for v in values)
    if not short:
        verdict = "so that was enough" if len(values) == 1 else "so each was long enough"
    elif short == len(values):
        verdict = "so that was too short" if len(values) == 1 else "so each was too short"
    else:
        verdict = f"so {short} of {len(values)} were too short"
    return f"{held}: {asked}, {verdict}."


def _automatic(name: str) -> bool:
    """A session name posecheck made itself: the exercises' titles run together (`routine`), or one title and
    a file's name (`analyze`)."""
    rest = name.lower()
    for title in sorted(TITLES.values(), key=len, reverse=True):
        rest = rest.replace(title.lower(), " ")
    return not rest.strip() or any(name.startswith(f"{t}: ") for t in TITLES.values())


def own_name(name: str | None) -> str | None:
    """The session's name when someone gave it (not one posecheck made from the exercises)."""
    return name if name and name.strip() and not _automatic(name) else None


def title(exercises: list[dict[str, Any]]) -> str:
    """What was done: the exercises with a rep, in order ("Heels stretch and knee rolls")."""
    done = list(dict.fromkeys(e["title"] for e in exercises if e["reps"]["done"]))
    if not done:
        return "No exercise done" if exercises else "Nothing recorded"
    names = [done[0]] + [t[0].lower() + t[1:] for t in done[1:]]
    return and_list(names)
