"""The README's Python examples run as written, from the checkout (real MediaPipe on a bundled clip)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import REPO


def test_every_python_example_in_the_readme_runs():
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    assert blocks
    for code in blocks:
        done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    # The last example counts its clip's rolls: the clip's labels say how many.
    clip = re.findall(r'clip = "(.*?)"', blocks[-1])[0]
    labelled = len(json.loads((REPO / clip).with_suffix(".json").read_text())["reps"])
    assert done.stdout.strip().splitlines()[-1] == f"{labelled} rolls"
