"""Importing what the user dropped or chose: folders walked off the GUI thread, one summary."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.core.models import ALREADY_IN_LIBRARY, BackgroundTask, TaskChange, TaskStatus
from app.services.walk import Collected, collect_files
from app.tasks.manager import ExtractionManager
from app.ui.common.asyncutil import spawn

log = logging.getLogger(__name__)


def _names(paths: list[Path], limit: int = 3) -> str:
    shown = ", ".join(p.name for p in paths[:limit])
    more = len(paths) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _sentences(lines: list[str], limit: int = 3) -> list[str]:
    """The first `limit` sentences, and how many more there are."""
    more = len(lines) - limit
    tail = [f"{more} more item{'s were' if more != 1 else ' was'} skipped."] if more > 0 else []
    return lines[:limit] + tail


def summary(collected: Collected) -> str:
    """A few sentences about a drop, e.g. "Importing 3 documents. Skipped 1 file …".

    Files that are not documents are named together; a named pipe or device, and a
    folder that was not walked (too deep, unreadable), each get their own sentence.
    """
    n = len(collected.files)
    parts = []
    if n:
        parts.append(f"Importing {n} document{'s' if n != 1 else ''}.")
    else:
        parts.append("Nothing to import.")
    special = set(collected.not_files)
    other = [p for p in collected.unsupported if p not in special]
    if other:
        k = len(other)
        parts.append(
            f"Skipped {k} file{'s' if k != 1 else ''} that {'are' if k != 1 else 'is'} not a "
            f"PDF or an image: {_names(other)}."
        )
    parts += _sentences(
        [collected.reasons[p] for p in collected.not_files if p in collected.reasons]
        + list(collected.folders.values())
    )
    if collected.missing:
        k = len(collected.missing)
        parts.append(
            f"{k} item{'s' if k != 1 else ''} could not be found (moved or deleted?): "
            f"{_names(collected.missing)}."
        )
    return " ".join(parts)


class ImportFlow(QObject):
    """Turns dropped or chosen paths into import tasks and reports how they went.

    Signals:
        collected(object): the Collected result of a drop, once its folders are walked.
        sourceImported(int): a new source from one of our imports.
        existingSourceFound(int, str): a dropped file was already in the library
            (source id, the import task's message).
        duplicatesFound(list): of several files imported together, these names were
            already in the library (once, when all of them are done).
        importsSettled(): every import started here has finished (done, failed or
            cancelled); their pages may still be read.
    """

    collected = Signal(object)
    sourceImported = Signal(int)
    existingSourceFound = Signal(int, str)
    duplicatesFound = Signal(list)
    importsSettled = Signal()

    def __init__(self, manager: ExtractionManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self._watched: set[int] = set()
        # Imports of several files: task id -> (the batch's unfinished ids, its duplicates).
        self._batches: dict[int, tuple[set[int], list[str]]] = {}
        manager.tasksChanged.connect(self._on_tasks_changed)
        manager.tasksAdded.connect(self._on_tasks_added)

    def settled(self) -> bool:
        """No import started here is still waiting or running."""
        return not self._watched

    def import_paths(self, paths: list[str], lang: str | None = None) -> None:
        """Start importing; returns at once (the folder walk runs off the GUI thread).

        `lang`: the OCR languages the pages are read in (None: as in Settings).
        """
        if paths:
            spawn(self.run([Path(p) for p in paths], lang))

    async def run(self, paths: list[Path], lang: str | None = None) -> Collected:
        collected = await asyncio.to_thread(lambda: collect_files(paths, check_named=True))
        if collected.files:
            tasks = self.manager.import_files(collected.files, lang=lang)
            self._watched.update(t.id for t in tasks)
            if len(tasks) > 1:
                batch: tuple[set[int], list[str]] = ({t.id for t in tasks}, [])
                for task in tasks:
                    self._batches[task.id] = batch
        self.collected.emit(collected)
        return collected

    @Slot(object)
    def _on_tasks_added(self, tasks: list[BackgroundTask]) -> None:
        # A task added and finished within one coalescing interval only appears here.
        if self._watched:
            self._check([t for t in tasks if t.id in self._watched])

    @Slot(object)
    def _on_tasks_changed(self, changes: dict[int, TaskChange]) -> None:
        if self._watched:
            self._check([c.task for i, c in changes.items() if i in self._watched])

    def _check(self, tasks: list[BackgroundTask]) -> None:
        if not tasks:
            return
        for task in tasks:
            task_id = task.id
            if not task.status.is_terminal:
                continue
            self._watched.discard(task_id)
            batch = self._batches.pop(task_id, None)
            if task.status is TaskStatus.COMPLETED and task.source_id is not None:
                if not task.payload.get(ALREADY_IN_LIBRARY):
                    self.sourceImported.emit(task.source_id)
                elif batch is None:  # one file: show the document it already is
                    self.existingSourceFound.emit(task.source_id, task.message)
                else:
                    batch[1].append(str(task.payload.get("name") or task.source_name))
            if batch is not None:
                batch[0].discard(task_id)
                if not batch[0] and batch[1]:
                    # Several files: one summary once all are done, without leaving the view.
                    self.duplicatesFound.emit(sorted(batch[1]))
        if not self._watched:
            self.importsSettled.emit()
