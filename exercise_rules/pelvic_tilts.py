"""Pelvic tilts.

    What it does: Strengthens and stretches the lower back.

    Start position: Again, start how you would for knee rolls.

    Gently push your lower back into the ground and contract your stomach muscles. Then tilt your
    pelvis towards your heels until you feel a gentle arch in your lower back, feeling your back
    muscles contracting and return to the starting position.

    Repeat this 10-15 times, tilting your pelvis back and forth in a rocking motion.

      * Keep your deep abdominal muscles working throughout
      * Don't tense up through the neck

Seen from the side: the tilt is small, and MediaPipe's hip point hardly slides with it (its hip
follows the outline of the thigh, not the pelvis). What a side camera does see is the angle at the
hip, between the trunk (hip to shoulder) and the thigh (hip to knee): with the feet planted, tilting
the pelvis moves the hip joint under the still thigh and back, opening and closing that angle by
3-10 degrees each way, unevenly. Which way it swings first depends on where the pelvis pivots on
the mat, so either end may come first. What is counted: one rock, to one end, to the other, and back. This is
the weakest signal of the five.
"""

from __future__ import annotations

from exercise_rules.knee_rolls import start_position as knee_rolls_start_position
from posecheck.calibration import Body
from posecheck.exercise import Check, Exercise, ExerciseRun, Targets, When
from posecheck.geometry import angle_at, elevation
from posecheck.phases import RockingCounter

NAME = "pelvic_tilts"
TITLE = "Pelvic tilts"
TARGETS = Targets(reps_min=10, reps_max=15)

# A rock of about 9 degrees of the pelvis swings the angle at the hip 3-10 degrees each way, and
# unevenly: one end may show twice as much as the other (MediaPipe on rendered clips, -3 and +7;
# kinematic sets, -8 and +4). A rock starts 2.5 degrees out (past the smoothed jitter of that angle,
# about 0.7, with margin); the other end is a swing of 6 degrees back from the first and 1.5 past the
# centre; the rep is complete 2.5 degrees back from that end.
TILT_LEVEL = 2.5
TILT_SWING = 6.0
TILT_FAR = 1.5
TILT_RELEASE = 2.5
# The centre of the rock follows slow shifts on the mat with this time constant.
CENTRE_FOLLOW_S = 12.0
# Hips lifting is a bridge: the hip point 0.12 torso lengths (6 cm) up; the tilt itself moves it < 0.07.
HIP_LIFT = 0.12
# Head lifting: the neck (shoulder to ear) rising more than 34 degrees above the floor's line. Resting
# on a small flat cushion MediaPipe reads 24-28 on rendered clips (its ear sits above the neck's line),
# a head held up 33 degrees more, 39-42. Judged against the floor, not against calibration, so a head
# held up from the start is caught too.
HEAD_BENT_MAX = 34.0


def start_position(body: Body) -> bool:
    """The knee-rolls start position."""
    return knee_rolls_start_position(body)


def hip_angle_change(body: Body) -> float | None:
    """How far the angle at the hip (shoulder-hip-knee, near side) has opened since calibration, in
    degrees; it closes (negative) at one end of the rock and opens at the other."""
    names = ("near_shoulder", "near_hip", "near_knee")
    if not body.visible(*names):
        return None
    now = angle_at(*(body.p(n) for n in names))
    neutral = angle_at(*(body.neutral(n) for n in names))
    return float(now - neutral)


def hip_rise(body: Body) -> float:
    return body.rise("near_hip")


def neck_bend(body: Body) -> float:
    """Degrees the neck (shoulder to ear) rises above the floor's line. Not against the back's line
    (hip to shoulder): a bridge tips that line and would read as a lifted head."""
    return elevation(body.p("near_shoulder"), body.p("near_ear"))


CHECKS = (
    Check(
        name="hips_grounded",
        source="Gently push your lower back into the ground",
        cue="Keep your hips on the floor: tilt, don't bridge",
        reason="hip point 0.12 torso lengths up is a bridge; the tilt moves it < 0.07",
        threshold=HIP_LIFT, unit="torso lengths", when=When.ANY, measure=hip_rise,
        landmarks=("near_hip",), min_duration_s=0.4,
    ),
    Check(
        name="head_down",
        source="Don't tense up through the neck",
        cue="Rest your head, relax your neck",
        reason="neck 34+ degrees above the floor's line; resting on a cushion it reads 24-28, held up 39+",
        threshold=HEAD_BENT_MAX, unit="degrees", when=When.ANY, measure=neck_bend,
        landmarks=("near_shoulder", "near_ear"), min_duration_s=0.4,
    ),
)

EXERCISE = Exercise(
    name=NAME, title=TITLE, targets=TARGETS, checks=CHECKS,
    core=("near_shoulder", "near_hip"),
    start_position=start_position, signal=hip_angle_change,
    counter=lambda: RockingCounter(level=TILT_LEVEL, release=TILT_RELEASE, swing=TILT_SWING, far=TILT_FAR,
                                   centre_follow_s=CENTRE_FOLLOW_S),
    rest_level=TILT_RELEASE,
)


def run(**settings: object) -> ExerciseRun:
    """A new set of pelvic tilts."""
    return ExerciseRun(EXERCISE, settings)
