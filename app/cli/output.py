"""What the commands print and how they reach a running window."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any, TextIO

from app.core.errors import FolioError
from app.core.models import BackgroundTask
from app.core.paths import default_library_dir


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


def print_json(data: Any, out: TextIO = sys.stdout) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


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

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.last = ""

    def show(self, done: int, total: int, text: str) -> None:
        if not self.enabled:
            return
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - len(text) - 12))
        filled = int(width * done / total) if total else 0
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
