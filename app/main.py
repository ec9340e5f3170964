"""Composition root: `folio` opens the window, `folio COMMAND` runs headless."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence


def _first_word(argv: Sequence[str]) -> str | None:
    """The first argument that is neither an option nor an option's value."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--library":
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg
    return None


def _wants_cli(argv: Sequence[str]) -> bool:
    from app.cli import SUBCOMMANDS

    if any(arg in ("-h", "--help", "--version") for arg in argv):
        return True
    return _first_word(argv) in SUBCOMMANDS


def _unknown_command(argv: Sequence[str]) -> str | None:
    """A first word that is no command and no file: a mistyped or missing command.

    A word that looks like a file name (a suffix or a folder in it) is left to the
    window, which names the missing file.
    """
    word = _first_word(argv)
    if word is None or os.path.exists(word):
        return None
    if os.sep in word or "/" in word or os.path.splitext(word)[1]:
        return None
    return word


def _ensure_utf8_locale() -> None:
    """With no locale set (LANG unset, e.g. a service or a bare shell), ask for C.UTF-8.

    Python does this for itself at start-up, but not a bundled interpreter; Qt would
    otherwise warn on every start that it switched to C.UTF-8. Worker processes
    inherit the setting.
    """
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = os.environ.get(var)
        if value:
            if value not in ("C", "POSIX"):
                return
            break
    os.environ["LC_CTYPE"] = "C.UTF-8"
    os.environ.pop("LC_ALL", None)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    _ensure_utf8_locale()
    if args[:1] == ["--worker"]:
        from app.extraction.worker import main as worker_main

        return worker_main()
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s: %(message)s"
    )
    if _wants_cli(args):
        from app.cli import run

        return run(args)
    unknown = _unknown_command(args)
    if unknown is not None:
        print(f"folio: unknown command '{unknown}' (see folio --help)", file=sys.stderr)
        return 2
    return run_gui(args)


def run_gui(args: list[str]) -> int:
    """Build the window and its engine, import the files given, run the event loop."""
    from app.ui.shell.launcher import launch

    return launch(args)
