"""Headless commands: extract, import, tasks, sources, search."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from app import __version__
from app.core.errors import FolioError
from app.core.library import HIT_END, HIT_START, Library
from app.core.models import BackgroundTask, OcrMode, TaskStatus
from app.core.paths import default_library_dir

SUBCOMMANDS = ("extract", "import", "tasks", "sources", "search", "restore")

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"folio: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: an option given before the command is not reset by the command's parser.
    common.add_argument(
        "--library",
        metavar="DIR",
        type=Path,
        default=argparse.SUPPRESS,
        help="the library folder (default: $FOLIO_LIBRARY or the user data folder)",
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")

    parser = _Parser(
        prog="folio",
        description="Folio turns PDFs and scans into searchable text.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"Folio {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ocr_help = "when to OCR: auto (pages without a text layer), always, never"
    ex = sub.add_parser("extract", parents=[common], help="print the text of each page")
    ex.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ex.add_argument("--ocr", choices=[m.value for m in OcrMode], default="auto", help=ocr_help)
    ex.add_argument("--lang", default="eng", help="OCR languages, e.g. eng+deu")
    ex.add_argument("--pages", help="pages to read, e.g. 1-3,7")
    ex.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="pages read at once")

    im = sub.add_parser("import", parents=[common], help="import files and folders")
    im.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    im.add_argument("--wait", action="store_true", help="wait until every task has finished")

    ta = sub.add_parser("tasks", parents=[common], help="list, cancel or retry tasks")
    ta.add_argument("--all", action="store_true", help="include finished tasks")
    ta_sub = ta.add_subparsers(dest="action", parser_class=_Parser)
    ca = ta_sub.add_parser("cancel", parents=[common], help="cancel tasks")
    ca.add_argument("ids", nargs="*", type=int, metavar="ID")
    ca.add_argument("--all", action="store_true", dest="every", help="cancel every active task")
    re_ = ta_sub.add_parser("retry", parents=[common], help="retry failed or cancelled tasks")
    re_.add_argument("ids", nargs="*", type=int, metavar="ID")
    re_.add_argument("--failed", action="store_true", help="retry every failed task")

    sub.add_parser("sources", parents=[common], help="list the documents in the library")
    se = sub.add_parser("search", parents=[common], help="full-text search")
    se.add_argument("query", nargs="+")
    rs = sub.add_parser("restore", parents=[common], help="restore the library from a backup")
    rs.add_argument("backup", nargs="?", type=Path, help="a backup file (default: the newest)")
    rs.add_argument("--list", action="store_true", help="list the backups")
    return parser


def run(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    args.library = getattr(args, "library", None)
    args.json = getattr(args, "json", False)
    try:
        if args.command == "extract":
            return cmd_extract(args)
        if args.command == "import":
            return cmd_import(args)
        if args.command == "tasks":
            return cmd_tasks(args)
        if args.command == "sources":
            return cmd_sources(args)
        if args.command == "search":
            return cmd_search(args)
        if args.command == "restore":
            return cmd_restore(args)
    except FolioError as exc:
        print(f"folio: {exc.message}", file=sys.stderr)
        return EXIT_INPUT_FAILED
    except KeyboardInterrupt:
        print("folio: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return EXIT_USAGE


def _print_notes(notes: list[str]) -> None:
    """Skipped files: each when few, a count and examples when many."""
    if len(notes) <= 5:
        for note in notes:
            print(f"folio: {note}", file=sys.stderr)
    else:
        examples = "; ".join(n.removeprefix("skipped ") for n in notes[:3])
        print(f"folio: skipped {len(notes)} files, e.g. {examples}", file=sys.stderr)
    notes.clear()


def _library_dir(args: argparse.Namespace) -> Path:
    return Path(args.library).expanduser() if args.library else default_library_dir()


def _print_json(data: Any, out: TextIO = sys.stdout) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


# -- extract -------------------------------------------------------------------------


def cmd_extract(args: argparse.Namespace) -> int:
    from app.extraction.batch import BatchExtractor, parse_page_ranges, walk

    pages = None
    if args.pages:
        try:
            pages = parse_page_ranges(args.pages)
        except ValueError as exc:
            print(f"folio: --pages: {exc}.", file=sys.stderr)
            return EXIT_USAGE
    notes: list[str] = []
    status = EXIT_OK
    with BatchExtractor(OcrMode(args.ocr), args.lang, pages, args.jobs) as batch:
        for result in batch.run(walk(args.paths, notes)):
            if result.error:
                status = EXIT_INPUT_FAILED
                print(f"folio: {result.error}", file=sys.stderr)
            if args.json:
                sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            else:
                for page in result.pages:
                    if page.error:
                        continue
                    how = page.method or ""
                    if page.confidence is not None:
                        how += f", {page.confidence:.0f}% confidence"
                    print(f"==> {result.file} · page {page.number} ({how}) <==")
                    print(page.text or "")
                    print()
            sys.stdout.flush()
    _print_notes(notes)
    return status


# -- the library, headless ----------------------------------------------------------


def _format_task_row(task: BackgroundTask) -> str:
    source = (task.source_name or task.payload.get("name") or "")[:28]
    page = str(task.page_number or "")
    detail = task.error or task.message
    return (
        f"{task.id:>6}  {task.task_type.value:<15} {task.status.value:<11} "
        f"{source:<28} {page:>4}  {task.scheduled_at[:19]}  {detail}"
    )


def _print_tasks(tasks: list[BackgroundTask], as_json: bool) -> None:
    if as_json:
        _print_json([t.to_json() for t in tasks])
        return
    if not tasks:
        print("No tasks.")
        return
    print(
        f"{'ID':>6}  {'TYPE':<15} {'STATUS':<11} {'SOURCE':<28} {'PAGE':>4}  "
        f"{'SCHEDULED (UTC)':<19}  MESSAGE"
    )
    for task in tasks:
        print(_format_task_row(task))


class _TerminalProgress:
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


def _run_manager(
    library: Library, action: Any, as_json: bool, quiet: bool = False
) -> tuple[list[BackgroundTask], int]:
    """Start a headless manager, do `action(manager)`, run until every task is terminal."""
    from PySide6.QtCore import QCoreApplication

    from app.tasks.manager import ExtractionManager

    app = QCoreApplication.instance() or QCoreApplication([])
    manager = ExtractionManager(library)
    touched: dict[int, BackgroundTask] = {}
    history: set[int] = set()

    def remember(tasks: list[BackgroundTask]) -> None:
        for task in tasks:
            if task.id not in history:
                touched[task.id] = task

    manager.tasksAdded.connect(remember)
    progress = _TerminalProgress()

    def show(agg: Any) -> None:
        if not quiet:
            finished = agg.done + agg.failed + agg.cancelled
            progress.show(finished, agg.total, agg.summary())

    manager.aggregateChanged.connect(show)
    manager.idle.connect(app.quit)
    if manager.paused:
        print(
            "folio: the queue of this library is paused; resuming it for this command.",
            file=sys.stderr,
        )
        manager.resume()
    resumed = manager.start()
    history.update(t.id for t in manager.tasks() if t.status.is_terminal)
    remember(manager.active_tasks())
    action(manager)
    if not manager.is_idle():
        app.exec()
    manager.flush_now()
    manager.shutdown()
    progress.close()
    tasks = sorted(touched.values(), key=lambda t: t.id)
    failed = sum(1 for t in tasks if t.status is TaskStatus.FAILED)
    if resumed and not quiet:
        print(f"folio: resumed {len(resumed)} interrupted task(s).", file=sys.stderr)
    return tasks, failed


def cmd_import(args: argparse.Namespace) -> int:
    from app.extraction.batch import walk

    notes: list[str] = []
    paths = list(walk(args.paths, notes))
    _print_notes(notes)
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"folio: {p} does not exist; check the path.", file=sys.stderr)
    paths = [p for p in paths if p.exists()]
    folder = _library_dir(args)
    remote = _send(folder, {"op": "import", "paths": [str(p.absolute()) for p in paths]})
    if remote is not None:
        return _import_through_window(folder, remote, args, bool(missing))
    with Library(folder) as library:
        library.acquire_writer_lock()
        library.store.sweep(library.stored_hashes())
        tasks, failed = _run_manager(library, lambda m: m.import_files(paths), args.json)
    if args.json:
        _print_json([t.to_json() for t in tasks])
    else:
        for task in tasks:
            if task.status is TaskStatus.FAILED:
                print(f"folio: {task.error}", file=sys.stderr)
        counts: dict[str, int] = {}
        for task in tasks:
            counts[task.status.value] = counts.get(task.status.value, 0) + 1
        summary = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(counts.items()))
        print(f"{len(tasks)} tasks: {summary or 'nothing to do'}.")
    return EXIT_INPUT_FAILED if failed or missing else EXIT_OK


def _send(folder: Path, request: dict[str, Any]) -> dict[str, Any] | None:
    """Ask the Folio window that owns this library, if one runs."""
    if not (folder / "library.sqlite3").exists():
        return None
    from app.tasks.instance import send_to_running

    reply = send_to_running(folder, request)
    if reply is not None and not reply.get("ok"):
        raise FolioError(str(reply.get("error")))
    return reply


def _import_through_window(
    folder: Path, reply: dict[str, Any], args: argparse.Namespace, missing: bool
) -> int:
    import time

    ids = [t["id"] for t in reply["tasks"]]
    print(
        f"folio: the Folio window that owns {folder} is importing {len(ids)} file(s).",
        file=sys.stderr,
    )
    # Only this import's own tasks are asked for (never the window's whole history).
    progress = _TerminalProgress()
    tasks: list[dict[str, Any]] = reply["tasks"]
    while True:
        batch = _send(folder, {"op": "batch", "ids": ids})
        if batch is None:
            break
        tasks = batch["tasks"]
        active = sum(1 for t in tasks if t["status"] in ("pending", "in_progress"))
        if not args.wait or active == 0:
            break
        progress.show(len(tasks) - active, len(tasks), f"{active} of this import's tasks to go")
        time.sleep(0.25)
    progress.close()
    if args.json:
        _print_json(tasks)
    failed = [t for t in tasks if t["status"] == "failed"]
    for task in failed:
        print(f"folio: {task['error']}", file=sys.stderr)
    return EXIT_INPUT_FAILED if failed or missing else EXIT_OK


def cmd_tasks(args: argparse.Namespace) -> int:
    folder = _library_dir(args)
    if args.action is None:
        with Library(folder) as library:
            statuses = None if args.all else [TaskStatus.PENDING, TaskStatus.IN_PROGRESS]
            _print_tasks(library.tasks(statuses=statuses), args.json)
        return EXIT_OK
    if args.action == "cancel" and (args.ids or args.every):
        remote = _send(folder, {"op": "cancel", "ids": args.ids, "all": args.every})
        if remote is not None:
            if args.json:
                _print_json({"cancelled": remote["cancelled"], "skipped": remote["skipped"]})
            else:
                print(remote["summary"])
            skipped = {int(k): v for k, v in remote["skipped"].items()}
            return _report_not_found(skipped, folder)
    if args.action == "retry" and (args.ids or args.failed):
        remote = _send(folder, {"op": "retry", "ids": args.ids, "failed": args.failed})
        if remote is not None:
            if args.json:
                _print_json(remote["tasks"])
            else:
                print(f"Queued {len(remote['tasks'])} task(s) in the Folio window.")
            skipped = {int(k): v for k, v in remote.get("skipped", {}).items()}
            return _report_not_retried(skipped, folder)
    with Library(folder) as library:
        library.acquire_writer_lock()
        if args.action == "cancel":
            if not args.ids and not args.every:
                print("folio: tasks cancel: give task ids or --all.", file=sys.stderr)
                return EXIT_USAGE
            return _cancel(library, args)
        if not args.ids and not args.failed:
            print("folio: tasks retry: give task ids or --failed.", file=sys.stderr)
            return EXIT_USAGE

        skipped: dict[int, str] = {}

        def retry(manager: Any) -> None:
            if args.failed:
                manager.retry_failed()
            if args.ids:
                skipped.update(manager.retry_explained(args.ids)[1])

        tasks, failed = _run_manager(library, retry, args.json)
        _print_tasks(tasks, args.json)
        refused = _report_not_retried(skipped, folder)
        return EXIT_INPUT_FAILED if failed or refused else EXIT_OK


def _report_not_found(skipped: dict[int, str], folder: Path) -> int:
    """One line per task id that does not exist; exit 1 if any."""
    missing = [i for i, reason in skipped.items() if reason == "not found"]
    for task_id in missing:
        print(f"folio: there is no task {task_id} in {folder}.", file=sys.stderr)
    return EXIT_INPUT_FAILED if missing else EXIT_OK


def _report_not_retried(skipped: dict[int, str], folder: Path) -> int:
    """One line per task id that could not be retried, with why; exit 1 if any."""
    for task_id, reason in skipped.items():
        if reason == "not found":
            print(f"folio: there is no task {task_id} in {folder}.", file=sys.stderr)
        else:
            print(f"folio: task {task_id} was not retried: {reason}.", file=sys.stderr)
    return EXIT_INPUT_FAILED if skipped else EXIT_OK


def _cancel(library: Library, args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication

    from app.tasks.manager import ExtractionManager

    _app = QCoreApplication.instance() or QCoreApplication([])
    manager = ExtractionManager(library)
    manager.pause_in_memory()
    manager.start()
    outcome = manager.cancel_all() if args.every else manager.cancel_many(args.ids)
    manager.shutdown()
    if args.json:
        _print_json({"cancelled": outcome.cancelled, "skipped": outcome.skipped})
    else:
        print(outcome.summary())
    return _report_not_found(outcome.skipped, library.folder)


def cmd_sources(args: argparse.Namespace) -> int:
    with Library(_library_dir(args)) as library:
        sources = library.sources()
        states = library.source_states()
    if args.json:
        out = []
        for s in sources:
            item = s.to_json()
            st = states.get(s.id)
            item["pagesWithText"] = st.completed if st else 0
            item["pagesFailed"] = st.failed if st else 0
            out.append(item)
        _print_json(out)
        return EXIT_OK
    if not sources:
        print("The library is empty; add documents with: folio import PATH")
        return EXIT_OK
    print(f"{'ID':>5}  {'PAGES':>5}  {'TEXT':>5}  {'FAILED':>6}  {'ADDED (UTC)':<19}  NAME")
    for s in sources:
        st = states.get(s.id)
        print(
            f"{s.id:>5}  {s.page_count:>5}  {st.completed if st else 0:>5}  "
            f"{st.failed if st else 0:>6}  {s.added_at[:19]:<19}  {s.name}"
        )
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    with Library(_library_dir(args)) as library:
        hits = library.search(query)
    if args.json:
        _print_json([h.to_json() for h in hits])
        return EXIT_OK
    if not hits:
        print(f"No page contains {query!r}.")
        return EXIT_OK
    bold = sys.stdout.isatty()
    for hit in hits:
        snippet = " ".join(hit.snippet.split())
        if bold:
            snippet = snippet.replace(HIT_START, "\x1b[1m").replace(HIT_END, "\x1b[0m")
        else:
            snippet = snippet.replace(HIT_START, "[").replace(HIT_END, "]")
        print(f"{hit.source_name} · page {hit.page_number}: {snippet}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from app.core.backup import backups, restore_backup

    folder = _library_dir(args)
    found = backups(folder)
    if args.list:
        if args.json:
            _print_json([{"path": str(b.path), "madeAt": b.made_at.isoformat()} for b in found])
        elif not found:
            print(f"The library {folder} has no backups yet.")
        for b in found:
            print(f"{b.label}  {b.path}")
        return EXIT_OK
    chosen = args.backup or (found[0].path if found else None)
    if chosen is None:
        print(f"folio: the library {folder} has no backups to restore.", file=sys.stderr)
        return EXIT_INPUT_FAILED
    if _send(folder, {"op": "status"}) is not None:
        print(f"folio: a Folio window is using {folder}; quit it, then restore.", file=sys.stderr)
        return EXIT_INPUT_FAILED
    from app.core.errors import LibraryLockedError
    from app.core.library import folder_lock

    try:
        with folder_lock(folder):
            aside = restore_backup(folder / "library.sqlite3", Path(chosen))
    except LibraryLockedError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        return EXIT_INPUT_FAILED
    print(
        f"Restored {chosen}; the previous database is kept as {aside.name}. "
        "Documents added after this backup need importing again."
    )
    return EXIT_OK
