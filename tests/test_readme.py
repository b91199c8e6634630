"""The README's examples run as written, from the checkout: its Python examples (real MediaPipe on a bundled
clip) and every shell example that runs offline in seconds; the others are named here with why they are not
run. Its tables of exercises say what the rule modules say, and the pictures it shows exist."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

import exercise_rules
import posecheck
from posecheck.report.targets import ROUTINE_TARGETS

README = (REPO / "README.md").read_text(encoding="utf-8")
# Shell examples not run here, each with why (a test elsewhere covers most of them).
NOT_RUN = {
    "pip install": "installs into an environment: tests/test_install.py builds and installs the wheel",
    "posecheck models fetch": "downloads or builds a model: tests/test_models.py",
    "posecheck doctor": "opens the camera and speaks: tests/test_doctor.py",
    "posecheck demo": "a minute of MediaPipe: tests/test_install.py runs it from the installed wheel",
    "posecheck routine": "needs a webcam and a screen: tests/test_live_*.py drive the live loop",
    "posecheck live": "needs a screen and plays a clip in real time: tests/test_live_*.py",
    "make": "the developer's whole set-up and test suite",
}


def _shell_lines() -> list[str]:
    """Each command of the README's sh blocks, without its comment."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_every_python_example_in_the_readme_runs():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for code in blocks:
        done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    # The last example counts its clip's rolls: the clip's labels say how many.
    clip = re.findall(r'clip = "(.*?)"', blocks[-1])[0]
    labelled = len(json.loads((REPO / clip).with_suffix(".json").read_text())["reps"])
    assert done.stdout.strip().splitlines()[-1] == f"{labelled} rolls"


@pytest.fixture(scope="module")
def shell_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, subprocess.CompletedProcess]]]:
    """Every shell example that is not in NOT_RUN, run in order by bash as a user would type it, in a fresh
    home (its config and data folders empty) with the checkout's posecheck on the PATH."""
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items()
           if k not in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "POSECHECK_DATA_DIR")}
    env.update(HOME=str(home), PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    runs = []
    for line in _shell_lines():
        if any(line.startswith(prefix) for prefix in NOT_RUN):
            continue
        done = subprocess.run(["bash", "-c", line], cwd=home, env=env, capture_output=True, text=True, timeout=120)
        runs.append((line, done))
    return home, runs


def test_every_shell_example_is_run_or_named_with_why_not():
    lines = _shell_lines()
    assert len(lines) >= 10
    for line in lines:
        assert line.startswith(("posecheck", *NOT_RUN)), f"an example the tests do not know: {line}"


def test_the_offline_shell_examples_run(shell_runs):
    home, runs = shell_runs
    assert len(runs) >= 7
    for line, done in runs:
        assert done.returncode == 0, (line, done.stderr[-1000:])
    said = {line: done.stdout for line, done in runs}
    assert said["posecheck --version"].split() == ["posecheck", posecheck.__version__]
    checked = next(out for line, out in said.items() if line.startswith("posecheck plan check"))
    assert checked.strip() == "ok"  # the plan `plan init` wrote is a valid one
    assert (home / ".config" / "posecheck" / "plan.toml").is_file()
    assert (home / "routine.ics").read_text().startswith("BEGIN:VCALENDAR")
    shown = next(out for line, out in said.items() if line.startswith("posecheck plan show"))
    for module in exercise_rules.all_exercises().values():
        assert module.TITLE in shown  # the sheet's plan: every exercise, every day


def test_the_readme_lists_every_check_with_the_cue_its_rule_says():
    for module in exercise_rules.all_exercises().values():
        for check in module.CHECKS:
            assert f"| {module.TITLE} | `{check.name}` | {check.basis} | {check.cue} |" in README, check.name


def test_the_readme_gives_each_exercise_the_targets_of_its_rule_module():
    for name, module in exercise_rules.all_exercises().items():
        row = next(line for line in README.splitlines() if line.startswith(f"| {module.TITLE} | ") and
                   line.count("|") == 4)
        assert row.rstrip().endswith(f"| {ROUTINE_TARGETS[name].describe()} |"), name


def test_every_picture_the_readme_shows_exists():
    pictures = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", README)
    assert len(pictures) >= 5
    for picture in pictures:
        assert (REPO / picture).is_file(), picture
