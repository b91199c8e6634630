"""The user's desktop: is there a screen for the window, and may a finished report open in the browser."""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Mapping
from pathlib import Path


def has_display(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Windows and macOS always have one; elsewhere an X11 or Wayland display must be named."""
    env = os.environ if env is None else env
    return platform in ("win32", "darwin") or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def should_open_report(*, no_open: bool, headless: bool, interactive: bool,
                       env: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Open the report only for a person at a desktop: not asked not to, not headless, a terminal, not CI."""
    env = os.environ if env is None else env
    if no_open or headless or not interactive or env.get("CI"):
        return False
    return has_display(env, platform)


def is_interactive() -> bool:
    """A person at a terminal; output piped into a file or another program is a script's run."""
    return sys.stdout.isatty()


def open_report(html: Path, *, no_open: bool, headless: bool = False) -> bool:
    """Show the report in the default browser when `should_open_report` says so; True if it opened."""
    if not should_open_report(no_open=no_open, headless=headless, interactive=is_interactive()):
        return False
    try:
        return webbrowser.open(Path(html).resolve().as_uri())
    except webbrowser.Error:
        return False  # no browser configured: the printed path is enough
