"""The report opens in the browser after `live`, `routine` and `analyze` only for a person at a desktop.

No test here opens a browser: `webbrowser.open` is replaced by a recorder.
"""

from __future__ import annotations

import pytest
from conftest import REPO

from posecheck import desktop
from posecheck.cli import main

RECORDING = REPO / "samples" / "kinematic" / "knee_rolls__correct__dev1000.jsonl"
CLIP = REPO / "samples" / "video" / "knee_rolls__correct__right__b1.mp4"
AT_A_DESKTOP = {"no_open": False, "headless": False, "interactive": True}


@pytest.mark.parametrize(("change", "env", "opens"), [
    ({}, {"DISPLAY": ":0"}, True),
    ({}, {"WAYLAND_DISPLAY": "wayland-0"}, True),
    ({}, {}, False),  # no display
    ({"no_open": True}, {"DISPLAY": ":0"}, False),
    ({"headless": True}, {"DISPLAY": ":0"}, False),
    ({"interactive": False}, {"DISPLAY": ":0"}, False),  # output piped: a script's run
    ({}, {"DISPLAY": ":0", "CI": "true"}, False),
])
def test_the_report_opens_only_for_a_person_at_a_desktop(change, env, opens):
    assert desktop.should_open_report(**{**AT_A_DESKTOP, **change}, env=env, platform="linux") is opens


def test_macos_and_windows_always_have_a_display():
    assert desktop.should_open_report(**AT_A_DESKTOP, env={}, platform="darwin")
    assert desktop.should_open_report(**AT_A_DESKTOP, env={}, platform="win32")


@pytest.fixture
def browser(monkeypatch, tmp_path) -> list[str]:
    """A desktop session at a terminal, with a recorder in place of the browser; yields the opened URLs."""
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.setattr(desktop, "is_interactive", lambda: True)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("POSECHECK_DATA_DIR", str(tmp_path / "data"))
    return opened


def analyze(tmp_path, *extra: str) -> int:
    return main(["analyze", str(RECORDING), "--exercise", "knee_rolls", "--session-dir", str(tmp_path / "s"), *extra])


def test_analyze_opens_its_report_at_a_desktop(tmp_path, browser):
    assert analyze(tmp_path) == 0
    assert browser == [(tmp_path / "s" / "report.html").as_uri()]


def test_analyze_with_no_open_or_in_ci_leaves_the_browser_alone(tmp_path, browser, monkeypatch):
    assert analyze(tmp_path, "--no-open") == 0
    monkeypatch.setenv("CI", "1")
    assert analyze(tmp_path / "again") == 0
    assert (tmp_path / "again" / "s" / "report.html").is_file()
    assert browser == []


def live(tmp_path, *extra: str) -> int:
    return main(["live", "--exercise", "knee_rolls", "--source", str(CLIP), "--max-seconds", "1", "--no-voice",
                 "--skip-setup-check", "--session-dir", str(tmp_path / "live"),
                 "--profile", str(tmp_path / "profile.toml"), *extra])


def test_live_headless_never_opens_the_report(tmp_path, browser, full_model):
    assert live(tmp_path, "--headless") == 0
    assert (tmp_path / "live" / "report.html").is_file()
    assert browser == []
