"""Every rule traces to the physiotherapist's sheet: each check quotes it, and the module's docstring
quotes the same words."""

from __future__ import annotations

import pytest
from conftest import REPO, SHARED

import exercise_rules

SHEET = SHARED / "routine" / "lower-back-routine.txt"


def _words(text: str) -> str:
    # The sheet uses typographic apostrophes; the modules plain ones.
    return " ".join(text.replace("\u2019", "'").split())


@pytest.mark.parametrize("name", exercise_rules.NAMES)
def test_every_check_quotes_the_sheet_and_its_module_quotes_it_too(name):
    sheet = _words(SHEET.read_text(encoding="utf-8"))
    module = exercise_rules.get(name)
    assert module.CHECKS
    for check in module.CHECKS:
        assert check.source in sheet, (check.name, check.source)
        assert check.source in _words(module.__doc__), check.name
        assert check.cue and check.reason


def test_every_check_says_what_it_judges_against_and_the_readme_lists_it():
    """Each check names its reference (the person's own rest or start position, a line of the body, or a
    fixed value), and the README's table gives the same for every check: the two cannot drift apart."""
    readme = (REPO / "README.md").read_text()
    for module in exercise_rules.all_exercises().values():
        for check in module.CHECKS:
            assert check.basis.strip(), check.name
            assert f"| {module.TITLE} | `{check.name}` | {check.basis} |" in readme, check.name
