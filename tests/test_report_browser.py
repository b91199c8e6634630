"""The report opens in a real browser (headless Chromium), offline, with its title, rep tables and plots.

The session is a real exercise run (tests/session_builders.py); the rows the page must show come from the
sets' labels.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import cv2
import numpy as np
import pytest
from session_builders import RealSet, record_live_session

import exercise_rules
from posecheck.report import make_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install -y chromium)"
)
ATTACK = "<script>document.title='PWNED'</script>"
# Knee rolls with a shoulder lifting in some rolls, back extensions with the hips lifting in some reps.
SETS = (RealSet("knee_rolls", "shoulders_on_floor", 1001), RealSet("back_extensions", "hips_grounded", 1000))
CHECKS = ("shoulders_on_floor", "hips_grounded")
WINDOW = (1100, 9000)  # tall enough for the whole page
PLOT_ALT = "over time, with reps and faults"  # how an exercise's movement plot is described


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", "--hide-scrollbars",
         *args],
        capture_output=True, text=True, timeout=120, check=True,
    )


class Page(HTMLParser):
    """The rep tables (rows of cell texts) and the movement plots (their images) of a DOM."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.plots: list[np.ndarray] = []
        self._in_table = self._in_body = self._in_plot = False
        self._cell: list[str] | None = None
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("class") == "reps":
            self._in_table = True
            self.tables.append([])
        elif tag == "tbody" and self._in_table:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.tables[-1].append([])
        elif tag == "td" and self._in_body:
            self._cell = []
        elif tag == "figure" and a.get("class") == "plot":
            self._in_plot = True
        elif tag == "img" and self._in_plot and PLOT_ALT in (a.get("alt") or ""):
            payload = base64.b64decode((a.get("src") or "").split(",", 1)[1])
            self.plots.append(cv2.imdecode(np.frombuffer(payload, np.uint8), cv2.IMREAD_COLOR))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_table = False
        elif tag == "figure":
            self._in_plot = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = record_live_session(tmp_path_factory.mktemp("browser") / "session", list(SETS),
                                 name=f"Thursday {ATTACK}", notes=f"notes {ATTACK}")
    return make_report(folder, history=False).html


@pytest.fixture(scope="module")
def dom(report_html: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _chromium(tmp_path_factory.mktemp("profile"), "--dump-dom", report_html.as_uri()).stdout


def test_the_page_chromium_builds_has_its_title_and_no_injected_script(dom: str) -> None:
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert title.startswith("posecheck report: Thursday"), "the injected script did not run"
    assert "PWNED" not in title.replace("&lt;script&gt;document.title='PWNED'&lt;/script&gt;", "")
    assert "<script" not in dom.replace("&lt;script&gt;", "")


def test_each_rep_table_has_a_row_per_labelled_rep_with_its_side_and_the_cue_where_the_rep_was_faulty(
        dom: str) -> None:
    tables = Page(dom).tables
    assert len(tables) == len(SETS)
    for table, s, check in zip(tables, SETS, CHECKS, strict=True):
        reps = s.labels["reps"]
        assert [row[0] for row in table] == [str(r["n"]) for r in reps], s.exercise
        cue = next(c.cue for c in exercise_rules.get(s.exercise).CHECKS if c.name == check)
        assert [row[0] for row in table if cue in row[-1]] == [str(n) for n in s.reps_with(check)], s.exercise
        if "left" in s.labels["rep_count"]:  # knee rolls: the side of each roll
            assert [row[1] for row in table] == [r["side"] for r in reps]
        # Each hold as the rules timed it: the labelled hold and a little of the way up and down (at most 1.5 s).
        for row, r in zip(table, reps, strict=True):
            held = float(re.fullmatch(r"(\d+\.\d) s", row[-2]).group(1))
            assert r["hold_ms"] / 1000 - 0.1 <= held <= r["hold_ms"] / 1000 + 1.5, (s.exercise, r["n"])


def test_each_exercise_has_its_movement_plotted(dom: str) -> None:
    plots = Page(dom).plots
    assert len(plots) == len(SETS)
    for plot in plots:
        assert plot is not None and plot.shape[1] > 800
        # A drawn plot, not an empty frame: a light background with a dark curve and coloured rep bands.
        assert (plot.sum(axis=2) < 200).mean() > 0.002 and len(np.unique(plot.reshape(-1, 3), axis=0)) > 20


def test_the_screenshot_shows_each_plot_laid_out_on_the_page(report_html: Path, dom: str, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _chromium(tmp_path / "profile", f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
              report_html.as_uri())
    page = cv2.imread(str(shot))
    assert page is not None and page.shape[:2] == (WINDOW[1], WINDOW[0])
    tops = []
    for plot in Page(dom).plots:
        score, top = _find(page, plot)
        assert score > 0.9, f"plot not found in the screenshot (best match {score:.2f})"
        tops.append(top)
    assert tops == sorted(tops), "the plots come in the exercises' order"


def _find(page: np.ndarray, picture: np.ndarray) -> tuple[float, int]:
    """(match score, top row) of `picture` drawn somewhere on `page` at a width the layout chose (searched
    coarsely at a quarter of the size, then to the pixel around the best place)."""

    def scaled(image: np.ndarray, width: int) -> np.ndarray:
        return cv2.resize(image, (width, max(1, round(image.shape[0] * width / image.shape[1]))),
                          interpolation=cv2.INTER_AREA)

    def best(area: np.ndarray, widths: range) -> tuple[float, int, int]:
        found = (-1.0, 0, 0)
        for width in widths:
            template = scaled(picture, width)
            if template.shape[0] > area.shape[0] or width > area.shape[1]:
                continue
            _, score, _, (_, y) = cv2.minMaxLoc(cv2.matchTemplate(area, template, cv2.TM_CCOEFF_NORMED))
            found = max(found, (score, width, y))
        return found

    quarter = scaled(page, page.shape[1] // 4)
    _, width, y = best(quarter, range(150, min(picture.shape[1], page.shape[1]) // 4 + 1))
    band = page[max(0, 4 * y - 40): 4 * y + 4 * round(picture.shape[0] * width / picture.shape[1]) + 40]
    score, _, top = best(band, range(4 * width - 6, 4 * width + 7))
    return score, max(0, 4 * y - 40) + top
