"""`posecheck` command line: each sub-command lives in its own module with a `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from posecheck.errors import PosecheckError

# One line per sub-command module; each module defines `register(subparsers)`, which adds its parser
# and sets `func(args) -> int` as the parser's default.
COMMAND_MODULES: tuple[str, ...] = (
    "posecheck.models",
    "posecheck.record",
    "posecheck.report.command",
    "posecheck.history.command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posecheck",
        description="Checks your form in a lower-back routine from a webcam or a video, on your own machine.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
