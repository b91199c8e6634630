"""The five exercises of the routine as motions: for a movement value u in [0, 1] (0 the start position,
1 the held position) and a rep's faults, the placed body.

Each `*_pose` function builds its pose from the routine's description (see
/work/shared/routine/lower-back-routine.txt and exercise_rules/) and solves the planar geometry so that
hands, knees, feet and back stay on the mat where the routine puts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from .body import Body, rx, rz, turn_between
from .posture import (
    PRONE,
    SUPINE,
    Placed,
    angle2d,
    circle_meet,
    joint_xz,
    mid_joint_xz,
    place,
    rotation_for,
    to_world,
    xz,
)
from .scene import MAT_TOP

BOTH = ("L", "R")


@dataclass(frozen=True)
class RealTilt:
    """A realistic pelvic tilt clip's person (clips.real_tilt_clip): the pelvis turns under the still chest
    about the hip joints, the lumbar spine takes the turn back, and the person breathes."""

    rest_deg: float = 0.0  # the start position's posterior tilt from Anny's standing pelvis
    press_deg: float = 5.0  # how far a press (u = +1) turns the pelvis beyond the start position
    arch_deg: float = 5.0  # and an arch (u = -1) the other way
    bow_deg: float = 8.0  # how much the lower lumbar curve flattens (press) or deepens (arch) per unit of u
    rest_bow_deg: float = 4.0  # the start position's lumbar curve flattened this much from Anny's standing one
    gap_swing_m: float = 0.0  # when set: bow_deg is solved so that the gap changes this much, press to arch
    belly_m: float = 0.012  # breath: how far the belly rises
    chest_m: float = 0.008  # and the chest
    breath_s: float = 4.5  # one breath
    breath_phase: float = 0.0
    loose: bool = False  # a loose shirt: wider, hanging toward the mat at the sides


@dataclass(frozen=True)
class Rep:
    """One repetition: its faults, how long the held position lasts, and the side (knee rolls)."""

    faults: tuple[str, ...] = ()
    hold_s: float = 3.0
    side: int = 1  # knee rolls: +1 the knees roll to the body's left, -1 to its right
    amplitude: float = 1.0  # scales the movement (seeded variation)
    # Paced holds (deep abdominal, clips.paced_reps): a fault that comes and goes within the hold.
    fault_way: str = ""  # the form the fault takes (see deep_abdominal_pose)
    fault_size: float = 0.0  # its full size: metres or degrees, per fault_way
    fault_s: tuple[float, float, float] = (0.0, 0.0, 0.0)  # clip seconds: starts, full from, goes from
    fault_ramp_s: float = 1.0  # how long it takes to come and to go
    timer: tuple[float, float, float] | None = None  # the app's (hold start, rep end, hold) seconds
    real: RealTilt | None = None  # realistic pelvic tilts (tools.render --realistic-tilts): the clip's style


@dataclass
class Aim:
    """Turns a limb so that the side-view direction from joint `a` to joint `b` is `target` degrees.

    `keys` are the angle names to change; `sign` is +1 for angles that rotate about +x (knee, ankle,
    wrist, spine, neck) and -1 for those about -x (hip, shoulder and elbow flexion).
    """

    keys: tuple[str, ...]
    sign: float
    a: str
    b: str
    target: float


def aim(body: Body, angles: dict[str, float], orient: np.ndarray, pitch: float, aims: list[Aim],
        passes: int = 1) -> dict[str, float]:
    """Adjust `angles` in order, one forward pass of the body model per step."""
    for _ in range(passes):
        for step in aims:
            posed = body.skeleton(angles)
            cur = angle2d_of(posed, step.a, step.b, orient, pitch)
            delta = rotation_for(orient, cur, step.target)
            for key in step.keys:
                angles[key] = angles.get(key, 0.0) + step.sign * delta
    return angles


def point(posed, name: str, orient, pitch) -> np.ndarray:
    if name.endswith((".L", ".R")):
        return joint_xz(posed, name, orient, pitch)
    return mid_joint_xz(posed, name, orient, pitch)


def angle2d_of(posed, a: str, b: str, orient, pitch) -> float:
    d = point(posed, b, orient, pitch) - point(posed, a, orient, pitch)
    return angle2d(np.array([d[0], 0.0, d[1]]))


def heading(v: np.ndarray) -> float:
    """Side-view direction of an (x, z) vector, degrees anticlockwise from +x."""
    return math.degrees(math.atan2(v[1], v[0]))


def both(name: str, value: float) -> dict[str, float]:
    return {f"{name}_{s}": value for s in BOTH}


BREATH_S = 4.0  # one slow breath; each begins (the spine starts to rise) at a multiple of it


def breathing(t: float, depth: float = 1.5) -> float:
    """A slow breath: a small spine movement so that a held position is never frozen."""
    return depth * math.sin(2 * math.pi * t / BREATH_S)


def breaths_between(start_s: float, end_s: float) -> int:
    """How many of `breathing`'s breaths begin in [start_s, end_s): the truth for a hold's breath count."""
    return max(0, math.ceil(end_s / BREATH_S) - math.ceil(start_s / BREATH_S))


# ---------------------------------------------------------------- heels stretch (on all fours)
HEELS_BACK_DEG = 45.0  # thighs tilt back this far: hips toward the heels, not onto them
HEELS_SIT_DEG = 78.0  # sitting_on_heels: hips right down on the heels
KNEE_JOINT_HEIGHT = 0.06  # kneeling: knee joint centre above the mat
WRIST_JOINT_HEIGHT = 0.035  # palm flat: wrist joint centre above the mat
SOFT_ELBOW_DEG = 160.0  # "don't lock your elbows"
LOCKED_ELBOW_DEG = 180.0


def heels_stretch_pose(body: Body, u: float, rep: Rep, t: float) -> Placed:
    f = set(rep.faults)
    start_tilt = -18.0 if "knees_under_hips" in f else 0.0
    back = HEELS_SIT_DEG if "sitting_on_heels" in f else HEELS_BACK_DEG * rep.amplitude
    tilt = start_tilt + u * (back - start_tilt)
    spine = (-32.0 if "back_overarched" in f else 0.0) + breathing(t)
    neck = 45.0 if "neck_long" in f else 0.0
    elbow = body.elbow_flex_for(LOCKED_ELBOW_DEG if "elbows_locked" in f else SOFT_ELBOW_DEG)
    hands_ahead = 0.17 if "hands_under_shoulders" in f else 0.0

    angles = {"spine_flex": spine, "neck_flex": neck, **both("arm_abd", -40.0), **both("elbow_flex", elbow),
              **both("ankle_plantar", 60.0)}
    ref = body.skeleton(angles)
    hip0, knee0 = point(ref, "upperleg01", PRONE, 0), point(ref, "lowerleg01", PRONE, 0)
    sh0, wr0 = point(ref, "upperarm01", PRONE, 0), point(ref, "wrist", PRONE, 0)
    thigh, trunk, arm = (float(np.linalg.norm(x)) for x in (knee0 - hip0, sh0 - hip0, wr0 - sh0))

    knee = np.array([0.0, KNEE_JOINT_HEIGHT])

    def hip_at(tilt_deg: float) -> np.ndarray:
        r = math.radians(tilt_deg)
        return knee + thigh * np.array([-math.sin(r), math.cos(r)])

    # Where the hands go: under the shoulders in the start position (arms vertical).
    hip_start = hip_at(start_tilt)
    rise = WRIST_JOINT_HEIGHT + arm - hip_start[1]
    shoulder_start = hip_start + np.array([math.sqrt(max(trunk**2 - rise**2, 1e-6)), rise])
    wrist = np.array([shoulder_start[0] + hands_ahead, WRIST_JOINT_HEIGHT])

    hip = hip_at(tilt)
    shoulder = circle_meet(hip, trunk, wrist, arm)
    pitch = rotation_for(PRONE, angle2d_of(ref, "upperleg01", "upperarm01", PRONE, 0),
                         heading(shoulder - hip))
    aims = [
        Aim(("hip_flex_L", "hip_flex_R"), -1, "upperleg01", "lowerleg01", heading(knee - hip)),
        Aim(("knee_flex_L", "knee_flex_R"), 1, "lowerleg01", "foot", 180.0),
        Aim(("shoulder_flex_L", "shoulder_flex_R"), -1, "upperarm01", "wrist",
            heading(wrist - shoulder)),
        Aim(("wrist_ext_L", "wrist_ext_R"), 1, "wrist", "finger3-1", 0.0),
    ]
    angles = aim(body, angles, PRONE, pitch, aims)
    posed = body.pose(angles)
    return place(body, posed, PRONE, pitch, "lowerleg01.R", -0.3, floor_bones=("lowerleg", "foot", "toe"))


# ---------------------------------------------------------------- back extensions (prone)
PROP_ELBOW_HEIGHT = 0.045  # propped on the forearms: elbow joint centre above the mat
PUSH_UP_EXTRA_DEG = 28.0  # how much further the back arches when pushing up on the hands
HIPS_LIFT_DEG = 14.0  # hips_grounded fault: the pelvis lifts off the mat by pivoting at the knees


def _prone_legs(body: Body, angles: dict[str, float], pitch: float, lift: float) -> dict[str, float]:
    return aim(body, angles, PRONE, pitch, [
        Aim(("hip_flex_L", "hip_flex_R"), -1, "upperleg01", "lowerleg01", 180.0 + lift),
        Aim(("knee_flex_L", "knee_flex_R"), 1, "lowerleg01", "foot", 180.0),
    ])


PRONE_FLOOR = ("upperleg", "lowerleg", "pelvis")
PRONE_KNEE_X = -0.72  # knees' place on the mat (x), so that the head stays on it


def _prone_shift(body: Body, posed, pitch: float) -> np.ndarray:
    """Where `place` will move this pose (knees at PRONE_KNEE_X, legs on the mat), in (x, z)."""
    placed = place(body, posed, PRONE, pitch, "lowerleg01.R", PRONE_KNEE_X, floor_bones=PRONE_FLOOR)
    return xz(placed.landmarks[26]) - point(posed, "lowerleg01.R", PRONE, pitch)


def back_extensions_pose(body: Body, u: float, rep: Rep, t: float) -> Placed:
    f = set(rep.faults)
    neck = -50.0 if "neck_long" in f else -8.0
    elbow_ref = body.elbow_flex_for(175.0)
    base = {**both("arm_abd", -38.0), **both("ankle_plantar", 55.0), "neck_flex": neck,
            **both("elbow_flex", elbow_ref)}
    ref = body.skeleton(base)
    upper = float(np.linalg.norm(point(ref, "lowerarm01", PRONE, 0) - point(ref, "upperarm01", PRONE, 0)))
    fore = float(np.linalg.norm(point(ref, "wrist", PRONE, 0) - point(ref, "lowerarm01", PRONE, 0)))

    def shoulder_on_mat(ext: float) -> np.ndarray:
        angles = _prone_legs(body, {**base, "spine_flex": -ext}, 0.0, 0.0)
        posed = body.pose(angles)
        return point(posed, "upperarm01", PRONE, 0) + _prone_shift(body, posed, 0.0)

    key = ("prop", neck)
    if key not in body.cache:
        # Propped on the elbows: the arch that puts the shoulders one upper arm above the elbows.
        exts = np.arange(0.0, 61.0, 6.0)
        heights = [shoulder_on_mat(e)[1] for e in exts]
        start = float(np.interp(upper + PROP_ELBOW_HEIGHT, heights, exts))
        body.cache[key] = (start, shoulder_on_mat(start)[0] + fore * 0.98)
    start, wrist_x = body.cache[key]
    wrist = np.array([wrist_x, WRIST_JOINT_HEIGHT])

    lift = HIPS_LIFT_DEG * u if "hips_grounded" in f else 0.0
    ext = start + u * PUSH_UP_EXTRA_DEG * rep.amplitude * (0.4 if lift else 1.0) + breathing(t)
    pitch = -lift
    angles = _prone_legs(body, {**base, "spine_flex": -ext}, pitch, lift)
    posed = body.pose(angles)
    shift = _prone_shift(body, posed, pitch)
    shoulder = point(posed, "upperarm01", PRONE, pitch) + shift
    elbow = circle_meet(shoulder, upper, wrist, fore, upper=False)
    angles = aim(body, angles, PRONE, pitch, [
        Aim(("shoulder_flex_L", "shoulder_flex_R"), -1, "upperarm01", "lowerarm01",
            heading(elbow - shoulder)),
        Aim(("elbow_flex_L", "elbow_flex_R"), -1, "lowerarm01", "wrist",
            heading(wrist - elbow)),
        Aim(("wrist_ext_L", "wrist_ext_R"), 1, "wrist", "finger3-1", 0.0),
    ])
    posed = body.pose(angles)
    return place(body, posed, PRONE, pitch, "lowerleg01.R", PRONE_KNEE_X, floor_bones=PRONE_FLOOR)


# ---------------------------------------------------------------- lying on the back (three exercises)
HIP_FLEX_START = 50.0  # knees up, feet on the floor
ANKLE_JOINT_HEIGHT = 0.075
FEET_LIFT = 0.14  # feet_on_floor fault: feet this far off the mat
ARMS_OUT_ABD = 40.0  # on top of the A-pose's 42 degrees: arms stretched out to the sides


@dataclass
class Lying:
    """Angles of the lying start position (knee rolls, deep abdominal, pelvic tilts) plus changes."""

    pelvis_tilt: float = 0.0  # + rocks the pelvis toward the head (lower back pressed down)
    bridge: float = 0.0  # metres the hips lift (hips_grounded fault)
    pelvis_roll: float = 0.0
    knee_roll: float = 0.0  # degrees the knees sweep about the planted feet (+ toward the body's left)
    chest_roll: float = 0.0
    knee_gap: float = 0.0  # metres each knee moves out (knees_together fault)
    feet_lift: float = 0.0
    neck_flex: float = 12.0  # head on a small cushion
    spine_extra: float = 0.0
    feet_slide: float = 0.0  # metres the planted feet slide away from the hips (deep abdominal: legs moving)
    legs_out: float = 0.0  # 0 the feet planted, 1 slid out until the legs are nearly straight
    extra: dict[str, float] = field(default_factory=dict)


LYING_FLOOR = ("spine01", "spine02", "clavicle", "shoulder01", "head", "neck")  # what rests on the mat
LYING_SHOULDER_X = 0.45  # the near shoulder's place on the mat (x), so that the feet stay on it


def _lying_place(body: Body, angles: dict[str, float], pitch: float) -> tuple[object, np.ndarray]:
    posed = body.pose(angles)
    placed = place(body, posed, SUPINE, pitch, "upperarm01.R", LYING_SHOULDER_X, floor_bones=LYING_FLOOR)
    return posed, xz(placed.landmarks[12]) - point(posed, "upperarm01.R", SUPINE, pitch)


def lying_pose(body: Body, lie: Lying) -> Placed:
    angles = {**both("arm_abd", ARMS_OUT_ABD), **both("elbow_flex", body.elbow_flex_for(170.0)),
              "neck_flex": lie.neck_flex, **lie.extra}
    ref = body.skeleton(angles)
    trunk = float(np.linalg.norm(point(ref, "upperarm01", SUPINE, 0) - point(ref, "upperleg01", SUPINE, 0)))
    thigh = float(np.linalg.norm(point(ref, "lowerleg01", SUPINE, 0) - point(ref, "upperleg01", SUPINE, 0)))
    shin = float(np.linalg.norm(point(ref, "foot", SUPINE, 0) - point(ref, "lowerleg01", SUPINE, 0)))
    flat = rotation_for(SUPINE, angle2d_of(ref, "upperleg01", "upperarm01", SUPINE, 0), 0.0)

    if "feet" not in body.cache:
        # Feet planted where the start position puts them: thighs up at HIP_FLEX_START, ankles on the mat.
        _, shift = _lying_place(body, {**angles, "spine_flex": 0.0}, flat)
        hip = point(ref, "upperleg01", SUPINE, flat) + shift
        r = math.radians(HIP_FLEX_START)
        knee = hip + thigh * np.array([-math.cos(r), math.sin(r)])
        drop = knee[1] - ANKLE_JOINT_HEIGHT
        body.cache["feet"] = knee[0] - math.sqrt(max(shin**2 - drop**2, 1e-6))
    ankle = np.array([body.cache["feet"] - lie.feet_slide, ANKLE_JOINT_HEIGHT + lie.feet_lift])

    # Shoulders stay on the mat; a bridge lifts the hips, a tilt turns the pelvis under the still back.
    bridge = math.degrees(math.asin(min(lie.bridge / trunk, 0.9)))
    pitch = flat + rotation_for(SUPINE, 0.0, -bridge) + lie.pelvis_tilt
    angles["spine_flex"] = -lie.pelvis_tilt + lie.spine_extra
    posed, shift = _lying_place(body, angles, pitch)
    hip = point(posed, "upperleg01", SUPINE, pitch) + shift
    foot_heading = 183.0  # flat on the mat
    if lie.legs_out:
        # Heels sliding out along the mat; the feet turn up onto the heels as the legs straighten.
        straight = hip[0] - LEGS_OUT_REACH * (thigh + shin)
        ankle[0] += lie.legs_out * (straight - ankle[0])
        foot_heading -= lie.legs_out * 60.0
    knee = circle_meet(hip, thigh, ankle, shin, upper=True)
    angles = aim(body, angles, SUPINE, pitch, [
        Aim(("hip_flex_L", "hip_flex_R"), -1, "upperleg01", "lowerleg01", heading(knee - hip)),
        Aim(("knee_flex_L", "knee_flex_R"), 1, "lowerleg01", "foot", heading(ankle - knee)),
        Aim(("ankle_plantar_L", "ankle_plantar_R"), 1, "foot", "toe2-1", foot_heading),
    ])
    overrides = _rolled_legs(body, angles, pitch, lie)
    angles.update(pelvis_roll=lie.pelvis_roll, chest_roll=lie.chest_roll)
    posed = body.pose(angles, overrides)
    return place(body, posed, SUPINE, pitch, "upperarm01.R", LYING_SHOULDER_X, floor_bones=LYING_FLOOR)


def _rolled_legs(body: Body, angles: dict[str, float], pitch: float, lie: Lying) -> dict[str, np.ndarray]:
    """Leg bone rotations: knees together over feet a little apart, swept by `knee_roll` about the planted
    feet, with the pelvis rolled under them."""
    turn = SUPINE @ rx(pitch)  # body frame -> world, for directions
    posed = body.pose({**angles, "chest_roll": lie.chest_roll})
    still = place(body, posed, SUPINE, pitch, "upperarm01.R", LYING_SHOULDER_X, floor_bones=LYING_FLOOR)
    # The rolled pelvis leaves the upper back, and so the placement on the mat, where it was.
    shift = still.landmarks[12] - to_world(posed.landmarks[12][None], SUPINE, pitch)[0]
    rolled = body.skeleton({**angles, "pelvis_roll": lie.pelvis_roll, "chest_roll": lie.chest_roll})
    if "rest_legs" not in body.cache:
        j = body.joints({})
        body.cache["rest_legs"] = {
            s: (j[f"lowerleg01.{s}"] - j[f"upperleg01.{s}"], j[f"foot.{s}"] - j[f"lowerleg01.{s}"],
                j[f"toe2-1.{s}"] - j[f"foot.{s}"]) for s in BOTH}
    ankles = (still.landmarks[27] + still.landmarks[28]) / 2
    ankles[1] = 0.0  # the feet sit either side of the mat's midline
    sweep = rx(lie.knee_roll)  # about the world x axis (along the mat), through the feet
    root = rz(lie.pelvis_roll)
    out: dict[str, np.ndarray] = {}
    # out_dir: where the side lies in world y (head toward +x on the back: the body's left is -y).
    for side, (hip_i, knee_i, ankle_i, out_dir) in {"L": (23, 25, 27, -1.0), "R": (24, 26, 28, 1.0)}.items():
        knee0, ankle = still.landmarks[knee_i].copy(), still.landmarks[ankle_i].copy()
        thigh = float(np.linalg.norm(knee0 - still.landmarks[hip_i]))
        shin = float(np.linalg.norm(ankle - knee0))
        knee0[1], ankle[1] = out_dir * KNEE_HALF_GAP, out_dir * ANKLE_HALF_GAP
        lower = ankle[2] - (ANKLE_JOINT_HEIGHT + lie.feet_lift)  # a rolled chest lifts the body a little
        knee0[2] -= lower
        ankle[2] -= lower
        hip_world = to_world(rolled.joints[f"upperleg01.{side}"][None], SUPINE, pitch)[0] + shift
        wanted = ankles + sweep @ (knee0 - ankles + np.array([0.0, out_dir * lie.knee_gap, 0.0]))
        knee = knee_between(hip_world, thigh, ankle, shin, wanted)
        rest_thigh, rest_shin, rest_foot = body.cache["rest_legs"][side]
        g_thigh = turn_between(rest_thigh, turn.T @ (knee - hip_world))
        g_shin = turn_between(rest_shin, turn.T @ (ankle - knee))
        toe = to_world(posed.joints[f"toe2-1.{side}"][None], SUPINE, pitch)[0] + shift
        g_foot = turn_between(rest_foot, turn.T @ (toe - ankle))
        out[f"upperleg01.{side}"] = root.T @ g_thigh
        out[f"lowerleg01.{side}"] = g_thigh.T @ g_shin
        out[f"foot.{side}"] = g_shin.T @ g_foot
    return out


def knee_between(hip: np.ndarray, thigh: float, ankle: np.ndarray, shin: float, wanted: np.ndarray) -> np.ndarray:
    """The knee at thigh length from the hip and shin length from the ankle, as near `wanted` as can be."""
    axis = ankle - hip
    d = float(np.linalg.norm(axis))
    u = axis / d
    d = min(max(d, abs(thigh - shin) + 1e-6), thigh + shin - 1e-6)
    along = (thigh**2 - shin**2 + d**2) / (2 * d)
    radius = math.sqrt(max(thigh**2 - along**2, 0.0))
    off = (wanted - hip) - np.dot(wanted - hip, u) * u
    n = off / (np.linalg.norm(off) + 1e-12)
    return hip + along * u + radius * n


KNEE_ROLL_DEG = 55.0  # knees' sweep to the side about the planted feet; the pelvis follows part of it
KNEE_GAP = 0.09  # knees_together fault: each knee this far out
KNEE_HALF_GAP = 0.065  # knees together: knee joint centres this far from the midline
ANKLE_HALF_GAP = 0.09
PELVIS_SHARE = 0.55


def knee_rolls_pose(body: Body, u: float, rep: Rep, t: float) -> Placed:
    f = set(rep.faults)
    roll = rep.side * KNEE_ROLL_DEG * rep.amplitude * u
    lie = Lying(
        pelvis_roll=roll * PELVIS_SHARE,
        knee_roll=roll,
        chest_roll=roll * PELVIS_SHARE * 0.85 if "shoulders_on_floor" in f else 0.0,
        knee_gap=KNEE_GAP if "knees_together" in f else 0.0,
        feet_lift=FEET_LIFT * u if "feet_on_floor" in f else 0.0,  # the feet come up as the knees roll
        spine_extra=breathing(t),
    )
    return lying_pose(body, lie)


PELVIC_TILT_DEG = 9.0
BRIDGE_HEIGHT = 0.13


def pelvic_tilts_pose(body: Body, u: float, rep: Rep, t: float) -> Placed:
    """u in [-1, 1]: +1 lower back pressed down, -1 pelvis tilted toward the heels (gentle arch)."""
    f = set(rep.faults)
    lie = Lying(
        pelvis_tilt=PELVIC_TILT_DEG * rep.amplitude * u,
        bridge=BRIDGE_HEIGHT * max(u, 0.0) if "hips_grounded" in f else 0.0,
        neck_flex=45.0 if "head_down" in f else 12.0,
        spine_extra=breathing(t, 0.8),
    )
    return lying_pose(body, lie)


# Deep abdominal faults, sized like a person's (clips.paced_reps draws each rep's size in these ranges):
PELVIS_LIFT_M = (0.05, 0.08)  # pelvis_still: a small bridge: the hip joints rise 5-8 cm off the mat
KNEES_DROP_DEG = (25.0, 35.0)  # legs_still: both knees fall 25-35 degrees to a side (about 4-7 cm down)
FOOT_SLIDE_M = (0.08, 0.12)  # legs_still: the feet slide 8-12 cm away from the hips
HEAD_LIFT_DEG = (28.0, 40.0)  # head_and_shoulders_relaxed: the head lifts (chin to chest): the ear rises 4-6 cm
LEGS_OUT_REACH = 0.985  # hold_too_short: heels slid out until hip to ankle is 98.5% of the leg (knee 160 deg)
# The knee passes 140 degrees (out of the start position) at 83-87% of the slide (bodies b0-b2).
LEGS_OUT_SEEN = 0.85
DRAW_UP_TILT_DEG = 3.0  # drawing up the pelvic floor and lower abdominals tips the pelvis a little


def _fault_level(rep: Rep, t: float) -> float:
    """0 to 1: how much of the rep's fault is there at time t (eased in, held, eased out)."""
    start, full, going = rep.fault_s
    if full <= start:
        return 0.0
    x = (t - start) / (full - start) if t < full else 1.0 - (t - going) / rep.fault_ramp_s
    x = min(max(x, 0.0), 1.0)
    return x * x * (3 - 2 * x)


def deep_abdominal_pose(body: Body, u: float, rep: Rep, t: float) -> Placed:
    """u: 1 while the contraction is held. A fault comes and goes within the hold (`rep.fault_s`)."""
    k = rep.fault_size * _fault_level(rep, t)
    way = rep.fault_way
    lie = Lying(
        pelvis_tilt=DRAW_UP_TILT_DEG * u,
        bridge=k if way == "pelvis_lift" else 0.0,
        knee_roll=k if way == "knees_drop" else 0.0,
        feet_slide=k if way == "foot_slide" else 0.0,
        legs_out=k if way == "legs_out" else 0.0,
        neck_flex=12.0 + (k if way == "head_lift" else 0.0),
        spine_extra=breathing(t, 2.0),
    )
    return lying_pose(body, lie)


# ---------------------------------------------------------------- realistic pelvic tilts (--realistic-tilts)
# Anny's root is on the line through the hip joint centres, so turning the whole body (its pitch) turns the
# pelvis about the hip joints; the four lower spine bones (spine05 lowest: the lumbar and the lowest
# thoracic) turn back by the same amount, so the upper chest (spine01), the shoulders and the head keep
# their place on the mat. How the four share that is solved per frame from a base share (LUMBAR_SHARE) and
# two bows, so that the pelvis keeps resting on the mat and the lower back's gap to the mat (`lumbar_gap`)
# is what the clip's person makes at that point of the rock: the hip joints then move a few millimetres,
# the thighs and the angle at the hip hardly at all.
LUMBAR = ("spine05", "spine04", "spine03", "spine02")
LUMBAR_SHARE = (0.35, 0.3, 0.2, 0.15)
REAL_PELVIS_CONTACT = 0.0  # the pelvis's lowest skin vertex this far above the mat top (soft tissue: 0)
REAL_GRID = np.arange(-1.6, 1.61, 0.2)  # movement values at which the lumbar shape is solved (per clip)
PELVIS_BONES = ("root", "pelvis")
LUMBAR_BAND = (0.08, 0.36)  # the lower back: this stretch of the way from hip joint to shoulder (side view)


def _real_angles(body: Body) -> tuple[dict[str, float], float]:
    """The lying start position's angles (arms out, head on a cushion) and its pitch (hips level with
    the shoulders), before any tilt."""
    angles = {**both("arm_abd", ARMS_OUT_ABD), **both("elbow_flex", body.elbow_flex_for(170.0)), "neck_flex": 12.0}
    if "real_flat" not in body.cache:
        ref = body.skeleton(angles)
        body.cache["real_flat"] = rotation_for(SUPINE, angle2d_of(ref, "upperleg01", "upperarm01", SUPINE, 0), 0.0)
    return angles, body.cache["real_flat"]


def _real_overrides(turn: float, p: float, q: float) -> dict[str, np.ndarray]:
    """The lower spine's rotations taking back a pelvis turn of `turn` degrees (about the body's x axis),
    with bows of p degrees moved from spine05 to spine03 and q from spine04 to spine02."""
    bends = [-turn * share for share in LUMBAR_SHARE]
    bends[0] += p
    bends[2] -= p
    bends[1] += q
    bends[3] -= q
    return {name: rx(b) for name, b in zip(LUMBAR, bends, strict=True)}


def _pelvis_low(body: Body, placed: Placed) -> float:
    if "pelvis_mask" not in body.cache:
        body.cache["pelvis_mask"] = body.bone_mask(*PELVIS_BONES)
    return float(placed.vertices[body.cache["pelvis_mask"], 2].min() - MAT_TOP)


def _real_sign(body: Body) -> float:
    """-1: a posterior tilt (the lower back pressed down) is a negative turn about the body's x axis (a
    positive one takes the top of the pelvis toward the body's front, as spine_flex does the chest).
    (Judging it from the gap instead misleads: with the chest held on the mat the hip joints sink as
    the pelvis turns, whichever way.)"""
    return -1.0


def lumbar_gap(body: Body, placed: Placed) -> float:
    """The lower back's gap to the mat as a side camera sees it: over LUMBAR_BAND of the way from the hip
    joints to the shoulders, the mean height of the trunk's lowest points (any depth) above the mat, metres.
    (Anny's lower chest, above the band, lies 3-4 cm off the mat whatever the tilt.)"""
    if "trunk_mask" not in body.cache:
        body.cache["trunk_mask"] = body.bone_mask("root", "pelvis", "spine")
    v = placed.vertices[body.cache["trunk_mask"]]
    marks = placed.landmarks
    hip_x, sh_x = (marks[23, 0] + marks[24, 0]) / 2, (marks[11, 0] + marks[12, 0]) / 2
    lows = []
    for f in np.linspace(*LUMBAR_BAND, 10):
        x = hip_x + f * (sh_x - hip_x)
        near = np.abs(v[:, 0] - x) < 0.008
        if near.any():
            lows.append(v[near, 2].min())
    return float(np.mean(lows) - MAT_TOP)


def _real_turn(real: RealTilt, u: float) -> float:
    """The pelvis's posterior tilt (degrees from Anny's standing pelvis) at movement value u."""
    return real.rest_deg + (real.press_deg * u if u >= 0 else real.arch_deg * u)


def _real_shape(body: Body, real: RealTilt, u: float) -> tuple[float, float]:
    """The bows (p, q) at movement value u: p flattens (press) or deepens (arch) the lower lumbar curve
    (`real.bow_deg` per unit of u), q is solved so that the pelvis rests on the mat; interpolated in a
    table solved once per body and clip style."""
    key = ("real_shape", real.rest_deg, real.press_deg, real.arch_deg, real.bow_deg, real.rest_bow_deg)
    bow = lambda u: -(real.bow_deg * u + real.rest_bow_deg)  # noqa: E731  (+p deepens the curve)
    if key not in body.cache:
        qs = []
        q = 0.0
        for g in REAL_GRID:
            q = _solve_contact(body, real, float(g), bow(float(g)), q)
            qs.append(q)
        body.cache[key] = np.array(qs)
    return bow(u), float(np.interp(u, REAL_GRID, body.cache[key]))


def _solve_contact(body: Body, real: RealTilt, u: float, p: float, q: float) -> float:
    """The bow q (degrees) that puts the pelvis's lowest point on the mat (secant steps)."""

    def miss(q: float) -> float:
        return _pelvis_low(body, _real_place(body, real, u, p, q, legs=False)) - REAL_PELVIS_CONTACT

    q0, f0 = q, miss(q)
    q1 = q + 2.0
    for _ in range(15):
        f1 = miss(q1)
        if abs(f1) < 3e-4 or f1 == f0:
            break
        q0, q1, f0 = q1, float(np.clip(q1 - f1 * (q1 - q0) / (f1 - f0), -30.0, 30.0)), f1
    return q1


def _real_place(body: Body, real: RealTilt, u: float, p: float, q: float, legs: bool = True) -> Placed:
    """The lying body at movement value u with bows p, q: upper chest on the mat where it was; with `legs`
    the feet planted where the start position puts them and the knees between."""
    turn = _real_sign(body) * _real_turn(real, u)
    angles, flat = _real_angles(body)
    angles = {**angles, **body.cache.get(("real_legs", real.rest_deg), {})}
    pitch = flat + turn
    spine = _real_overrides(turn, p, q)
    placed = place(body, body.pose(angles, spine), SUPINE, pitch, "upperarm01.R", LYING_SHOULDER_X,
                   floor_bones=LYING_FLOOR)
    if not legs:
        return placed
    posed = body.skeleton(angles, spine)
    shift = xz(placed.landmarks[12]) - point(posed, "upperarm01.R", SUPINE, pitch)
    thigh = float(np.linalg.norm(point(posed, "lowerleg01", SUPINE, 0) - point(posed, "upperleg01", SUPINE, 0)))
    shin = float(np.linalg.norm(point(posed, "foot", SUPINE, 0) - point(posed, "lowerleg01", SUPINE, 0)))
    hip = point(posed, "upperleg01", SUPINE, pitch) + shift
    feet = ("real_feet", real.rest_deg)
    if feet not in body.cache:  # first call: the start position (u = 0) puts the feet
        r = math.radians(HIP_FLEX_START)
        knee0 = hip + thigh * np.array([-math.cos(r), math.sin(r)])
        drop = knee0[1] - ANKLE_JOINT_HEIGHT
        body.cache[feet] = knee0[0] - math.sqrt(max(shin**2 - drop**2, 1e-6))
    ankle = np.array([body.cache[feet], ANKLE_JOINT_HEIGHT])
    knee = circle_meet(hip, thigh, ankle, shin, upper=True)
    angles = aim(body, dict(angles), SUPINE, pitch, [
        Aim(("hip_flex_L", "hip_flex_R"), -1, "upperleg01", "lowerleg01", heading(knee - hip)),
        Aim(("knee_flex_L", "knee_flex_R"), 1, "lowerleg01", "foot", heading(ankle - knee)),
        Aim(("ankle_plantar_L", "ankle_plantar_R"), 1, "foot", "toe2-1", 183.0),
    ])
    legs_key = ("real_legs", real.rest_deg)
    if legs_key not in body.cache:  # the shape solver poses the legs as in the start position
        body.cache[legs_key] = {k: v for k, v in angles.items() if k.startswith(("hip_flex", "knee_flex", "ankle"))}
    return place(body, body.pose(angles, spine), SUPINE, pitch, "upperarm01.R", LYING_SHOULDER_X,
                 floor_bones=LYING_FLOOR)


def _breath_weights(body: Body) -> tuple[np.ndarray, np.ndarray]:
    """Per vertex (rest mesh): how much of the belly's and of the chest's rise it takes (front of the trunk)."""
    if "breath_w" not in body.cache:
        v, j = body._forward({})
        trunk = body.bone_mask("root", "pelvis", "spine")
        belly, chest = np.zeros(len(v)), np.zeros(len(v))
        hip_z = (j["upperleg01.L"][2] + j["upperleg01.R"][2]) / 2
        top = j["upperarm01.L"][2] - hip_z
        z = (v[:, 2] - hip_z) / top  # 0 at the hip joints, 1 at the shoulders
        # Front of the trunk: ahead of the trunk's middle at that height, most at the front surface.
        front = np.zeros(len(v))
        for lo in np.arange(-0.3, 1.1, 0.05):
            band = trunk & (z >= lo) & (z < lo + 0.05)
            if band.sum() < 10:
                continue
            ys = v[band, 1]
            mid, fr = np.median(ys), ys.min()
            front[band] = np.clip((mid - ys) / max(mid - fr, 1e-3), 0.0, 1.0)
        bump = lambda c, w: np.clip(1 - ((z - c) / w) ** 2, 0, 1) ** 2  # noqa: E731
        belly = trunk * front * bump(0.35, 0.33)
        chest = trunk * front * bump(0.72, 0.25)
        body.cache["breath_w"] = (belly, chest)
    return body.cache["breath_w"]


def breath_level(real: RealTilt, t: float) -> float:
    """0 breathed out, 1 breathed in: a slow breath, in a little quicker than out."""
    x = (t / real.breath_s + real.breath_phase) % 1.0
    return 0.5 - 0.5 * math.cos(2 * math.pi * (x / 0.8 if x < 0.4 else 0.5 + (x - 0.4) / 1.2))


def _loosen(body: Body, placed: Placed) -> None:
    """A loose shirt: the trunk's shirt stands 1.5 cm off the skin and hangs toward the mat at the sides."""
    if "loose_mask" not in body.cache:
        body.cache["loose_mask"] = body.bone_mask("spine", "clavicle", "shoulder01")
    m = body.cache["loose_mask"]
    v = placed.vertices
    mid_z = np.median(v[m, 2])
    side = v[m, 1] - np.median(v[m, 1])
    out = np.c_[np.zeros(m.sum()), side, v[m, 2] - mid_z]
    out /= np.linalg.norm(out, axis=1, keepdims=True) + 1e-9
    w = v[m] + 0.015 * out
    hang = np.clip((mid_z - w[:, 2]) / max(mid_z - MAT_TOP, 1e-3), 0.0, 1.0)  # below the middle: hangs
    w[:, 2] -= 0.6 * hang * (w[:, 2] - MAT_TOP)
    v[m] = w


def with_gap_swing(body: Body, real: RealTilt) -> RealTilt:
    """`real` with its bow_deg solved (secant steps) so that the lower back's gap to the mat changes by
    `real.gap_swing_m` from the press (u = +1) to the arch (u = -1); unchanged when that is 0."""
    if real.gap_swing_m <= 0:
        return real
    key = ("real_gain", real)
    if key not in body.cache:

        def swing(bow: float) -> float:
            r = replace(real, bow_deg=bow, gap_swing_m=0.0)
            gaps = []
            for u in (1.0, -1.0):
                placed = _real_place(body, r, u, *_real_shape(body, r, u), legs=False)
                gaps.append(lumbar_gap(body, placed))
            return gaps[1] - gaps[0] - real.gap_swing_m

        b0, b1 = 4.0, 12.0
        f0 = swing(b0)
        for _ in range(8):
            f1 = swing(b1)
            if abs(f1) < 1e-3 or f1 == f0:
                break
            b0, b1, f0 = b1, float(np.clip(b1 - f1 * (b1 - b0) / (f1 - f0), -30.0, 30.0)), f1
        body.cache[key] = replace(real, bow_deg=round(b1, 2), gap_swing_m=0.0)
    return body.cache[key]


def realistic_tilt_pose(body: Body, u: float, rep: Rep, t: float) -> Placed:
    """u: +1 the lower back pressed down (posterior tilt), -1 arched (anterior tilt), 0 the start position;
    |u| may pass 1 (a bigger rock). The pelvis turns, the thighs stay, the chest breathes."""
    real = with_gap_swing(body, rep.real or RealTilt())
    if ("real_feet", real.rest_deg) not in body.cache:
        _real_place(body, real, 0.0, *_real_shape(body, real, 0.0))  # plants the feet (start position)
    placed = _real_place(body, real, u, *_real_shape(body, real, u))
    belly_w, chest_w = _breath_weights(body)
    b = breath_level(real, t)
    placed.vertices[:, 2] += b * (real.belly_m * belly_w + real.chest_m * chest_w)
    body.cache["real_last_gap"] = lumbar_gap(body, placed)  # the skin's, under any loose shirt
    if real.loose:
        _loosen(body, placed)
    return placed


POSES = {
    "heels_stretch": heels_stretch_pose,
    "knee_rolls": knee_rolls_pose,
    "back_extensions": back_extensions_pose,
    "deep_abdominal": deep_abdominal_pose,
    "pelvic_tilts": pelvic_tilts_pose,
}
