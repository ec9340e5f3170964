"""Composition root: `folio` opens the window, `folio COMMAND` runs headless."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence


def _wants_cli(argv: Sequence[str]) -> bool:
    from app.cli import SUBCOMMANDS

    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--library":
            skip = True
            continue
        if arg in ("-h", "--help", "--version"):
            return True
        if arg.startswith("-"):
            continue
        return arg in SUBCOMMANDS
    return False


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--worker"]:
        from app.extraction.worker import main as worker_main

        return worker_main()
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s: %(message)s"
    )
    if _wants_cli(args):
        from app.cli import run

        return run(args)
    return run_gui(args)


def run_gui(args: list[str]) -> int:
    """Build the window and its engine, import the files given, run the event loop."""
    from app.ui.launcher import launch

    return launch(args)
