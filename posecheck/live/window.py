"""What the exerciser sees: the camera image with the skeleton and a heads-up display readable from
the mat (2-3 m away), and the OpenCV window that shows it and reads the keys.

`draw_hud(image, pose, hud)` is a pure function (image in, new image out); `Window` is the only
part that touches highgui.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from posecheck.landmarks import Landmark, PoseFrame
from posecheck.overlay import draw_skeleton

# 720p: the size of most laptop screens' windows; every size below is in pixels of this canvas.
CANVAS_SIZE = (1280, 720)
FONT = cv2.FONT_HERSHEY_DUPLEX
# Text heights (font scale) chosen for reading across a room: the cue's capitals are ~50 px, about 7%
# of the screen's height, which a 15" laptop shows ~1.3 cm tall: readable from 3 m.
CUE_SCALE = 1.7
COUNT_SCALE = 3.2
TITLE_SCALE = 1.3
BODY_SCALE = 0.95
TOP_BAR_H = 110
CUE_BAR_H = 120
KEYS_BAR_H = 28
BAR_ALPHA = 0.72

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GREY = (170, 170, 170)
GREEN = (80, 200, 60)
YELLOW = (40, 210, 250)
SEVERITY_BGR = {"info": (110, 70, 20), "warning": (0, 120, 230), "stop": (30, 30, 200)}
KEYS_HINT = "space pause    n next    r redo    p pain, stop    q quit"


@dataclass(frozen=True)
class Hud:
    """Everything the display shows besides the camera image and the skeleton."""

    stage: str  # notice, pain_before, instructions, setup, exercise, pain, summary, pain_after, advice, done
    title: str
    step_number: int
    steps: int
    reps: int = 0
    reps_target: tuple[int, int] = (0, 0)
    by_side: dict[str, int] | None = None  # per-side counts (knee rolls)
    hold_s: float | None = None  # a rep under way: seconds since it started
    hold_target: str = ""
    breath: tuple[str, float, int] | None = None  # (what to do, how full the ring is 0..1, breaths done)
    last_hold_s: float | None = None
    cue: str | None = None
    cue_severity: str = "info"
    lines: tuple[str, ...] = ()  # instructions or notice
    countdown_s: float | None = None
    paused: bool = False
    banner: str | None = None
    highlight: tuple[int, ...] = field(default_factory=tuple)
    pace: tuple[str, float] | None = None  # the app paces reps the camera cannot see: (what to do, 0..1 done)
    hold_done: bool = False  # the hold under way has lasted its target: come back
    notice: str | None = None  # a one-off notice over everything else ("Voice unavailable: ...")
    gesture: tuple[str, float] | None = None  # a gesture being held: (what it will do, 0..1 of its hold)


def fit(image: np.ndarray, size: tuple[int, int] = CANVAS_SIZE) -> np.ndarray:
    """The camera image scaled into a canvas of `size` (letterboxed, aspect kept)."""
    width, height = size
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    canvas = np.zeros((height, width, 3), np.uint8)
    x, y = (width - new[0]) // 2, (height - new[1]) // 2
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    canvas[y:y + new[1], x:x + new[0]] = cv2.resize(image, new, interpolation=interp)
    return canvas


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, color=WHITE, thickness: int = 2) -> None:
    """Text with a dark outline, readable on any background."""
    cv2.putText(img, text, org, FONT, scale, BLACK, thickness + 3, cv2.LINE_AA)
    cv2.putText(img, text, org, FONT, scale, color, thickness, cv2.LINE_AA)


def _size(text: str, scale: float, thickness: int) -> tuple[int, int]:
    (w, h), _ = cv2.getTextSize(text, FONT, scale, thickness + 3)
    return w, h


def _shade(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, color=BLACK, alpha: float = BAR_ALPHA) -> None:
    roi = img[y0:y1, x0:x1]
    roi[:] = (roi * (1 - alpha) + np.asarray(color, np.float32) * alpha).astype(np.uint8)


def wrap(text: str, scale: float, thickness: int, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and _size(trial, scale, thickness)[0] > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def _fitting_scale(text: str, scale: float, thickness: int, width: int) -> float:
    w, _ = _size(text, scale, thickness)
    return scale if w <= width else max(0.6, scale * width / w)


def _rep_text(hud: Hud) -> tuple[str, str]:
    lo, hi = hud.reps_target
    return str(hud.reps), f"/ {lo}-{hi}" if lo != hi else f"/ {hi}"


def draw_top_bar(img: np.ndarray, hud: Hud) -> None:
    width = img.shape[1]
    _shade(img, 0, 0, width, TOP_BAR_H)
    _text(img, hud.title, (24, 52), TITLE_SCALE, WHITE, 3)
    # Progress through the routine: one dot per exercise, done ones filled.
    for i in range(hud.steps):
        centre = (34 + i * 34, 84)
        if i + 1 < hud.step_number:
            cv2.circle(img, centre, 11, GREEN, -1, cv2.LINE_AA)
        elif i + 1 == hud.step_number:
            cv2.circle(img, centre, 11, YELLOW, -1, cv2.LINE_AA)
        else:
            cv2.circle(img, centre, 11, GREY, 2, cv2.LINE_AA)
    _text(img, f"Exercise {hud.step_number} of {hud.steps}", (34 + hud.steps * 34, 94), 0.8, GREY, 2)
    if hud.stage == "setup":
        label = "Set-up check"
        w, _ = _size(label, 1.2, 3)
        _text(img, label, (width - 24 - w, 70), 1.2, YELLOW, 3)
        return
    if hud.stage not in ("exercise", "pain", "summary"):
        return
    count, target = _rep_text(hud)
    cw, _ = _size(count, COUNT_SCALE, 6)
    tw, _ = _size(target, 1.2, 3)
    right = width - 24
    _text(img, count, (right - tw - 12 - cw, 92), COUNT_SCALE, WHITE, 6)
    _text(img, target, (right - tw, 92), 1.2, GREY, 3)
    if hud.by_side is not None:
        # Knee rolls alternate: a count per side, just under the total.
        sides = f"Left {hud.by_side.get('left', 0)}    Right {hud.by_side.get('right', 0)}"
        sw, sh = _size(sides, 1.1, 3)
        _shade(img, width - sw - 48, TOP_BAR_H, width, TOP_BAR_H + sh + 24)
        _text(img, sides, (width - 24 - sw, TOP_BAR_H + sh + 10), 1.1, YELLOW, 3)


def draw_hold(img: np.ndarray, hud: Hud) -> None:
    """The hold timer with breath pacing: a ring filling as the breath goes in, emptying as it goes out."""
    if hud.hold_s is None or hud.breath is None:
        return
    width = img.shape[1]
    centre, radius = (width - 150, TOP_BAR_H + 190), 95
    _shade(img, width - 300, TOP_BAR_H + 60, width, TOP_BAR_H + 370, alpha=0.55)
    label, filled, breaths = hud.breath
    colour = GREEN if hud.hold_done else YELLOW  # done: the ring full and green, "Come back" under it
    cv2.circle(img, centre, radius, GREY, 6, cv2.LINE_AA)
    cv2.ellipse(img, centre, (radius, radius), -90, 0, 360 * filled, colour, 12, cv2.LINE_AA)
    seconds = f"{hud.hold_s:.0f} s"
    w, h = _size(seconds, 1.8, 4)
    _text(img, seconds, (centre[0] - w // 2, centre[1] + h // 2 - 4), 1.8, WHITE, 4)
    scale = _fitting_scale(label, 1.2, 3, 280)
    w, _ = _size(label, scale, 3)
    _text(img, label, (centre[0] - w // 2, centre[1] + radius + 45), scale, colour, 3)
    if hud.hold_target and not hud.hold_done:
        note = f"{hud.hold_target}, {breaths} done" if "breaths" in hud.hold_target else hud.hold_target
        scale = _fitting_scale(note, 0.75, 2, 280)
        w, _ = _size(note, scale, 2)
        _text(img, note, (centre[0] - w // 2, centre[1] + radius + 80), scale, GREY, 2)


def draw_pace(img: np.ndarray, hud: Hud) -> None:
    """The paced step in large text over a bar that fills as the step goes on (a hold has its ring)."""
    if hud.pace is None or hud.breath is not None:
        return
    label, done = hud.pace
    width = img.shape[1]
    top, bottom = TOP_BAR_H + 60, TOP_BAR_H + 200
    _shade(img, 0, top, width, bottom, alpha=0.55)
    scale = _fitting_scale(label, 1.8, 4, width - 80)
    w, h = _size(label, scale, 4)
    _text(img, label, ((width - w) // 2, top + 30 + h), scale, YELLOW, 4)
    bar = (40, bottom - 45, width - 40, bottom - 25)
    cv2.rectangle(img, bar[:2], bar[2:], GREY, 2)
    cv2.rectangle(img, bar[:2], (bar[0] + round((bar[2] - bar[0]) * min(max(done, 0.0), 1.0)), bar[3]), YELLOW, -1)


def draw_cue(img: np.ndarray, hud: Hud) -> None:
    """The current cue in large text along the bottom, coloured by how much it matters."""
    if not hud.cue:
        return
    height, width = img.shape[:2]
    y0 = height - KEYS_BAR_H - CUE_BAR_H
    _shade(img, 0, y0, width, height - KEYS_BAR_H, SEVERITY_BGR.get(hud.cue_severity, SEVERITY_BGR["info"]), 0.85)
    lines = wrap(hud.cue, CUE_SCALE, 4, width - 60)
    if len(lines) > 1:
        lines = wrap(hud.cue, CUE_SCALE * 0.75, 3, width - 60)[:2]
        scale, thick = CUE_SCALE * 0.75, 3
    else:
        scale, thick = _fitting_scale(lines[0], CUE_SCALE, 4, width - 60), 4
    _, h = _size("Ag", scale, thick)
    gap = CUE_BAR_H // (len(lines) + 1)
    for i, line in enumerate(lines):
        w, _ = _size(line, scale, thick)
        _text(img, line, ((width - w) // 2, y0 + gap * (i + 1) + h // 2 - 4), scale, WHITE, thick)


def draw_keys(img: np.ndarray) -> None:
    height, width = img.shape[:2]
    _shade(img, 0, height - KEYS_BAR_H, width, height, alpha=0.85)
    w, _ = _size(KEYS_HINT, 0.6, 1)
    _text(img, KEYS_HINT, ((width - w) // 2, height - 8), 0.6, GREY, 1)


PANEL_HEADINGS = {"notice": "Before you start", "pain": "Stopped for pain", "pain_before": "Before you start",
                  "pain_after": "Session over", "advice": "Your pain went up"}
# The end screen's summary is read from the mat, at a glance: larger than the instructions' text.
SUMMARY_SCALE = 1.35
# A one-off notice ("Voice unavailable: ..."): a band this tall under the top bar, red like a stop cue.
NOTICE_H = 64
NOTICE_BGR = (30, 30, 160)


def draw_panel(img: np.ndarray, hud: Hud) -> None:
    """Instructions before an exercise (or the first-run notice): the routine's own words."""
    if not hud.lines:
        return
    height, width = img.shape[:2]
    y0, y1 = TOP_BAR_H, height - KEYS_BAR_H - CUE_BAR_H
    _shade(img, 0, y0, width, y1, alpha=0.8)
    summary = hud.stage == "summary"
    heading = f"Well done: {hud.title}" if summary else PANEL_HEADINGS.get(hud.stage, f"Next: {hud.title}")
    colour = (60, 60, 255) if hud.stage in ("pain", "advice") else GREEN if summary else YELLOW
    _text(img, heading, (60, y0 + 55), 1.3, colour, 3)
    scale, thick = (SUMMARY_SCALE, 3) if summary else (BODY_SCALE, 2)
    step = round(46 * scale)
    y = y0 + 66 + step
    for line in hud.lines:
        for part in wrap(line, scale, thick, width - 120):
            if y > y1 - 20:
                break
            _text(img, part, (60, y), scale, WHITE, thick)
            y += step
        y += 8
    if hud.countdown_s is not None:
        note = {"instructions": f"Starting in {hud.countdown_s:.0f} s",
                "summary": f"Next exercise in {hud.countdown_s:.0f} s"}.get(hud.stage, f"{hud.countdown_s:.0f} s")
        w, _ = _size(note, 1.0, 2)
        _text(img, note, (width - 60 - w, y1 - 20), 1.0, GREY, 2)


def draw_notice(img: np.ndarray, hud: Hud) -> None:
    """A one-off notice in a red band under the top bar, over whatever is there (it goes after a while)."""
    if not hud.notice:
        return
    width = img.shape[1]
    y0, y1 = TOP_BAR_H, TOP_BAR_H + NOTICE_H
    _shade(img, 0, y0, width, y1, NOTICE_BGR, 0.9)
    scale = _fitting_scale(hud.notice, 1.1, 3, width - 60)
    w, h = _size(hud.notice, scale, 3)
    _text(img, hud.notice, ((width - w) // 2, y0 + (NOTICE_H + h) // 2 - 4), scale, WHITE, 3)


# The gesture ring sits left of centre, clear of the hold ring (right) and the cue (bottom).
GESTURE_RADIUS = 70


def draw_gesture(img: np.ndarray, hud: Hud) -> None:
    """A gesture being held: a ring filling up as it is held, what it will do under it."""
    if hud.gesture is None:
        return
    label, filled = hud.gesture
    centre = (170, TOP_BAR_H + 170)
    _shade(img, 20, TOP_BAR_H + 70, 320, TOP_BAR_H + 320, alpha=0.55)
    cv2.circle(img, centre, GESTURE_RADIUS, GREY, 6, cv2.LINE_AA)
    cv2.ellipse(img, centre, (GESTURE_RADIUS, GESTURE_RADIUS), -90, 0, 360 * min(max(filled, 0.0), 1.0),
                YELLOW, 14, cv2.LINE_AA)
    scale = _fitting_scale(label, 1.0, 3, 280)
    w, _ = _size(label, scale, 3)
    _text(img, label, (centre[0] - w // 2, centre[1] + GESTURE_RADIUS + 45), scale, YELLOW, 3)


def draw_center(img: np.ndarray, text: str, color=WHITE, scale: float = 2.6) -> None:
    height, width = img.shape[:2]
    scale = _fitting_scale(text, scale, 6, width - 80)
    w, h = _size(text, scale, 6)
    x, y = (width - w) // 2, height // 2 + h // 2
    _shade(img, x - 30, y - h - 30, x + w + 30, y + 30, alpha=0.7)
    _text(img, text, (x, y), scale, color, 6)


def draw_hud(image: np.ndarray, pose: PoseFrame | None, hud: Hud, size: tuple[int, int] = CANVAS_SIZE) -> np.ndarray:
    """The window's picture: the camera image fitted to `size`, the skeleton, and the display."""
    canvas = fit(image, size)
    if pose is not None and pose.has_pose:
        # The skeleton's normalised coordinates belong to the camera image: draw into the fitted area.
        h, w = image.shape[:2]
        scale = min(size[0] / w, size[1] / h)
        fw, fh = round(w * scale), round(h * scale)
        x, y = (size[0] - fw) // 2, (size[1] - fh) // 2
        area = canvas[y:y + fh, x:x + fw]
        draw_skeleton(area, pose, highlight=[Landmark(i) for i in hud.highlight])
    draw_top_bar(canvas, hud)
    draw_panel(canvas, hud)
    draw_hold(canvas, hud)
    draw_pace(canvas, hud)
    draw_cue(canvas, hud)
    draw_keys(canvas)
    draw_notice(canvas, hud)
    draw_gesture(canvas, hud)
    if hud.banner:
        draw_center(canvas, hud.banner, GREEN)
    elif hud.paused:
        draw_center(canvas, "Paused", YELLOW)
    return canvas


KEYS = {ord(" "): "pause", ord("n"): "next", ord("r"): "redo", ord("p"): "pain", ord("q"): "quit", 27: "quit",
        ord("s"): "skip", ord("t"): "10", **{ord(str(n)): str(n) for n in range(10)}}  # s, 0-9, t: the pain scale


class Window:
    """The highgui window: `show` a picture, `key` reads one key press (a name from KEYS or None)."""

    def __init__(self, name: str = "posecheck", fullscreen: bool = False) -> None:
        self.name = name
        # AUTOSIZE shows the canvas pixel for pixel; GUI_NORMAL drops Qt's toolbar. Full screen scales
        # the canvas up: the biggest letters for reading from the mat.
        if fullscreen:
            cv2.namedWindow(name, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
            cv2.resizeWindow(name, *CANVAS_SIZE)  # the size to fall back on where full screen is refused
            cv2.setWindowProperty(name, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
        else:
            cv2.namedWindow(name, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
        self.last: np.ndarray | None = None
        self._shown = False

    def show(self, picture: np.ndarray) -> None:
        cv2.imshow(self.name, picture)
        self.last = picture
        self._shown = True

    def key(self, wait_ms: int = 1) -> str | None:
        code = cv2.waitKey(wait_ms)
        if code < 0:
            if self._shown and cv2.getWindowProperty(self.name, cv2.WND_PROP_VISIBLE) < 1:
                return "quit"  # the window was closed with the mouse
            return None
        return KEYS.get(code & 0xFF)

    def close(self) -> None:
        cv2.destroyWindow(self.name)
        cv2.waitKey(1)
