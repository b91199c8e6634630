"""The exerciser's profile: a small TOML file read with tomllib, written once with its comments.

Its first creation is the first run: the trainer then shows the notice to speak to a physiotherapist.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from posecheck.errors import PosecheckError

PROFILE_VARIABLE = "POSECHECK_PROFILE"

DEFAULT_TEXT = """\
# posecheck profile: edit and save; it is read at the start of each session.

# true if you have a knee problem: the heels stretch then reminds you not to sit back on your heels
# ("Avoid sitting back on your heels if you have a knee problem").
knee_problem = false

# Spoken cues (needs espeak-ng; without it posecheck stays silent).
voice = true

# Keep the camera's video in the session folder as well as the landmarks.
record_video = false
"""


@dataclass(frozen=True)
class Profile:
    knee_problem: bool = False
    voice: bool = True
    record_video: bool = False

    def settings(self) -> dict[str, Any]:
        """What the exercise rules and the session record may read."""
        return asdict(self)


def default_path() -> Path:
    """$POSECHECK_PROFILE, else $XDG_CONFIG_HOME/posecheck/profile.toml (~/.config by default)."""
    if os.environ.get(PROFILE_VARIABLE):
        return Path(os.environ[PROFILE_VARIABLE]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "posecheck" / "profile.toml"


def load_profile(path: str | Path | None = None) -> tuple[Profile, bool]:
    """(the profile, whether this is the first run: no profile file yet). Bad files raise PosecheckError."""
    path = Path(path) if path else default_path()
    if not path.exists():
        return Profile(), True
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise PosecheckError(f"cannot read the profile {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise PosecheckError(f"the profile {path} is not valid TOML ({error}): fix it or delete it") from error
    known = {f.name: f for f in fields(Profile)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise PosecheckError(
            f"the profile {path} has unknown setting(s) {', '.join(unknown)}: use {', '.join(known)}"
        )
    for key, value in data.items():
        if not isinstance(value, bool):
            raise PosecheckError(f"in the profile {path}, {key} must be true or false, not {value!r}")
    return Profile(**data), False


def write_default_profile(path: str | Path | None = None) -> Path:
    """Create the profile file with its comments (after the first-run notice was shown)."""
    path = Path(path) if path else default_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(DEFAULT_TEXT, encoding="utf-8")
    except OSError as error:
        raise PosecheckError(f"cannot write the profile {path}: {error.strerror}") from error
    return path
