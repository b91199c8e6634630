"""The report printed to PDF by headless Chromium: A4 pages with the focus points and every rep table, no rep
row and no picture cut across a page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata

import pytest
from kinematic_sets import labelled
from real_sessions import trained_sets

from posecheck.report import make_report

pypdf = pytest.importorskip("pypdf", reason="pypdf is in the dev extra: pip install -e '.[dev]'")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install -y chromium)"
)
A4_POINTS = (595.3, 841.9)  # 210 x 297 mm


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[str], list[int]]:
    """A live session of three exercises with faults (real sets through the rules), its report printed:
    the report's content, each page's text and each page's picture count."""
    root = tmp_path_factory.mktemp("print")
    sets = [labelled("knee_rolls", "shoulders_on_floor", 1003, max_reps=6),
            labelled("back_extensions", "hips_grounded", 1002, max_reps=6),
            labelled("pelvic_tilts", "hips_grounded", 1004, max_reps=8)]
    files = make_report(trained_sets(root / "session", sets, name="Thursday"), history=False)
    pdf = root / "report.pdf"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--user-data-dir={root / 'profile'}",
         "--no-pdf-header-footer", f"--print-to-pdf={pdf}", files.html.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )
    reader = pypdf.PdfReader(pdf)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=1.5)
    # Chromium sets "fl" as a ligature; NFKC reads it back as two letters. Line breaks become spaces.
    texts = [re.sub(r"\s+", " ", unicodedata.normalize("NFKC", page.extract_text())) for page in reader.pages]
    return json.loads(files.json.read_text()), texts, [len(page.images) for page in reader.pages]


def test_the_pdf_has_the_focus_points(printed) -> None:
    report, texts, _ = printed
    first_page = texts[0]
    assert "Next time, focus on" in first_page
    assert len(report["focus"]) == 3
    for item in report["focus"]:
        assert item["text"] in first_page and item["why"] in first_page


def test_the_pdf_has_every_rep_table_with_no_row_cut_across_pages(printed) -> None:
    report, texts, _ = printed
    everything = " ".join(texts)
    assert everything.count("Rep by rep") == len(report["exercises"]) == 3
    assert everything.count("FAULTS AND CUES") >= 3  # each table's header (and again on a page it runs onto)
    faulty_rows = 0
    for exercise in report["exercises"]:
        for row in exercise["rep_table"]:
            for fault in row["faults"]:
                words = f"{fault['label']} {fault['cue']}"
                pages = [n for n, text in enumerate(texts) if words in text]
                assert len(pages) >= 1, f"rep {row['rep']} of {exercise['exercise']} is whole on one page"
                faulty_rows += 1
    assert faulty_rows >= 6, "knee rolls, back extensions and pelvic tilts each flagged faults"


def test_no_picture_is_split_across_pages(printed) -> None:
    report, _, pictures = printed
    plots = sum(e["signal"]["image_id"] is not None for e in report["exercises"])
    snapshots = sum(f["worst"]["image_id"] is not None for e in report["exercises"] for f in e["faults"])
    # A picture cut by a page break is drawn on both pages: it would be counted twice.
    assert sum(pictures) == plots + snapshots + 1  # + the comparison plot
    assert plots == 3 and snapshots == 3
