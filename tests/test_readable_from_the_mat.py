"""Readable from the mat (issue 18): the display drawn at 1920x1080 in every state with its cues' and
counters' capitals at least 5% of the screen's height (the rep count larger), high contrast, the exercise's
pictures beside its instructions, the hands-free controls along the bottom, and the window full screen
by default on a real (virtual) 1920x1080 screen.

Text heights are measured, not assumed: every text the display draws is recorded with the size it was
drawn at, and the capital "H" drawn the same way is measured in pixels of ink; the rep count and an
all-capitals cue are also measured straight off the drawn picture.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import REPO, XVFB, virtual_screen
from test_live_window import differing_share, read_xwd

from posecheck.cli import build_parser
from posecheck.live import window
from posecheck.live.routine import ROUTINE_ORDER, step
from posecheck.live.window import Hud, draw_hud

SCREEN = (1920, 1080)
FIVE_PERCENT = 0.05 * SCREEN[1]  # 54 px
CLIP = REPO / "samples" / "video" / "knee_rolls__correct__right__b1.mp4"


@pytest.fixture(scope="module")
def camera() -> np.ndarray:
    """A frame of a rendered clip (a person on a mat), or a grey picture without the samples."""
    video = cv2.VideoCapture(str(CLIP))
    video.set(cv2.CAP_PROP_POS_FRAMES, 60)
    ok, image = video.read()
    video.release()
    return image if ok else np.full((360, 480, 3), 90, np.uint8)


@dataclass(frozen=True)
class Drawn:
    text: str
    cap: float  # the capital height asked for
    by: str  # the drawing function
    color: tuple[int, int, int]
    org: tuple[int, int] = (0, 0)

    @property
    def right(self) -> int:
        return self.org[0] + window._size(self.text, self.cap)[0]

    @property
    def height(self) -> int:
        """The capitals' height in pixels of ink, as drawn."""
        return capital_height(self.cap)


@lru_cache(maxsize=256)
def capital_height(cap: float) -> int:
    """Pixels of ink of a capital H drawn at `cap` with the display's own font settings."""
    scale, thick, _ = window._font(cap)
    side = round(3 * cap) + 20
    img = np.zeros((side, side), np.uint8)
    cv2.putText(img, "H", (10, round(2 * cap) + 10), window.FONT, scale, 255, thick, cv2.LINE_AA)
    rows = np.flatnonzero((img > 127).any(axis=1))
    return int(rows[-1] - rows[0] + 1)


def drawn(monkeypatch, camera: np.ndarray, hud: Hud, size=SCREEN) -> tuple[np.ndarray, list[Drawn]]:
    """The display drawn at `size`, and every text on it with the function that drew it."""
    texts: list[Drawn] = []
    original = window._text

    def recording(img, text, org, cap, color=window.WHITE):
        texts.append(Drawn(text, cap, sys._getframe(1).f_code.co_name, tuple(color), tuple(org)))
        original(img, text, org, cap, color)

    with monkeypatch.context() as patch:
        patch.setattr(window, "_text", recording)
        picture = draw_hud(camera, None, hud, size)
    assert picture.shape[:2] == (size[1], size[0])
    return picture, texts


KR, BE, PT = step("knee_rolls"), step("back_extensions"), step("pelvic_tilts")
BASE = dict(title=KR.title, step_number=2, steps=5, reps_target=KR.targets.reps, exercise="knee_rolls")
SUMMARY = ("9 reps (target 8-10): left 5, right 4", "Holds: 8 of 9 lasted one deep breath",
           "Work on: Keep both shoulders on the floor (3 reps)",
           "Work on: Hold the stretch for one deep breath (1 rep)")
STATES = {
    "instructions": Hud(stage="instructions", lines=KR.instructions_for({}), countdown_s=12, **BASE),
    "setup": Hud(stage="setup", cue="Bring your knees up, feet flat on the floor", **BASE),
    "counting with a cue": Hud(stage="exercise", reps=3, by_side={"left": 2, "right": 1},
                               cue="Keep both shoulders on the floor", cue_severity="warning", **BASE),
    "hold": Hud(stage="exercise", reps=4, title=BE.title, step_number=3, steps=5, reps_target=BE.targets.reps,
                exercise="back_extensions", hold_s=6.2, hold_target="hold 5-10 s",
                breath=("Breathe in and hold", 0.7, 0), cue="Keep your neck long, head in line with your back"),
    "hold of breaths, a gesture": Hud(
        stage="exercise", reps=2, title="Deep abdominal strengthening", step_number=4, steps=5, reps_target=(5, 5),
        exercise="deep_abdominal", hold_s=14, hold_target="hold 5-10 breaths", breath=("Breathe out", 0.4, 2),
        gesture=("Hold for pain stop", 0.6)),
    "paced": Hud(stage="exercise", reps=6, title=PT.title, step_number=5, steps=5, reps_target=PT.targets.reps,
                 exercise="pelvic_tilts", pace=("Tilt towards your heels", 0.4),
                 cue="I can't see your tilts from here: follow my pace"),
    "end screen": Hud(stage="summary", reps=9, lines=SUMMARY, countdown_s=4, **BASE),
    "voice notice, stop": Hud(
        stage="exercise", reps=1, cue="Stop. Speak to a physiotherapist before you go on", cue_severity="stop",
        notice="Voice unavailable: no sound output (ALSA: Unknown PCM default)", **BASE),
    "well done": Hud(stage="exercise", reps=10, banner="Well done: 10 reps", **BASE),
}


def role(text: Drawn, hud: Hud) -> str:
    """What a drawn text is: a cue or a counter (held to 5%), or other text."""
    if text.by in ("draw_cue", "draw_pace", "draw_notice", "draw_gesture", "draw_center"):
        return "cue"
    if text.by == "draw_top_bar":
        if text.text == str(hud.reps):
            return "count"
        if text.text.startswith("/ ") or text.text.startswith("Left "):
            return "counter"
        return "cue" if text.text == "Set-up check" else "other"
    if text.by == "draw_hold":
        return "counter" if (text.text.endswith(" s") and text.text[0].isdigit()) or "done" in text.text else "cue"
    if text.by == "draw_panel" and (text.text.startswith(("Starting in", "Next exercise in")) or
                                    (hud.stage == "summary" and text.text[0].isdigit())):
        return "counter"
    return "other"


@pytest.mark.parametrize("state", STATES)
def test_cues_and_counters_are_at_least_5_percent_of_a_1080_screen(monkeypatch, camera, state):
    hud = STATES[state]
    _, texts = drawn(monkeypatch, camera, hud)
    roles = [(role(t, hud), t) for t in texts]
    print(f"\n{state}:")
    for name, t in roles:
        print(f"  {name:8} {t.height:4d} px {100 * t.height / SCREEN[1]:5.1f}%  {t.by:15} {t.text!r}")
    held = [(name, t) for name, t in roles if name != "other"]
    assert held, "no cue or counter drawn"
    small = [(name, t.text, t.height) for name, t in held if t.height < FIVE_PERCENT]
    assert not small, f"under 5% of {SCREEN[1]} px ({FIVE_PERCENT:.0f} px): {small}"
    cues = [t.height for name, t in held if name == "cue" and t.by == "draw_cue"]
    counts = [t.height for name, t in held if name == "count"]
    if counts:  # the rep count: larger than the cue
        assert min(counts) >= 1.5 * FIVE_PERCENT and all(c > max(cues, default=0) for c in counts)
    # Nothing on screen is too small to read from across the room.
    assert min(t.height for t in texts) >= 0.025 * SCREEN[1]


def test_the_instructions_and_the_end_screen_are_as_large_as_they_fit(monkeypatch, camera):
    _, texts = drawn(monkeypatch, camera, STATES["instructions"])
    body = [t for t in texts if t.by == "draw_panel" and t.color == window.WHITE and not t.text.startswith("Start")]
    assert body and min(t.height for t in body) >= 0.03 * SCREEN[1]
    _, texts = drawn(monkeypatch, camera, STATES["end screen"])
    summary = [t for t in texts if t.by == "draw_panel" and t.color == window.WHITE and not t.text.startswith("Next")]
    assert len({t.text for t in summary}) >= len(SUMMARY)  # every line is there
    assert min(t.height for t in summary) >= FIVE_PERCENT  # "9 reps (target 8-10)" read at a glance
    assert max(t.height for t in summary) > max(t.height for t in body)


def test_the_count_and_an_all_capitals_cue_measured_on_the_picture(monkeypatch, camera):
    """Straight off the pixels: the white ink of the count in the top bar and of a cue in capitals."""
    hud = Hud(stage="exercise", reps=7, cue="HOLD STILL", **BASE)
    picture, texts = drawn(monkeypatch, camera, hud)
    width, height = SCREEN
    bar = round(window.TOP_BAR * height)
    white = (picture > 245).all(axis=2)
    rows = np.flatnonzero(white[:bar, width // 2:].any(axis=1))  # the count "7" (its target is grey)
    count_px = rows[-1] - rows[0] + 1
    legend = round(window.KEYS_BAR * height)
    band = white[height - legend - round(window.CUE_BAR * height): height - legend]
    rows = np.flatnonzero(band.any(axis=1))
    cue_px = rows[-1] - rows[0] + 1
    print(f"\ncount '7': {count_px} px ({100 * count_px / height:.1f}%), cue 'HOLD STILL': {cue_px} px "
          f"({100 * cue_px / height:.1f}%)")
    assert cue_px >= FIVE_PERCENT and count_px > cue_px
    assert abs(cue_px - next(t.height for t in texts if t.text == "HOLD STILL")) <= 3  # the measure agrees


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768), (2560, 1440)])
def test_every_size_is_a_share_of_the_screen(monkeypatch, camera, size):
    hud = STATES["counting with a cue"]
    _, texts = drawn(monkeypatch, camera, hud, size)
    cue = [t for t in texts if t.by == "draw_cue"]
    count = [t for t in texts if t.text == str(hud.reps)]
    assert cue and min(t.height for t in cue) >= 0.05 * size[1] - 1
    assert count and count[0].height >= 0.09 * size[1]


def relative_luminance(bgr) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    b, g, r = (channel(float(c)) for c in bgr)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_high_contrast_text_on_its_bars_even_over_a_white_camera_image():
    """WCAG AA (4.5:1) for every text colour on the bar under it, with a white camera image behind the bar."""

    def bar(color, alpha):
        return tuple(alpha * c + (1 - alpha) * 255 for c in color)

    dark = bar(window.BLACK, window.BAR_ALPHA)
    for text in (window.WHITE, window.GREY, window.YELLOW, window.GREEN):
        assert contrast(text, dark) >= 4.5, text
    for severity, colour in window.SEVERITY_BGR.items():
        assert contrast(window.WHITE, bar(colour, 0.9)) >= 4.5, severity
    assert contrast(window.WHITE, bar(window.NOTICE_BGR, 0.92)) >= 4.5


def test_each_exercise_has_small_start_and_end_pictures_shipped_as_package_data():
    folder = REPO / "posecheck" / "data" / "illustrations"
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["posecheck"]
    for exercise in ROUTINE_ORDER:
        for position in ("start", "end"):
            path = folder / f"{exercise}_{position}.jpg"
            assert path.stat().st_size < 40_000, path.name
            assert any(fnmatch.fnmatch(str(path.relative_to(REPO / "posecheck")), p) for p in patterns), path.name
            picture = window.illustration(exercise, position)  # read through importlib.resources
            assert picture is not None and picture.shape[1] >= 200 and picture.shape[0] >= 100


def test_the_pictures_are_beside_the_instructions_and_the_start_one_during_set_up(monkeypatch, camera):
    def without(hud):
        return draw_hud(camera, None, hud.__class__(**{**hud.__dict__, "exercise": ""}), SCREEN)

    column = SCREEN[0] * 0.65  # the pictures' column: the right-hand 30%, less the margin
    for state in ("instructions", "setup"):
        hud = STATES[state]
        picture, texts = drawn(monkeypatch, camera, hud)
        changed = np.abs(picture.astype(int) - without(hud).astype(int)).sum(axis=2) > 30
        assert changed[:, round(column):].mean() > 0.15, state  # the pictures are there, large enough to see
        labels = [t.text for t in texts if t.by == "_draw_pictures"]
        assert labels == (["Start", "End"] if state == "instructions" else ["Start"])
    _, texts = drawn(monkeypatch, camera, STATES["instructions"])
    body = [t for t in texts if t.by == "draw_panel" and not t.text.startswith(("Starting in", "Next:"))]
    assert body and max(t.right for t in body) < column  # the instructions beside them, not under them


def test_the_bottom_line_says_the_hands_free_controls_or_the_keys(monkeypatch, camera):
    hud = STATES["counting with a cue"]
    for gestures, hint in ((True, window.HANDS_FREE_HINT), (False, window.KEYS_HINT)):
        _, texts = drawn(monkeypatch, camera, hud.__class__(**{**hud.__dict__, "gestures": gestures}))
        (legend,) = [t for t in texts if t.by == "draw_legend"]
        assert legend.text == hint and legend.height >= 0.025 * SCREEN[1]


def test_live_and_routine_open_full_screen_unless_windowed():
    parser = build_parser()
    assert parser.parse_args(["live", "--exercise", "knee_rolls"]).windowed is False
    assert parser.parse_args(["routine"]).windowed is False
    assert parser.parse_args(["routine", "--windowed"]).windowed is True


XRANDR = """Screen 0: minimum 8 x 8, current 4480 x 1440, maximum 32767 x 32767
HDMI-1 connected 2560x1440+1920+0 (normal left inverted right x axis y axis) 597mm x 336mm
eDP-1 connected primary 1920x1080+0+0 (normal left inverted right x axis y axis) 344mm x 194mm
DP-1 disconnected (normal left inverted right x axis y axis)
"""
XDPYINFO = "name of display:    :0\n  dimensions:    3840x1080 pixels (1016x285 millimeters)\n"
XINERAMA = XDPYINFO + "XINERAMA version 1.1 opcode: 139\n  head #0: 1920x1080 @ 0,0\n  head #1: 1920x1080 @ 1920,0\n"


@pytest.mark.parametrize(("tools", "out", "expected", "how"), [
    ({"xrandr": XRANDR, "xdpyinfo": XDPYINFO}, None, (0, 0, 1920, 1080), "xrandr"),  # the primary monitor
    ({"xdpyinfo": XINERAMA}, None, (0, 0, 1920, 1080), "xdpyinfo"),  # the first head, not both
    ({"xdpyinfo": XDPYINFO.replace("3840", "1920")}, None, (0, 0, 1920, 1080), "xdpyinfo"),
    ({}, "1366 768\n", (0, 0, 1366, 768), "Tk"),
    ({}, "", None, "no xrandr, no xdpyinfo, Tk could not tell"),
])
def test_the_screen_size_is_found_by_the_tools_there_are(monkeypatch, tools, out, expected, how):
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(window.shutil, "which", lambda name: f"/usr/bin/{name}" if name in tools else None)
    monkeypatch.setattr(window.sys, "platform", "linux")

    def run(command, timeout=5.0):
        return tools.get(command[0], out or "") if command[0] in tools else (out or "")

    monkeypatch.setattr(window, "_run", run)
    assert window.screen_geometry() == (expected, how)


PROBE = r"""
import json, shutil, subprocess, sys
import cv2, numpy as np
from posecheck.live import window as w

out, framebuffer = sys.argv[1], sys.argv[2]
win = w.Window("posecheck fullscreen test")  # as `live` and `routine` open it without --windowed
hud = w.Hud(stage="exercise", title="Knee rolls", step_number=2, steps=5, reps=3, reps_target=(8, 10),
            cue="Keep both shoulders on the floor", exercise="knee_rolls")
picture = w.draw_hud(np.full((360, 480, 3), 90, np.uint8), None, hud)  # the loop's call: no size given
for _ in range(75):  # as the live loop does, a frame every 20 ms: a window made full screen late is painted
    win.show(picture)
    cv2.waitKey(20)
shutil.copy(framebuffer, f"{out}/screen.xwd")
cv2.imwrite(f"{out}/shown.png", picture)
info = subprocess.run(["xwininfo", "-name", win.name], capture_output=True, text=True).stdout \
    if shutil.which("xwininfo") else ""
json.dump({"size": win.size, "found_by": win.size_found_by, "rect": cv2.getWindowImageRect(win.name),
           "xwininfo": info}, open(f"{out}/window.json", "w"))
win.close()
"""


@pytest.mark.skipif(XVFB is None, reason="Xvfb is not installed (Debian package xvfb)")
def test_the_window_opens_full_screen_at_the_screens_size(tmp_path):
    fbdir, out = tmp_path / "fb", tmp_path / "out"
    fbdir.mkdir()
    out.mkdir()
    with virtual_screen(*SCREEN, fbdir) as display:
        done = subprocess.run([sys.executable, "-c", PROBE, str(out), str(fbdir / "Xvfb_screen0")],
                              capture_output=True, text=True, timeout=60, cwd=REPO,
                              env={**os.environ, "DISPLAY": display})
    assert done.returncode == 0, done.stderr[-2000:]
    opened = json.loads((out / "window.json").read_text())
    assert opened["size"] == list(SCREEN), opened
    assert opened["found_by"] in ("xrandr", "xdpyinfo", "Tk")
    assert opened["rect"] == [0, 0, *SCREEN]  # the picture fills the screen, not a corner of it
    if opened["xwininfo"]:
        assert f"Width: {SCREEN[0]}" in opened["xwininfo"] and f"Height: {SCREEN[1]}" in opened["xwininfo"]
    shown = cv2.imread(str(out / "shown.png"))
    assert shown.shape[:2] == (SCREEN[1], SCREEN[0])  # drawn at the screen's size, not 1280x720 stretched
    screen = read_xwd(out / "screen.xwd")
    assert differing_share(screen, shown) < 0.005  # what is on the screen is that picture, pixel for pixel


def test_the_illustrations_tool_writes_small_pictures(tmp_path):
    if not CLIP.exists():
        pytest.skip("the rendered sample clips are missing")
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import illustrations
    finally:
        sys.path.remove(str(REPO / "tools"))
    written = illustrations.make("knee_rolls", Path(tmp_path))
    assert [p.name for p in written] == ["knee_rolls_start.jpg", "knee_rolls_end.jpg"]
    start, end = (cv2.imread(str(p)) for p in written)
    assert start.shape == end.shape and all(p.stat().st_size < 40_000 for p in written)
    assert differing_share(start, end) > 0.02  # the knees rolled: not the same picture twice
