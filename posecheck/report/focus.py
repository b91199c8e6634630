"""Two or three things to focus on next time, in plain words, from the report's exercise entries."""

from __future__ import annotations

from typing import Any

MAX_ITEMS = 3
LOW_IN_VIEW = 0.8  # seen in less than this share of frames: the camera set-up is the first thing to fix
SIDE_IMBALANCE = 2  # reps more to one side than the other before it is worth saying
# The brief's camera set-up, said as the person would do it.
CAMERA_ADVICE = (
    "Set the camera beside your mat so it sees all of you from the side: 2-3 m away, "
    "with the lens between floor and hip height."
)
# "Remember to only stretch as far as it feels comfortable" (the routine).
ALL_GOOD = (
    "Your form looked good throughout. Keep the same routine tomorrow, "
    "and only stretch as far as it feels comfortable."
)


def _share(count: int, total: int | None) -> str:
    return f"{count} of {total} reps" if total else f"{count} time{'s' if count != 1 else ''}"


def things_to_focus_on(exercises: list[dict[str, Any]], has_pose: bool) -> list[dict[str, str]]:
    """Up to three `{"text", "why"}` items, most important first.

    Each candidate weighs 50 plus up to 40 for how much of the exercise it spoils (share of reps with the
    fault, of holds too short, of reps missing, of time out of view); a safety stop weighs 100 and more.
    """
    if not exercises:
        return [{"text": "Record at least one exercise next time.", "why": "This session holds no exercise."}]
    if not has_pose:
        return [{"text": CAMERA_ADVICE, "why": "posecheck could not see anyone in this session."}]
    candidates: list[tuple[float, str, str]] = []
    for e in exercises:
        name = e["title"]
        completed = e["reps"]["done"] or None
        for fault in e["faults"]:
            cue = fault["cue"] or f"Watch out: {fault.get('label') or fault['check'].replace('_', ' ')}"
            share = fault["count"] / completed if completed else 0.5
            weight = (100 if fault["severity"] == "stop" else 50) + 40 * min(share, 1.0)
            why = f"In {name.lower()} this came up in {_share(len(fault['reps']) or fault['count'], completed)}."
            if fault["severity"] == "stop":
                why += " It is a safety stop: ease off, and ask your physiotherapist if it hurts."
            candidates.append((weight, f"{name}: {cue.rstrip('.')}.", why))
        if e["in_view"] is not None and e["in_view"] < LOW_IN_VIEW:
            weight = 50 + 80 * (1 - e["in_view"])  # unseen form cannot be checked at all
            candidates.append(
                (weight, CAMERA_ADVICE,
                 f"You were out of view for {round(100 * (1 - e['in_view']))}% of {name.lower()}, "
                 "so posecheck could not check your form there.")
            )
        reps, target = e["reps"], e["reps"]["target"]
        if target and reps["status"] == "below" and not e["problems"]:  # not when a crash cut it short
            lo, hi = target
            aim = f"{lo}" if lo == hi else f"{lo}-{hi}"
            missing = (lo - reps["done"]) / lo
            candidates.append(
                (50 + 40 * missing, f"{name}: aim for {aim} repetitions.", f"This time {reps['done']} were counted.")
            )
        holds = e["holds"]
        said = any(f["check"] == "hold_too_short" for f in e["faults"])  # the rule's own cue says it already
        if not said and holds["target_s"] and holds["values_s"] and holds["short"] * 2 > len(holds["values_s"]):
            short_share = holds["short"] / len(holds["values_s"])
            candidates.append(
                (50 + 40 * short_share, f"{name}: hold each one for at least {holds['target_s'][0]:g} seconds.",
                 f"{holds['short']} of {len(holds['values_s'])} holds were shorter "
                 f"(average {holds['mean_s']:g} s).")
            )
        sides = reps["by_side"]
        alternated = any(f["check"] == "alternate_sides" for f in e["faults"])  # its cue says it already
        if e["targets"] and e["targets"].get("alternating_sides") and sides and not alternated:
            left, right = sides.get("left", 0), sides.get("right", 0)
            if abs(left - right) >= SIDE_IMBALANCE:
                candidates.append(
                    (50, f"{name}: alternate sides evenly.", f"{left} went to the left and {right} to the right.")
                )
    candidates.sort(key=lambda c: -c[0])
    chosen: list[dict[str, str]] = []
    for _, text, why in candidates:
        if all(item["text"] != text for item in chosen):
            chosen.append({"text": text, "why": why})
        if len(chosen) == MAX_ITEMS:
            break
    return chosen or [{"text": ALL_GOOD, "why": "No faults were flagged and the targets were met."}]
