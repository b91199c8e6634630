"""Pelvic tilts.

    What it does: Strengthens and stretches the lower back.

    Start position: Again, start how you would for knee rolls.

    Gently push your lower back into the ground and contract your stomach muscles. Then tilt your
    pelvis towards your heels until you feel a gentle arch in your lower back, feeling your back
    muscles contracting and return to the starting position.

    Repeat this 10-15 times, tilting your pelvis back and forth in a rocking motion.

      * Keep your deep abdominal muscles working throughout
      * Don't tense up through the neck

Seen from the side: the tilt is small. The pelvis rolls about the sacrum, so the hip point slides a
little along the body: towards the feet as the lower back arches, towards the head as it flattens.
What is counted: one rock, flatten then arch, and back. This is the weakest signal of the five.
"""

from __future__ import annotations

from exercise_rules.knee_rolls import start_position as knee_rolls_start_position
from posecheck.calibration import Body
from posecheck.exercise import Check, Exercise, ExerciseRun, Targets, When
from posecheck.phases import RockingCounter

NAME = "pelvic_tilts"
TITLE = "Pelvic tilts"
TARGETS = Targets(reps_min=10, reps_max=15)

# The rock slides the hip point 0.05+ torso lengths each way (the pelvis rolling about the sacrum);
# 0.022 is twice the smoothed jitter (about 0.01), and the rep is complete once back under 0.01.
TILT_LEVEL = 0.022
TILT_RELEASE = 0.01
# The centre of the rock follows slow shifts on the mat with this time constant.
CENTRE_FOLLOW_S = 12.0
# Hips lifting is a bridge: the hip point 0.12 torso lengths (6 cm) up; the tilt itself moves it < 0.03.
HIP_LIFT = 0.12
# Head lifting: ear or nose 0.09 torso lengths (4-5 cm) up; lying still they move < 0.03.
HEAD_LIFT = 0.09


def start_position(body: Body) -> bool:
    """The knee-rolls start position."""
    return knee_rolls_start_position(body)


def pelvis_roll(body: Body) -> float | None:
    """How far the hip point has slid towards the feet (torso lengths): + arching, - flattening."""
    if not body.visible("near_hip"):
        return None
    return float(body.neutral("near_hip")[0] - body.p("near_hip")[0])


def hip_rise(body: Body) -> float:
    return body.rise("near_hip")


def head_rise(body: Body) -> float:
    return max(body.rise("near_ear"), body.rise("nose"))


CHECKS = (
    Check(
        name="hips_grounded",
        source="Gently push your lower back into the ground",
        cue="Keep your hips on the floor: tilt, don't bridge",
        reason="hip point 0.12 torso lengths up is a bridge; the tilt moves it < 0.03",
        threshold=HIP_LIFT, unit="torso lengths", when=When.ANY, measure=hip_rise,
        landmarks=("near_hip",), min_duration_s=0.4,
    ),
    Check(
        name="head_down",
        source="Don't tense up through the neck",
        cue="Rest your head, relax your neck",
        reason="ear or nose 0.09 torso lengths up; lying still they move < 0.03",
        threshold=HEAD_LIFT, unit="torso lengths", when=When.ANY, measure=head_rise,
        landmarks=("near_ear", "nose"), min_duration_s=0.4,
    ),
)

EXERCISE = Exercise(
    name=NAME, title=TITLE, targets=TARGETS, checks=CHECKS,
    core=("near_shoulder", "near_hip"),
    start_position=start_position, signal=pelvis_roll,
    counter=lambda: RockingCounter(level=TILT_LEVEL, release=TILT_RELEASE, centre_follow_s=CENTRE_FOLLOW_S),
    rest_level=TILT_RELEASE,
)


def run(**settings: object) -> ExerciseRun:
    """A new set of pelvic tilts."""
    return ExerciseRun(EXERCISE, settings)
