"""The exercise engine: one `ExerciseRun` per set, fed every frame, returning that frame's events.

    run = exercise_rules.get("knee_rolls").run()
    for frame in frames:                    # PoseFrames, empty ones included
        for event in run.update(frame):     # calibrated, rep started/completed, fault, abstained...
            print(event.to_dict())

An exercise module supplies the what (start position, movement signal, checks with thresholds and
cues); this module supplies the how (smoothing, calibration, phases, debouncing, abstention, events).
Same input, same events: time comes only from the frames' timestamps.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from posecheck.breath import KEEP_BREATHING_S, HoldBreaths
from posecheck.calibration import CALIBRATION_S, Body, Calibration, Calibrator, other, provisional_body
from posecheck.errors import PosecheckError
from posecheck.events import Event, EventKind, Severity, rep_sides
from posecheck.facing import Facing, back_to_front, frame_facing
from posecheck.geometry import elevation
from posecheck.landmarks import PoseFrame
from posecheck.phases import Completed, Counter, HoldCounter, PacedWhenUnseen, Phase, Started, Transition, TwoViews
from posecheck.sides import SideRule, SideVote
from posecheck.smoothing import VISIBLE, LandmarkSmoother
from posecheck.wobble import Wobble

# After this long without seeing the body, say so (shorter gaps are MediaPipe blinking).
CANNOT_SEE_S = 0.7
# After this long out of the start position between reps (or before calibration), say so.
NOT_IN_START_S = 2.0
# Once calibrated, the frames since the person came into the start position (at most this long ago) are
# counted and judged too: someone who starts moving at once first rests between reps 1 and 2.
REPLAY_S = 20.0
# ... from the first moment they were still there this long: getting down ends in the start position too.
SETTLED_S = 0.25
# Frames out of the start position are kept for replay for this long after the last one in it: the first
# rep may leave the start position (a heels stretch rocked back past it) and come back.
OUT_KEPT_S = 10.0
# Up past an exercise's torso or hip limit this long: the person has left the position (getting up at the
# end, sitting up, rolling over), and is counted and judged as unseen meanwhile.
LEAVE_S = 0.3
# Away longer than this (or out of sight), the rep under way is dropped and calibration starts again
# when they are back; back sooner (a sit-up, a stretch), the set goes on as it was.
RETURN_S = 4.0
# After this long in the start position without the rest calibration needs, ask for one (and again
# every WAITING_AGAIN_S): the person is there but moving all the time, so nothing can be judged yet.
WAITING_S = 3.5
WAITING_AGAIN_S = 10.0
# A check whose landmarks were visible for less than this share of its window abstains for that rep.
MIN_JUDGED_SHARE = 0.5
# A frame-to-frame gap larger than this is not counted as time spent in a fault.
MAX_STEP_S = 0.25
# The start position is judged only with the body at rest: no major near-side joint moving faster than
# this (torso lengths per second, over STILL_WINDOW_S). A rep getting under way moves 0.3+.
STILL_SPEED = 0.12
STILL_WINDOW_S = 0.33
# Unseen this long mid-rep and back in sight clearly on the other side (a side vote this strong): the
# rep ended while unseen and the next one began.
SIDE_GAP_S = 0.5
SIDE_CLEAR = 0.1
_STILL_JOINTS = ("near_shoulder", "near_elbow", "near_wrist", "near_hip", "near_knee", "near_ankle")


class When(StrEnum):
    """Which part of a rep a check judges."""

    REST = "rest"  # the start position before the rep (attributed to the rep that follows)
    OUT = "out"  # while the rep is under way
    ANY = "any"  # both
    REP = "rep"  # once, from the finished rep (hold time, side)


@dataclass(frozen=True)
class Targets:
    reps_min: int
    reps_max: int
    hold_min_s: float = 0.0
    hold_max_s: float = 0.0
    sides: tuple[str, ...] = ()  # ("left", "right") when the exercise alternates sides
    # When the routine counts the hold in breaths; hold_min_s/hold_max_s are then the app's reading of them.
    hold_breaths: tuple[int, int] | None = None


@dataclass(frozen=True)
class RepRecord:
    """A finished rep, as rep-level checks see it."""

    number: int
    started_ms: int
    completed_ms: int
    hold_s: float | None  # None: the hold's start or end was not seen
    peak: float
    side: str | None


@dataclass(frozen=True)
class Check:
    """One thing that should be true. A fault is its violation: `measure` above `threshold`
    (below, when `fault_below`) for at least `min_duration_s`."""

    name: str
    source: str  # the routine's sentence this check comes from
    cue: str  # what the person hears
    reason: str  # why the threshold sits where it does
    # What the reading is judged against: the person's own rest or start position (calibration), a line
    # of their body, or something fixed (a picture's vertical, an angle the same for everyone).
    basis: str
    threshold: float
    unit: str
    when: When
    measure: Callable[[Body], float | None] | None = None  # per frame; None: not now; NaN: not seen
    judge_rep: Callable[[RepRecord, RepRecord | None], float | None] | None = None  # per finished rep
    fault_below: bool = False
    landmarks: tuple[str, ...] = ()  # must be visible to judge; otherwise the check abstains
    min_duration_s: float = 0.5
    severity: Severity = Severity.WARNING
    setting: str | None = None  # a profile setting that must be true for this check to run
    # > 0: the limit rises to this many times the reading's own wobble at rest in this set (posecheck.wobble)
    wobble_scale: float = 0.0

    def violated(self, value: float, limit: float | None = None) -> bool:
        limit = self.threshold if limit is None else limit
        return value < limit if self.fault_below else value > limit


@dataclass(frozen=True)
class Reminder:
    """A point of the sheet that is said, not judged: where no limit on a landmark held on bodies and
    cameras the rules were not tuned on (`reason` gives the measurement), a check would nag some people
    and miss others. Said once when the set starts (at calibration); never a fault."""

    name: str  # the check it stands in for
    source: str  # the routine's sentence
    cue: str
    reason: str  # why it is not judged


@dataclass(frozen=True)
class Exercise:
    """Everything an exercise module declares; the engine needs nothing else."""

    name: str
    title: str
    targets: Targets
    checks: tuple[Check, ...]
    core: tuple[str, ...]  # landmarks without which the person is not seen at all
    start_position: Callable[[Body], bool]
    signal: Callable[[Body], float | None]  # the movement that drives counting, 0 at rest
    counter: Callable[[], Counter]
    # Which still start positions calibration may take as the rest (None: any); see Calibrator.
    rest_pose: Callable[[Body], bool] | None = None
    # > 0: towards the camera side; < 0: away; NaN: the part that tells is hidden (SideRule.hidden_towards)
    side: Callable[[Body], float | None] | None = None
    side_rule: SideRule | None = None  # how a rep's side reading is read (None: its sign); posecheck.sides
    # Further readings that tell two reps' ways apart where the side reading cannot (SideRule.cues_apart).
    side_cues: Callable[[Body], tuple[float, ...]] | None = None
    rest_level: float = 0.0  # the signal must be below this (and the body still) for the rest to follow
    rest_follow_s: float = 1.5  # how quickly the rest reference follows the body at rest
    settings: tuple[str, ...] = ()  # profile settings it understands (e.g. "knee_problem")
    # Said when the person is in the start position but never still long enough to calibrate.
    still_cue: str = "Hold still in the start position for a moment"
    # Past these the person is sitting, kneeling or standing up, not exercising: the torso's elevation
    # above the floor's line (degrees) and the hip point's rise from rest (torso lengths).
    torso_max_deg: float = 90.0
    hip_max: float = math.inf
    # Faults raised past this share of those limits are held until it is clear whether the person came
    # back (said then) or got up (dropped): the first moments of getting up look like faults.
    rising_share: float = 0.5
    # Live only: what the app paces when the camera has seen no rep begin in `pace_after_s` of the start
    # position (a movement too small to see from here), said with `pace_cue`; and what a set with no rep
    # seen adds to its reason.
    paced: Callable[[], Counter] | None = None
    pace_after_s: float = 0.0
    pace_waits_for_rep: bool = False  # a rep under way holds the pace back (phases.PacedWhenUnseen.wait_for_rep)
    pace_cue: str = ""
    unseen_hint: str = ""
    # Where the frames carry it (video: posecheck.lumbar), a movement the picture shows better than the
    # landmarks, and its counter: used instead of `signal` and `counter` from calibration on. (`rest_level`
    # stays in the landmark signal's unit: the picture's signal, a few thousandths, is always under it.)
    picture_signal: Callable[[Body], float | None] | None = None
    picture_counter: Callable[[], Counter] | None = None
    # Holds timed in breaths: the breaths are counted in the belly's outline where the frames carry it
    # (posecheck.breath), and a breath held too long is noticed.
    counts_breaths: bool = False
    reminders: tuple[Reminder, ...] = ()
    # Whether a body in a rep (a hold), or between reps once one is done, is still in the start position, as
    # far as the counter is told: looser than getting into it, so a reading wavering at an edge of the start
    # position neither ends a hold nor holds the next one back (None: the start position itself).
    holding_position: Callable[[Body], bool] | None = None

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass
class _Window:
    """One check over one rep's window: how often it could judge and how long it has been violated."""

    frames: int = 0
    judged: int = 0
    violated_s: float = 0.0
    worst: float | None = None
    flagged: bool = False
    closed: bool = False


@dataclass(frozen=True)
class _Seen:
    """One smoothed frame before calibration: (xy, z, visible, lumbar, belly), or None when nobody was
    seen."""

    t: float
    pose: tuple[np.ndarray, np.ndarray, np.ndarray, float, float] | None


@dataclass
class _Missing:
    since: float | None = None
    reported: bool = False


class ExerciseRun:
    """State of one set of one exercise, for one person. Call `update` on every frame."""

    def __init__(self, exercise: Exercise, settings: Mapping[str, object] | None = None, *,
                 live: bool = False) -> None:
        settings = dict(settings or {})
        unknown = sorted(set(settings) - set(exercise.settings))
        if unknown:
            known = ", ".join(exercise.settings) or "none"
            raise PosecheckError(
                f"{exercise.name} has no setting {', '.join(unknown)} (it understands: {known})"
            )
        self.exercise = exercise
        self.settings = settings
        self.live = live  # someone is exercising in front of the camera now: the app may pace them
        self._signal_of = exercise.signal  # the picture's signal instead, once calibration finds it
        self._by_picture = False
        self.checks = tuple(c for c in exercise.checks if c.setting is None or settings.get(c.setting))
        self.smoother = LandmarkSmoother()
        self._facing = Facing()
        self.calibrator = Calibrator(exercise.start_position, exercise.core, exercise.rest_pose)
        self.breaths = HoldBreaths() if exercise.counts_breaths else None
        self.counter = self._new_counter()
        self.calibration: Calibration | None = None
        self.rest: np.ndarray | None = None
        self.reps: list[RepRecord] = []
        self.events: list[Event] = []
        self._windows: dict[tuple[str, int], _Window] = {}
        self._missing = _Missing()
        self._out_of_start = _Missing()
        self._waiting_said: float | None = None  # when the last "hold still" was said
        self._before: deque[_Seen] = deque()  # frames in the start position before calibration
        self._settled_once = False  # the person has been still in the start position, if briefly
        self._in_start_at = -math.inf  # when they were last seen in it, before calibration
        self._up_since: float | None = None  # past the torso or hip limit since
        self._held: list[Event] = []  # faults raised while rising: said if the person comes back
        self._ever_seen = False
        self._finished = False
        self._last_t: float | None = None
        self._sides = SideVote(exercise.side_rule)
        self._wobble = {c.name: Wobble() for c in exercise.checks if c.wobble_scale > 0}
        self._set_done = False
        self._recent: deque[tuple[float, np.ndarray, np.ndarray]] = deque()
        self._signal_lost: float | None = None
        self._await_rest = False  # after a pause: back at rest in the start position before anything counts
        self.signal: float | None = None  # this frame's movement signal, for plots (None: not measured)
        self.landmark_signal: float | None = None  # and the landmarks' where the picture's counts beside it

    # -- public -------------------------------------------------------------------------------
    @property
    def signal_source(self) -> Callable[[Body], float | None]:
        """The function this run counts reps from now: the exercise's signal, or its picture signal (where
        the picture's counter weighs it against the landmarks', the one leading)."""
        views = self.seen_counter
        if isinstance(views, TwoViews) and not views.by_picture:
            return self.exercise.signal
        return self._signal_of

    @property
    def seen_counter(self) -> Counter:
        """The counter of what the camera sees: the run's own, or the one under the live pace's wrapper."""
        return self.counter.seen if isinstance(self.counter, PacedWhenUnseen) else self.counter

    @property
    def rep_number(self) -> int:
        """The rep under way, or the next one when at rest (1-based)."""
        return len(self.reps) + 1

    def update(self, frame: PoseFrame) -> list[Event]:
        t = frame.timestamp_ms / 1000.0
        self.signal = self.landmark_signal = None
        dt = 0.0 if self._last_t is None else min(max(t - self._last_t, 0.0), MAX_STEP_S)
        self._last_t = t
        out: list[Event] = []
        calibrated_now = self.calibration is None
        seen, body = self._body(frame, t, out)
        calibrated_now = calibrated_now and self.calibration is not None  # this frame was replayed
        if not seen:
            self._unseen(t, out)
        else:
            self._missing = _Missing()
            self._ever_seen = True
        if body is None:
            if self.calibration is not None and not calibrated_now:
                self._step(None, t, dt, out)
            self.events.extend(out)
            return out
        rising = self._leaving(body, t, out)
        if self.calibration is not None:  # not reset by leaving
            self._step(None if self._up_since is not None and t - self._up_since >= LEAVE_S else body,
                       t, dt, out, in_start=False if self._up_since is not None else None)
        if rising or self._up_since is not None:
            self._held += [e for e in out if e.kind is EventKind.FAULT]
            out = [e for e in out if e.kind is not EventKind.FAULT]
        self.events.extend(out)
        return out

    def _leaving(self, body: Body, t: float, out: list[Event]) -> bool:
        """Whether the person is rising out of the exercise (sitting, kneeling or standing up); handles
        coming back (held faults said) and being away too long (rep under way dropped, calibrate anew)."""
        ex = self.exercise
        if self._up_since is not None and t - self._up_since >= RETURN_S:
            self._start_again(out)  # away too long, or out of sight since getting up
            return False
        torso = elevation(body.p("near_hip"), body.p("near_shoulder"))
        hip = body.rise("near_hip") if body.visible("near_hip") else 0.0
        up = torso > ex.torso_max_deg or hip > ex.hip_max
        rising = torso > ex.rising_share * ex.torso_max_deg or hip > ex.rising_share * ex.hip_max
        if up:
            if self._up_since is None:
                self._up_since = t
            return True
        self._up_since = None
        if not rising and self._held:
            out += self._held  # came back: what was seen on the way up stands
            self._held = []
        return rising

    def pause(self) -> None:
        """The person paused the set (a key, not a movement): the rep under way is dropped, neither counted
        nor judged, and nothing is counted or judged until they are back at rest in the start position; the
        reps so far and the calibration stand."""
        self._held = []
        self._windows.clear()
        self.counter = self._new_counter()
        if isinstance(self.seen_counter, HoldCounter):
            self.seen_counter.may_start_held = False  # the baseline was taken at rest and stands
        self._sides.clear()
        self._before.clear()
        self._await_rest = True

    def _start_again(self, out: list[Event]) -> None:
        """The person left the exercise: drop the rep under way and what was held, calibrate anew."""
        self._held = []
        self._up_since = None
        self._windows.clear()
        self.counter = self._new_counter()
        self.calibration = None
        self.rest = None
        self.calibrator.reset()
        self._before.clear()
        self._settled_once = False
        self._sides.clear()
        self._recent.clear()

    def _new_counter(self) -> Counter:
        ex = self.exercise
        seen = ex.picture_counter() if self._by_picture and ex.picture_counter else ex.counter()
        if self.live and ex.paced is not None:
            return PacedWhenUnseen(seen, ex.paced, ex.pace_after_s, wait_for_rep=ex.pace_waits_for_rep)
        return seen

    def _choose_signal(self, lumbar: float) -> None:
        """At calibration: count from the picture's signal when the frames carry it."""
        ex = self.exercise
        by_picture = ex.picture_signal is not None and ex.picture_counter is not None and math.isfinite(lumbar)
        if by_picture != self._by_picture:
            self._by_picture = by_picture
            self._signal_of = ex.picture_signal if by_picture and ex.picture_signal else ex.signal
            self.counter = self._new_counter()

    def _count(self, t: float, signal: float | None, in_start: bool | None, out: list[Event]) -> None:
        transitions = self.counter.update(t, signal, in_start)
        if getattr(self.counter, "changed", False):
            pacing = bool(getattr(self.counter, "pacing", False))
            detail = (f"no rep seen in {self.exercise.pace_after_s:.0f} s in the start position: the movement is "
                      "too small for the camera from here, so the app paces it and counts paced reps"
                      if pacing else "reps seen again: counting what the camera sees")
            out.append(self._event(EventKind.PACING, t, severity=Severity.INFO,
                                   cue=self.exercise.pace_cue if pacing else None, detail=detail))
        self._apply(transitions, t, out)

    def _step(self, body: Body | None, t: float, dt: float, out: list[Event], in_start: bool | None = None) -> None:
        """One calibrated frame (None: the person or the core landmarks not seen, or the person away from
        the exercise, `in_start` False): count and judge."""
        if body is None:
            if self._signal_lost is None:
                self._signal_lost = t
            self._count(t, None, in_start, out)
            return
        in_start = self.exercise.start_position(body)
        signal = self._signal_of(body)
        self.signal = signal
        if self._await_rest:
            if not (in_start and signal is not None and signal <= self.exercise.rest_level):
                return
            self._await_rest = False
        if signal is None:
            if self._signal_lost is None:
                self._signal_lost = t
        else:
            self._check_side_after_gap(body, t, signal, out)
            self._signal_lost = None
        views = self.seen_counter
        if isinstance(views, TwoViews):
            self.landmark_signal = self.exercise.signal(body)
            views.see_landmarks(self.landmark_signal)
        holding = self.exercise.holding_position
        if holding is not None and (self.counter.phase is Phase.OUT or self.reps):
            self._count(t, signal, holding(body), out)
        else:
            self._count(t, signal, in_start, out)
        if self.breaths is not None and self.breaths.update(t, body.belly, self.counter.phase is Phase.OUT):
            out.append(self._event(EventKind.BREATHING, t, rep=self.rep_number, severity=Severity.INFO,
                                   cue="Keep breathing", detail=(
                                       f"breaths seen before, none for {KEEP_BREATHING_S:.0f} s in this hold")))
        if self.counter.phase is Phase.REST:
            self._sides.clear()  # a movement the counter dropped as no rep leaves no vote behind
        elif self.exercise.side is not None and signal is not None:
            vote = self.exercise.side(body)
            if vote is not None:
                cues = self.exercise.side_cues(body) if self.exercise.side_cues is not None else ()
                self._sides.add(vote, max(signal, 0.0), cues)
        at_rest = self.counter.phase is Phase.REST
        self._watch_start_position(t, at_rest and not in_start, out, body)
        still = self._still(body, t)
        # The rest follows a still body, or one `rest_level` further from the rep than the rest is (a
        # rest taken mid-rep; with no level, as in paced holds, any body at rest): following a slow
        # movement towards the rep would swallow a slow, small rep.
        if (at_rest and in_start and signal is not None and signal <= self.exercise.rest_level
                and (still or signal <= -self.exercise.rest_level) and not self._faulty_movement(body)):
            self._follow_rest(body, dt)
        # The start position is judged at rest: still there, or (in a continuous rhythm, never still there)
        # passing within half the rest level of it, except by a mean over the rest (a moving elbow
        # straightens as the body passes).
        level = self.exercise.rest_level
        settled = signal is not None and signal <= level and still
        passing = signal is not None and abs(signal) <= level / 2 and not still
        self._judge(body, dt, t, out, settled, passing)

    # -- seeing the body ----------------------------------------------------------------------
    def _body(self, frame: PoseFrame, t: float, out: list[Event]) -> tuple[bool, Body | None]:
        """(is the person seen, the body in calibrated terms or None before calibration)."""
        if not frame.has_pose or self._back_to_front(frame, t):
            if self.calibration is None and self._before:
                self._before.append(_Seen(t, None))
            return False, None
        visible = (frame.visibility >= VISIBLE) & (frame.presence >= VISIBLE)
        z = frame.image[:, 2] * frame.image_size[0]
        xy, z = self.smoother(t, frame.xy.astype(float), z.astype(float), visible)
        if self.calibration is None:
            calib, in_start = self.calibrator.update(t, xy, z, frame.visibility, visible, frame.image_size[0])
            # A pose with nothing visible in it is "cannot see you", not also "not in the start position".
            provisional = provisional_body(xy, z, frame.visibility, visible)
            self._watch_start_position(t, bool(visible.any()) and not in_start, out, provisional)
            seen = provisional.visible(*self.exercise.core)
            self._remember(_Seen(t, (xy, z, visible, frame.lumbar, frame.belly)), in_start)
            if calib is None:
                self._ask_for_rest(t, out)
                return seen, None
            self.calibration = calib
            self.rest = calib.rest.copy()
            self._choose_signal(frame.lumbar)
            out.append(self._event(EventKind.CALIBRATED, t, detail=(
                f"head towards the image {'right' if calib.facing > 0 else 'left'}, "
                f"{calib.near} side nearer the camera, torso {calib.scale_px:.0f} px, "
                f"from a rest of {calib.rest_s:.1f} s")))
            out += [self._event(EventKind.REMINDER, t, check=r.name, cue=r.cue, severity=Severity.INFO,
                                detail=r.reason) for r in self.exercise.reminders]
            if calib.rest_s < CALIBRATION_S:
                self._replay(out)  # moving since they settled: their first reps came before this rest
            elif any(check.when is When.REST for check in self.exercise.checks):
                # Still all along: the rest itself is their first start position, judged like the rests to
                # come (the first rep may begin a moment after it). Not replayed elsewhere: a paced hold's
                # clock would start a rest earlier.
                self._replay(out, since=t - calib.rest_s)
            self._before.clear()
            self._settled_once = False
            return seen, None
        return self._calibrated_body(xy, z, visible, frame.lumbar, frame.belly)

    def _back_to_front(self, frame: PoseFrame, t: float) -> bool:
        """MediaPipe read the body lying the other way than the person lies (posecheck.facing)."""
        facing = frame_facing(frame.xy)
        own = self.calibration.facing if self.calibration is not None else self._facing.settled()
        self._facing.add(t, facing)
        return back_to_front(facing, own)

    def _calibrated_body(self, xy: np.ndarray, z: np.ndarray, visible: np.ndarray,
                         lumbar: float = float("nan"), belly: float = float("nan")) -> tuple[bool, Body | None]:
        calib = self.calibration
        assert calib is not None
        body = Body(calib.body(xy), visible, z / calib.scale_px, calib.near, self.rest, calib.scale_px,
                    calib.rest, calib.rest_depth, lumbar, belly)
        if not body.visible(*self.exercise.core):
            return False, None
        return True, body

    def _remember(self, seen: _Seen, in_start: bool) -> None:
        """Keep the frames since the person settled in the start position (if only for a moment: lying
        down ends in it too), to judge once calibrated."""
        if not in_start:
            # Out of it for a rep's hold, they come back and it is their first rep; longer, they left.
            if self._settled_once and seen.t - self._in_start_at <= OUT_KEPT_S:
                self._before.append(seen)
                return
            self._before.clear()
            self._settled_once = False
            return
        self._in_start_at = seen.t
        if not self._settled_once:
            if self.calibrator.still_s() < SETTLED_S:
                return
            self._settled_once = True
        self._before.append(seen)
        while self._before and seen.t - self._before[0].t > REPLAY_S:
            self._before.popleft()

    def _replay(self, out: list[Event], since: float | None = None) -> None:
        """Calibrated at last: count and judge what happened since the person came into the start
        position (people who start moving at once rest only between reps; their first rep came before),
        or since `since`."""
        last: float | None = None
        for seen in self._before:
            if since is not None and seen.t < since:
                continue
            dt = 0.0 if last is None else min(max(seen.t - last, 0.0), MAX_STEP_S)
            last = seen.t
            body = None if seen.pose is None else self._calibrated_body(*seen.pose)[1]
            self._step(body, seen.t, dt, out)

    def _unseen(self, t: float, out: list[Event]) -> None:
        if self._missing.since is None:
            self._missing.since = t
        if not self._missing.reported and t - self._missing.since >= CANNOT_SEE_S:
            self._missing.reported = True
            out.append(self._event(EventKind.CANNOT_SEE_YOU, t, cue="Move so the camera sees all of you",
                                   severity=Severity.INFO))

    def _watch_start_position(self, t: float, outside: bool, out: list[Event], body: Body | None = None) -> None:
        if not outside:
            self._out_of_start = _Missing()
            return
        if self._out_of_start.since is None:
            self._out_of_start.since = t
        if not self._out_of_start.reported and t - self._out_of_start.since >= NOT_IN_START_S:
            self._out_of_start.reported = True
            out.append(self._event(EventKind.NOT_IN_START_POSITION, t, severity=Severity.INFO,
                                   cue=self._what_is_off(body)))

    def _what_is_off(self, body: Body | None) -> str:
        """The start position's first part that is not so, or plainly "get into it"."""
        parts = getattr(self.exercise.start_position, "what_is_off", None)
        off = parts(body) if parts is not None and body is not None else None
        return off or f"Get into the start position for {self.exercise.title.lower()}"

    def _ask_for_rest(self, t: float, out: list[Event]) -> None:
        """In the start position for a while but never still enough to calibrate: say what to do."""
        waited = self.calibrator.in_start_s
        due = WAITING_S if self._waiting_said is None else WAITING_AGAIN_S
        if waited < WAITING_S or (self._waiting_said is not None and t - self._waiting_said < due):
            return
        self._waiting_said = t
        out.append(self._event(EventKind.WAITING, t, severity=Severity.INFO, cue=self.exercise.still_cue,
                               detail=f"in the start position for {waited:.1f} s but never still for "
                                      f"{self.calibrator.rest_needed_s():.1f} s: nothing can be judged yet"))

    def finish(self) -> list[Event]:
        """The set is over: a set that ends with no rep says why. Call once, after the last frame."""
        if self._finished:
            return []
        self._finished = True
        t = self._last_t or 0.0
        # Faults held while the person rose and never came back down (getting up at the end, or to reach the
        # keyboard) are dropped: coming back says them (`_leaving`).
        out: list[Event] = []
        self._held = []
        if not self.reps:
            out.append(self._event(EventKind.NOTHING_COUNTED, t, severity=Severity.INFO,
                                   cue=None, detail=self._why_nothing()))
        self.events.extend(out)
        return out

    def _why_nothing(self) -> str:
        title = self.exercise.title.lower()
        if not self._ever_seen:
            return "no person was seen: check that the camera sees all of you from the side"
        if self.calibration is None:
            if self.calibrator.in_start_s == 0.0:
                return f"you were never seen in the start position for {title}"
            return (f"you were seen in the start position for {self.calibrator.in_start_s:.0f} s but never "
                    f"still for {self.calibrator.rest_needed_s():.1f} s, so no baseline could be taken: "
                    "rest for a moment in the start position before the first rep")
        why = ("a rep was started but not finished: come back to the start position after each rep"
               if any(e.kind is EventKind.REP_STARTED for e in self.events)
               else f"no rep of {title} was seen after the start position")
        return f"{why}. {self.exercise.unseen_hint}" if self.exercise.unseen_hint else why

    def _still(self, body: Body, t: float) -> bool:
        """Whether the body's major joints have stayed put over the last moments."""
        idx = [body.index(n) for n in _STILL_JOINTS]
        self._recent.append((t, body.points[idx].copy(), body.visible_mask[idx].copy()))
        while self._recent and t - self._recent[0][0] > STILL_WINDOW_S:
            self._recent.popleft()
        t0, p0, v0 = self._recent[0]
        if t - t0 < STILL_WINDOW_S / 2:
            return True
        seen = v0 & body.visible_mask[idx]
        if not seen.any():
            return True
        speed = np.linalg.norm(body.points[idx][seen] - p0[seen], axis=1).max() / (t - t0)
        return bool(speed < STILL_SPEED)

    def _check_side_after_gap(self, body: Body, t: float, signal: float, out: list[Event]) -> None:
        """Seen again mid-rep, now clearly to the other side: the rep ended unseen and another began."""
        lost = self._signal_lost
        split = getattr(self.counter, "split", None)
        if (lost is None or t - lost < SIDE_GAP_S or self.exercise.side is None or split is None
                or self.counter.phase is not Phase.OUT or self._sides.total == 0.0):
            return
        vote = self.exercise.side(body)
        if vote is None or math.isnan(vote) or vote * self._sides.total >= 0 or abs(vote) < SIDE_CLEAR:
            return
        self._apply(split(lost, t), t, out)
        self._sides.clear()

    def _faulty_movement(self, body: Body) -> bool:
        """A fault judged at any moment is under way (hips lifted into a bridge the counter took for a rest):
        the rest must not follow it, or the fault would read as the new rest. (Checks judged only in the
        movement measure from the rest it began at, which must follow whatever happens between reps.)"""
        for check in self.checks:
            if check.measure is None or check.when is not When.ANY:
                continue
            value = check.measure(body)
            if value is not None and math.isfinite(value) and check.violated(value):
                return True
        return False

    def _follow_rest(self, body: Body, dt: float) -> None:
        if self.rest is None or dt <= 0:
            return
        a = 1.0 - float(np.exp(-dt / self.exercise.rest_follow_s))
        seen = body.visible_mask
        self.rest[seen] += a * (body.points[seen] - self.rest[seen])

    # -- reps ---------------------------------------------------------------------------------
    def _apply(self, transitions: list[Transition], t: float, out: list[Event]) -> None:
        for tr in transitions:
            n = self.rep_number
            if isinstance(tr, Started):
                self._close(n, (When.REST,), tr.t, out)
                out.append(self._event(EventKind.REP_STARTED, tr.t, rep=n))
            elif isinstance(tr, Completed):
                side = None
                if self.exercise.side is not None and self.calibration is not None:
                    near = self.calibration.near
                    towards = self._sides.decide(n)
                    side = None if towards is None else near if towards else other(near)
                    if self._sides.read_again is not None:
                        self._side_read_again(self._sides.read_again, n, tr.t, out)
                rep = RepRecord(n, round(tr.started * 1000), round(tr.t * 1000), tr.hold_s, tr.peak, side)
                previous = self.reps[-1] if self.reps else None
                self.reps.append(rep)
                out.append(self._event(EventKind.REP_COMPLETED, tr.t, rep=n, side=side,
                                       hold_ms=None if tr.hold_s is None else round(tr.hold_s * 1000),
                                       detail="paced: not seen" if tr.paced else f"peak {tr.peak:.2f}",
                                       paced=True if tr.paced else None,
                                       breaths=None if self.breaths is None else self.breaths.hold_ended()))
                for check in self.checks:
                    if check.when is When.REP and check.judge_rep is not None:
                        self._judge_rep(check, rep, previous, tr.t, out)
                self._close(n, (When.OUT, When.ANY), tr.t, out)
                if not self._set_done and len(self.reps) >= self.exercise.targets.reps_min:
                    self._set_done = True
                    out.append(self._event(EventKind.SET_COMPLETED, tr.t, severity=Severity.INFO,
                                           detail=f"{len(self.reps)} reps"))

    def _side_read_again(self, rep: int, by: int, t: float, out: list[Event]) -> None:
        """Rep `rep` went the other way than it was first read: rep `by` went the other way from it and
        read lower or higher (sides.SideVote.read_again)."""
        for i, record in enumerate(self.reps):
            if record.number == rep and record.side is not None:
                self.reps[i] = replace(record, side=other(record.side))
                out.append(self._event(EventKind.SIDE_READ_AGAIN, t, rep=rep, side=self.reps[i].side,
                                       detail=f"read again against rep {by}, which went the other way"))

    def _judge_rep(self, check: Check, rep: RepRecord, previous: RepRecord | None, t: float,
                   out: list[Event]) -> None:
        assert check.judge_rep is not None
        value = check.judge_rep(rep, previous)
        if value is None:
            out.append(self._event(EventKind.ABSTAINED, t, rep=rep.number, check=check.name,
                                   severity=Severity.INFO, detail="not seen well enough to judge"))
            return
        if check.violated(value):
            out.append(self._fault(check, rep.number, t, value))

    def _close(self, n: int, whens: tuple[When, ...], t: float, out: list[Event]) -> None:
        for check in self.checks:
            if check.when not in whens:
                continue
            w = self._windows.get((check.name, n))
            if w is None or w.closed:
                continue
            w.closed = True
            seen_enough = w.judged >= MIN_JUDGED_SHARE * w.frames
            if not w.flagged and w.frames and not seen_enough:
                out.append(self._event(EventKind.ABSTAINED, t, rep=n, check=check.name, severity=Severity.INFO,
                                       detail=f"could judge {w.judged} of {w.frames} frames"))
        for key in [k for k, w in self._windows.items() if w.closed]:
            del self._windows[key]

    # -- checks -------------------------------------------------------------------------------
    def _judge(self, body: Body, dt: float, t: float, out: list[Event], settled: bool, passing: bool = False) -> None:
        phase = self.counter.phase
        n = self.rep_number
        for check in self.checks:
            if check.measure is None or check.when is When.REP:
                continue
            if check.when is When.REST and (phase is not Phase.REST or not (settled or passing)):
                continue  # the start position is judged when the body has come back to rest
            if check.when is When.OUT and phase is not Phase.OUT:
                if check.name in self._wobble and phase is Phase.REST and body.visible(*check.landmarks):
                    since = t - self.reps[-1].completed_ms / 1000 if self.reps else math.inf
                    self._wobble[check.name].add(t, check.measure(body), since)
                continue
            w = self._windows.setdefault((check.name, n), _Window())
            if w.closed:
                continue
            if not body.visible(*check.landmarks):
                w.frames += 1  # could not judge: counts towards abstaining
                continue
            value = check.measure(body)
            if value is None:
                continue  # the check does not apply to this moment (e.g. knees not rolled yet)
            w.frames += 1
            if math.isnan(value):
                continue  # it applies but cannot be seen from here; counts towards abstaining
            w.judged += 1
            wobble = self._wobble.get(check.name)
            limit = check.threshold if wobble is None else wobble.limit(check.threshold, check.wobble_scale)
            if not check.violated(value, limit):
                w.violated_s = 0.0
                continue
            w.violated_s += dt
            if w.worst is None or (value < w.worst if check.fault_below else value > w.worst):
                w.worst = value
            if not w.flagged and w.violated_s >= check.min_duration_s:
                w.flagged = True
                out.append(self._fault(check, n, t, w.worst, limit))

    def _fault(self, check: Check, rep: int, t: float, value: float, limit: float | None = None) -> Event:
        relation = "under" if check.fault_below else "over"
        limit = check.threshold if limit is None or limit == check.threshold else round(float(limit), 3)
        raised = "" if limit == check.threshold else f" (raised from {check.threshold:g}: this picture's wobble)"
        return self._event(EventKind.FAULT, t, rep=rep, check=check.name, severity=check.severity, cue=check.cue,
                           detail=f"{value:.2f} {check.unit}, {relation} the limit of {limit:g}{raised}, "
                                  f"against {check.basis}",
                           value=round(float(value), 3), limit=limit)

    def _event(self, kind: EventKind, t: float, **fields: object) -> Event:
        return Event(kind, round(t * 1000), self.exercise.name, **fields)  # type: ignore[arg-type]


@dataclass
class RunSummary:
    """Reps and faults of a finished run, read back from its events."""

    reps: int = 0
    by_side: dict[str, int] = field(default_factory=dict)
    faults: dict[int, list[str]] = field(default_factory=dict)


def summarize(events: list[Event]) -> RunSummary:
    out = RunSummary()
    for side in rep_sides(events).values():
        out.by_side[side] = out.by_side.get(side, 0) + 1
    for e in events:
        if e.kind is EventKind.REP_COMPLETED:
            out.reps += 1
        elif e.kind is EventKind.FAULT and e.rep is not None and e.check is not None:
            out.faults.setdefault(e.rep, []).append(e.check)
    return out
