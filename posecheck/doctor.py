"""`posecheck doctor`: one screen saying what live training needs, what works and what to do about the rest.

Each check gives one line. A failed required check (a FAIL line) means live training cannot run and
the exit status is 1; a failed optional one (a note: voice, other model variants, a slow camera) does
not stop it. Nothing here downloads anything or changes a setting; the voice check says a few words aloud
(hearing them is the check; espeak-ng reports a missing sound device only on its error output).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from posecheck.desktop import has_display
from posecheck.errors import PosecheckError

MIN_PYTHON = (3, 11)
CAMERA_PROBE_S = 1.5  # long enough to see a camera's delivered frame rate settle, short enough to wait for
# The rules time holds and follow movements frame by frame; below this many frames a second they miss reps.
MIN_CAMERA_FPS = 10.0
# A session's landmarks take a few MB; its video (--record-video) takes far more: keep room for one.
MIN_FREE_BYTES = 1_000_000_000
WINDOW_PROBE_TIMEOUT_S = 20
# Opening a window can abort the process (a display that does not answer): try it in a child process.
# Said aloud by the voice check: hearing it is the test.
VOICE_PROBE = "posecheck voice check"
VOICE_PROBE_TIMEOUT_S = 15
WINDOW_PROBE = "import cv2; cv2.namedWindow('posecheck doctor'); cv2.waitKey(1); cv2.destroyAllWindows()"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's screen."""

    name: str
    ok: bool
    detail: str
    required: bool = True  # live training cannot run while a required check fails

    def line(self) -> str:
        mark = "ok  " if self.ok else ("FAIL" if self.required else "note")
        return f"{mark}  {self.name:10s} {self.detail}"


def check_python() -> Check:
    version = platform.python_version()
    if sys.version_info[:2] < MIN_PYTHON:
        return Check("python", False, f"Python {version}: posecheck needs {'.'.join(map(str, MIN_PYTHON))} or newer")
    return Check("python", True, f"Python {version} ({sys.executable})")


def check_mediapipe() -> Check:
    try:
        from mediapipe.tasks.python import vision  # noqa: F401  (the Tasks API posecheck uses)

        version = importlib.metadata.version("mediapipe")
    except Exception as error:  # a broken install raises anything from ImportError to OSError
        return Check("mediapipe", False,
                     f"MediaPipe does not import ({error}): pip install --force-reinstall posecheck")
    return Check("mediapipe", True, f"MediaPipe {version}")


def check_models(required_variant: str) -> list[Check]:
    """Each variant present and matching its pinned sha256 (and loading); only `required_variant` must."""
    from posecheck.models import VARIANTS, ModelError, cached_path, manifest, verify

    try:
        known = [v for v in VARIANTS if v in manifest()["variants"]]
    except ModelError as error:
        return [Check("models", False, str(error))]
    if required_variant not in known:
        return [Check("models", False, f"no model variant {required_variant!r}: choose one of {', '.join(known)}")]
    checks = []
    for variant in known:
        required = variant == required_variant
        name = f"model {variant}"
        if not cached_path(variant).is_file():
            fix = f"not fetched: run `posecheck models fetch --variant {variant}`"
            checks.append(Check(name, False, fix, required))
            continue
        try:
            checks.append(Check(name, True, verify(variant).removeprefix(f"{variant}: ok ")))
        except ModelError as error:
            checks.append(Check(name, False, str(error).removeprefix(f"{variant}: "), required))
    return checks


def check_camera(spec: str, probe_s: float = CAMERA_PROBE_S) -> Check:
    """Open the camera (or a video file standing in for one) and measure the frame rate it delivers."""
    from posecheck.sources import ImagesSource, open_source

    try:
        source = open_source(spec)
    except PosecheckError as error:
        return Check("camera", False, str(error))
    try:
        if isinstance(source, ImagesSource):
            return Check("camera", False, f"{spec} is a still image or a folder: give a webcam index or a video file")
        width, height = source.size
        if not source.live:
            # A video file plays at its own rate in `live --source FILE`; reading it here measures the disk.
            return Check("camera", True,
                         f"{spec}: a video file as the camera, {width}x{height} at {source.fps:.0f} fps")
        frames, first, last = 0, None, None
        start = time.monotonic()
        for frame in source.frames():
            frames += 1
            first = frame.timestamp_ms if first is None else first
            last = frame.timestamp_ms
            height, width = frame.image.shape[:2]
            if time.monotonic() - start >= probe_s:
                break
    finally:
        source.close()
    if frames < 2 or first is None or last is None or last <= first:
        return Check("camera", False, f"{spec} opens but sends no frames: is another program using it? Close it, "
                     "or try another index with --camera")
    fps = (frames - 1) * 1000 / (last - first)
    detail = f"{spec}: {width}x{height}, {fps:.1f} fps delivered (it offers {source.fps:.0f})"
    if fps < MIN_CAMERA_FPS:
        return Check("camera", False, f"{detail}: under {MIN_CAMERA_FPS:.0f} fps reps are missed; more light often "
                     "helps (cameras slow down in the dark)", required=False)
    return Check("camera", True, detail)


def check_display() -> Check:
    """A display named in the environment, and OpenCV able to open a window on it."""
    if not has_display():
        return Check("display", False, "no display (DISPLAY and WAYLAND_DISPLAY are not set): the window cannot "
                     "show; run from a desktop session, or use `posecheck live --headless` (cues printed)")
    try:
        probe = subprocess.run([sys.executable, "-c", WINDOW_PROBE], capture_output=True, text=True,
                               timeout=WINDOW_PROBE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return Check("display", False, "opening a window did not finish: is the display answering?")
    if probe.returncode != 0:
        # Qt's first line names the cause ("could not connect to display :1"); the last is boilerplate.
        said = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[0]
        return Check("display", False, f"OpenCV cannot open a window ({said}): check DISPLAY, or use --headless")
    return Check("display", True, "a window opens")


def check_voice(timeout_s: float = VOICE_PROBE_TIMEOUT_S) -> Check:
    """espeak-ng installed and heard: it says VOICE_PROBE aloud, and its errors (no sound device) are read."""
    from posecheck.live.voice import INSTALL_HINT, espeak_command, why_unheard

    command = espeak_command()
    if command is None:
        return Check("voice", False, f"espeak-ng is not installed: cues are shown, not spoken ({INSTALL_HINT})",
                     required=False)
    try:
        said = subprocess.run([*command, VOICE_PROBE], capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return Check("voice", False, f"espeak-ng ({command[0]}) did not finish speaking in {timeout_s:g} s: "
                     "is the sound device busy?", required=False)
    except OSError as error:
        return Check("voice", False, f"espeak-ng ({command[0]}) does not start ({error.strerror or error})",
                     required=False)
    why = why_unheard(said.returncode, said.stderr)
    if why is not None:
        return Check("voice", False, f"espeak-ng cannot be heard: {why}; cues are shown, not spoken (connect or "
                     "unmute a speaker or headphones, and check the sound settings)", required=False)
    return Check("voice", True, f"espeak-ng ({command[0]}) said \"{VOICE_PROBE}\": if you heard nothing, turn the "
                 "sound up")


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_data_folder() -> list[Check]:
    """The data folder can be written (it is made if missing, as the first session would) and has room."""
    from posecheck.history.store import DATA_DIR_VARIABLE, data_dir

    folder = data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as error:
        return [Check("data", False, f"cannot write to {folder} ({error.strerror or error}): set "
                      f"{DATA_DIR_VARIABLE} to a folder you can write to")]
    checks = [Check("data", True, f"{folder} is writable")]
    free = shutil.disk_usage(_existing_parent(folder)).free
    detail = f"{free / 1e9:.1f} GB free on the data folder's disk"
    if free < MIN_FREE_BYTES:
        checks.append(Check("disk", False, f"{detail}: sessions need at least {MIN_FREE_BYTES / 1e9:.0f} GB; "
                            f"free some space or set {DATA_DIR_VARIABLE} to another disk"))
    else:
        checks.append(Check("disk", True, detail))
    return checks


def run_checks(camera: str, variant: str) -> list[Check]:
    """Every check, in the order the screen shows them."""
    steps: list[tuple[str, Callable[[], Check | list[Check]]]] = [
        ("python", check_python),
        ("mediapipe", check_mediapipe),
        ("models", lambda: check_models(variant)),
        ("camera", lambda: check_camera(camera)),
        ("display", check_display),
        ("voice", check_voice),
        ("data", check_data_folder),
    ]
    checks: list[Check] = []
    for name, step in steps:
        try:
            result = step()
        except Exception as error:  # a diagnosis goes on past whatever one part throws, on one line
            result = Check(name, False, f"could not be checked ({type(error).__name__}: {error})")
        checks.extend(result if isinstance(result, list) else [result])
    return checks


def register(sub: argparse._SubParsersAction) -> None:
    from posecheck.models import DEFAULT_VARIANT

    parser = sub.add_parser(
        "doctor", help="check what live training needs: models, camera, display, voice, data folder",
        description="One line per part live training needs, and what to do about what is missing. "
        "Exit status 0 when live training can run, else 1.")
    parser.add_argument("--camera", "--source", dest="camera", default="0",
                        help="the camera to try: a webcam index (default 0), a device path or a video file")
    parser.add_argument("--variant", default=DEFAULT_VARIANT,
                        help=f"the model variant live training will use (default {DEFAULT_VARIANT})")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    checks = run_checks(args.camera, args.variant)
    for check in checks:
        print(check.line(), flush=True)
    failed = [c for c in checks if c.required and not c.ok]
    if failed:
        print(f"live training cannot run yet: fix the {len(failed)} FAIL line{'s' if len(failed) > 1 else ''} above")
        return 1
    print("live training can run: `posecheck routine`")
    return 0
