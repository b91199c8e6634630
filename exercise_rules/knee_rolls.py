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

Seen from the side: the knees come down towards the feet as they roll, whichever way they go. The
side is told by how much more the near side drops than the far one: the near knee is underneath when
they roll towards the camera, and the pelvis, following, lifts the far hip over the near one. A camera
a little off the side view leans that reading alike for every roll, so near zero each roll's reading is
read against the roll before it, and the first against the second (posecheck.sides); further off, where
the knees went along the body and towards the camera still tells a roll from the one before. What is
counted: one roll out, a hold, and back.
Knees coming apart show on a roll towards the camera (the far knee, on top, is left behind); on a roll
away the lower knee is the hidden far one, and MediaPipe draws it beside the upper knee, so a gap there
is mostly not seen. When the knees rolled away hardly come down in the picture, the near hip lifting with
the pelvis still shows the roll. A roll of a third of the usual angle ("Move only as far as you can": a stiff person)
hardly lowers the knees at all from the side: live, when no roll has been seen after a while in the start
position, the app paces the rolls and counts them as paced, not seen (see PACE_AFTER_S).
"""

from __future__ import annotations

import math

from posecheck.calibration import Body
from posecheck.exercise import Check, Exercise, ExerciseRun, RepRecord, Targets, When
from posecheck.geometry import angle_at, elevation
from posecheck.phases import HoldCounter, PacedRocks
from posecheck.sides import SideRule
from posecheck.start_position import Part, StartPosition

NAME = "knee_rolls"
TITLE = "Knee rolls"
# Tracked from frame to frame alone (one pose, no detector), MediaPipe read the side a roll went to
# wrongly on 2 of 8 rendered clips that its detector run on every frame reads right: keep it running.
DETECT_EVERY_FRAME = True
# "Repeat this exercise 8-10 times, alternating sides." (8-10 in all, each side counted.)
# "Hold the stretch for one deep breath": 3-6 s.
TARGETS = Targets(reps_min=8, reps_max=10, hold_min_s=3.0, hold_max_s=6.0, hold_breaths=(1, 1),
                  sides=("left", "right"))

# A 45-degree roll drops the lower knee by 0.3+ torso lengths; 0.12 is well inside that and far above
# jitter (0.02), and hysteresis down to 0.06 keeps a wobbling knee from counting twice.
ROLL_ENTER = 0.12
ROLL_EXIT = 0.06
# "Hold the stretch for one deep breath": a deep breath takes 3-6 s; under 2.5 s is no breath at all.
HOLD_MIN_S = 2.5
# Rolled towards the camera the near side (knee, plus hip) drops more than the far side by over this share
# of the lower knee's drop; away, by less. Per roll, on MediaPipe run on rendered clips (seeds 0, 2, 3: 72
# rolls), knees' + hips' difference - 0.25 x knee drop reads +0.033..+0.35 towards (+0.026..+0.089 with the
# feet lifted), -0.011..-0.28 away; on kinematic sets +0.105+ and -0.20-. The knee drop is the knees' own,
# without the feet's rise: feet lifted raise both knees alike, and counting them made the share swallow
# rolls towards the camera (they read -0.005..+0.036).
TOWARDS_SHARE = 0.25
# A roll's side reading within `sure` of zero is read against the roll before: within `apart` of it the
# same way, further off the other way. The camera leans every reading of a set alike (a few degrees off
# the side view, or the lens on the floor, and both ways read on one side of zero: 15 of 96 alternating
# pairs on randomised blocks 3000-3001 read the same sign); between two rolls the lean cancels. Per roll
# there (hold medians), alternating rolls differ by 0.08+ but for 4 of 96 pairs, rolls to one side by
# < 0.05 but for 3 of 19 (0.09 once). Beyond 0.25 the sign held on 27 of 28 rolls (wrong-way readings
# otherwise up to 0.24), and kinematic rolls to one side, deeper or shallower, differ by up to 0.14.
# A roll whose far knee stayed hidden throughout went away from the camera: rolled away, the far knee is
# the lower one, under the near knee and thigh; rolled towards, it is on top. On randomised blocks 3004-3005
# (MediaPipe, 101 rolls) the three rolls with the far knee hidden in every rolled frame all went away;
# the fewest seen on a roll towards was 11% of its frames.
# Further off the side view (15-25 degrees) the lean can swallow the difference, and even put both ways
# beyond `sure` on one side: on randomised block 3007, three correct sets read four alternating rolls
# within 0.06 of each other (two of them all at -0.27..-0.33). Two other readings of a roll then still
# alternate: where the knees went along the body in the picture (the roll's sideways swing, seen at a
# slant) and how much nearer the camera the near knee came than the hip (MediaPipe's depth: its sign is
# not to be trusted, 115 of 171 rolls right on blocks 3004-3006, but rolls one way and the other move it
# apart). Per alternating pair there they differed by up to 0.35 and 0.85 torso lengths where the readings
# did not. A roll that differs from the roll before by 0.3 along the body or 0.7 in depth went the other
# way, whatever its reading; per roll, read against the roll before (blocks 3004-3006, 171 rolls):
# alternating pairs read the same way 11 -> 7, rolls to one side read as alternating 5 -> 7; on 3007
# (78 rolls) 9 -> 3 and 1 -> 1. Kinematic rolls to one side differ by < 0.05 and < 0.1 in these.
# Along the body 0.15 since the nineteenth round: rendered rolls to one side (every same-side set of blocks
# 3004-3012, 58 pairs) moved along the body alike within 0.04, while alternating rolls whose readings
# did not tell them apart moved 0.20-0.24 on 3010-3011 (two sets, four pairs). In depth, rolls to one side
# differed by up to 0.39 (3004) and such alternating rolls by 0.28 and more: no limit under 0.7 parts them.
# And the first roll, read by its sign alone, is read again against the second (posecheck.sides): on
# 3010-3012 (46 sets, 184 rolls) rolls read to their side 139 -> 144 with both changes, sets exact 28 -> 31.
SIDES = SideRule(apart=0.075, sure=0.25, hidden_towards=False, cues_apart=(0.15, 0.7))
# A shoulder coming up 0.055 torso lengths is off the floor: lying on it, it moves < 0.04 (kinematic sets;
# MediaPipe on rendered clips < 0.02); lifted by a chest rolling with the knees it reads 0.07-0.08 on the
# clips when it is the near one (it rose 0.23: MediaPipe under-reads it), 0.22+ on kinematic sets.
SHOULDER_LIFT = 0.055
# The far shoulder, seen past the chest, is allowed this much more: at rest it wobbles up to 0.08 on
# kinematic sets (MediaPipe on clips: < 0.02); lifted, it rises 0.16+ on clips and kinematic sets alike.
FAR_SHOULDER_WOBBLE = 0.06
# "Repeat ... alternating sides" in one movement: knees rolled from one side straight to the other pass
# the start without resting there. Habit dev sets at full range (28 such passes): the drop at the centre
# is -0.04..0.27 of the roll's, within a hold it stays above 0.57 of it (one glitch aside), so a dip below
# 0.35 of the roll that rises again is a new roll. Rolls with the feet lifted keep the centre off zero.
THROUGH_SHARE = 0.35
# Out and back in under a second is no roll: on randomised blocks 3000-3002 MediaPipe misreading a leg for
# a few frames (the knee and foot jumping 0.3 torso lengths in one frame) or a bump on the way back made
# 10 such pieces, 8 of them 0.4-1.0 s long (two 1.6-2.0 s), counted as rolls and mostly flagged too short
# or to the same side. Rolls, from crossing ROLL_ENTER to coming back, last 1.07 s and more on kinematic
# sets at double tempo; rendered rolls 2.0 s and more but for three barely over ROLL_ENTER (0.7-1.6 s).
MIN_ROLL_S = 1.0
# Knees together, the upper knee drops at least half as far as the lower one: it falls short of that by
# at most 0.07 on kinematic sets (their far knee is off by up to 30 degrees) and never on rendered clips;
# knees 18 cm apart leave it 0.14 short on the clips (rolled towards the camera) and 0.12+ on kinematic
# sets. Rolled away, MediaPipe puts the hidden lower knee beside the upper one: that gap goes unseen.
KNEES_APART = 0.10
# Knees are judged together or apart once rolled this far (below it, half the drop is within the margin).
KNEES_JUDGED_FROM = 0.15
# Feet rising 0.08 torso lengths (4 cm) have left the floor: rolling onto their edges lifts them < 0.04
# (kinematic sets; MediaPipe on rendered clips < 0.02); feet 14 cm up read 0.15-0.21 on the clips and
# 0.24+ on kinematic sets.
FEET_LIFT = 0.08
# Getting up: the torso 35 degrees off the floor is sitting up (a lifted shoulder tips it < 15), the hip
# point 0.5 torso lengths up is kneeling or standing (a bridge lifts it 0.3). Kinematic sets getting up
# pass 35 degrees 1.5 s into it; MediaPipe's hip point sits 5-10 degrees off, well inside the margin.
SITTING_UP_DEG = 35.0
HIPS_UP = 0.5
STILL_CUE = "Lie still in the start position for a moment"
# "Move only as far as you can": a stiff person's roll of a third of the usual angle (18 degrees; tools/render
# --reach 0.33, four clips on three bodies, 16 rolls) lowered the knees under MediaPipe by 0.012-0.073 torso
# lengths at most (median 0.026), as much as lying still does there (up to 0.031; a full roll: 0.13-0.59 on
# the committed clips), and no roll was counted. Live, after PACE_AFTER_S in the start position with no roll
# begun, the app says so and paces the rolls by voice and screen, counting them as paced; the shoulders and
# feet are still watched, and two rolls seen on their own hand the count back to the camera. A roll under
# way holds the pace back (`pace_waits_for_rep`): a first roll held long is seen, only slow. 12 s as for
# pelvic tilts; measured in the README (never on full-range sets, on every small-range render).
PACE_AFTER_S = 12.0
# "roll your knees to the one side ... Hold the stretch for one deep breath and return to the starting
# position ... alternating sides." Seconds per step: 11 s a roll (the rendered clips' people take 7-8 s),
# the hold within the sheet's breath (3-6 s); each step's words are said in under 2 s.
PACE = (("Roll your knees to one side", 3.0), ("Hold for one deep breath", 4.0), ("Back to the middle", 2.5),
        ("Next, the other side", 1.5))
PACE_CUE = "I can't see your rolls from here: follow my pace"
UNSEEN_HINT = ("A small knee roll can be too small for a side camera to see; the live trainer paces the rolls "
               "when it sees none.")


def seen(body: Body) -> bool:
    return body.visible("near_shoulder", "near_hip", "near_knee", "near_ankle")


def lying(body: Body) -> bool:
    """On the back (or front: the knees tell), head towards +u."""
    hip, sh = body.p("near_hip"), body.p("near_shoulder")
    return bool(seen(body) and abs(elevation(hip, sh)) < 30 and sh[0] > hip[0])


def knees_up(body: Body, above: float = 0.3) -> bool:
    """Knees above hips and feet (by `above` torso lengths), the feet towards the bottom."""
    hip, knee, ankle = (body.p(n) for n in ("near_hip", "near_knee", "near_ankle"))
    return bool(seen(body) and knee[1] - hip[1] > above and knee[1] - ankle[1] > above and ankle[0] < hip[0])


def knees_bent(body: Body) -> bool:
    return bool(seen(body) and angle_at(*(body.p(n) for n in ("near_hip", "near_knee", "near_ankle"))) < 140)


# "Lie backwards while resting your head on a small flat cushion. Bring your knees up, keeping them
# bent and together with your feet still on the floor".
start_position = StartPosition((
    Part("Lie on your back, side-on to the camera", seen),
    Part("Lie on your back, your head on a small cushion", lying),
    Part("Bring your knees up, feet on the floor", knees_up),
    Part("Keep your knees bent, feet closer to you", knees_bent),
))


def knees_down(body: Body) -> float | None:
    """How far the lower knee has come down towards the feet from where it rests (torso lengths).
    Rolled towards the camera the near knee is underneath, rolled away the far one: take whichever
    dropped more. The knees sweep about the feet, so feet coming up with the roll lift the knees as
    well: their rise is added back, or a roll with the feet off the floor would not be seen at all.
    Capping it at 0.2 torso lengths (ed7af17) was measured once on block 3010 and taken back: feet truly
    lifted read 0.24-0.38 there, the knees rising 0.1-0.17 with them, and capped the held rolls split
    (0016: 9 rolls for 4)."""
    drops = [-body.rise(n) for n in ("near_knee", "far_knee") if body.visible(n)]
    if not drops:
        return None
    feet_up = max(feet_lift(body), 0.0) if body.visible("near_ankle", "near_heel") else 0.0
    return max(drops) + feet_up


def knee_drop(body: Body) -> float | None:
    """How far the knees have rolled (torso lengths): the lower knee's drop, plus the near hip's rise.
    Rolled away from the camera the lower knee is the hidden far one and the near knee on top may hardly
    drop, but the pelvis follows ("following with your pelvis") and lifts the near hip. On randomised
    blocks 3005 and 3008 (MediaPipe) rolls away held with the near knee 0.02-0.09 down, under ROLL_ENTER,
    while the near hip rose 0.07-0.11 (at rest it stays within 0.035); with the hip, knee sets on blocks
    3004-3008 count exact 60 -> 64 of 98 (kinematic dev sets unchanged). Rolled towards the camera the near
    hip goes down and adds nothing. The side is read from the knees alone."""
    down = knees_down(body)
    if down is None:
        return None
    return down + (max(body.rise("near_hip"), 0.0) if body.visible("near_hip") else 0.0)


def roll_side(body: Body) -> float | None:
    """> 0 when the knees roll towards the camera, < 0 away (torso lengths). Rolled towards the camera
    the near knee is underneath and drops clearly more than the far one; rolled away, MediaPipe reports
    the hidden far knee following the near one, so the two drop alike (or the far one more). The pelvis
    follows the knees ("following with your pelvis"): the far hip comes up over the near one towards
    the camera, the near hip over the far one away; that adds to the knees' difference. Drops are from
    rest. The share is of the knees' own drop, not the whole roll: feet lifted with the roll lift both
    knees alike, so with them counted the share would swallow a roll towards the camera. Knees hardly
    rolled tell no side: a far knee a little off its rest must not read as a roll away. Rolled with the
    far knee hidden: NaN (see SIDES)."""
    if not body.visible("near_knee"):
        return None
    roll = knees_down(body)
    if roll is None or roll < ROLL_ENTER:
        return None
    if not body.visible("far_knee"):
        return math.nan
    near, far = -body.rise("near_knee"), -body.rise("far_knee")
    pelvis = body.rise("far_hip") - body.rise("near_hip") if body.visible("near_hip", "far_hip") else 0.0
    return (near - far) + pelvis - TOWARDS_SHARE * max(near, far)


def roll_cues(body: Body) -> tuple[float, float]:
    """Where the knees have gone along the body in the picture, and how much nearer the camera the near
    knee has come than the near hip, since rest (torso lengths; NaN: not seen). Neither says which way a
    roll went (that hangs on how the camera is turned), but rolls one way and the other differ in both."""
    along = [float(body.p(n)[0] - body.rest(n)[0]) for n in ("near_knee", "far_knee") if body.visible(n)]
    nearer = body.nearer("near_knee", "near_hip") if body.visible("near_knee", "near_hip") else math.nan
    return (sum(along) / len(along) if along else math.nan), nearer


def shoulder_lift(body: Body) -> float:
    """How far a shoulder has come up (torso lengths); the far one, seen past the chest, wobbles more."""
    return max(body.rise("near_shoulder"), body.rise("far_shoulder") - FAR_SHOULDER_WOBBLE)


def knee_left_behind(body: Body) -> float | None:
    """How far the upper knee stays above half the lower knee's drop (torso lengths), judged once
    rolled. Knees together drop nearly alike (the upper one half as far or more); a knee left behind
    hardly drops at all. Each knee is measured from its own rest, which cancels MediaPipe's steady
    far-side error. The limit is a margin in torso lengths, not a share: on a small roll a share is
    mostly the far knee's noise."""
    if not body.visible("near_knee", "far_knee"):
        return None
    upper, lower = sorted((-body.rise("near_knee"), -body.rise("far_knee")))
    if lower < KNEES_JUDGED_FROM:
        return None
    if body.visible("near_ankle", "near_heel") and feet_lift(body) > FEET_LIFT:
        return None  # feet up lift the knees too: their drop says nothing about them being together
    side = roll_side(body)
    if side is not None and side < 0:
        return math.nan  # rolled away, the lower knee is hidden behind the upper one: not seen, not passed
    return lower / 2 - upper


def feet_lift(body: Body) -> float:
    return (body.rise("near_ankle") + body.rise("near_heel")) / 2


def hold_time(rep: RepRecord, previous: RepRecord | None) -> float | None:
    return rep.hold_s


def same_side_again(rep: RepRecord, previous: RepRecord | None) -> float | None:
    """1 for a roll to the side of the roll before. Not judged when the rest between them was long enough
    for a roll of their own length: a roll too small to see may have gone between (a stiff person's
    rolls, "Move only as far as you can", can show to one side only: on kinematic small-range sets the
    rolls away lower the knees 0.10-0.17 torso lengths, those towards the camera 0.03-0.09, and counted
    rolls read as the same side twice: 12 false "Now roll to the other side" on the habit dev sets)."""
    if previous is None:
        return 0.0  # the first roll may go either way
    if rep.side is None or previous.side is None:
        return None
    shorter = min(rep.completed_ms - rep.started_ms, previous.completed_ms - previous.started_ms)
    if rep.started_ms - previous.completed_ms >= shorter:
        return None
    return 1.0 if rep.side == previous.side else 0.0


CHECKS = (
    Check(
        name="shoulders_on_floor",
        source="roll your knees to the one side, following with your pelvis and keeping both shoulders on the floor",
        cue="Keep both shoulders on the floor",
        reason="a shoulder 0.055 torso lengths up is off the mat (the far one 0.115); lying flat they move < 0.04",
        basis="your own rest position before the roll",
        threshold=SHOULDER_LIFT, unit="torso lengths", when=When.OUT, measure=shoulder_lift,
        landmarks=("near_shoulder", "far_shoulder"), min_duration_s=0.5,
    ),
    Check(
        name="knees_together",
        source="Bring your knees up, keeping them bent and together",
        cue="Keep your knees together",
        reason="together, the upper knee drops at least half as far as the lower; apart, it stays 0.12+ above that",
        basis="the other knee",
        threshold=KNEES_APART, unit="torso lengths", when=When.OUT, measure=knee_left_behind,
        landmarks=("near_knee", "far_knee"), min_duration_s=1.0,
    ),
    Check(
        name="feet_on_floor",
        source="keeping them bent and together with your feet still on the floor",
        cue="Keep your feet on the floor",
        reason="feet rolling onto their edges rise < 0.04 torso lengths; feet lifted off the mat 0.15+",
        basis="your own rest position before the roll",
        threshold=FEET_LIFT, unit="torso lengths", when=When.OUT, measure=feet_lift,
        landmarks=("near_ankle", "near_heel"), min_duration_s=0.5,
    ),
    Check(
        name="hold_too_short",
        source="Hold the stretch for one deep breath and return to the starting position.",
        cue="Hold the stretch for one deep breath",
        reason="one deep breath is 3-6 s; under 2.5 s is no breath",
        basis="the sheet's breath",
        threshold=HOLD_MIN_S, unit="s", when=When.REP, judge_rep=hold_time, fault_below=True,
    ),
    Check(
        name="alternate_sides",
        source="Repeat this exercise 8-10 times, alternating sides.",
        cue="Now roll to the other side",
        reason="two rolls in a row to the same side",
        basis="the roll before",
        threshold=0.5, unit="", when=When.REP, judge_rep=same_side_again,
    ),
)

EXERCISE = Exercise(
    name=NAME, title=TITLE, targets=TARGETS, checks=CHECKS,
    core=("near_shoulder", "near_hip"),
    start_position=start_position, signal=knee_drop,
    counter=lambda: HoldCounter(enter=ROLL_ENTER, exit=ROLL_EXIT, through_share=THROUGH_SHARE,
                                min_rep_s=MIN_ROLL_S),
    side=roll_side, side_rule=SIDES, side_cues=roll_cues, rest_level=ROLL_EXIT, still_cue=STILL_CUE,
    torso_max_deg=SITTING_UP_DEG, hip_max=HIPS_UP,
    paced=lambda: PacedRocks(stages=PACE, reps=TARGETS.reps_min), pace_after_s=PACE_AFTER_S, pace_cue=PACE_CUE,
    pace_waits_for_rep=True, unseen_hint=UNSEEN_HINT,
)


def run(*, live: bool = False, **settings: object) -> ExerciseRun:
    """A new set of knee rolls."""
    return ExerciseRun(EXERCISE, settings, live=live)
