"""Every rule traces to the physiotherapist's sheet: each check quotes it, and the module's docstring
quotes the same words."""

from __future__ import annotations

import pytest
from conftest import SHARED

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
