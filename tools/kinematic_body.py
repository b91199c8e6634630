"""A kinematic body in MediaPipe's 33-landmark layout, posed for the five exercises, filmed by a side
camera, and given the errors MediaPipe makes on such video.

Poses are built in body coordinates: a along the body towards the head, b up from the floor, c sideways
towards the camera (metres). `Camera` projects them to image and world landmarks; `MediaPipeErrors`
adds what the estimator would add: jitter, slow wobble, a far side that is noisier and whose limbs are
off by 10-32 degrees, a hip point 5-10 degrees off the anatomical hip, low-visibility stretches and
frames with nobody found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from posecheck.landmarks import Landmark, PoseFrame

Vec = np.ndarray


def _v(a: float, b: float, c: float = 0.0) -> Vec:
    return np.array([a, b, c], dtype=float)


def _dir(deg: float) -> Vec:
    r = math.radians(deg)
    return _v(math.cos(r), math.sin(r))


def _ik(root: Vec, end: Vec, l1: float, l2: float, bend: float) -> tuple[Vec, Vec]:
    """Middle joint of a two-link limb from `root` to `end` in the a-b plane; `bend` +1 puts it on
    the left of root->end (counter-clockwise). Returns (middle, end), end pulled in if out of reach."""
    d = end - root
    dist = float(np.hypot(d[0], d[1]))
    reach = (l1 + l2) * 0.9999
    if dist > reach:
        end = root + d * (reach / dist)
        d, dist = end - root, reach
    dist = max(dist, abs(l1 - l2) + 1e-6)
    cos_a = (l1 * l1 + dist * dist - l2 * l2) / (2 * l1 * dist)
    a = math.acos(max(-1.0, min(1.0, cos_a)))
    base = math.atan2(d[1], d[0]) + bend * a
    mid = root + l1 * _v(math.cos(base), math.sin(base), 0.0)
    mid[2] = (root[2] + end[2]) / 2
    return mid, end


def _rotate_about(p: Vec, origin: Vec, axis: Vec, deg: float) -> Vec:
    k = axis / np.linalg.norm(axis)
    v = p - origin
    r = math.radians(deg)
    # np.cross spends most of its time reshaping axes: for one 3-vector, the same products by hand.
    cross = _v(k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0])
    return origin + v * math.cos(r) + cross * math.sin(r) + k * np.dot(k, v) * (1 - math.cos(r))


@dataclass(frozen=True)
class Proportions:
    """Segment lengths (metres) of one body."""

    height: float
    torso: float  # hip joint to shoulder joint
    uarm: float
    farm: float
    hand: float
    thigh: float
    shin: float
    foot: float
    neck: float  # shoulder joint to ear
    head: float  # ear to nose
    shoulder_half: float
    hip_half: float

    @classmethod
    def of(cls, height: float, rng: np.random.Generator) -> Proportions:
        def j(x: float) -> float:
            return float(x * height * (1 + rng.normal(0, 0.03)))

        return cls(height, j(0.29), j(0.172), j(0.150), j(0.06), j(0.245), j(0.245), j(0.13), j(0.10),
                   j(0.058), j(0.105), j(0.06))


# Lateral offsets (fractions of height) of landmarks that are not joints of the limbs.
_FACE_C = {"ear": 0.042, "eye": 0.018, "eye_inner": 0.01, "eye_outer": 0.026, "mouth": 0.014}


class Pose:
    """Named 3D points (a, b, c) for one frame: `near_knee`, `far_knee`, `nose`, ..."""

    def __init__(self) -> None:
        self.points: dict[str, Vec] = {}

    def set(self, name: str, p: Vec) -> None:
        self.points[name] = np.asarray(p, dtype=float)

    def pair(self, part: str, p: Vec, half: float) -> None:
        self.set(f"near_{part}", p + _v(0, 0, half))
        self.set(f"far_{part}", p - _v(0, 0, half))

    def head(self, ear: Vec, nose_dir: float, body: Proportions, up_dir: float) -> None:
        """Ears, eyes, nose and mouth from the ear midpoint and the direction (deg) the nose points."""
        h = body.height
        nose = ear + body.head * _dir(nose_dir)
        self.set("nose", nose)
        for side, s in (("near", 1), ("far", -1)):
            self.set(f"{side}_ear", ear + _v(0, 0, s * _FACE_C["ear"] * h))
            for part, frac in (("eye_inner", 0.78), ("eye", 0.72), ("eye_outer", 0.66)):
                p = ear + frac * (nose - ear) + 0.025 * h * _dir(up_dir)
                self.set(f"{side}_{part}", p + _v(0, 0, s * _FACE_C[part] * h))
            mouth = ear + 0.85 * (nose - ear) - 0.03 * h * _dir(up_dir)
            self.set(f"{side}_mouth", mouth + _v(0, 0, s * _FACE_C["mouth"] * h))

    def hand(self, side: str, wrist: Vec, direction: Vec, body: Proportions, spread: Vec) -> None:
        """Pinky, index and thumb from the wrist along `direction` (unit), spread sideways by `spread`."""
        self.set(f"{side}_wrist", wrist)
        self.set(f"{side}_index", wrist + body.hand * direction + 0.3 * spread)
        self.set(f"{side}_pinky", wrist + 0.85 * body.hand * direction - 0.5 * spread)
        self.set(f"{side}_thumb", wrist + 0.6 * body.hand * direction + 0.9 * spread)

    def foot(self, side: str, ankle: Vec, heel: Vec, toe: Vec) -> None:
        self.set(f"{side}_ankle", ankle)
        self.set(f"{side}_heel", heel)
        self.set(f"{side}_foot_index", toe)


# ---------------------------------------------------------------------------------------------
# The five exercises' poses. Each takes the body and a dict of controls; returns a Pose.
# ---------------------------------------------------------------------------------------------


def all_fours(body: Proportions, q: dict[str, float]) -> Pose:
    """Heels stretch: on all fours (p=0), rocked back towards the heels (p=1)."""
    h = body.height
    pose = Pose()
    rest_thigh = 90.0 + q.get("knee_off", 0.0)  # + : knees ahead of the hips
    # Knees out of place are knees put down elsewhere: the hips stay over the same spot of the mat.
    knee = _v(-body.thigh * math.cos(math.radians(rest_thigh)), 0.05 * h)
    # The knee angle at the deepest point; whatever the knees' placement, rocking back swings the thighs.
    back_thigh = max(180.0 - q.get("depth", 45.0), rest_thigh + 30.0)
    p = q.get("p", 0.0)
    thigh_dir = rest_thigh + (back_thigh - rest_thigh) * p
    hip = knee + body.thigh * _dir(thigh_dir)
    hip_rest = knee + body.thigh * _dir(rest_thigh)
    arch = q.get("arch", 0.0)
    hip = hip + _v(0, 0.012 * h * arch)
    ankle = knee + _v(-body.shin * 0.97, -0.01 * h)
    # Elbow angle at rest sets the arm's reach; hands planted ahead or under the shoulders.
    elbow_deg = q.get("elbow", 165.0)
    l1, l2 = body.uarm, body.farm
    reach = math.sqrt(l1 * l1 + l2 * l2 - 2 * l1 * l2 * math.cos(math.radians(elbow_deg)))
    hand_off = math.radians(q.get("hand_off", 0.0))
    wrist_b = 0.035 * h
    shoulder_h = wrist_b + reach * math.cos(hand_off)
    psi_rest = math.degrees(math.asin(max(-0.9, min(0.9, (shoulder_h - hip_rest[1]) / body.torso))))
    shoulder_rest = hip_rest + body.torso * _dir(psi_rest)
    wrist = _v(shoulder_rest[0] + reach * math.sin(hand_off), wrist_b)
    psi = psi_rest - q.get("arch_deg", 0.0) * arch
    shoulder = hip_rest + body.torso * _dir(psi) + (hip - hip_rest)
    # Rocking back carries the trunk back with the hips; the planted hands keep the shoulders within
    # reach, so the arms tilt and the shoulders come down.
    reach_max = max(0.985 * (l1 + l2), reach)
    d = shoulder - wrist
    dist = float(np.hypot(d[0], d[1]))
    if dist > reach_max:
        shoulder = wrist + d * (reach_max / dist)
        shoulder = hip + body.torso * (shoulder - hip) / float(np.linalg.norm((shoulder - hip)[:2]))
    psi_now = math.degrees(math.atan2(shoulder[1] - hip[1], shoulder[0] - hip[0]))
    bend = -1.0 if elbow_deg <= 180 else 1.0  # elbows point back towards the knees unless locked past straight
    elbow, wrist_now = _ik(shoulder, wrist, l1, l2, bend)
    if elbow_deg > 180 and p < 0.5:
        # A hyperextended elbow sits a little ahead of the shoulder-wrist line.
        elbow = elbow
    sw, hw = body.shoulder_half, body.hip_half
    pose.pair("shoulder", shoulder + _v(0, q.get("breath", 0.0) * 0.004 * h), sw)
    pose.pair("elbow", elbow, sw * 1.05)
    for side, s in (("near", 1), ("far", -1)):
        w = wrist_now + _v(0, 0, s * sw * 0.95)
        pose.hand(side, w, _v(1, -0.05), body, _v(0, 0, -s * 0.03 * h))
    pose.pair("hip", hip, hw)
    pose.pair("knee", knee, hw * 0.9)
    for side, s in (("near", 1), ("far", -1)):
        c = _v(0, 0, s * hw * 0.85)
        pose.foot(side, ankle + c, ankle + c + _v(0.01 * h, 0.035 * h), ankle + c + _v(-0.1 * h, -0.02 * h))
    neck_dir = psi_now + q.get("neck", 0.0)
    ear = shoulder + body.neck * _dir(neck_dir)
    pose.head(ear, neck_dir - 65.0, body, neck_dir + 90.0)
    return pose


HIP_RISE_PER_DEG = 0.0037
HIP_SLIDE_PER_DEG = 0.0007


def lying_on_back(body: Proportions, q: dict[str, float]) -> Pose:
    """Knee rolls, deep abdominal strengthening, pelvic tilts: on the back, knees bent, feet on the floor."""
    h = body.height
    pose = Pose()
    tilt = q.get("tilt", 0.0)  # pelvic tilt, deg; + : arching the lower back (tilting towards the heels)
    # The hip point MediaPipe reports on a tilting pelvis (measured on rendered clips, samples/video):
    # it rises as the lower back arches, about 0.0037 torso lengths per degree, and hardly slides
    # along the body (0.0007 per degree, towards the head). The feet stay planted, so the thigh turns.
    hip = _v(HIP_SLIDE_PER_DEG * body.torso * tilt, 0.05 * h + HIP_RISE_PER_DEG * body.torso * tilt)
    hip = hip + _v(0, q.get("pelvis_lift", 0.0) * h)
    shrug = q.get("shrug", 0.0) * h
    sh_b = 0.06 * h
    shoulder = _v(math.sqrt(body.torso**2 - (sh_b - 0.05 * h) ** 2) + shrug, sh_b + 0.25 * shrug)
    shoulder = shoulder + _v(0, q.get("breath", 0.0) * 0.004 * h)
    # Feet planted where a thigh raised `thigh_elev` degrees puts them.
    elev = q.get("thigh_elev", 50.0)
    knee0 = _v(0, 0.05 * h) + body.thigh * _dir(180.0 - elev)
    ankle_b = 0.04 * h
    drop = knee0[1] - ankle_b
    ankle = _v(knee0[0] - math.sqrt(max(body.shin**2 - drop * drop, 1e-6)), ankle_b)
    ankle = ankle + _v(-q.get("foot_slide", 0.0) * h, 0)
    out = q.get("legs_out", 0.0)  # legs slid out straight along the floor
    straight = _v(hip[0] - 0.97 * (body.thigh + body.shin), ankle_b)
    ankle = ankle + out * (straight - ankle)
    ankle = ankle + _v(0, q.get("feet_lift", 0.0) * h)
    knee, ankle = _ik(hip, ankle, body.thigh, body.shin, -1.0)  # knees up
    roll = q.get("roll", 0.0) + q.get("drift", 0.0)  # + : knees towards the camera
    gap = q.get("gap", 0.0)
    axis = ankle - hip
    kw, aw, hw, sw = 0.034 * h, 0.03 * h, body.hip_half, body.shoulder_half
    top = "far" if roll >= 0 else "near"
    for side, s in (("near", 1), ("far", -1)):
        k = knee + _v(0, 0, s * kw)
        this_roll = roll - math.copysign(gap, roll) if side == top and roll != 0 else roll
        pose.set(f"{side}_knee", _rotate_about(k, hip, axis, -this_roll))
        hp = hip + _v(0, 0, s * hw)
        pose.set(f"{side}_hip", _rotate_about(hp, hip, axis, -0.3 * roll))
        a = ankle + _v(0, 0, s * aw)
        heel = a + _v(0.015 * h, -0.03 * h)
        toe = a + _v(-0.11 * h, -0.03 * h)
        pose.foot(side, *(_rotate_about(x, ankle, axis, -0.15 * roll) for x in (a, heel, toe)))
    # The shoulder on the side away from the roll is the one that lifts.
    lift = q.get("shoulder_lift", 0.0) * h
    lifted = "far" if roll >= 0 else "near"
    for side, s in (("near", 1), ("far", -1)):
        sp = shoulder + _v(0, lift if side == lifted else 0.0, s * (sw - (0.3 * lift if side == lifted else 0)))
        pose.set(f"{side}_shoulder", sp)
        # Arms out to the side, palms down.
        elbow = sp + _v(0.01 * h, -0.01 * h - (0.6 * lift if side == lifted else 0), s * body.uarm)
        pose.set(f"{side}_elbow", elbow)
        wrist = elbow + _v(0.01 * h, -0.005 * h, s * body.farm)
        pose.hand(side, wrist, _v(0, -0.05, s), body, _v(0.03 * h, 0, 0))
    neck_up = 12.0 + q.get("head_lift", 0.0)
    ear = shoulder + _v(-shrug, 0) + body.neck * _dir(neck_up)
    pose.head(ear, 70.0 + q.get("head_lift", 0.0), body, neck_up + 90)
    return pose


def lying_on_front(body: Proportions, q: dict[str, float]) -> Pose:
    """Back extensions: on the stomach propped on the elbows (p=0), pushed up on the hands (p=1)."""
    h = body.height
    pose = Pose()
    hip = _v(0, 0.06 * h + q.get("hip_lift", 0.0) * h)
    knee_b = 0.04 * h
    knee = _v(-math.sqrt(max(body.thigh**2 - (hip[1] - knee_b) ** 2, 1e-6)), knee_b)
    ankle = knee + _v(-body.shin, 0.015 * h)
    elbow_b = 0.03 * h
    base_hip_b = 0.06 * h
    psi_rest = math.degrees(math.asin(min(0.95, (elbow_b + body.uarm - base_hip_b) / body.torso)))
    shoulder_rest = _v(0, base_hip_b) + body.torso * _dir(psi_rest)
    wrist = _v(shoulder_rest[0] + body.farm, 0.03 * h)
    psi_up = q.get("psi_up", 55.0)
    # Cannot push further than straight arms allow.
    for cand in np.linspace(psi_up, psi_rest, 60):
        if np.linalg.norm((hip + body.torso * _dir(cand) - wrist)[:2]) <= 0.985 * (body.uarm + body.farm):
            psi_up = cand
            break
    p = q.get("p", 0.0)
    psi = psi_rest + (psi_up - psi_rest) * p
    shoulder = hip + body.torso * _dir(psi) + _v(0, q.get("breath", 0.0) * 0.003 * h)
    if p < 1e-3 and q.get("hip_lift", 0.0) == 0:
        elbow = _v(shoulder[0], elbow_b)
    else:
        elbow, wrist = _ik(shoulder, wrist, body.uarm, body.farm, 1.0)  # elbows back, towards the feet
    sw, hw = body.shoulder_half, body.hip_half
    pose.pair("shoulder", shoulder, sw)
    pose.pair("elbow", elbow, sw * 1.1)
    for side, s in (("near", 1), ("far", -1)):
        pose.hand(side, wrist + _v(0, 0, s * sw * 0.9), _v(1, -0.05), body, _v(0, 0, -s * 0.03 * h))
    pose.pair("hip", hip, hw)
    pose.pair("knee", knee, hw * 0.9)
    for side, s in (("near", 1), ("far", -1)):
        c = _v(0, 0, s * hw * 0.8)
        pose.foot(side, ankle + c, ankle + c + _v(0.01 * h, 0.035 * h), ankle + c + _v(-0.06 * h, -0.03 * h))
    neck_dir = psi + q.get("neck", 0.0)
    ear = shoulder + body.neck * _dir(neck_dir)
    pose.head(ear, neck_dir - 70.0, body, neck_dir + 90)
    return pose


POSES = {
    "heels_stretch": all_fours,
    "knee_rolls": lying_on_back,
    "deep_abdominal": lying_on_back,
    "pelvic_tilts": lying_on_back,
    "back_extensions": lying_on_front,
}

# Which way the front of the body faces, to tell which anatomical side is nearer the camera.
FACE_UP = {"heels_stretch": False, "back_extensions": False, "knee_rolls": True, "deep_abdominal": True,
           "pelvic_tilts": True}


def near_side(exercise: str, facing: str) -> str:
    """The anatomical side facing the camera (at +c) for a body whose head is to the image's `facing`."""
    s = 1 if facing == "right" else -1
    g = 1 if FACE_UP[exercise] else -1
    # left = head_direction x front; its c component is s * g.
    return "left" if s * g > 0 else "right"


def to_landmarks(pose: Pose, near: str) -> np.ndarray:
    """(33, 3) points in body coordinates in MediaPipe's landmark order."""
    out = np.zeros((33, 3))
    for name, p in pose.points.items():
        out[_slot(near, name)] = p
    return out


@cache
def _slot(near: str, name: str) -> int:
    """The landmark index of the pose's point `name` ("near_knee", "nose") on a body whose `near` side faces us."""
    if name == "nose":
        return int(Landmark.NOSE)
    side, _, part = name.partition("_")
    if part == "mouth":
        return int(Landmark[f"MOUTH_{_anatomical(near, side).upper()}"])
    return _index(near, side, part)


def _anatomical(near: str, side: str) -> str:
    """The anatomical side ("left", "right") of a body's `side` ("near", "far") when its `near` side faces us."""
    return near if side == "near" else ("right" if near == "left" else "left")


# ---------------------------------------------------------------------------------------------
# Camera and MediaPipe's errors
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Camera:
    """A pinhole camera beside the mat looking at the body's side, pitched to centre it."""

    image_size: tuple[int, int]
    distance: float  # metres from the body's mid-plane
    height: float  # lens height above the floor
    focal_px: float
    centre_a: float  # where along the body the camera is aimed
    roll_deg: float = 0.0

    @classmethod
    def beside(cls, body: Proportions, rng: np.random.Generator) -> Camera:
        size = [(1280, 720), (1920, 1080), (960, 540)][int(rng.integers(3))]
        distance = float(rng.uniform(2.0, 3.0))
        fill = float(rng.uniform(0.55, 0.72))  # the body spans this much of the width
        focal = fill * size[0] * distance / (body.height * 1.15)
        return cls(size, distance, float(rng.uniform(0.12, 0.8)), focal, float(rng.normal(0.0, 0.05)) * body.height,
                   float(rng.normal(0, 1.0)))

    def project(self, world_abc: np.ndarray, facing: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(image (33,3) normalised x, y, z; world (33,3) metres around the hip midpoint; pixels (33,2))."""
        s = 1.0 if facing == "right" else -1.0
        x = s * (world_abc[:, 0] - self.centre_a)
        y = world_abc[:, 1]
        z = world_abc[:, 2]
        pitch = math.atan2(self.height - 0.25, self.distance)
        # Camera axes: right = +x, forward = towards -z pitched down, up perpendicular.
        fwd = np.array([0.0, -math.sin(pitch), -math.cos(pitch)])
        up = np.array([0.0, math.cos(pitch), -math.sin(pitch)])
        d = np.stack([x, y - self.height, z - self.distance], axis=1)
        depth = d @ fwd
        px = self.image_size[0] / 2 + self.focal_px * d[:, 0] / depth
        py = self.image_size[1] / 2 - self.focal_px * (d @ up) / depth
        r = math.radians(self.roll_deg)
        cx, cy = self.image_size[0] / 2, self.image_size[1] / 2
        rx = cx + (px - cx) * math.cos(r) - (py - cy) * math.sin(r)
        ry = cy + (px - cx) * math.sin(r) + (py - cy) * math.cos(r)
        hips = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
        hip_depth = float(depth[hips].mean())
        zn = (depth - hip_depth) * self.focal_px / hip_depth / self.image_size[0]
        image = np.stack([rx / self.image_size[0], ry / self.image_size[1], zn], axis=1)
        cam = np.stack([d[:, 0], -(d @ up), depth], axis=1)
        world = cam - cam[hips].mean(axis=0)
        return image, world, np.stack([rx, ry], axis=1)


_NEAR_FAR_LIMBS = {
    # distal joint: (proximal joint, points carried along)
    "elbow": ("shoulder", ("elbow", "wrist", "pinky", "index", "thumb")),
    "wrist": ("elbow", ("wrist", "pinky", "index", "thumb")),
    "knee": ("hip", ("knee", "ankle", "heel", "foot_index")),
    "ankle": ("knee", ("ankle", "heel", "foot_index")),
}


# Looked up for every landmark of every frame: the enum's name lookups, once per side.
@cache
def _index(near: str, side: str, part: str) -> int:
    return int(Landmark[f"{_anatomical(near, side).upper()}_{part.upper()}"])


@cache
def _far_side(near: str) -> np.ndarray:
    far = np.array([n.name.startswith(_anatomical(near, "far").upper()) for n in Landmark])
    far.flags.writeable = False
    return far


@dataclass
class MediaPipeErrors:
    """What MediaPipe adds to a side view, drawn once per recording from `rng`."""

    rng: np.random.Generator
    near: str
    jitter: float  # per-frame noise, torso lengths
    wobble: float  # slow drift, torso lengths
    far_gain: float
    far_bias_deg: dict[str, float]
    hip_offset: np.ndarray  # torso lengths, image plane
    glitch_rate: float

    @classmethod
    def draw(cls, rng: np.random.Generator, near: str) -> MediaPipeErrors:
        bias = {
            "elbow": float(rng.choice([-1, 1]) * rng.uniform(3, 8)),
            "knee": float(rng.choice([-1, 1]) * rng.uniform(3, 8)),
            "wrist": float(rng.choice([-1, 1]) * rng.uniform(10, 32)),
            "ankle": float(rng.choice([-1, 1]) * rng.uniform(10, 32)),
        }
        ang = rng.uniform(0, 2 * math.pi)
        hip_offset = rng.uniform(0.05, 0.12) * np.array([math.cos(ang), math.sin(ang)])
        return cls(rng, near, float(rng.uniform(0.005, 0.012)), float(rng.uniform(0.004, 0.01)),
                   float(rng.uniform(2.0, 3.0)), bias, hip_offset, float(rng.uniform(0.0, 0.003)))

    def index(self, side: str, part: str) -> int:
        return _index(self.near, side, part)

    def apply(self, px: np.ndarray, torso_px: float, wobble_state: np.ndarray, t: float) -> np.ndarray:
        """Pixel positions with MediaPipe's errors (a new array); `wobble_state` (33,2) is updated in place."""
        out = px.copy()
        # Far-side limbs: angular error about the proximal joint, slowly breathing in size.
        for joint, (proximal, carried) in _NEAR_FAR_LIMBS.items():
            deg = self.far_bias_deg[joint] * (1 + 0.25 * math.sin(0.7 * t + len(joint)))
            pivot = out[self.index("far", proximal)].copy()
            r = math.radians(deg)
            rot = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
            for part in carried:
                i = self.index("far", part)
                out[i] = pivot + rot @ (out[i] - pivot)
        for side in ("left", "right"):
            out[int(Landmark[f"{side.upper()}_HIP"])] += self.hip_offset * torso_px
        far = _far_side(self.near)
        gain = np.where(far, self.far_gain, 1.0)[:, None]
        wobble_state *= 0.9
        wobble_state += self.rng.normal(0, self.wobble * math.sqrt(1 - 0.81), wobble_state.shape)
        out += (wobble_state + self.rng.normal(0, self.jitter, out.shape)) * gain * torso_px
        glitch = self.rng.random(len(out)) < self.glitch_rate
        out[glitch] += self.rng.normal(0, 0.3, (int(glitch.sum()), 2)) * torso_px
        return out

    def visibility(self, far_dim: float = 1.0) -> np.ndarray:
        far = _far_side(self.near)
        vis = np.where(far, self.rng.uniform(0.55, 0.85, 33) * far_dim, self.rng.uniform(0.9, 0.995, 33))
        return vis


def frame_from(image: np.ndarray, world: np.ndarray, visibility: np.ndarray, t_ms: int,
               size: tuple[int, int]) -> PoseFrame:
    presence = np.clip(visibility + 0.05, 0, 1)
    return PoseFrame(t_ms, size, image, visibility, presence, world)


# ---------------------------------------------------------------------------------------------
# Habits (tools/kinematic_habits.py): looking at the screen, a hand to the face or the clothes, a
# shift on the mat, and whole-body figures for getting down onto the mat and up again.
# ---------------------------------------------------------------------------------------------

_HEAD = ("nose", "near_ear", "far_ear", "near_eye", "far_eye", "near_eye_inner", "far_eye_inner",
         "near_eye_outer", "far_eye_outer", "near_mouth", "far_mouth")
_HAND = ("wrist", "index", "pinky", "thumb")


def _ik3(root: Vec, end: Vec, l1: float, l2: float, pole: Vec) -> tuple[Vec, Vec]:
    """Two-link limb in 3D: the middle joint bends towards `pole`; the end is pulled in if out of reach."""
    d = end - root
    dist = float(np.linalg.norm(d))
    reach = (l1 + l2) * 0.9999
    if dist > reach:
        end = root + d * (reach / dist)
        d, dist = end - root, reach
    dist = max(dist, abs(l1 - l2) + 1e-6)
    x = d / dist
    y = pole - np.dot(pole, x) * x
    ny = float(np.linalg.norm(y))
    y = y / ny if ny > 1e-9 else np.cross(x, _v(0, 0, 1)) / max(float(np.linalg.norm(np.cross(x, _v(0, 0, 1)))), 1e-9)
    cos_a = (l1 * l1 + dist * dist - l2 * l2) / (2 * l1 * dist)
    a = math.acos(max(-1.0, min(1.0, cos_a)))
    return root + l1 * (math.cos(a) * x + math.sin(a) * y), end


def apply_habits(pose: Pose, body: Proportions, q: dict[str, float]) -> None:
    """Changes `pose` in place for the habit controls in `q`:

    - `look_yaw` (deg): the head turned about the neck towards the camera (+c), `look_lift` (deg) and
      raised a little;
    - `reach` (0-1): one arm (`reach_side` > 0 the near one) moving its hand to the face
      (`reach_to` < 0.5) or to the waist (adjusting clothes), and back;
    - `shift_a`, `shift_c` (m): the whole body moved on the mat.
    """
    p = pose.points
    h = body.height
    shoulder_mid = (p["near_shoulder"] + p["far_shoulder"]) / 2
    yaw, lift = q.get("look_yaw", 0.0), q.get("look_lift", 0.0)
    if yaw:
        ear_mid = (p["near_ear"] + p["far_ear"]) / 2
        axis = ear_mid - shoulder_mid
        sign = 1.0 if _rotate_about(p["nose"], ear_mid, axis, 10.0)[2] > p["nose"][2] else -1.0
        for name in _HEAD:
            p[name] = _rotate_about(p[name], ear_mid, axis, sign * yaw)
    if lift:
        for name in _HEAD:
            p[name] = _rotate_about(p[name], shoulder_mid, _v(0, 0, 1), lift)
    u = q.get("reach", 0.0)
    if u > 0:
        side = "near" if q.get("reach_side", 1.0) > 0 else "far"
        s = 1.0 if side == "near" else -1.0
        hip_mid = (p["near_hip"] + p["far_hip"]) / 2
        if q.get("reach_to", 0.0) < 0.5:
            target = p["nose"] + _v(0, 0, s * 0.035 * h) - 0.02 * h * (p["nose"] - shoulder_mid) / max(
                float(np.linalg.norm(p["nose"] - shoulder_mid)), 1e-9)
        else:
            target = 0.7 * hip_mid + 0.3 * shoulder_mid + _v(0, 0.03 * h, s * (body.hip_half + 0.04 * h))
        shoulder, wrist0 = p[f"{side}_shoulder"], p[f"{side}_wrist"]
        wrist = wrist0 + u * (target - wrist0)
        pole = (1 - u) * (p[f"{side}_elbow"] - shoulder) + u * _v(-0.5, 0, s)
        elbow, wrist = _ik3(shoulder, wrist, body.uarm, body.farm, pole)
        delta = wrist - wrist0
        p[f"{side}_elbow"] = elbow
        for part in _HAND:
            p[f"{side}_{part}"] = p[f"{side}_{part}"] + delta
    shift = _v(q.get("shift_a", 0.0), 0.0, q.get("shift_c", 0.0))
    if shift.any():
        for name in p:
            p[name] = p[name] + shift


def figure(body: Proportions, *, hip: Vec, shoulder: Vec, ear: Vec, nose_dir: float,
           arms: tuple[tuple[Vec, Vec], tuple[Vec, Vec]], legs: tuple[tuple[Vec, Vec], tuple[Vec, Vec]],
           toe_dir: float) -> Pose:
    """A whole body from mid-line joints in the a-b plane: `arms` and `legs` are (near, far) pairs of
    (elbow, wrist) and (knee, ankle); the sides are set apart sideways as in the exercise poses."""
    h = body.height
    pose = Pose()
    sw, hw = body.shoulder_half, body.hip_half
    pose.pair("shoulder", shoulder, sw)
    pose.pair("hip", hip, hw)
    for (side, s), (elbow, wrist), (knee, ankle) in zip((("near", 1), ("far", -1)), arms, legs, strict=True):
        pose.set(f"{side}_elbow", elbow + _v(0, 0, s * sw * 1.05))
        hand_dir = (wrist - elbow) / max(float(np.linalg.norm(wrist - elbow)), 1e-9)
        pose.hand(side, wrist + _v(0, 0, s * sw * 0.95), hand_dir, body, _v(0, 0, -s * 0.03 * h))
        pose.set(f"{side}_knee", knee + _v(0, 0, s * hw * 0.9))
        a = ankle + _v(0, 0, s * hw * 0.8)
        pose.foot(side, a, a + _v(0, -0.03 * h) - 0.02 * h * _dir(toe_dir), a + 0.1 * h * _dir(toe_dir))
    pose.head(ear, nose_dir, body, 90.0)
    return pose


def _facing(front: float, down: float = 0.0) -> float:
    """The direction (deg) of looking along `front` (+1: +a, -1: -a), `down` degrees below level."""
    return -down if front > 0 else 180.0 + down


def standing(body: Proportions, front: float, hip_a: float, phase: float = 0.0, stride_deg: float = 0.0) -> Pose:
    """Standing side-on facing along `front`, or walking (legs and arms swinging `stride_deg` at `phase`)."""
    ankle_b = 0.045 * body.height
    hip = _v(hip_a, ankle_b + 0.97 * (body.thigh + body.shin))
    legs, arms = [], []
    for s in (1.0, -1.0):
        swing = stride_deg * math.sin(phase + (0.0 if s > 0 else math.pi))
        thigh = -90.0 + front * swing
        bend = 5.0 + max(0.0, -swing) * 1.2  # the leg swinging through bends at the knee
        knee = hip + body.thigh * _dir(thigh)
        ankle = knee + body.shin * _dir(thigh - front * bend)
        legs.append((knee, ankle))
    shoulder = hip + body.torso * _dir(90.0 - front * 4.0)
    for s in (1.0, -1.0):
        swing = -0.7 * stride_deg * math.sin(phase + (0.0 if s > 0 else math.pi))
        elbow = shoulder + body.uarm * _dir(-90.0 + front * swing)
        arms.append((elbow, elbow + body.farm * _dir(-90.0 + front * (swing + 8.0))))
    ear = shoulder + body.neck * _dir(90.0 - front * 8.0)
    return figure(body, hip=hip, shoulder=shoulder, ear=ear, nose_dir=_facing(front, 10.0),
                  arms=(arms[0], arms[1]), legs=(legs[0], legs[1]), toe_dir=_facing(front, 5.0))


def kneeling(body: Proportions, front: float, knee_a: float) -> Pose:
    """Kneeling upright on the mat, facing along `front`, shins flat behind."""
    h = body.height
    knee = _v(knee_a, 0.05 * h)
    ankle = knee + _v(-front * body.shin * 0.97, -0.01 * h)
    hip = knee + body.thigh * _dir(90.0 - front * 5.0)
    shoulder = hip + body.torso * _dir(90.0 - front * 8.0)
    elbow = shoulder + body.uarm * _dir(-90.0 + front * 10.0)
    arm = (elbow, elbow + body.farm * _dir(-90.0 + front * 25.0))
    ear = shoulder + body.neck * _dir(90.0 - front * 12.0)
    return figure(body, hip=hip, shoulder=shoulder, ear=ear, nose_dir=_facing(front, 15.0), arms=(arm, arm),
                  legs=((knee, ankle), (knee, ankle)), toe_dir=_facing(-front, 10.0))


def squatting(body: Proportions, front: float, foot_a: float) -> Pose:
    """Squatting on the way down to sitting: feet at `foot_a`, hips low behind them, arms forward."""
    h = body.height
    ankle = _v(foot_a, 0.045 * h)
    hip = _v(foot_a - front * 0.12 * h, 0.045 * h + 0.3 * h)
    knee, ankle = _ik(hip, ankle, body.thigh, body.shin, front)
    shoulder = hip + body.torso * _dir(90.0 - front * 40.0)
    elbow = shoulder + body.uarm * _dir(-90.0 + front * 45.0)
    arm = (elbow, elbow + body.farm * _dir(-90.0 + front * 60.0))
    ear = shoulder + body.neck * _dir(90.0 - front * 30.0)
    return figure(body, hip=hip, shoulder=shoulder, ear=ear, nose_dir=_facing(front, 20.0), arms=(arm, arm),
                  legs=((knee, ankle), (knee, ankle)), toe_dir=_facing(front, 5.0))


def sitting(body: Proportions, front: float, lying: Pose, recline_deg: float) -> Pose:
    """Sitting on the mat where `lying` (on the back) has its hips, knees and feet, the trunk leaning back
    `recline_deg` from upright; past 45 degrees the forearms are on the floor."""
    h = body.height
    pts = lying.points
    hip = (pts["near_hip"] + pts["far_hip"]) / 2
    hip = _v(hip[0], hip[1])
    legs = tuple((_v(*pts[f"{s}_knee"][:2]), _v(*pts[f"{s}_ankle"][:2])) for s in ("near", "far"))
    shoulder = hip + body.torso * _dir(90.0 + front * recline_deg)
    if recline_deg < 45:
        wrist = _v(hip[0] - front * 0.12 * h, 0.03 * h)
        elbow, wrist = _ik(shoulder, wrist, body.uarm, body.farm, -front)
    else:
        elbow = _v(shoulder[0], 0.03 * h)
        elbow = shoulder + body.uarm * (elbow - shoulder) / max(float(np.linalg.norm(elbow - shoulder)), 1e-9)
        wrist = elbow + body.farm * _dir(_facing(front, 0.0))
    ear = shoulder + body.neck * _dir(90.0 + front * (recline_deg - 10.0))
    return figure(body, hip=hip, shoulder=shoulder, ear=ear, nose_dir=_facing(front, 15.0 - recline_deg),
                  arms=((elbow, wrist), (elbow, wrist)), legs=(legs[0], legs[1]), toe_dir=_facing(front, 10.0))
