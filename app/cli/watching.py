"""folio watch: import what appears in folders until Ctrl+C or SIGTERM, a line per import."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Slot

from app.cli.output import json_text, languages_missing, library_dir
from app.cli.parser import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE
from app.core.errors import LibraryLockedError
from app.core.library import Library
from app.core.models import BackgroundTask, TaskChange, TaskStatus
from app.services.session import open_for_work
from app.services.session_end import SessionEnd
from app.services.watch import FolderWatcher, WatchImports
from app.services.watched import WatchedFolder, overlaps_library
from app.tasks.manager import ExtractionManager


def cmd_watch(args: argparse.Namespace) -> int:
    folders: list[Path] = []
    for given in args.dirs:
        path = Path(given).expanduser().absolute()
        if not path.is_dir():
            what = "is not a folder" if path.exists() else "does not exist"
            print(f"folio: {path} {what}; give the folders to watch.", file=sys.stderr)
            return EXIT_USAGE
        if path not in folders:
            folders.append(path)
    lang = args.lang
    if languages_missing(lang):
        return EXIT_USAGE
    folder = library_dir(args)
    for path in folders:
        refused = overlaps_library(path, folder)
        if refused:
            print(f"folio: {refused}", file=sys.stderr)
            return EXIT_USAGE
    try:
        library = open_for_work(folder)
    except LibraryLockedError:
        print(
            f"folio: a Folio window is working on the library {folder}; add these folders "
            "in its Settings › Watched folders, or quit it first.",
            file=sys.stderr,
        )
        return EXIT_INPUT_FAILED
    with library:
        return watch(library, [WatchedFolder(p, lang) for p in folders], args.json)


def watch(library: Library, folders: list[WatchedFolder], as_json: bool) -> int:
    """Run the watcher and a headless manager until a stop signal; 0 when stopped so."""
    app = QCoreApplication.instance() or QCoreApplication([])
    manager = ExtractionManager(library)
    if manager.paused:
        print(
            "folio: the queue of this library is paused; resuming it for this command.",
            file=sys.stderr,
        )
        manager.resume()
    stop = SessionEnd()
    stop.requested.connect(app.quit)
    stop.install()
    printer = ImportPrinter(manager, as_json)
    watcher = FolderWatcher(manager)
    watcher.importsStarted.connect(printer.follow)
    watcher.problemChanged.connect(printer.problem)
    try:
        manager.start()
        watcher.watch(folders)
        names = ", ".join(str(f.path) for f in folders)
        print(f"folio: watching {names} (Ctrl+C stops).", file=sys.stderr, flush=True)
        app.exec()
    finally:
        watcher.stop()
        stop.uninstall()
        manager.flush_now()
        manager.shutdown()
    print("folio: stopped watching.", file=sys.stderr, flush=True)
    return EXIT_OK


class ImportPrinter(QObject):
    """Prints a line for each file a watcher imported, when its import task has ended."""

    def __init__(self, manager: ExtractionManager, as_json: bool) -> None:
        super().__init__(manager)
        self.as_json = as_json
        self._paths: dict[int, str] = {}
        manager.tasksAdded.connect(self._on_added)
        manager.tasksChanged.connect(self._on_changed)

    @Slot(object)
    def follow(self, imports: WatchImports) -> None:
        for sentence in imports.skipped:
            print(f"folio: {sentence}", file=sys.stderr, flush=True)
        for task in imports.tasks:
            self._paths[task.id] = str(task.payload.get("path") or "")
            self._report(task)

    @Slot(str, str)
    def problem(self, folder: str, sentence: str) -> None:
        text = sentence or f"watching {folder} again."
        print(f"folio: {text}", file=sys.stderr, flush=True)

    @Slot(object)
    def _on_added(self, tasks: list[BackgroundTask]) -> None:
        for task in tasks:
            if task.id in self._paths:
                self._report(task)

    @Slot(object)
    def _on_changed(self, changes: dict[int, TaskChange]) -> None:
        for task_id, change in changes.items():
            if task_id in self._paths:
                self._report(change.task)

    def _report(self, task: BackgroundTask) -> None:
        if not task.status.is_terminal:
            return
        path = self._paths.pop(task.id, None)
        if path is None:
            return
        if self.as_json:
            print(json_text(task.to_json()), flush=True)
        elif task.status is TaskStatus.COMPLETED:
            print(f"{path}: {task.message}", flush=True)
        else:
            print(f"folio: {task.error or f'{path}: {task.status.value}'}", flush=True)
