"""Passwords on the command line: `--password`, or asked for at the terminal with getpass."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from app.core.locked import wrong_password_sentence

#: Times a file's password is asked for at the terminal before the file is given up.
MAX_TRIES = 3


def add_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password",
        metavar="PW",
        default=None,
        help="the password of PDFs protected by one (without it Folio asks at the terminal; "
        "it is kept only while the command runs)",
    )


def can_ask() -> bool:
    """Whether a person at a terminal can be asked (stdin is a terminal)."""
    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except (AttributeError, ValueError):
        return False


def locked_line(name: str, wrong: bool, given: bool) -> str:
    """The command line's one sentence for a file it could not open for want of its password."""
    if wrong and given:
        return f"The password given does not open {name}; pass the right one with --password."
    if wrong:
        return (
            f"None of the passwords tried opens {name}; run the command again and enter the "
            "right one, or pass it with --password."
        )
    return f"{name} is protected by a password; pass it with --password (or run in a terminal)."


class TerminalPasswords:
    """Asks at the terminal for the password of each file that needs one, MAX_TRIES times.

    Called as `AskPassword` (see app.extraction.batch): (file, last one was wrong) →
    the password typed, or None once the tries are used up or nothing was typed.
    """

    def __init__(
        self,
        prompt: Callable[[str], str] = getpass.getpass,
        before: Callable[[], None] | None = None,
    ) -> None:
        self._prompt = prompt
        #: Called before each question (e.g. to clear a progress line).
        self._before = before
        self._tries: dict[Path, int] = {}

    def __call__(self, path: Path, wrong: bool) -> str | None:
        tries = self._tries.get(path, 0)
        if self._before is not None:
            self._before()
        if wrong and tries:
            print(f"folio: {wrong_password_sentence(path.name)}", file=sys.stderr)
        if tries >= MAX_TRIES:
            return None
        self._tries[path] = tries + 1
        try:
            answer = self._prompt(f"Password for {path.name}: ")
        except EOFError:
            return None
        return answer or None


def asker(args: argparse.Namespace) -> TerminalPasswords | None:
    """Who to ask for passwords: the terminal, unless --password was given or there is none."""
    if getattr(args, "password", None) or not can_ask():
        return None
    return TerminalPasswords()
