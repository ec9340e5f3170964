"""folio import: into the library, through a running window when there is one."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.output import (
    TerminalProgress,
    languages_missing,
    library_dir,
    print_json,
    print_notes,
    send,
)
from app.cli.parser import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE
from app.cli.passwords import TerminalPasswords, asker, locked_line
from app.core.errors import FolioError
from app.core.library import Library
from app.core.locked import NEEDS_PASSWORD, WRONG_PASSWORD
from app.core.models import BackgroundTask, TaskStatus, TaskType
from app.services.session import open_for_work


def run_manager(
    library: Library,
    action: Any,
    as_json: bool,
    quiet: bool = False,
    cluster: str | None = None,
    on_locked: Callable[[Any, Any], None] | None = None,
) -> tuple[list[BackgroundTask], int]:
    """Start a headless manager, do `action(manager)`, run until every task is terminal.

    `cluster`: read the pages on the Dask scheduler at this address (ClusterError if
    it cannot be reached; nothing has started then). `on_locked(manager, document)`:
    called when a task stops for a document's password (a LockedDocument).

    Failed tasks that were retried (and so superseded) are not counted as failed."""
    from PySide6.QtCore import QCoreApplication

    from app.tasks.manager import ExtractionManager

    app = QCoreApplication.instance() or QCoreApplication([])
    manager = ExtractionManager(library)
    if cluster:
        from app.cluster.link import link_for

        try:
            link_for(manager).connect_now(cluster)
        except FolioError:
            manager.shutdown()
            raise
    touched: dict[int, BackgroundTask] = {}
    history: set[int] = set()

    def remember(tasks: list[BackgroundTask]) -> None:
        for task in tasks:
            if task.id not in history:
                touched[task.id] = task

    manager.tasksAdded.connect(remember)
    progress = TerminalProgress()

    def show(agg: Any) -> None:
        if not quiet:
            finished = agg.done + agg.failed + agg.cancelled
            progress.show(finished, agg.total, agg.summary())

    manager.aggregateChanged.connect(show)

    def locked(document: Any) -> None:
        if on_locked is not None:
            progress.close()  # the question goes on a line of its own
            on_locked(manager, document)

    manager.passwordNeeded.connect(locked)
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
    # The manager hands out snapshots: read each task as it ended.
    tasks = [manager.get(i) or t for i, t in sorted(touched.items())]
    failed = len(unsettled_failures(tasks))
    if resumed and not quiet:
        print(f"folio: resumed {len(resumed)} interrupted task(s).", file=sys.stderr)
    return tasks, failed


def cmd_import(args: argparse.Namespace) -> int:
    from app.services.walk import collect_files

    collected = collect_files(args.paths)
    paths = collected.files
    print_notes(collected.notes())
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"folio: {p} does not exist; check the path.", file=sys.stderr)
    paths = [p for p in paths if p.exists()]
    folder = library_dir(args)
    lang = args.lang
    if languages_missing(lang):
        return EXIT_USAGE
    request: dict[str, Any] = {"op": "import", "paths": [str(p.absolute()) for p in paths]}
    if lang:
        request["lang"] = lang
    if args.password:  # the window keeps it in memory, for these files
        request["password"] = args.password
    remote = send(folder, request)
    if remote is not None:
        if getattr(args, "cluster", None):
            print(
                "folio: the Folio window reads these pages where its Settings say "
                "(Read pages on a Dask cluster), not with --cluster.",
                file=sys.stderr,
            )
        return _import_through_window(folder, remote, args, bool(missing))
    given = args.password or None
    terminal = asker(args)

    def start(manager: Any) -> None:
        if given:  # for these files only, in memory
            for path in paths:
                manager.passwords.remember_file(path, given)
        manager.import_files(paths, lang=lang)

    def ask(manager: Any, document: Any) -> None:
        if terminal is not None:
            ask_until_it_opens(manager, document, terminal)

    with open_for_work(folder) as library:
        try:
            tasks, failed = run_manager(
                library,
                start,
                args.json,
                cluster=getattr(args, "cluster", None),
                on_locked=ask,
            )
        except FolioError as exc:  # the cluster cannot be used
            print(f"folio: {exc.message}", file=sys.stderr)
            return EXIT_INPUT_FAILED
    if args.json:
        print_json([t.to_json() for t in tasks])
    else:
        for line in failure_lines(tasks, password_given=given is not None):
            print(f"folio: {line}", file=sys.stderr)
        counts: dict[str, int] = {}
        superseded = retried_ids(tasks)
        settled = [t for t in tasks if t.id not in superseded]
        for task in settled:
            counts[task.status.value] = counts.get(task.status.value, 0) + 1
        summary = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(counts.items()))
        print(f"{len(settled)} tasks: {summary or 'nothing to do'}.")
    return EXIT_INPUT_FAILED if failed or missing else EXIT_OK


def retried_ids(tasks: list[BackgroundTask]) -> set[int]:
    """Tasks that a later task among `tasks` retried: their outcome is superseded."""
    return {t.retry_of for t in tasks if t.retry_of is not None}


def unsettled_failures(tasks: list[BackgroundTask]) -> list[BackgroundTask]:
    """Failed tasks that no task among `tasks` retried."""
    superseded = retried_ids(tasks)
    return [t for t in tasks if t.status is TaskStatus.FAILED and t.id not in superseded]


def ask_until_it_opens(manager: Any, document: Any, terminal: TerminalPasswords) -> None:
    """Ask at the terminal for `document`'s password (MAX_TRIES times); the one that opens it
    is kept in memory and the document's waiting tasks are retried with it."""
    from app.tasks.unlocking import try_password

    wrong = bool(document.wrong)
    while (password := terminal(document.path, wrong)) is not None:
        try:
            if try_password(manager.workers, document.path, document.name, password):
                manager.unlock(document, password)
                return
        except FolioError as exc:  # the file cannot be tried at all
            print(f"folio: {exc.message}", file=sys.stderr)
            return
        wrong = True


def failure_lines(tasks: list[BackgroundTask], *, password_given: bool = False) -> list[str]:
    """A sentence per failed task, naming each document by the file the user gave.

    A file whose content is already in the library is read under the name it was
    stored with first; its pages' errors would name that earlier file. They name
    the file given on this command line instead. Failures of tasks an earlier run
    left (resumed here) say so.
    """
    given: dict[int, list[str]] = {}
    for task in tasks:
        if task.task_type is TaskType.IMPORT and task.source_id is not None:
            name = str(task.payload.get("name") or "")
            if name and name not in given.setdefault(task.source_id, []):
                given[task.source_id].append(name)
    lines = []
    for task in unsettled_failures(tasks):
        error = task.error or "failed without a reason."
        if task.payload.get(NEEDS_PASSWORD):
            name = str(task.payload.get("name") or task.source_name)
            if task.source_id is not None and given.get(task.source_id):
                name = given[task.source_id][0]
            wrong = bool(task.payload.get(WRONG_PASSWORD))
            line = locked_line(name, wrong, password_given)
            if line not in lines:  # once per document, not once per page
                lines.append(line)
            continue
        names = given.get(task.source_id) if task.source_id is not None else None
        if task.task_type is TaskType.IMPORT:
            lines.append(error)  # it names the file given already
        elif names is None:
            lines.append(f"left from an earlier run: {error}")
        elif task.source_name and task.source_name not in names:
            lines.append(_renamed(error, task.source_name, names[0]))
        else:
            lines.append(error)
    return lines


def _renamed(sentence: str, stored: str, given: str) -> str:
    """`sentence` with the stored name of a document replaced by the name the user gave."""
    if stored in sentence:
        return sentence.replace(stored, given)
    return f"{given}: {sentence}"


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
    progress = TerminalProgress()
    tasks: list[dict[str, Any]] = reply["tasks"]
    while True:
        batch = send(folder, {"op": "batch", "ids": ids})
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
        print_json(tasks)
    failed = [t for t in tasks if t["status"] == "failed"]
    for task in failed:
        print(f"folio: {task['error']}", file=sys.stderr)
    return EXIT_INPUT_FAILED if failed or missing else EXIT_OK
