"""Knee rolls.

    What it does: Stretches and mobilises the spine.

    Start position: Lie backwards while resting your head on a small flat cushion. Bring your knees
    up, keeping them bent and together with your feet still on the floor and stretch your arms out,
    palms facing the floor.

    With your knees still bent, roll your knees to the one side, following with your pelvis and
    keeping both shoulders on the floor. Hold the stretch for one deep breath and return to the
    starting position.

    Repeat this exercise 8-10 times, alternating sides.

      * Move only as far as you can
      * If needed, place a cushion between your knees for comfort

Seen from the side: the knees drop towards the floor as they roll, whichever way they go. The side
is told by how much more the near knee drops than the far one (it is underneath when they roll
towards the camera). What is counted: one roll out, a hold, and back.
"""

from __future__ import annotations

from posecheck.calibration import Body
from posecheck.exercise import Check, Exercise, ExerciseRun, RepRecord, Targets, When
from posecheck.geometry import angle_at, elevation
from posecheck.phases import HoldCounter

NAME = "knee_rolls"
TITLE = "Knee rolls"
TARGETS = Targets(reps_min=8, reps_max=10, hold_min_s=3.0, hold_max_s=6.0, sides=("left", "right"))

# A 45-degree roll drops the lower knee by 0.3+ torso lengths; 0.12 is well inside that and far above
# jitter (0.02), and hysteresis down to 0.06 keeps a wobbling knee from counting twice.
ROLL_ENTER = 0.12
ROLL_EXIT = 0.06
# "Hold the stretch for one deep breath": a deep breath takes 3-6 s; under 2.5 s is no breath at all.
HOLD_MIN_S = 2.5
# Rolled towards the camera the near knee drops at least this share of the larger drop more than the
# far one (0.3+ seen, both on kinematic sets and on MediaPipe run on rendered clips); away, under 0.05.
TOWARDS_SHARE = 0.15
# A shoulder coming up 0.07 torso lengths (3-4 cm) is off the floor: lying on it, it moves < 0.03
# (MediaPipe on rendered clips: < 0.02; a chest rolled with the knees lifts it 0.05-0.19).
SHOULDER_LIFT = 0.07
# Knees together and rolled: the upper knee drops at least 0.4 as far as the lower one (less only by
# the knees' width, tipped over; 0.52+ from MediaPipe on rendered clips); knees 18 cm apart read
# 0.13-0.41 there, a knee left 30 degrees behind under 0.15.
KNEES_APART = 0.27
# Knees are judged together or apart only once well rolled.
KNEES_JUDGED_FROM = 0.25
# Feet rising 0.06 torso lengths (3 cm) have left the floor: rolling onto their edges lifts them < 0.03
# (MediaPipe on rendered clips: < 0.02; feet 14 cm up read 0.07-0.10, the heel and ankle points
# staying low while the toes come up).
FEET_LIFT = 0.06


def start_position(body: Body) -> bool:
    """On the back, knees up and bent, feet down, head towards +u."""
    if not body.visible("near_shoulder", "near_hip", "near_knee", "near_ankle"):
        return False
    sh, hip, knee, ankle = (body.p(n) for n in ("near_shoulder", "near_hip", "near_knee", "near_ankle"))
    lying = abs(elevation(hip, sh)) < 30 and sh[0] > hip[0]
    knees_up = knee[1] - hip[1] > 0.3 and knee[1] - ankle[1] > 0.3 and ankle[0] < hip[0]
    bent = angle_at(hip, knee, ankle) < 140
    return bool(lying and knees_up and bent)


def knee_drop(body: Body) -> float | None:
    """How far the lower knee has come down from where it rests (torso lengths). Rolled towards the
    camera the near knee is underneath, rolled away the far one: take whichever dropped more."""
    drops = [-body.rise(n) for n in ("near_knee", "far_knee") if body.visible(n)]
    return max(drops) if drops else None


def roll_side(body: Body) -> float | None:
    """> 0 when the knees roll towards the camera, < 0 away. Rolled towards the camera the near knee
    is underneath and drops clearly more than the far one; rolled away, MediaPipe reports the hidden
    far knee following the near one, so the two drop alike (or the far one more). Drops are from rest."""
    if not body.visible("near_knee", "far_knee"):
        return None
    near, far = -body.rise("near_knee"), -body.rise("far_knee")
    return (near - far) - TOWARDS_SHARE * max(near, far, 0.0)


def shoulder_lift(body: Body) -> float:
    return max(body.rise("near_shoulder"), body.rise("far_shoulder"))


def knees_drop_together(body: Body) -> float | None:
    """The upper knee's drop as a share of the lower knee's, judged once rolled. Knees together drop
    nearly alike (the upper one about half as far or more); a knee left behind hardly drops at all.
    Each knee is measured from its own rest, which cancels MediaPipe's steady far-side error."""
    if not body.visible("near_knee", "far_knee"):
        return None
    drops = sorted((-body.rise("near_knee"), -body.rise("far_knee")))
    if drops[1] < KNEES_JUDGED_FROM:
        return None
    if body.visible("near_ankle", "near_heel") and feet_lift(body) > FEET_LIFT:
        return None  # feet up lift the knees too: their drop says nothing about them being together
    return max(drops[0], 0.0) / drops[1]


def feet_lift(body: Body) -> float:
    return (body.rise("near_ankle") + body.rise("near_heel")) / 2


def hold_time(rep: RepRecord, previous: RepRecord | None) -> float | None:
    return rep.hold_s


def same_side_again(rep: RepRecord, previous: RepRecord | None) -> float | None:
    if previous is None:
        return 0.0  # the first roll may go either way
    if rep.side is None or previous.side is None:
        return None
    return 1.0 if rep.side == previous.side else 0.0


CHECKS = (
    Check(
        name="shoulders_on_floor",
        source="roll your knees to the one side, following with your pelvis and keeping both shoulders on the floor",
        cue="Keep both shoulders on the floor",
        reason="a shoulder 0.07 torso lengths up is off the mat; lying flat it moves < 0.03",
        threshold=SHOULDER_LIFT, unit="torso lengths", when=When.OUT, measure=shoulder_lift,
        landmarks=("near_shoulder", "far_shoulder"), min_duration_s=0.5,
    ),
    Check(
        name="knees_together",
        source="Bring your knees up, keeping them bent and together",
        cue="Keep your knees together",
        reason="together, the upper knee drops 0.4+ as far as the lower; knees apart, 0.13-0.41",
        threshold=KNEES_APART, unit="of the lower knee's drop", when=When.OUT, measure=knees_drop_together,
        fault_below=True,
        landmarks=("near_knee", "far_knee"), min_duration_s=1.0,
    ),
    Check(
        name="feet_on_floor",
        source="keeping them bent and together with your feet still on the floor",
        cue="Keep your feet on the floor",
        reason="feet rolling onto their edges rise < 0.03 torso lengths; lifted feet 0.07+",
        threshold=FEET_LIFT, unit="torso lengths", when=When.OUT, measure=feet_lift,
        landmarks=("near_ankle", "near_heel"), min_duration_s=0.5,
    ),
    Check(
        name="hold_too_short",
        source="Hold the stretch for one deep breath and return to the starting position.",
        cue="Hold the stretch for one deep breath",
        reason="one deep breath is 3-6 s; under 2.5 s is no breath",
        threshold=HOLD_MIN_S, unit="s", when=When.REP, judge_rep=hold_time, fault_below=True,
    ),
    Check(
        name="alternate_sides",
        source="Repeat this exercise 8-10 times, alternating sides.",
        cue="Now roll to the other side",
        reason="two rolls in a row to the same side",
        threshold=0.5, unit="", when=When.REP, judge_rep=same_side_again,
    ),
)

EXERCISE = Exercise(
    name=NAME, title=TITLE, targets=TARGETS, checks=CHECKS,
    core=("near_shoulder", "near_hip"),
    start_position=start_position, signal=knee_drop,
    counter=lambda: HoldCounter(enter=ROLL_ENTER, exit=ROLL_EXIT),
    side=roll_side, rest_level=ROLL_EXIT,
)


def run(**settings: object) -> ExerciseRun:
    """A new set of knee rolls."""
    return ExerciseRun(EXERCISE, settings)
