"""`posecheck` command line: each sub-command lives in its own module with a `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings

from posecheck.errors import EXIT_USAGE, PosecheckError

# One line per sub-command module; each module defines `register(subparsers)`, which adds its parser
# and sets `func(args) -> int` as the parser's default.
# In the order a user meets them: exercising, looking back, setting up, then the developers' tools.
COMMAND_MODULES: tuple[str, ...] = (
    "posecheck.live.command",
    "posecheck.analyze",
    "posecheck.demo",
    "posecheck.report.command",
    "posecheck.history.command",
    "posecheck.export",
    "posecheck.plan_command",
    "posecheck.remind",
    "posecheck.doctor",
    "posecheck.models",
    "posecheck.record",
    "posecheck.evaluate",
)


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("posecheck")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posecheck",
        description="Checks your form in a lower-back routine from a webcam or a video, on your own machine.",
    )
    parser.add_argument("--version", action="version", version=f"posecheck {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    # A warning is news for the user (e.g. a cut-off recording), not a pointer into our source.
    print(f"posecheck: warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `posecheck`: what it can do, not an argparse error
        parser.print_help()
        return 0
    warnings.showwarning = _one_line_warning
    try:
        return int(args.func(args) or 0)
    except PosecheckError as error:
        print(f"posecheck: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("posecheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        # A file the user named cannot be read or written (read-only folder, full disk) where a command did
        # not say so itself: still one line, not a traceback.
        where = f"{error.filename}: " if error.filename else ""
        print(f"posecheck: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
