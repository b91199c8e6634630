"""Progress bars for long work: frames, rate and time left on a terminal; silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], total: int | None, description: str, unit: str = "frame",
             enabled: bool = True) -> Iterator[T]:
    """Wrap `items` in a progress bar on stderr when it is a terminal."""
    show = enabled and sys.stderr.isatty()
    yield from tqdm(items, total=total, desc=description, unit=unit, disable=not show,
                    dynamic_ncols=True, leave=False)
