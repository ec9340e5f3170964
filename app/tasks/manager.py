"""The extraction manager: the queue, the pool, and the only writer of task state."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QTimer, Slot

from app.core.models import (
    BackgroundTask,
    OcrMode,
    Page,
    TaskStatus,
    TaskType,
    now_iso,
)
from app.tasks.queue import SETTING_CONCURRENCY, SETTING_OCR_LANG, SETTING_OCR_MODE, SETTING_PAUSED
from app.tasks.results import JobResults
from app.tasks.trash import TrashControl
from app.tasks.unlocking import TaskUnlocking

log = logging.getLogger(__name__)


#: How often the manager looks whether a scheduled backup is due (and it is idle).
BACKUP_CHECK_MS = 60 * 60 * 1000


def now_utc() -> datetime:
    return datetime.now(UTC)


class ExtractionManager(JobResults, TaskUnlocking, TrashControl):
    """Owns the queue, a QThreadPool and the worker processes; writes every transition.

    A facade over its parts: the queue (queue.py), steering (control.py), job results
    with the import use case (results.py), tasks waiting for a document's password
    (unlocking.py) and the trash (trash.py). Signals: see TaskQueue and TrashControl.
    """

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> list[BackgroundTask]:
        """Resume what a quit or crash left, load the history in view, start the queue.

        Only the newest `finished_in_view` finished tasks are loaded; older ones
        are cleared from view (the library keeps them; `show_cleared` brings them
        back), so a long history does not slow every start.
        """
        resumed = self.library.recover_interrupted()
        # An import stopped half-way through making its page tasks: make the rest.
        self._to_queue.extend((sid, 0, "") for sid in self.library.sources_with_unqueued_pages())
        older = self.library.hide_finished_beyond(self.finished_in_view)
        if older:
            log.info("cleared %d older finished tasks from view", older)
        self._cleared = self.library.hidden_task_count()
        for task in self.library.tasks(include_hidden=False):
            self._tasks[task.id] = task
            if task.status is TaskStatus.PENDING:
                self._enqueue(task)
        active = [t for t in self._tasks.values() if t.status.is_active]
        self._batch.added(
            len(active), sum(1 for t in active if t.task_type is TaskType.TEXT_EXTRACTION)
        )
        self._started = True
        if self._to_queue:
            QTimer.singleShot(0, self._queue_pages)
        if self._tasks:
            self._added.extend(self._tasks.values())
            self._schedule_flush()
        self._schedule()
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(BACKUP_CHECK_MS)
        self._backup_timer.timeout.connect(self.backup_if_due)
        self._backup_timer.start()
        self.backup_if_due()
        return resumed

    @Slot()
    def backup_if_due(self) -> None:
        """Back the database up off the GUI thread, when due and while no task runs.

        See `backup_due`: daily (weekly over 1 GiB), only if the library changed, and
        only in idle time so the copy never competes with reading pages.
        """
        from app.core.backup import backup_due, make_backup

        if self._backup_running or not self.is_idle():
            return
        db_path = self.library.db_path
        if not backup_due(db_path, now_utc()) or not self.library.has_sources():
            return
        self._backup_running = True

        def run() -> None:
            try:
                make_backup(db_path, "scheduled")
            except Exception:
                log.exception("scheduled backup of %s failed", db_path)
            finally:
                self._backup_running = False

        threading.Thread(target=run, name="library-backup", daemon=True).start()

    def shutdown(self, wait_ms: int = 10_000) -> None:
        """Stop at once: running tasks go back to pending and resume at the next start."""
        if self._stopping:
            return
        self._stopping = True
        running = [self._tasks[i] for i in self._running if i in self._tasks]
        if running:
            for task in running:
                task.status = TaskStatus.PENDING
                task.started_at = None
                task.progress = 0.0
                task.message = "Stopped when Folio quit; resumes at the next start"
            with self.library.transaction() as db:
                self.library.update_tasks(
                    running, ("status", "started_at", "progress", "message"), db
                )
        for job in [*self._running.values(), *self._finishing.values()]:
            job.cancel()
        self.pool.clear()
        self.workers.close()
        self.pool.waitForDone(wait_ms)
        if self.remote is not None:
            self.remote.close()
        self._running.clear()
        self._finishing.clear()
        self._flush_timer.stop()
        # No timer left running: whichever thread the manager is finally freed on (Python
        # may collect it on any thread), Qt has nothing to stop there.
        backup_timer = getattr(self, "_backup_timer", None)
        if backup_timer is not None:
            backup_timer.stop()

    # -- queries ---------------------------------------------------------------------

    def tasks(self) -> list[BackgroundTask]:
        """Snapshots of every task in view, oldest first."""
        return [self._tasks[i].snapshot() for i in sorted(self._tasks)]

    def active_tasks(self) -> list[BackgroundTask]:
        return [t for t in self.tasks() if t.status.is_active]

    def batch(self, import_ids: Iterable[int]) -> list[BackgroundTask]:
        """Import tasks and the page tasks they created: what one import waits on.

        Read from the import's own documents (indexed), never from the whole history.
        """
        ids = sorted(set(import_ids))
        imports = [t for i in ids if (t := self.get(i)) is not None]
        if not imports:
            return []
        sources = {t.source_id for t in imports if t.source_id is not None}
        own = {t.id for t in imports}
        pages = [
            live.snapshot() if (live := self._tasks.get(t.id)) is not None else t
            for t in self.library.tasks(source_ids=sources, min_id=ids[0])
            if t.id not in own
        ]
        return imports + pages

    def active_counts(self) -> tuple[int, int]:
        """How many tasks are pending or running, and how many of them are running."""
        active = sum(1 for t in self._tasks.values() if t.status.is_active)
        return active, len(self._running)

    def history(self) -> list[BackgroundTask]:
        """Every task the library has recorded, including those cleared from view."""
        return self.library.tasks()

    def running_count(self) -> int:
        return len(self._running)

    def running_ids(self) -> list[int]:
        return list(self._running)

    def worker_pids(self) -> list[int]:
        return self.workers.pids()

    # -- settings --------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        """Start no new task (running ones finish); remembered across restarts."""
        if not self._paused:
            self._paused = True
            self.library.set_setting(SETTING_PAUSED, "1")
            self.pausedChanged.emit(True)
            self._schedule_flush()

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self.library.set_setting(SETTING_PAUSED, "0")
            self.pausedChanged.emit(False)
            self._schedule()
            self._schedule_flush()

    def pause_in_memory(self) -> None:
        """Run nothing in this process (a command that only edits the library)."""
        self._paused = True

    @property
    def concurrency(self) -> int:
        return self._concurrency

    def set_concurrency(self, count: int) -> None:
        """How many tasks run at once; applied now (running tasks are not stopped)."""
        count = max(1, int(count))
        if count == self._concurrency:
            return
        self._concurrency = count
        self.library.set_setting(SETTING_CONCURRENCY, str(count))
        self.pool.setMaxThreadCount(max(count, len(self._running)))
        self.workers.keep_idle = count
        self.concurrencyChanged.emit(count)
        self._schedule()

    def set_ocr(self, mode: OcrMode, lang: str) -> None:
        self.library.set_setting(SETTING_OCR_MODE, mode.value)
        self.library.set_setting(SETTING_OCR_LANG, lang)

    # -- registering work ------------------------------------------------------------

    def import_files(
        self, paths: Iterable[Path], priority: int = 0, *, lang: str | None = None
    ) -> list[BackgroundTask]:
        """One `import` task per file; each adds a text task per page when it completes.

        `lang`: the OCR languages its pages are read in (default: as in Settings).
        """
        stamp = now_iso()
        tasks = [
            BackgroundTask(
                id=0,
                task_type=TaskType.IMPORT,
                status=TaskStatus.PENDING,
                scheduled_at=stamp,
                priority=priority,
                message=f"Waiting to import {Path(p).name}",
                payload={
                    "path": str(Path(p).absolute()),
                    "name": Path(p).name,
                    **({"lang": lang} if lang else {}),
                },
            )
            for p in paths
        ]
        return self.register(tasks)

    def reextract_page(
        self, page_id: int, *, ocr: OcrMode = OcrMode.ALWAYS, lang: str | None = None
    ) -> BackgroundTask | None:
        """Queue a new text task for a page (e.g. re-run OCR with another language)."""
        page = self.library.page(page_id)
        if page is None:
            return None
        tasks = self._reextract(page.source_id, [page], ocr, lang)
        return tasks[0] if tasks else None

    def reextract_source(
        self, source_id: int, *, ocr: OcrMode = OcrMode.ALWAYS, lang: str | None = None
    ) -> list[BackgroundTask]:
        """Queue a new text task for every page of a source (e.g. OCR it all in German)."""
        # The pages' numbers only: no page text is read for this.
        pages = [
            Page(s.page_id, s.source_id, s.number) for s in self.library.page_states(source_id)
        ]
        return self._reextract(source_id, pages, ocr, lang) if pages else []

    def _reextract(
        self, source_id: int, pages: list[Page], ocr: OcrMode, lang: str | None
    ) -> list[BackgroundTask]:
        """Replace the pages' waiting or running text tasks with new ones, in front.

        Each page keeps its current text until its new task completes.
        """
        wanted = {page.id for page in pages}
        superseded = [
            t.id for t in self._tasks.values() if t.page_id in wanted and t.status.is_active
        ]
        if superseded:
            self.cancel_many(superseded)
        priority = self._top_priority()
        stamp = now_iso()
        payload = {"ocr": ocr.value, "lang": lang or self.ocr_lang}
        source = self.library.source(source_id)
        if source is None:
            return []
        # A page the user turned is read at that turn, every time it is read again.
        turns = self.library.user_rotations(source_id)
        tasks = [
            BackgroundTask.for_page(
                source,
                page,
                priority=priority,
                payload={**payload, "rotation": turns[page.id]} if page.id in turns else payload,
                scheduled_at=stamp,
            )
            for page in pages
        ]
        return self.register(tasks)

    def save_searchable_pdf(
        self, source_id: int, output: Path, *, lang: str | None = None
    ) -> BackgroundTask | None:
        """Queue saving a document as a searchable PDF at `output` (in front of the queue)."""
        from app.tasks.searchable_job import searchable_task

        source = self.library.source(source_id)
        if source is None:
            return None
        task = searchable_task(
            source, output, lang or self.ocr_lang, priority=self._top_priority() + 1
        )
        registered = self.register([task])
        self.flush_now()
        return registered[0]

    def rename_source(self, source_id: int, name: str) -> str:
        """Give a document the name shown everywhere; its imported names stay and still
        find it. Returns the name as stored (InvalidNameError, FolioError: a sentence)."""
        stored = self.library.rename_source(source_id, name)
        self.sourceChanged.emit(source_id)
        return stored
