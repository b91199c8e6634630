"""What the exerciser sees: the camera image with the skeleton and a heads-up display readable from
the mat (2-3 m away), and the OpenCV window that shows it and reads the keys.

`draw_hud(image, pose, hud)` is a pure function (image in, new image out); `Window` is the only
part that touches highgui. The window opens full screen by default and the picture is drawn at the
screen's own size (`screen_size`), not drawn small and stretched. Every size is a share of the picture's
height: a cue's capitals are at least 5% of the screen's height, the rep count larger.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import cv2
import numpy as np

from posecheck.landmarks import Landmark, PoseFrame
from posecheck.overlay import draw_skeleton

# The windowed picture (`--windowed`): most laptop screens' 720p. Full screen draws at the screen's size.
CANVAS_SIZE = (1280, 720)
# Full screen where the screen's size cannot be found: a common screen, scaled to the real one.
FALLBACK_SCREEN = (1920, 1080)
FONT = cv2.FONT_HERSHEY_DUPLEX
# HERSHEY_DUPLEX: a capital letter is 20 px tall at font scale 1 (whatever the thickness).
CAP_PER_SCALE = 20.0

# Text sizes: the height of a capital letter as a share of the picture's height (5% of 1080 is 54 px,
# on a 15" laptop about 1 cm: readable from 3 m).
CUE_CAP = 0.062  # the cue along the bottom ...
CUE_CAP_MIN = 0.05  # ... never smaller, on two lines if it must
COUNT_CAP = 0.10  # the rep count: the largest text on screen but the banner
TARGET_CAP = 0.05  # "/ 8-10" beside it, and the per-side counts
TITLE_CAP = 0.05
PROGRESS_CAP = 0.03  # "Exercise 2 of 5"
LABEL_CAP = 0.05  # the breath, the gesture, the notice, the countdown, the set-up check
HOLD_CAP = 0.075  # the hold timer's seconds
HEADING_CAP = 0.05  # the panel's heading
BODY_CAP = (0.03, 0.042)  # the instructions: as large as fits, in this range
SUMMARY_CAP = (0.04, 0.055)  # the end screen's summary: larger than the instructions
PICTURE_LABEL_CAP = 0.038  # "Start", "End" over the pictures
LEGEND_CAP = 0.03  # the hands-free controls (or keys) along the very bottom
CENTER_CAP = 0.1  # "Well done", "Paused"

# Bars, as shares of the picture's height; the *_H constants are their pixels on the 720p canvas.
TOP_BAR = 110 / 720
CUE_BAR = 0.18
KEYS_BAR = 0.056
NOTICE = 0.15  # up to two lines of a notice
TOP_BAR_H = round(TOP_BAR * CANVAS_SIZE[1])
CUE_BAR_H = round(CUE_BAR * CANVAS_SIZE[1])
KEYS_BAR_H = round(KEYS_BAR * CANVAS_SIZE[1])
NOTICE_H = round(NOTICE * CANVAS_SIZE[1])
MARGIN = 0.035  # left and right of text
BAR_ALPHA = 0.88  # dark bars under text: white on near-black

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GREY = (215, 215, 215)  # secondary text: light, still high contrast on the dark bars
DIM = (120, 120, 120)  # the progress dots still to come
GREEN = (80, 200, 60)
YELLOW = (40, 210, 250)
# Cue bars, each with white text at a contrast of at least 4.5:1 (WCAG AA).
SEVERITY_BGR = {"info": (110, 70, 20), "warning": (0, 70, 170), "stop": (30, 30, 200)}
HANDS_FREE_HINT = "Raise one arm: pause    Both arms up: stop for pain"
KEYS_HINT = "Keys: space pause   N next   R redo   P pain   Q quit"
PICTURE_LABELS = {"start": "Start", "end": "End"}


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
    exercise: str = ""  # the exercise's name: its start and end pictures beside the instructions
    gestures: bool = True  # hands-free gestures are on: the bottom line says how, else it lists the keys


# -- pictures of each exercise ------------------------------------------------------------------


@lru_cache(maxsize=16)
def illustration(exercise: str, position: str) -> np.ndarray | None:
    """The exercise's `position` ("start" or "end") as rendered by tools/render (package data made by
    tools/illustrations.py), or None when there is none."""
    if not exercise:
        return None
    try:
        data = (resources.files("posecheck") / "data" / "illustrations" / f"{exercise}_{position}.jpg").read_bytes()
    except (OSError, ModuleNotFoundError):
        return None
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


@lru_cache(maxsize=16)
def _illustration_in(exercise: str, position: str, width: int, height: int) -> np.ndarray | None:
    picture = illustration(exercise, position)
    if picture is None or width < 8 or height < 8:
        return None
    scale = min(width / picture.shape[1], height / picture.shape[0])
    size = (max(1, round(picture.shape[1] * scale)), max(1, round(picture.shape[0] * scale)))
    return cv2.resize(picture, size, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)


# -- text -----------------------------------------------------------------------------------


def _px(img: np.ndarray, share: float) -> int:
    """A share of the picture's height, in pixels."""
    return max(1, round(share * img.shape[0]))


def _font(cap: float) -> tuple[float, int, int]:
    """(font scale, stroke, outline stroke) for capitals `cap` pixels tall."""
    thick = max(1, round(cap / 9))
    return cap / CAP_PER_SCALE, thick, thick + max(3, round(cap / 10))


def _text(img: np.ndarray, text: str, org: tuple[int, int], cap: float, color=WHITE) -> None:
    """Text whose capitals are `cap` pixels tall, with a dark outline: readable on any background."""
    scale, thick, outline = _font(cap)
    cv2.putText(img, text, org, FONT, scale, BLACK, outline, cv2.LINE_AA)
    cv2.putText(img, text, org, FONT, scale, color, thick, cv2.LINE_AA)


@lru_cache(maxsize=4096)
def _size(text: str, cap: float) -> tuple[int, int]:
    scale, _, outline = _font(cap)
    (w, h), _ = cv2.getTextSize(text, FONT, scale, outline)
    return w, h


def wrap(text: str, cap: float, width: int) -> list[str]:
    return list(_wrap(text, cap, width))


@lru_cache(maxsize=1024)
def _wrap(text: str, cap: float, width: int) -> tuple[str, ...]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and _size(trial, cap)[0] > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return (*lines, line) if line else tuple(lines)


def _balanced(text: str, cap: float, width: int) -> list[str]:
    """`text` wrapped to `width` with its lines as even as they go: no word left alone on the last line."""
    lines = wrap(text, cap, width)
    if len(lines) < 2:
        return lines
    lo, hi = max(_size(word, cap)[0] for word in text.split()), width
    while lo < hi:  # the narrowest width that still takes no more lines
        mid = (lo + hi) // 2
        if len(wrap(text, cap, mid)) <= len(lines):
            hi = mid
        else:
            lo = mid + 1
    return wrap(text, cap, hi)


def _fitting_cap(text: str, cap: float, width: int, least: float = 0.0) -> float:
    """`cap`, or smaller (not below `least`) so that `text` fits in `width` on one line."""
    w, _ = _size(text, cap)
    return cap if w <= width else max(least, cap * width / w * 0.98)


def _wrapped(text: str, cap: float, least: float, width: int, most_lines: int) -> tuple[float, list[str]]:
    """`text` at `cap` on one line, or shrunk as far as `least`; else wrapped at `least` on up to
    `most_lines` lines; else shrunk until it fits on those lines."""
    one = _fitting_cap(text, cap, width, least)
    if _size(text, one)[0] <= width:
        return one, [text]
    lines = wrap(text, least, width)
    while len(lines) > most_lines and least > 4:
        least *= 0.95
        lines = wrap(text, least, width)
    return least, _balanced(text, least, width)


@lru_cache(maxsize=64)
def _paragraphs(texts: tuple[str, ...], caps: tuple[float, float], width: int,
                height: int) -> tuple[float, list[list[str]]]:
    """The largest capital height in `caps` (pixels) at which all `texts` wrapped to `width` fit in `height`."""
    least, cap = caps
    while True:
        parts = [_balanced(text, cap, width) for text in texts]
        lines = sum(len(p) for p in parts)
        if lines * _line_step(cap) + (len(parts) - 1) * _para_gap(cap) <= height or cap <= least:
            return cap, parts
        cap = max(least, cap * 0.95)


def _line_step(cap: float) -> int:
    return round(1.55 * cap)


def _para_gap(cap: float) -> int:
    return round(0.35 * cap)


def _shade(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, color=BLACK, alpha: float = BAR_ALPHA) -> None:
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(img.shape[1], x1), min(img.shape[0], y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    roi[:] = cv2.addWeighted(roi, 1 - alpha, np.full_like(roi, color), alpha, 0)


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


def _rep_text(hud: Hud) -> tuple[str, str]:
    lo, hi = hud.reps_target
    return str(hud.reps), f"/ {lo}-{hi}" if lo != hi else f"/ {hi}"


# -- the parts of the display -------------------------------------------------------------------


def draw_top_bar(img: np.ndarray, hud: Hud) -> None:
    width = img.shape[1]
    bar, margin = _px(img, TOP_BAR), _px(img, MARGIN)
    _shade(img, 0, 0, width, bar)
    right = width - margin
    if hud.stage == "setup":
        label, cap = "Set-up check", _px(img, LABEL_CAP)
        w, _ = _size(label, cap)
        _text(img, label, (right - w, (bar + cap) // 2), cap, YELLOW)
        right -= w + margin
    elif hud.stage in ("exercise", "pain", "summary"):
        count, target = _rep_text(hud)
        count_cap, target_cap = _px(img, COUNT_CAP), _px(img, TARGET_CAP)
        cw, _ = _size(count, count_cap)
        tw, _ = _size(target, target_cap)
        baseline = (bar + count_cap) // 2
        _text(img, count, (right - tw - margin // 2 - cw, baseline), count_cap, WHITE)
        _text(img, target, (right - tw, baseline), target_cap, GREY)
        if hud.by_side is not None:
            # Knee rolls alternate: a count per side, just under the total.
            sides = f"Left {hud.by_side.get('left', 0)}   Right {hud.by_side.get('right', 0)}"
            sw, sh = _size(sides, target_cap)
            pad = target_cap // 2
            _shade(img, width - sw - 2 * margin, bar, width, bar + sh + 2 * pad)
            _text(img, sides, (width - margin - sw, bar + pad + target_cap), target_cap, YELLOW)
        right -= tw + cw + 2 * margin
    title_cap = _fitting_cap(hud.title, _px(img, TITLE_CAP), right - margin, _px(img, 0.03))
    _text(img, hud.title, (margin, _px(img, 0.075)), title_cap, WHITE)
    # Progress through the routine: one dot per exercise, done ones filled.
    radius, y = _px(img, 0.016), _px(img, 0.118)
    for i in range(hud.steps):
        centre = (margin + radius + i * 3 * radius, y)
        if i + 1 < hud.step_number:
            cv2.circle(img, centre, radius, GREEN, -1, cv2.LINE_AA)
        elif i + 1 == hud.step_number:
            cv2.circle(img, centre, radius, YELLOW, -1, cv2.LINE_AA)
        else:
            cv2.circle(img, centre, radius, DIM, max(2, radius // 5), cv2.LINE_AA)
    cap = _px(img, PROGRESS_CAP)
    _text(img, f"Exercise {hud.step_number} of {hud.steps}", (margin + hud.steps * 3 * radius + radius, y + cap // 2),
          cap, GREY)


def draw_hold(img: np.ndarray, hud: Hud) -> None:
    """The hold timer with breath pacing: a ring filling as the breath goes in, emptying as it goes out."""
    if hud.hold_s is None or hud.breath is None:
        return
    width = img.shape[1]
    label, filled, breaths = hud.breath
    colour = GREEN if hud.hold_done else YELLOW  # done: the ring full and green, "Come back" under it
    box_w = min(_px(img, 0.76), width // 2)
    pad, cap = _px(img, 0.02), _px(img, LABEL_CAP)
    inner = box_w - 2 * pad
    label_cap, label_lines = _wrapped(label, _px(img, 0.055), cap, inner, 2)
    note_lines: list[str] = []
    note_cap = cap
    if hud.hold_target and not hud.hold_done:
        note = f"{hud.hold_target}, {breaths} done" if "breaths" in hud.hold_target else hud.hold_target
        note_cap, note_lines = _wrapped(note, cap, cap, inner, 2)
    radius = _px(img, 0.11)
    x0, y0 = width - box_w, _px(img, TOP_BAR) + _px(img, 0.02)
    centre = (x0 + box_w // 2, y0 + pad + radius)
    y = centre[1] + radius + pad
    rows = [(line, label_cap, colour) for line in label_lines] + [(line, note_cap, GREY) for line in note_lines]
    bottom = y + sum(_line_step(c) for _, c, _ in rows) + pad
    _shade(img, x0, y0, width, bottom, alpha=0.7)
    ring = max(3, radius // 12)
    cv2.circle(img, centre, radius, DIM, ring, cv2.LINE_AA)
    cv2.ellipse(img, centre, (radius, radius), -90, 0, 360 * filled, colour, 2 * ring, cv2.LINE_AA)
    seconds = f"{hud.hold_s:.0f} s"
    seconds_cap = _fitting_cap(seconds, _px(img, HOLD_CAP), int(1.6 * radius), _px(img, 0.055))
    w, _ = _size(seconds, seconds_cap)
    _text(img, seconds, (centre[0] - w // 2, centre[1] + round(seconds_cap) // 2), seconds_cap, WHITE)
    for line, line_cap, line_colour in rows:
        y += _line_step(line_cap)
        w, _ = _size(line, line_cap)
        _text(img, line, (centre[0] - w // 2, y - round(0.3 * line_cap)), line_cap, line_colour)


def draw_pace(img: np.ndarray, hud: Hud) -> None:
    """The paced step in large text over a bar that fills as the step goes on (a hold has its ring)."""
    if hud.pace is None or hud.breath is not None:
        return
    label, done = hud.pace
    width = img.shape[1]
    bar_top, margin = _px(img, TOP_BAR), _px(img, MARGIN)
    top, bottom = bar_top + _px(img, 0.083), bar_top + _px(img, 0.278)
    _shade(img, 0, top, width, bottom, alpha=0.7)
    cap = _fitting_cap(label, _px(img, 0.065), width - 2 * margin, _px(img, CUE_CAP_MIN))
    w, _ = _size(label, cap)
    _text(img, label, ((width - w) // 2, top + _px(img, 0.025) + round(cap)), cap, YELLOW)
    thick = _px(img, 0.028)
    bar = (margin, bottom - _px(img, 0.025) - thick, width - margin, bottom - _px(img, 0.025))
    cv2.rectangle(img, bar[:2], bar[2:], GREY, 2)
    cv2.rectangle(img, bar[:2], (bar[0] + round((bar[2] - bar[0]) * min(max(done, 0.0), 1.0)), bar[3]), YELLOW, -1)


def _cue_layout(img: np.ndarray, cue: str) -> tuple[float, list[str], int]:
    """(capital height, lines, bar height) of a cue: one line as large as fits, else lines at the least."""
    width = img.shape[1] - 2 * _px(img, MARGIN)
    cap, lines = _wrapped(cue, _px(img, CUE_CAP), _px(img, CUE_CAP_MIN), width, 3)
    return cap, lines, max(_px(img, CUE_BAR), len(lines) * _line_step(cap) + round(cap))


def draw_cue(img: np.ndarray, hud: Hud) -> None:
    """The current cue in large text along the bottom, coloured by how much it matters."""
    if not hud.cue:
        return
    height, width = img.shape[:2]
    cap, lines, bar = _cue_layout(img, hud.cue)
    y1 = height - _px(img, KEYS_BAR)
    y0 = y1 - bar
    _shade(img, 0, y0, width, y1, SEVERITY_BGR.get(hud.cue_severity, SEVERITY_BGR["info"]), 0.9)
    step = _line_step(cap)
    top = y0 + (bar - len(lines) * step) // 2  # the lines' block centred in the bar
    for i, line in enumerate(lines):
        w, _ = _size(line, cap)
        _text(img, line, ((width - w) // 2, top + i * step + (step + round(cap)) // 2), cap, WHITE)


def draw_legend(img: np.ndarray, hud: Hud) -> None:
    """The bottom line: the hands-free controls (or, with gestures off, the keys)."""
    height, width = img.shape[:2]
    bar = _px(img, KEYS_BAR)
    _shade(img, 0, height - bar, width, height, alpha=0.92)
    hint = HANDS_FREE_HINT if hud.gestures else KEYS_HINT
    cap = _fitting_cap(hint, _px(img, LEGEND_CAP), width - 2 * _px(img, MARGIN), _px(img, 0.02))
    w, _ = _size(hint, cap)
    _text(img, hint, ((width - w) // 2, height - (bar - round(cap)) // 2), cap, GREY)


PANEL_HEADINGS = {"notice": "Before you start", "pain": "Stopped for pain", "pain_before": "Before you start",
                  "pain_after": "Session over", "advice": "Your pain went up"}
NOTICE_BGR = (30, 30, 160)  # a one-off notice ("Voice unavailable: ..."): red like a stop cue


def _draw_pictures(img: np.ndarray, exercise: str, x0: int, y0: int, x1: int, y1: int,
                   positions: tuple[str, ...] = ("start", "end")) -> bool:
    """The exercise's pictures stacked in the box, each under its label; False when there are none."""
    pictures = [p for p in positions if illustration(exercise, p) is not None]
    if not pictures:
        return False
    cap = _px(img, PICTURE_LABEL_CAP)
    gap = _px(img, 0.02)
    slot = (y1 - y0 - gap * (len(pictures) - 1)) // len(pictures)
    for i, position in enumerate(pictures):
        top = y0 + i * (slot + gap)
        label = PICTURE_LABELS.get(position, position)
        _text(img, label, (x0, top + round(cap)), cap, YELLOW)
        image_top = top + round(cap) + gap // 2
        picture = _illustration_in(exercise, position, x1 - x0, top + slot - image_top)
        if picture is None:
            continue
        h, w = picture.shape[:2]
        img[image_top:image_top + h, x0:x0 + w] = picture
        cv2.rectangle(img, (x0, image_top), (x0 + w - 1, image_top + h - 1), GREY, 2)
    return True


def draw_panel(img: np.ndarray, hud: Hud) -> None:
    """Instructions before an exercise (with its start and end pictures), the end screen, or a notice."""
    if not hud.lines:
        return
    height, width = img.shape[:2]
    margin = _px(img, 0.045)
    y0 = _px(img, TOP_BAR)
    y1 = height - _px(img, KEYS_BAR) - (_cue_layout(img, hud.cue)[2] if hud.cue else 0)
    _shade(img, 0, y0, width, y1, alpha=0.9)
    summary = hud.stage == "summary"
    heading = f"Well done: {hud.title}" if summary else PANEL_HEADINGS.get(hud.stage, f"Next: {hud.title}")
    colour = (60, 60, 255) if hud.stage in ("pain", "advice") else GREEN if summary else YELLOW
    cap = _px(img, LABEL_CAP)
    heading_cap = _fitting_cap(heading, _px(img, HEADING_CAP), width - 2 * margin, _px(img, 0.03))
    pad = _px(img, 0.03)
    baseline = y0 + pad + round(heading_cap)
    _text(img, heading, (margin, baseline), heading_cap, colour)
    text_x1 = width - margin
    body_y1 = y1 - pad
    if hud.countdown_s is not None:
        note = {"instructions": f"Starting in {hud.countdown_s:.0f} s",
                "summary": f"Next exercise in {hud.countdown_s:.0f} s"}.get(hud.stage, f"{hud.countdown_s:.0f} s")
        w, _ = _size(note, cap)
        _text(img, note, (width - margin - w, y1 - pad), cap, WHITE)
        body_y1 = y1 - 2 * pad - round(cap)
    top = baseline + pad
    if hud.stage == "instructions":
        column = round(0.3 * width)
        if _draw_pictures(img, hud.exercise, width - margin - column, top, width - margin, body_y1):
            text_x1 = width - 2 * margin - column
    caps = SUMMARY_CAP if summary else BODY_CAP
    body_cap, parts = _paragraphs(hud.lines, (_px(img, caps[0]), _px(img, caps[1])), text_x1 - margin,
                                  body_y1 - top)
    step = _line_step(body_cap)
    y = top
    for part in parts:
        for line in part:
            if y + step > body_y1 + step // 3:
                return
            y += step
            _text(img, line, (margin, y - round(0.3 * body_cap)), body_cap, WHITE)
        y += _para_gap(body_cap)


def draw_start_picture(img: np.ndarray, hud: Hud) -> None:
    """While waiting for the start position: the picture of it, at the right under the top bar."""
    if hud.stage != "setup" or illustration(hud.exercise, "start") is None:
        return
    width = img.shape[1]
    margin, pad = _px(img, MARGIN), _px(img, 0.02)
    x0, x1 = width - margin - round(0.26 * width), width - margin
    y0 = _px(img, TOP_BAR) + pad
    y1 = y0 + _px(img, 0.3)
    _shade(img, x0 - pad, y0 - pad // 2, width, y1 + pad, alpha=0.8)
    _draw_pictures(img, hud.exercise, x0, y0, x1, y1, ("start",))


def draw_notice(img: np.ndarray, hud: Hud) -> None:
    """A one-off notice in a red band under the top bar, over whatever is there (it goes after a while)."""
    if not hud.notice:
        return
    width = img.shape[1]
    band = _px(img, NOTICE)
    y0 = _px(img, TOP_BAR)
    _shade(img, 0, y0, width, y0 + band, NOTICE_BGR, 0.92)
    cap, lines = _wrapped(hud.notice, _px(img, 0.055), _px(img, LABEL_CAP), width - 2 * _px(img, MARGIN), 2)
    step = min(_line_step(cap), band // len(lines))
    top = y0 + (band - len(lines) * step) // 2
    for i, line in enumerate(lines):
        w, _ = _size(line, cap)
        _text(img, line, ((width - w) // 2, top + i * step + (step + round(cap)) // 2), cap, WHITE)


def draw_gesture(img: np.ndarray, hud: Hud) -> None:
    """A gesture being held: a ring filling up as it is held, what it will do under it (left of centre,
    clear of the hold ring at the right and the cue at the bottom)."""
    if hud.gesture is None:
        return
    label, filled = hud.gesture
    pad, cap = _px(img, 0.02), _px(img, LABEL_CAP)
    box_w = min(_px(img, 0.62), img.shape[1] // 2)
    radius = _px(img, 0.1)
    x0, y0 = _px(img, MARGIN) // 2, _px(img, TOP_BAR) + _px(img, 0.02)
    centre = (x0 + box_w // 2, y0 + pad + radius)
    cap, lines = _wrapped(label, cap, cap, box_w - 2 * pad, 2)
    y = centre[1] + radius + pad
    _shade(img, x0, y0, x0 + box_w, y + len(lines) * _line_step(cap) + pad, alpha=0.7)
    ring = max(3, radius // 12)
    cv2.circle(img, centre, radius, DIM, ring, cv2.LINE_AA)
    cv2.ellipse(img, centre, (radius, radius), -90, 0, 360 * min(max(filled, 0.0), 1.0), YELLOW, 2 * ring,
                cv2.LINE_AA)
    for line in lines:
        y += _line_step(cap)
        w, _ = _size(line, cap)
        _text(img, line, (centre[0] - w // 2, y - round(0.3 * cap)), cap, YELLOW)


def draw_center(img: np.ndarray, text: str, color=WHITE) -> None:
    height, width = img.shape[:2]
    cap = _fitting_cap(text, _px(img, CENTER_CAP), width - 4 * _px(img, MARGIN), _px(img, 0.05))
    w, _ = _size(text, cap)
    x, y = (width - w) // 2, height // 2 + round(cap) // 2
    pad = _px(img, 0.04)
    _shade(img, x - pad, y - round(cap) - pad, x + w + pad, y + pad, alpha=0.8)
    _text(img, text, (x, y), cap, color)


def draw_hud(image: np.ndarray, pose: PoseFrame | None, hud: Hud, size: tuple[int, int] | None = None) -> np.ndarray:
    """The window's picture: the camera image fitted to `size` (default: the open window's, see
    `canvas_size`), the skeleton, and the display."""
    size = size or canvas_size()
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
    draw_start_picture(canvas, hud)
    draw_hold(canvas, hud)
    draw_pace(canvas, hud)
    draw_cue(canvas, hud)
    draw_legend(canvas, hud)
    draw_notice(canvas, hud)
    draw_gesture(canvas, hud)
    if hud.banner:
        draw_center(canvas, hud.banner, GREEN)
    elif hud.paused:
        draw_center(canvas, "Paused", YELLOW)
    return canvas


# -- the screen and the window ---------------------------------------------------------------------

# The size the open window draws at (`draw_hud`'s default); the windowed canvas when none is open.
_canvas = [CANVAS_SIZE]


def canvas_size() -> tuple[int, int]:
    """The picture's size for the open window: the screen's when full screen, else CANVAS_SIZE."""
    return _canvas[0]


def _run(command: list[str], timeout: float = 5.0) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def _plausible(width: int, height: int) -> bool:
    return 320 <= width <= 16384 and 240 <= height <= 16384


def screen_geometry() -> tuple[tuple[int, int, int, int] | None, str]:
    """((x, y, width, height) of the screen the window opens on, how it was found), or (None, why not).

    On X (DISPLAY set, Xvfb included): xrandr's primary (or first) monitor, else xdpyinfo's first
    Xinerama head or its whole screen; elsewhere, or without those tools, Tk's screen size (asked in a
    subprocess, so Tk and Qt never share a process); on Windows, the system metrics.
    """
    tried = []
    if os.environ.get("DISPLAY"):
        if shutil.which("xrandr"):
            out = _run(["xrandr", "--current"])
            monitors = re.findall(r"^\S+ connected( primary)? (\d+)x(\d+)\+(\d+)\+(\d+)", out, re.M)
            monitors.sort(key=lambda m: not m[0])  # the primary first
            for _, w, h, x, y in monitors:
                if _plausible(int(w), int(h)):
                    return (int(x), int(y), int(w), int(h)), "xrandr"
            tried.append("xrandr said no monitor")
        else:
            tried.append("no xrandr")
        if shutil.which("xdpyinfo"):
            out = _run(["xdpyinfo", "-ext", "XINERAMA"])
            head = re.search(r"head #0:\s*(\d+)x(\d+) @ (\d+),\s*(\d+)", out)
            if head and _plausible(int(head[1]), int(head[2])):
                return (int(head[3]), int(head[4]), int(head[1]), int(head[2])), "xdpyinfo"
            screen = re.search(r"dimensions:\s*(\d+)x(\d+) pixels", out or _run(["xdpyinfo"]))
            if screen and _plausible(int(screen[1]), int(screen[2])):
                return (0, 0, int(screen[1]), int(screen[2])), "xdpyinfo"
            tried.append("xdpyinfo said no size")
        else:
            tried.append("no xdpyinfo")
    if sys.platform == "win32":
        try:
            import ctypes

            user32 = ctypes.windll.user32  # type: ignore[attr-defined]
            user32.SetProcessDPIAware()
            w, h = user32.GetSystemMetrics(0), user32.GetSystemMetrics(1)
            if _plausible(w, h):
                return (0, 0, w, h), "Windows system metrics"
        except (AttributeError, OSError):
            tried.append("no Windows system metrics")
    out = _run([sys.executable, "-c", "import tkinter; t = tkinter.Tk(); t.withdraw(); "
                "print(t.winfo_screenwidth(), t.winfo_screenheight()); t.destroy()"], timeout=10.0)
    found = re.fullmatch(r"\s*(\d+) (\d+)\s*", out)
    if found and _plausible(int(found[1]), int(found[2])):
        return (0, 0, int(found[1]), int(found[2])), "Tk"
    tried.append("Tk could not tell")
    return None, ", ".join(tried)


def screen_size() -> tuple[tuple[int, int] | None, str]:
    """(width, height) of the screen the window opens on and how it was found, or (None, why not)."""
    geometry, how = screen_geometry()
    return (geometry[2:] if geometry else None), how  # type: ignore[return-value]


KEYS = {ord(" "): "pause", ord("n"): "next", ord("r"): "redo", ord("p"): "pain", ord("q"): "quit", 27: "quit",
        ord("s"): "skip", ord("t"): "10", **{ord(str(n)): str(n) for n in range(10)}}  # s, 0-9, t: the pain scale


class Window:
    """The highgui window: `show` a picture, `key` reads one key press (a name from KEYS or None).

    Full screen (the default) it draws at the screen's size (`size`; `draw_hud` uses it) and asks
    highgui for full screen; where the window manager gives no full screen (or there is none, as under
    a bare Xvfb) the window is still placed at the screen's corner at the screen's size. Windowed, it
    shows the 1280x720 picture pixel for pixel.
    """

    def __init__(self, name: str = "posecheck", fullscreen: bool = True,
                 geometry: tuple[int, int, int, int] | None = None) -> None:
        self.name = name
        self.fullscreen = fullscreen
        self.size_found_by = "windowed"
        if fullscreen:
            if geometry is None:
                geometry, self.size_found_by = screen_geometry()
            else:
                self.size_found_by = "given"
            if geometry is None:
                print(f"posecheck: the screen's size is unknown ({self.size_found_by}): the picture is drawn at "
                      f"{FALLBACK_SCREEN[0]}x{FALLBACK_SCREEN[1]} and scaled to the screen", flush=True)
                geometry = (0, 0, *FALLBACK_SCREEN)
            x, y, width, height = geometry
            self.size = (width, height)
            # GUI_NORMAL drops Qt's toolbar; KEEPRATIO letterboxes a picture of another shape.
            cv2.namedWindow(name, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
            cv2.moveWindow(name, x, y)
            cv2.resizeWindow(name, width, height)  # full screen even where the full-screen request is ignored
            cv2.setWindowProperty(name, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
        else:
            self.size = CANVAS_SIZE
            # AUTOSIZE shows the canvas pixel for pixel.
            cv2.namedWindow(name, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
        _canvas[0] = self.size
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
        _canvas[0] = CANVAS_SIZE
