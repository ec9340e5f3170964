"""What the commands print and how they reach a running window."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast

from app.core.errors import FolioError
from app.core.models import BackgroundTask
from app.core.paths import default_library_dir

#: What a terminal may act on instead of showing: C0 controls but tab and newline
#: (ESC starts escape sequences), DEL and C1 controls (U+009B is a CSI of its own).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Left raw by json.dumps(ensure_ascii=False): written as \u escapes instead.
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` without control characters (kept: newline and tab)."""
    return _CONTROLS.sub("", text)


class PrintableStream:
    """A text stream that passes on what a terminal shows as text, never a control sequence.

    Document names and text come from files anyone may have made: an escape sequence
    in them must not clear the screen, retitle the window or forge earlier output.
    """

    def __init__(self, unfiltered: TextIO) -> None:
        self.unfiltered = unfiltered

    def write(self, text: str) -> int:
        self.unfiltered.write(printable(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unfiltered, name)  # flush, fileno, isatty, encoding…


def unfiltered(stream: TextIO) -> TextIO:
    """The stream under a PrintableStream, for Folio's own escape sequences (bold, \\r)."""
    inner = getattr(stream, "unfiltered", stream)
    return cast(TextIO, inner)


@contextlib.contextmanager
def printable_output() -> Iterator[None]:
    """While a command runs, its standard output and error carry no control sequences."""
    saved = sys.stdout, sys.stderr
    if saved[0] is not None:
        sys.stdout = cast(TextIO, PrintableStream(saved[0]))
    if saved[1] is not None:
        sys.stderr = cast(TextIO, PrintableStream(saved[1]))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def json_text(data: Any, indent: int | None = None) -> str:
    """JSON as text, every control character escaped (the data unchanged)."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_notes(notes: list[str]) -> None:
    """Skipped files: each when few, a count and examples when many."""
    if len(notes) <= 5:
        for note in notes:
            print(f"folio: {note}", file=sys.stderr)
    else:
        examples = "; ".join(n.removeprefix("skipped ") for n in notes[:3])
        print(f"folio: skipped {len(notes)} files, e.g. {examples}", file=sys.stderr)
    notes.clear()


def library_dir(args: argparse.Namespace) -> Path:
    return Path(args.library).expanduser() if args.library else default_library_dir()


def languages_missing(lang: str | None) -> bool:
    """Whether OCR languages asked for are not installed (then said on stderr)."""
    if not lang:
        return False
    from app.extraction.tesseract import check_languages

    try:
        check_languages(lang)
    except FolioError as exc:
        print(f"folio: {exc.message}", file=sys.stderr)
        return True
    return False


def print_json(data: Any, out: TextIO | None = None) -> None:
    (out or sys.stdout).write(json_text(data, indent=2) + "\n")


def format_task_row(task: BackgroundTask) -> str:
    source = (task.source_name or task.payload.get("name") or "")[:28]
    page = str(task.page_number or "")
    detail = task.error or task.message
    return (
        f"{task.id:>6}  {task.task_type.value:<15} {task.status.value:<11} "
        f"{source:<28} {page:>4}  {task.scheduled_at[:19]}  {detail}"
    )


def print_tasks(tasks: list[BackgroundTask], as_json: bool) -> None:
    if as_json:
        print_json([t.to_json() for t in tasks])
        return
    if not tasks:
        print("No tasks.")
        return
    print(
        f"{'ID':>6}  {'TYPE':<15} {'STATUS':<11} {'SOURCE':<28} {'PAGE':>4}  "
        f"{'SCHEDULED (UTC)':<19}  MESSAGE"
    )
    for task in tasks:
        print(format_task_row(task))


class TerminalProgress:
    """A one-line progress bar on a terminal; silent when stderr is not one."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = unfiltered(stream or sys.stderr)  # its \r and nothing else
        self.enabled = self.stream.isatty()
        self.last = ""

    def show(self, done: int, total: int, text: str) -> None:
        if not self.enabled:
            return
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - len(text) - 12))
        filled = int(width * done / total) if total else 0
        text = printable(text)
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {text}"
        if line != self.last:
            self.stream.write(line.ljust(len(self.last)))
            self.stream.flush()
            self.last = line

    def close(self) -> None:
        if self.enabled and self.last:
            self.stream.write("\n")
            self.stream.flush()


def send(folder: Path, request: dict[str, Any]) -> dict[str, Any] | None:
    """Ask the Folio window that owns this library, if one runs."""
    if not (folder / "library.sqlite3").exists():
        return None
    from app.tasks.instance import send_to_running

    reply = send_to_running(folder, request)
    if reply is not None and not reply.get("ok"):
        raise FolioError(str(reply.get("error")))
    return reply
