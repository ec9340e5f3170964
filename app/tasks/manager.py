"""The extraction manager: the queue, the pool, and the only writer of task state."""

from __future__ import annotations

import heapq
import logging
import os
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from app.core.library import Library
from app.core.models import (
    ALLOWED_TRANSITIONS,
    BackgroundTask,
    OcrMode,
    Page,
    Source,
    TaskStatus,
    TaskType,
    TextMethod,
    now_iso,
)
from app.extraction.client import WorkerPool
from app.tasks.jobs import ImportJob, Job, PageJob
from app.tasks.progress import AggregateProgress, BatchTracker

log = logging.getLogger(__name__)

#: Milliseconds over which bursts of task changes are gathered into one signal.
COALESCE_MS = 50

#: How often the manager looks whether a scheduled backup is due (and it is idle).
BACKUP_CHECK_MS = 60 * 60 * 1000
#: Finished tasks loaded into view at start; older ones wait behind "Show cleared".
FINISHED_IN_VIEW = 20_000
#: Page tasks made per event-loop turn after an import: a long document's thousands
#: of tasks never hold the GUI thread for long.
PAGE_TASK_BATCH = 500

SETTING_PAUSED = "queue.paused"
SETTING_CONCURRENCY = "queue.concurrency"
SETTING_OCR_MODE = "ocr.mode"
SETTING_OCR_LANG = "ocr.lang"


@dataclass(slots=True)
class CancelOutcome:
    """What a cancel request did: the ids it cancelled, and why the others were left."""

    cancelled: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)

    def summary(self) -> str:
        text = f"Cancelled {len(self.cancelled)} task{'s' if len(self.cancelled) != 1 else ''}"
        if self.skipped:
            reasons: dict[str, int] = {}
            for reason in self.skipped.values():
                reasons[reason] = reasons.get(reason, 0) + 1
            detail = "; ".join(f"{n} {reason}" for reason, n in reasons.items())
            text += f"; {len(self.skipped)} could not be cancelled ({detail})"
        return text + "."


def now_utc() -> datetime:
    return datetime.now(UTC)


def default_concurrency() -> int:
    return max(1, os.cpu_count() or 1)


class ExtractionManager(QObject):
    """Owns the queue, a QThreadPool and the worker processes; writes every transition.

    Signals:
        tasksAdded(list): new BackgroundTask objects (shared, read-only for views).
        tasksChanged(dict): {task id: tuple of changed field names}, coalesced.
        tasksRemoved(list): ids no longer in view ("Clear finished").
        clearedChanged(int): how many finished tasks are cleared from view.
        aggregateChanged(object): AggregateProgress of the current batch.
        batchFinished(object): the final AggregateProgress when the queue empties.
        idle(): nothing pending or running.
        sourceAdded(object): a new Source.
        pageTextReady(int, int): source id, page id whose text was stored.
        pausedChanged(bool), concurrencyChanged(int).
    """

    tasksAdded = Signal(object)
    tasksChanged = Signal(object)
    tasksRemoved = Signal(object)
    clearedChanged = Signal(int)
    aggregateChanged = Signal(object)
    batchFinished = Signal(object)
    idle = Signal()
    sourceAdded = Signal(object)
    sourceRemoved = Signal(int)
    pageTextReady = Signal(int, int)
    pausedChanged = Signal(bool)
    concurrencyChanged = Signal(int)

    def __init__(
        self,
        library: Library,
        parent: QObject | None = None,
        *,
        memory_mb: int | None = None,
        finished_in_view: int = FINISHED_IN_VIEW,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.finished_in_view = finished_in_view
        self._tasks: dict[int, BackgroundTask] = {}
        # (-priority, kind, id): higher priority first, imports before page reading at the
        # same priority (they are quick and make the document appear), then the oldest.
        # Stale entries (a task re-queued with a new priority) are skipped.
        self._queue: list[tuple[int, int, int]] = []
        self._running: dict[int, Job] = {}
        self._finishing: dict[int, Job] = {}  # cancelled jobs whose thread has not returned
        self._changed: dict[int, set[str]] = {}
        self._added: list[BackgroundTask] = []
        self._removed: list[int] = []
        self._cleared = 0  # counted in start()
        self._batch = BatchTracker()
        self._started = False
        self._stopping = False
        self._backup_running = False
        #: Sources whose page tasks are still to be made, with the priority to give them.
        self._to_queue: deque[tuple[int, int]] = deque()
        self._paused = library.setting(SETTING_PAUSED, "0") == "1"
        self._concurrency = int(
            library.setting(SETTING_CONCURRENCY, str(default_concurrency())) or 1
        )
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(self._concurrency, 1))
        kwargs: dict[str, Any] = {"keep_idle": self._concurrency}
        if memory_mb is not None:
            kwargs["memory_mb"] = memory_mb
        self.workers = WorkerPool(**kwargs)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(COALESCE_MS)
        self._flush_timer.timeout.connect(self._flush)

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> list[BackgroundTask]:
        """Resume what a quit or crash left, load the history in view, start the queue.

        Only the newest `finished_in_view` finished tasks are loaded; older ones
        are cleared from view (the library keeps them; `show_cleared` brings them
        back), so a long history does not slow every start.
        """
        resumed = self.library.recover_interrupted()
        # An import stopped half-way through making its page tasks: make the rest.
        self._to_queue.extend((sid, 0) for sid in self.library.sources_with_unqueued_pages())
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
        self._running.clear()
        self._finishing.clear()
        self._flush_timer.stop()

    # -- queries ---------------------------------------------------------------------

    def get(self, task_id: int) -> BackgroundTask | None:
        return self._tasks.get(task_id) or self.library.task(task_id)

    def tasks(self) -> list[BackgroundTask]:
        """Every task in view, oldest first."""
        return sorted(self._tasks.values(), key=lambda t: t.id)

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
            self._tasks.get(t.id) or t
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

    def is_idle(self) -> bool:
        """Nothing running and nothing waiting (stale queue entries are dropped here)."""
        if self._running or self._to_queue:
            return False
        while self._queue:
            neg_priority, _kind, task_id = self._queue[0]
            task = self._tasks.get(task_id)
            if (
                task is not None
                and task.status is TaskStatus.PENDING
                and -neg_priority == task.priority
            ):
                return False
            heapq.heappop(self._queue)
        return True

    def aggregate(self) -> AggregateProgress:
        return self._batch.snapshot(len(self._running), self._paused)

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

    @property
    def ocr_mode(self) -> OcrMode:
        return OcrMode(self.library.setting(SETTING_OCR_MODE, OcrMode.AUTO.value))

    @property
    def ocr_lang(self) -> str:
        return self.library.setting(SETTING_OCR_LANG, "eng") or "eng"

    def set_ocr(self, mode: OcrMode, lang: str) -> None:
        self.library.set_setting(SETTING_OCR_MODE, mode.value)
        self.library.set_setting(SETTING_OCR_LANG, lang)

    # -- registering work ------------------------------------------------------------

    def register(self, tasks: Sequence[BackgroundTask]) -> list[BackgroundTask]:
        """Record new pending tasks and queue them."""
        for task in tasks:
            task.status = TaskStatus.PENDING
        with self.library.transaction() as db:
            self.library.insert_tasks(tasks, db)
        self._adopt(tasks)
        return list(tasks)

    def _adopt(self, tasks: Sequence[BackgroundTask]) -> None:
        if not tasks:
            return
        if not self._paused:
            self.workers.warm(self._concurrency)
        for task in tasks:
            self._tasks[task.id] = task
            self._enqueue(task)
        self._batch.added(
            len(tasks), sum(1 for t in tasks if t.task_type is TaskType.TEXT_EXTRACTION)
        )
        self._added.extend(tasks)
        self._schedule_flush()
        self._schedule()

    def import_files(self, paths: Iterable[Path], priority: int = 0) -> list[BackgroundTask]:
        """One `import` task per file; each adds a text task per page when it completes."""
        stamp = now_iso()
        tasks = [
            BackgroundTask(
                id=0,
                task_type=TaskType.IMPORT,
                status=TaskStatus.PENDING,
                scheduled_at=stamp,
                priority=priority,
                message=f"Waiting to import {Path(p).name}",
                payload={"path": str(Path(p).absolute()), "name": Path(p).name},
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
        tasks = [
            BackgroundTask(
                id=0,
                task_type=TaskType.TEXT_EXTRACTION,
                status=TaskStatus.PENDING,
                scheduled_at=stamp,
                source_id=source_id,
                page_id=page.id,
                priority=priority,
                message="Waiting",
                payload=dict(payload),
                source_name=source.name if source is not None else "",
                page_number=page.number,
            )
            for page in pages
        ]
        return self.register(tasks)

    def delete_source(self, source_id: int) -> None:
        """Cancel a source's tasks, delete it with its pages and text, remove its file."""
        ids = [t.id for t in self._tasks.values() if t.source_id == source_id]
        self.cancel_many(ids)
        sha = self.library.delete_source(source_id)
        if sha is not None:
            self.library.store.remove(sha)
        for task in self._tasks.values():
            if task.source_id == source_id:
                task.source_id = None
                task.page_id = None
                self._mark(task.id, "source_id", "page_id")
        self.sourceRemoved.emit(source_id)

    # -- control ---------------------------------------------------------------------

    def cancel(self, task_id: int) -> CancelOutcome:
        return self.cancel_many([task_id])

    def cancel_all(self) -> CancelOutcome:
        return self.cancel_many([t.id for t in self._tasks.values() if t.status.is_active])

    def cancel_many(self, task_ids: Iterable[int]) -> CancelOutcome:
        """Cancel what can be; say why the rest could not (never an error)."""
        outcome = CancelOutcome()
        stamp = now_iso()
        changed: list[BackgroundTask] = []
        for task_id in dict.fromkeys(task_ids):
            task = self._tasks.get(task_id)
            if task is None:
                stored = self.library.task(task_id)
                if stored is None:
                    outcome.skipped[task_id] = "not found"
                else:
                    outcome.skipped[task_id] = f"already {stored.status.value.replace('_', ' ')}"
                continue
            if not task.can_cancel:
                outcome.skipped[task_id] = f"already {task.status.value.replace('_', ' ')}"
                continue
            job = self._running.pop(task_id, None)
            if job is not None:
                job.cancel()  # kills its worker process now; its late signal is ignored
                self._finishing[task_id] = job
            task.status = TaskStatus.CANCELLED
            task.finished_at = stamp
            task.message = "Cancelled"
            changed.append(task)
            outcome.cancelled.append(task_id)
            self._batch.cancelled += 1
            if task.task_type is TaskType.TEXT_EXTRACTION:
                # No longer to be extracted: "Extracting 12 of N pages" counts it out.
                self._batch.pages_total = max(self._batch.pages_done, self._batch.pages_total - 1)
        if changed:
            with self.library.transaction() as db:
                self.library.update_tasks(changed, ("status", "finished_at", "message"), db)
            for task in changed:
                self._mark(task.id, "status", "finished_at", "message")
            self._schedule()
        return outcome

    def retry(self, task_ids: Iterable[int]) -> list[BackgroundTask]:
        """A new task for each failed or cancelled one, pointing back with `retryOf`."""
        return self.retry_explained(task_ids)[0]

    def retry_explained(
        self, task_ids: Iterable[int]
    ) -> tuple[list[BackgroundTask], dict[int, str]]:
        """`retry`, with the reason each task that was not retried was skipped."""
        retried = self._retried_ids()
        new: list[BackgroundTask] = []
        skipped: dict[int, str] = {}
        for task_id in dict.fromkeys(task_ids):
            old = self._tasks.get(task_id) or self.library.task(task_id)
            if old is None:
                skipped[task_id] = "not found"
                continue
            if old.status not in (TaskStatus.FAILED, TaskStatus.CANCELLED):
                skipped[task_id] = (
                    f"it is {old.status.value.replace('_', ' ')}; only failed or cancelled"
                    " tasks can be retried"
                )
                continue
            if old.id in retried:
                skipped[task_id] = "it was retried already"
                continue
            if old.task_type is TaskType.TEXT_EXTRACTION and old.page_id is None:
                skipped[task_id] = "its document was deleted"
                continue
            new.append(
                BackgroundTask(
                    id=0,
                    task_type=old.task_type,
                    status=TaskStatus.PENDING,
                    scheduled_at=now_iso(),
                    source_id=old.source_id,
                    page_id=old.page_id,
                    priority=old.priority,
                    message="Waiting (retry)",
                    attempt=old.attempt + 1,
                    retry_of=old.id,
                    payload=dict(old.payload),
                    source_name=old.source_name,
                    page_number=old.page_number,
                )
            )
        return self.register(new), skipped

    def retry_failed(self) -> list[BackgroundTask]:
        return self.retry(t.id for t in self.library.tasks(statuses=[TaskStatus.FAILED]))

    def _retried_ids(self) -> set[int]:
        return self.library.retried_task_ids()

    def prioritise(self, task_ids: Iterable[int]) -> None:
        """Move pending tasks to the front of the queue (in the order given)."""
        ids = [i for i in task_ids if (t := self._tasks.get(i)) and t.status is TaskStatus.PENDING]
        if not ids:
            return
        top = self._top_priority()
        changed = []
        for offset, task_id in enumerate(reversed(ids)):
            task = self._tasks[task_id]
            task.priority = top + 1 + offset
            self._enqueue(task)
            changed.append(task)
            self._mark(task.id, "priority")
        with self.library.transaction() as db:
            self.library.update_tasks(changed, ("priority",), db)
        self._schedule()

    def prioritise_page(self, page_id: int) -> bool:
        """Opening a page whose text is not ready moves its task to the front."""
        ids = [
            t.id
            for t in self._tasks.values()
            if t.page_id == page_id and t.status is TaskStatus.PENDING
        ]
        self.prioritise(ids)
        return bool(ids)

    def clear_finished(self) -> list[int]:
        """Take finished tasks out of view; the library keeps their history.

        Failures that still need attention (not retried) stay: they are work the
        user has not dealt with, and a failed import is the only trace of its file.
        """
        retried = {t.retry_of for t in self._tasks.values() if t.retry_of is not None}
        ids = [
            t.id
            for t in self._tasks.values()
            if t.status.is_terminal and (t.status is not TaskStatus.FAILED or t.id in retried)
        ]
        if ids:
            self.library.hide_tasks(ids)
            for task_id in ids:
                del self._tasks[task_id]
                self._changed.pop(task_id, None)
            self._removed.extend(ids)
            self._schedule_flush()
            self._cleared += len(ids)
            self.clearedChanged.emit(self._cleared)
        return ids

    @property
    def cleared_count(self) -> int:
        """Finished tasks cleared from view (the library still has them)."""
        return self._cleared

    def show_cleared(self) -> list[BackgroundTask]:
        """Bring the tasks cleared from view back into it (all finished, so they never run)."""
        tasks = [t for t in self.library.unhide_tasks() if t.id not in self._tasks]
        for task in tasks:
            self._tasks[task.id] = task
        if tasks:
            self._added.extend(tasks)
            self._schedule_flush()
        self._cleared = 0
        self.clearedChanged.emit(0)
        return tasks

    def _top_priority(self) -> int:
        return max((t.priority for t in self._tasks.values() if t.status.is_active), default=0)

    # -- the queue -------------------------------------------------------------------

    def _enqueue(self, task: BackgroundTask) -> None:
        kind = 0 if task.task_type is TaskType.IMPORT else 1
        heapq.heappush(self._queue, (-task.priority, kind, task.id))

    def _schedule(self) -> None:
        if not self._started or self._stopping or self._paused:
            return
        while len(self._running) < self._concurrency and self._queue:
            neg_priority, _kind, task_id = heapq.heappop(self._queue)
            task = self._tasks.get(task_id)
            if task is None or task.status is not TaskStatus.PENDING:
                continue
            if -neg_priority != task.priority:
                continue  # a stale entry; the task was re-queued with its new priority
            self._start(task)
        if self.is_idle():
            self._finish_batch()

    def _start(self, task: BackgroundTask) -> None:
        job = self._make_job(task)
        if job is None:
            return
        task.status = TaskStatus.IN_PROGRESS
        task.started_at = now_iso()
        task.progress = 0.0
        task.message = "Starting"
        self.library.update_task(task, ("status", "started_at", "progress", "message"))
        self._mark(task.id, "status", "started_at", "progress", "message")
        job.signals.progress.connect(self._on_progress)
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self._on_failed)
        job.signals.cancelled.connect(self._on_cancelled)
        self._running[task.id] = job
        self.pool.start(job)

    def _make_job(self, task: BackgroundTask) -> Job | None:
        if task.task_type is TaskType.IMPORT:
            return ImportJob(task.id, self.workers, self.library.store, Path(task.payload["path"]))
        page = self.library.page(task.page_id) if task.page_id is not None else None
        source = self.library.source(page.source_id) if page is not None else None
        if page is None or source is None:
            self._fail(task, "The document of this page was deleted from the library.")
            return None
        return PageJob(
            task.id,
            self.workers,
            path=self.library.store.path_for(source.sha256),
            name=f"{source.name}",
            kind=source.kind,
            number=page.number,
            ocr=str(task.payload.get("ocr") or self.ocr_mode.value),
            lang=str(task.payload.get("lang") or self.ocr_lang),
        )

    def _finish_batch(self) -> None:
        if self._batch.total:
            # Views see the final statuses before they hear the batch is over.
            if self._changed or self._added or self._removed:
                self.flush_now()
            final = self.aggregate()
            self._batch.reset()
            self.aggregateChanged.emit(self.aggregate())
            self.batchFinished.emit(final)
        self.idle.emit()

    # -- job results (GUI thread) ----------------------------------------------------

    def _job_done(self, task_id: int) -> Job | None:
        self._finishing.pop(task_id, None)
        return self._running.pop(task_id, None)

    @Slot(int, float, str)
    def _on_progress(self, task_id: int, fraction: float, message: str) -> None:
        task = self._tasks.get(task_id)
        if task is None or task.status is not TaskStatus.IN_PROGRESS:
            return
        task.progress = max(0.0, min(1.0, fraction))
        task.message = message
        self._mark(task_id, "progress", "message")

    @Slot(int, object)
    def _on_finished(self, task_id: int, result: dict[str, Any]) -> None:
        job = self._job_done(task_id)
        task = self._tasks.get(task_id)
        if job is None or task is None or task.status is not TaskStatus.IN_PROGRESS:
            self._discard_late_result(task, result)
            self._schedule()
            return
        if task.task_type is TaskType.IMPORT:
            self._complete_import(task, result)
        else:
            self._complete_page(task, result)
        self._schedule()

    @Slot(int, str)
    def _on_failed(self, task_id: int, message: str) -> None:
        job = self._job_done(task_id)
        task = self._tasks.get(task_id)
        if job is not None and task is not None and task.status is TaskStatus.IN_PROGRESS:
            self._fail(task, message)
        self._schedule()

    @Slot(int)
    def _on_cancelled(self, task_id: int) -> None:
        job = self._job_done(task_id)
        task = self._tasks.get(task_id)
        if job is not None and task is not None and task.status is TaskStatus.IN_PROGRESS:
            # Stopped from elsewhere (shutdown); the task resumes later.
            task.status = TaskStatus.PENDING
            self._enqueue(task)
        self._schedule()

    def _transition(self, task: BackgroundTask, status: TaskStatus) -> None:
        if status not in ALLOWED_TRANSITIONS[task.status]:
            raise ValueError(f"task {task.id}: {task.status} -> {status} is not allowed")
        task.status = status

    def _fail(self, task: BackgroundTask, message: str) -> None:
        self._transition(task, TaskStatus.FAILED)
        task.finished_at = now_iso()
        task.error = message
        task.message = "Failed"
        self.library.update_task(task, ("status", "finished_at", "error", "message"))
        self._batch.failed += 1
        self._mark(task.id, "status", "finished_at", "error", "message")

    def _complete_page(self, task: BackgroundTask, result: dict[str, Any]) -> None:
        assert task.page_id is not None
        method = TextMethod(result["method"])
        confidence = result.get("confidence")
        self._transition(task, TaskStatus.COMPLETED)
        task.finished_at = now_iso()
        task.progress = 1.0
        words = len(str(result["text"]).split())
        if method is TextMethod.TEXT_LAYER:
            how = "text layer"
        elif confidence is not None:
            how = f"OCR, {confidence:.0f}% confidence"
        else:
            how = "OCR"
        plural = "word" if words == 1 else "words"
        task.message = f"{words} {plural} ({how})" if words else f"No text found ({how})"
        with self.library.transaction() as db:
            # The page's text and its task's completion commit together.
            self.library.save_page_text(db, task.page_id, str(result["text"]), method, confidence)
            self.library.update_task(task, ("status", "finished_at", "progress", "message"), db)
        self._batch.done += 1
        self._batch.pages_done += 1
        self._mark(task.id, "status", "finished_at", "progress", "message")
        if task.source_id is not None:
            self.pageTextReady.emit(task.source_id, task.page_id)

    def _complete_import(self, task: BackgroundTask, result: dict[str, Any]) -> None:
        self._transition(task, TaskStatus.COMPLETED)
        task.finished_at = now_iso()
        task.progress = 1.0
        name = str(task.payload.get("name") or Path(task.payload["path"]).name)
        existing = self.library.source_by_sha(result["sha256"])
        source: Source | None = None
        with self.library.transaction() as db:
            if existing is not None:
                task.source_id = existing.id
                task.message = f"Already in the library as {existing.name}"
            else:
                source, pages = self.library.add_source(
                    sha256=result["sha256"],
                    name=name,
                    original_path=str(task.payload["path"]),
                    kind=str(result["kind"]),
                    size=int(result["size"]),
                    page_count=int(result["pages"]),
                    db=db,
                )
                task.source_id = source.id
                count = len(pages)
                task.message = f"Imported {count} page{'s' if count != 1 else ''}"
            self.library.update_task(
                task, ("status", "finished_at", "progress", "message", "source_id"), db
            )
        task.source_name = existing.name if existing else name
        self._batch.done += 1
        self._mark(
            task.id, "status", "finished_at", "progress", "message", "source_id", "source_name"
        )
        if source is not None:
            self.sourceAdded.emit(source)
        # The page tasks follow in batches (an import interrupted earlier, found here
        # as already in the library, gets the tasks it did not make then).
        if task.source_id is not None:
            self._to_queue.append((task.source_id, task.priority))
            self._queue_pages()

    @Slot()
    def _queue_pages(self) -> None:
        """Make the next batch of page tasks; another turn of the event loop does the rest."""
        if self._stopping or not self._to_queue:
            return
        source_id, priority = self._to_queue[0]
        source = self.library.source(source_id)
        pages = self.library.unqueued_pages(source_id, PAGE_TASK_BATCH) if source else []
        if len(pages) < PAGE_TASK_BATCH:
            self._to_queue.popleft()
        if source is not None and pages:
            stamp = now_iso()
            new_tasks = [
                BackgroundTask(
                    id=0,
                    task_type=TaskType.TEXT_EXTRACTION,
                    status=TaskStatus.PENDING,
                    scheduled_at=stamp,
                    source_id=source.id,
                    page_id=page.id,
                    priority=priority,
                    message="Waiting",
                    source_name=source.name,
                    page_number=page.number,
                )
                for page in pages
            ]
            with self.library.transaction() as db:
                self.library.insert_tasks(new_tasks, db)
            self._adopt(new_tasks)
        if self._to_queue:
            QTimer.singleShot(0, self._queue_pages)

    def _discard_late_result(self, task: BackgroundTask | None, result: dict[str, Any]) -> None:
        """A result for a task already cancelled: keep nothing of it."""
        if task is None or task.task_type is not TaskType.IMPORT:
            return
        sha = result.get("sha256")
        if sha and not result.get("existed") and self.library.source_by_sha(sha) is None:
            self.library.store.remove(sha)

    # -- coalesced signals -----------------------------------------------------------

    def _mark(self, task_id: int, *fields: str) -> None:
        self._changed.setdefault(task_id, set()).update(fields)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def _flush(self) -> None:
        if self._removed:
            removed, self._removed = self._removed, []
            self.tasksRemoved.emit(removed)
        if self._added:
            added, self._added = self._added, []
            added_ids = {t.id for t in added}
            for task_id in added_ids:
                self._changed.pop(task_id, None)
            self.tasksAdded.emit([t for t in added if t.id in self._tasks])
        if self._changed:
            changed, self._changed = self._changed, {}
            self.tasksChanged.emit(
                {i: tuple(sorted(f)) for i, f in changed.items() if i in self._tasks}
            )
        self.aggregateChanged.emit(self.aggregate())

    def flush_now(self) -> None:
        """Emit pending coalesced signals immediately (tests, shutdown)."""
        self._flush_timer.stop()
        self._flush()
