"""The report opens in a real browser (headless Chromium), offline, with its title, rep tables and plots."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import cv2
import pytest
from session_builders import ExercisePlan, record_session

from posecheck.report import make_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install -y chromium)"
)
ATTACK = "<script>document.title='PWNED'</script>"


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", "--hide-scrollbars",
         *args],
        capture_output=True, text=True, timeout=120, check=True,
    )


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = record_session(
        tmp_path_factory.mktemp("browser") / "session",
        [ExercisePlan("knee_rolls", 8, faults={2: [("shoulders_on_floor", "Keep both shoulders on the floor")]}),
         ExercisePlan("back_extensions", 8, faults={3: [("hips_grounded", "Keep your hips on the floor")]},
                      hold_s=6.0, rep_s=8.0)],
        name=f"Thursday {ATTACK}", notes=f"notes {ATTACK}",
    )
    return make_report(folder, history=False).html


def test_the_dom_chromium_builds_has_the_title_rep_tables_and_plots(report_html: Path, tmp_path: Path) -> None:
    dom = _chromium(tmp_path / "profile", "--dump-dom", report_html.as_uri()).stdout
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert title.startswith("posecheck report: Thursday"), "the injected script did not run"
    assert "PWNED" not in title.replace("&lt;script&gt;document.title='PWNED'&lt;/script&gt;", "")
    assert "<script" not in dom.replace("&lt;script&gt;", "")
    assert len(re.findall(r'<table class="reps">', dom)) == 2
    assert len(re.findall(r"<tr class=\"[a-z]*\"><td class=\"num\">\d+</td>", dom)) == 16
    assert "Keep both shoulders on the floor" in dom
    plots = re.findall(r'<figure class="plot"><img src="data:image/png;base64,', dom)
    assert len(plots) == 2
    assert len(re.findall(r'<div class="fault">', dom)) == 2


def test_the_screenshot_shows_a_rendered_page(report_html: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=1100,3000", report_html.as_uri())
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[:2] == (3000, 1100)
    # The page is laid out: not blank, with the dark heading text and the pale page background.
    assert (image.sum(axis=2) < 150).mean() > 0.002
    assert image.std() > 20
