"""Errors a user can fix: one clear line, exit status 2, no traceback."""

from __future__ import annotations

EXIT_USAGE = 2


class PosecheckError(Exception):
    """A problem with the user's input or environment; the message says how to fix it."""

    exit_code = EXIT_USAGE
