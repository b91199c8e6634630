"""The lower-back routine, in its own order, with its targets and its instructions in its own words.

Targets are the report's (`posecheck.report.targets`), so what a session records is what the report
judges; the words shown before each exercise are quoted from the routine sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from posecheck.errors import PosecheckError
from posecheck.report.targets import ROUTINE_TARGETS, Targets, title

# "Be sure to speak to a physiotherapist before starting these exercises!"
PHYSIO_NOTICE = (
    "Be sure to speak to a physiotherapist before starting these exercises!",
    "Begin gently and only go as far as you can without pain.",
    "If anything hurts, press P to stop and speak to a physiotherapist.",
)

# "Try to do the below routine at least once a day, if the pain allows."
ROUTINE_ORDER: tuple[str, ...] = ("heels_stretch", "knee_rolls", "back_extensions", "deep_abdominal", "pelvic_tilts")

INSTRUCTIONS: dict[str, tuple[str, ...]] = {
    "heels_stretch": (
        "Kneel on all fours with your knees level with your hips and hands directly beneath your shoulders.",
        "Then slowly lower yourself backwards whilst maintaining the natural curve in the spine.",
        "Hold this position for one deep breath and return to the starting position.",
        "Remember to only stretch as far as it feels comfortable.",
    ),
    "knee_rolls": (
        "Lie backwards while resting your head on a small flat cushion. Bring your knees up, keeping them bent "
        "and together with your feet still on the floor.",
        "Roll your knees to the one side, following with your pelvis and keeping both shoulders on the floor.",
        "Hold the stretch for one deep breath and return to the starting position. Alternate sides.",
        "Move only as far as you can.",
    ),
    "back_extensions": (
        "Lie flat on your stomach, then prop yourself up onto your elbows to lengthen your spine.",
        "Arch your back up by pushing downwards on your hands.",
        "Breathe in and hold for 5-10 seconds, then return to the starting position.",
        "Keep neck long and don't bend it backwards. Ensure your hips are kept grounded.",
    ),
    "deep_abdominal": (
        "Begin how you would when doing knee rolls: on your back, knees bent and together, feet on the floor.",
        "After an intake of breath, while you breathe out, draw up the muscles of your pelvis and lower "
        "abdominals.",
        "Hold this contraction while breathing from your abdomen for 5-10 breaths, then relax.",
        "Don't tense up through the neck, shoulders or legs.",
    ),
    "pelvic_tilts": (
        "Start how you would for knee rolls: on your back, knees bent and together, feet on the floor.",
        "Gently push your lower back into the ground and contract your stomach muscles.",
        "Then tilt your pelvis towards your heels until you feel a gentle arch in your lower back.",
        "Tilt your pelvis back and forth in a rocking motion. Don't tense up through the neck.",
    ),
}

# Said as each exercise's instructions come up, for a person already on the mat: the one or two sentences
# of the sheet's words (above) that say what to do, not the whole text (about 10 s at the voice's pace).
SPOKEN: dict[str, str] = {
    "heels_stretch": "Kneel on all fours with your knees level with your hips and hands directly beneath your "
                     "shoulders. Then slowly lower yourself backwards whilst maintaining the natural curve in the "
                     "spine.",
    "knee_rolls": "Bring your knees up, keeping them bent and together with your feet still on the floor. Roll your "
                  "knees to the one side, following with your pelvis and keeping both shoulders on the floor.",
    "back_extensions": "Lie flat on your stomach, then prop yourself up onto your elbows to lengthen your spine. "
                       "Arch your back up by pushing downwards on your hands.",
    "deep_abdominal": "After an intake of breath, while you breathe out, draw up the muscles of your pelvis and "
                      "lower abdominals. Don't tense up through the neck, shoulders or legs.",
    "pelvic_tilts": "Gently push your lower back into the ground and contract your stomach muscles. Then tilt your "
                    "pelvis towards your heels until you feel a gentle arch in your lower back.",
}

# "Avoid sitting back on your heels if you have a knee problem"
KNEE_PROBLEM_LINE = "You have a knee problem: avoid sitting back on your heels."


@dataclass(frozen=True)
class Step:
    """One exercise of the routine as the trainer runs it."""

    exercise: str
    title: str
    targets: Targets
    instructions: tuple[str, ...]
    note: str = ""  # the plan's note for this exercise (posecheck.plan), shown after the sheet's words
    spoken: str = ""  # the short instruction said aloud (SPOKEN)

    def instructions_for(self, settings: dict[str, Any]) -> tuple[str, ...]:
        lines = (*self.instructions, self.note) if self.note else self.instructions
        if self.exercise == "heels_stretch" and settings.get("knee_problem"):
            return (*lines, KNEE_PROBLEM_LINE)
        return lines

    def spoken_for(self, settings: dict[str, Any]) -> str:
        """What is said as the instructions come up: the title, the short instruction, a knee caution."""
        words = f"Next: {self.title}. {self.spoken}".strip()
        if self.exercise == "heels_stretch" and settings.get("knee_problem"):
            return f"{words} {KNEE_PROBLEM_LINE}"
        return words


def step(exercise: str) -> Step:
    if exercise not in ROUTINE_TARGETS:
        raise PosecheckError(f"no exercise {exercise!r}: choose one of {', '.join(ROUTINE_ORDER)}")
    return Step(exercise, title(exercise), ROUTINE_TARGETS[exercise], INSTRUCTIONS[exercise],
                spoken=SPOKEN[exercise])


def routine() -> list[Step]:
    """The five exercises in the routine's order."""
    return [step(name) for name in ROUTINE_ORDER]


def create_run(exercise: str, settings: dict[str, Any]) -> Any:
    """The exercise's rules for one live set: an object with `update(frame) -> list[Event]`.

    Only the settings the exercise understands are passed on (a knee problem matters to the heels
    stretch alone). Raises PosecheckError when the rule module is missing.
    """
    import exercise_rules

    try:
        module = exercise_rules.get(exercise)
    except ModuleNotFoundError as error:
        raise PosecheckError(f"this posecheck has no rules for {exercise} yet ({error})") from error
    known = getattr(getattr(module, "EXERCISE", None), "settings", ())
    return module.run(live=True, **{k: v for k, v in settings.items() if k in known})
