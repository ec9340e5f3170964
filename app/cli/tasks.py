"""folio tasks: list, cancel and retry."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.importing import run_manager
from app.cli.output import (
    library_dir,
    print_json,
    print_tasks,
    send,
)
from app.cli.parser import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE
from app.core.library import Library
from app.core.models import TaskStatus
from app.services.session import open_for_work, open_to_read


def cmd_tasks(args: argparse.Namespace) -> int:
    folder = library_dir(args)
    if args.action is None:
        with open_to_read(folder) as library:
            statuses = None if args.all else [TaskStatus.PENDING, TaskStatus.IN_PROGRESS]
            print_tasks(library.tasks(statuses=statuses), args.json)
        return EXIT_OK
    if args.action == "cancel" and (args.ids or args.every):
        remote = send(folder, {"op": "cancel", "ids": args.ids, "all": args.every})
        if remote is not None:
            if args.json:
                print_json({"cancelled": remote["cancelled"], "skipped": remote["skipped"]})
            else:
                print(remote["summary"])
            return _report_not_found({int(k): v for k, v in remote["skipped"].items()}, folder)
    if args.action == "retry" and (args.ids or args.failed):
        remote = send(folder, {"op": "retry", "ids": args.ids, "failed": args.failed})
        if remote is not None:
            if args.json:
                print_json(remote["tasks"])
            else:
                print(f"Queued {len(remote['tasks'])} task(s) in the Folio window.")
            left = {int(k): v for k, v in remote.get("skipped", {}).items()}
            return _report_not_retried(left, folder)
    with open_for_work(folder) as library:
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

        tasks, failed = run_manager(library, retry, args.json)
        print_tasks(tasks, args.json)
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
        print_json({"cancelled": outcome.cancelled, "skipped": outcome.skipped})
    else:
        print(outcome.summary())
    return _report_not_found(outcome.skipped, library.folder)
