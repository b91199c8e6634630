"""The live window on a real (virtual) screen: Xvfb, OpenCV's highgui, a screen grab read back.

Xvfb keeps its screen in a file (`-fbdir`, XWD format), so the grab needs no other tool. The session
runs in a subprocess (a real `posecheck live` with a video as the camera); when the first cue is on
screen the window grabs the screen and saves it with the picture it drew, and the same HUD drawn
without the cue and with another count, so the test can tell the cue and the counter are really there.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys

import cv2
import numpy as np
import pytest
from conftest import REPO

from posecheck.live.profile import write_default_profile
from posecheck.live.window import CANVAS_SIZE, CUE_BAR_H, KEYS_BAR_H, TOP_BAR_H

XVFB = shutil.which("Xvfb")
pytestmark = pytest.mark.skipif(
    XVFB is None, reason="Xvfb is not installed (Debian package xvfb; tools/install-system-deps.sh installs it)")

PROBE = r"""
import dataclasses, json, shutil, sys
import cv2
import posecheck.live.loop as loop_module
from posecheck.live import window as window_module
from posecheck.cli import main

out, framebuffer, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
drawn = {}
draw_hud = loop_module.draw_hud

def remembering(image, pose, hud, *args, **kwargs):
    drawn.update(image=image, pose=pose, hud=hud)
    return draw_hud(image, pose, hud, *args, **kwargs)

class GrabbingWindow(window_module.Window):
    grabbed = False

    def show(self, picture):
        super().show(picture)
        hud = drawn["hud"]
        if self.grabbed or hud.stage != "exercise" or not hud.cue:
            return
        for _ in range(10):
            cv2.waitKey(20)  # let Qt paint the picture
        shutil.copy(framebuffer, f"{out}/screen.xwd")
        cv2.imwrite(f"{out}/shown.png", picture)
        cv2.imwrite(f"{out}/no_cue.png", draw_hud(drawn["image"], drawn["pose"], dataclasses.replace(hud, cue=None)))
        cv2.imwrite(f"{out}/other_count.png",
                    draw_hud(drawn["image"], drawn["pose"], dataclasses.replace(hud, reps=hud.reps + 1)))
        with open(f"{out}/hud.json", "w") as file:
            json.dump({"cue": hud.cue, "reps": hud.reps, "stage": hud.stage}, file)
        self.grabbed = True

    def key(self, wait_ms=1):
        return "quit" if self.grabbed else super().key(wait_ms)

loop_module.draw_hud = remembering
window_module.Window = GrabbingWindow
sys.exit(main(argv))
"""


def read_xwd(path) -> np.ndarray:
    """An XWD screen dump (Xvfb's 24-bit TrueColor screen) as a BGR image."""
    data = path.read_bytes()
    fields = struct.unpack(">25I", data[:100])
    header_size, byte_order, bits_per_pixel, bytes_per_line = fields[0], fields[7], fields[11], fields[12]
    width, height, colours = fields[4], fields[5], fields[19]
    assert bits_per_pixel == 32, f"expected a 32-bit screen, got {bits_per_pixel}"
    start = header_size + colours * 12
    pixels = np.frombuffer(data, np.uint8, count=bytes_per_line * height, offset=start)
    pixels = pixels.reshape(height, bytes_per_line)[:, : width * 4].reshape(height, width, 4)
    bgr = pixels[:, :, :3] if byte_order == 0 else pixels[:, :, 1:][:, :, ::-1]  # LSB first: B G R x
    return np.ascontiguousarray(bgr)


@pytest.fixture
def xvfb(tmp_path):
    """A virtual screen a little larger than the window; yields (DISPLAY, framebuffer file)."""
    fbdir = tmp_path / "fb"
    fbdir.mkdir()
    width, height = CANVAS_SIZE
    log = tmp_path / "xvfb.log"
    with log.open("w") as errors:
        server = subprocess.Popen(
            [XVFB, "-displayfd", "1", "-screen", "0", f"{width}x{height + 40}x24", "-fbdir", str(fbdir),
             "-nolisten", "tcp"], stdout=subprocess.PIPE, stderr=errors, text=True)
    display = server.stdout.readline().strip()
    if not display:
        server.kill()
        server.wait(timeout=10)
        said = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:]) or f"exit {server.returncode}"
        pytest.skip(f"NOT TESTED: the live window on a real screen. Xvfb did not start ({said})")
    yield f":{display}", fbdir / "Xvfb_screen0"
    server.terminate()
    server.wait(timeout=10)


def differing_share(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels that differ clearly (more than compression-free rendering noise)."""
    return float((np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 40).mean())


def test_the_window_shows_the_rep_counter_and_the_cue_on_screen(xvfb, tmp_path, slow_astronaut_video):
    display, framebuffer = xvfb
    out = tmp_path / "grab"
    out.mkdir()
    write_default_profile(tmp_path / "profile.toml")  # not the first run: no notice before the exercise
    # Every frame through the full model: in real time, a machine busy with the other test workers drops
    # frames and may time a smaller model in (one run with two workers showed "Move so the camera sees all of
    # you" first). What is tested here is the window.
    args = ["live", "--exercise", "knee_rolls", "--source", str(slow_astronaut_video), "--skip-setup-check",
            "--every-frame", "--variant", "full",
            "--instructions-seconds", "0", "--windowed", "--no-voice", "--no-history",
            "--session-dir", str(tmp_path / "session"),
            "--profile", str(tmp_path / "profile.toml"), "--pain-before", "3"]  # rated: straight to the exercise
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), str(framebuffer), *args], capture_output=True, text=True,
        timeout=120, cwd=REPO, env={**os.environ, "DISPLAY": display,
                                    "POSECHECK_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr[-2000:]
    assert (out / "screen.xwd").exists(), "no cue was ever on screen"
    hud = json.loads((out / "hud.json").read_text())
    # The astronaut is upright, not lying on a mat: the rules say so, and that is the cue on screen.
    assert hud["cue"].startswith("Lie on your back") and hud["reps"] == 0

    width, height = CANVAS_SIZE
    screen = read_xwd(out / "screen.xwd")
    cv2.imwrite(str(out / "screen.png"), screen)
    window = screen[:height, :width]
    shown, no_cue, other_count = (cv2.imread(str(out / f"{name}.png")) for name in ("shown", "no_cue", "other_count"))
    # The screen holds the picture the trainer drew (the mouse pointer is the only other thing there).
    assert differing_share(window, shown) < 0.005

    cue_band = np.s_[height - KEYS_BAR_H - CUE_BAR_H : height - KEYS_BAR_H, :]
    assert differing_share(window[cue_band], shown[cue_band]) < 0.01
    assert differing_share(window[cue_band], no_cue[cue_band]) > 0.5  # the cue's bar and words are there

    counter = np.s_[:TOP_BAR_H, width // 2 :]
    assert differing_share(window[counter], shown[counter]) < 0.01
    assert differing_share(window[counter], other_count[counter]) > 0.01  # "0", not "1": the count is drawn

    session = json.loads((tmp_path / "session" / "session.json").read_text())
    assert session["ended_at"] and session["exercises"][0]["ended_by"] == "quit"  # q saves everything
    assert (tmp_path / "session" / "report.html").exists()
