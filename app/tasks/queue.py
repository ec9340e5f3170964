"""The queue of tasks in view: what runs next, the jobs on the pool, coalesced signals."""

from __future__ import annotations

import heapq
import logging
import os
from collections import deque
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from app.core.library import Library
from app.core.models import (
    ALLOWED_TRANSITIONS,
    BackgroundTask,
    OcrMode,
    TaskChange,
    TaskStatus,
    TaskType,
    now_iso,
)
from app.core.scheduling import OrderKey, task_order_key
from app.extraction.client import WorkerPool
from app.tasks.jobs import Job
from app.tasks.passwords import PasswordStore
from app.tasks.progress import AggregateProgress, BatchTracker
from app.tasks.remote import RemotePages

log = logging.getLogger(__name__)

#: Milliseconds over which bursts of task changes are gathered into one signal.
COALESCE_MS = 50
SETTING_PAUSED = "queue.paused"
SETTING_OCR_MODE = "ocr.mode"
SETTING_OCR_LANG = "ocr.lang"
SETTING_CONCURRENCY = "queue.concurrency"
#: Finished tasks loaded into view at start; older ones wait behind "Show cleared".
FINISHED_IN_VIEW = 20_000


def default_concurrency() -> int:
    return max(1, os.cpu_count() or 1)


class TaskQueue(QObject):
    """Owns the queue, a QThreadPool and the worker processes; writes every transition.

    Signals:
        tasksAdded(list): snapshots of new tasks (copies: views never share the queue's).
        tasksChanged(dict): {task id: TaskChange (a snapshot, the changed fields)},
            coalesced.
        tasksRemoved(list): ids no longer in view ("Clear finished").
        clearedChanged(int): how many finished tasks are cleared from view.
        aggregateChanged(object): AggregateProgress of the current batch.
        batchFinished(object): the final AggregateProgress when the queue empties.
        idle(): nothing pending or running.
        sourceAdded(object): a new Source.
        sourceChanged(int): a source's name, imported names or metadata changed (its id).
        pageTextReady(int, int): source id, page id whose text was stored.
        pausedChanged(bool), concurrencyChanged(int).
        passwordNeeded(object): a LockedDocument (unlocking.py) whose task stopped for
            its password, or because the one tried was wrong.
        passwordChecked(object): a PasswordCheck, the answer to `check_password`.
        sourcesTrashed(object): ids of the sources just moved to the trash (trash.py).
        sourcesRestored(object): the Sources just taken out of the trash (trash.py).
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
    sourceChanged = Signal(int)
    pageTextReady = Signal(int, int)
    pausedChanged = Signal(bool)
    concurrencyChanged = Signal(int)
    passwordNeeded = Signal(object)
    passwordChecked = Signal(object)
    sourcesTrashed = Signal(object)
    sourcesRestored = Signal(object)

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
        # task_order_key (the rule every front-end shares): higher priority first, imports
        # before page reading at the same priority, then the oldest.
        # Stale entries (a task re-queued with a new priority) are skipped.
        self._queue: list[OrderKey] = []
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
        self._to_queue: deque[tuple[int, int, str]] = deque()
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
        #: Where pages are read when not here (a Dask cluster, set by app.cluster).
        self.remote: RemotePages | None = None
        #: Passwords of locked documents, in memory only (see passwords.py).
        self.passwords = PasswordStore()
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(COALESCE_MS)
        self._flush_timer.timeout.connect(self._flush)

    def get(self, task_id: int) -> BackgroundTask | None:
        """A snapshot of a task as it is now (from the library when not in view)."""
        task = self._tasks.get(task_id)
        return task.snapshot() if task is not None else self.library.task(task_id)

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

    def register(self, tasks: Sequence[BackgroundTask]) -> list[BackgroundTask]:
        """Record new pending tasks and queue them."""
        for task in tasks:
            task.status = TaskStatus.PENDING
        with self.library.transaction() as db:
            self.library.insert_tasks(tasks, db)
        self._adopt(tasks)
        return [t.snapshot() for t in tasks]

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

    # -- the queue -------------------------------------------------------------------

    def _enqueue(self, task: BackgroundTask) -> None:
        heapq.heappush(self._queue, task_order_key(task))

    def _schedule(self) -> None:
        if not self._started or self._stopping or self._paused:
            return
        while len(self._running) < self._capacity() and self._queue:
            entry = heapq.heappop(self._queue)
            neg_priority, _kind, task_id = entry
            task = self._tasks.get(task_id)
            if task is None or task.status is not TaskStatus.PENDING:
                continue
            if -neg_priority != task.priority:
                continue  # a stale entry; the task was re-queued with its new priority
            if self.remote is not None and not self._may_start_here(task):
                heapq.heappush(self._queue, entry)
                break
            self._start(task)
        if self.is_idle():
            self._finish_batch()

    def _capacity(self) -> int:
        """Tasks run at once: the setting, or as many as a cluster reads at once."""
        if self.remote is None:
            return self._concurrency
        slots = max(self._concurrency, self.remote.slots())
        if self.pool.maxThreadCount() < slots:
            self.pool.setMaxThreadCount(slots)
        return slots

    def _may_start_here(self, task: BackgroundTask) -> bool:
        """With a cluster, imports (copied and counted here) still keep to the setting."""
        if task.task_type is not TaskType.IMPORT:
            return True
        here = sum(
            1
            for i in self._running
            if (t := self._tasks.get(i)) is not None and t.task_type is TaskType.IMPORT
        )
        return here < self._concurrency

    def use_remote(self, remote: RemotePages | None) -> None:
        """Read pages there from now on (None: here); running pages finish where they are."""
        self.remote = remote
        if remote is None:
            self.pool.setMaxThreadCount(max(self._concurrency, len(self._running)))
        self._schedule()

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

    def _fail(self, task: BackgroundTask, message: str) -> None:
        self._transition(task, TaskStatus.FAILED)
        task.finished_at = now_iso()
        task.error = message
        task.message = "Failed"
        self.library.update_task(task, ("status", "finished_at", "error", "message"))
        self._batch.failed += 1
        self._mark(task.id, "status", "finished_at", "error", "message")

    def aggregate(self) -> AggregateProgress:
        return self._batch.snapshot(len(self._running), self._paused)

    @property
    def ocr_mode(self) -> OcrMode:
        return OcrMode(self.library.setting(SETTING_OCR_MODE) or OcrMode.AUTO.value)

    @property
    def ocr_lang(self) -> str:
        """The OCR languages chosen in Settings ("" until chosen: the system's language,
        then English, among those installed — a job finds them off the GUI thread)."""
        return self.library.setting(SETTING_OCR_LANG, "") or ""

    def _start(self, task: BackgroundTask) -> None:
        """Run a task's job on the pool (JobResults does it)."""
        raise NotImplementedError

    def _on_locked(self, task_id: int, sentence: str, wrong: bool) -> None:
        """A job's document needs its password (TaskUnlocking does it)."""
        raise NotImplementedError

    def _queue_pages(self) -> None:
        """Make the next batch of page tasks (JobResults does it)."""
        raise NotImplementedError

    def _restore_from_trash(self, source_id: int) -> bool:
        """Take a document out of the trash (TrashControl does it)."""
        raise NotImplementedError

    def _transition(self, task: BackgroundTask, status: TaskStatus) -> None:
        if status not in ALLOWED_TRANSITIONS[task.status]:
            raise ValueError(f"task {task.id}: {task.status} -> {status} is not allowed")
        task.status = status

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
            self.tasksAdded.emit([t.snapshot() for t in added if t.id in self._tasks])
        if self._changed:
            changed, self._changed = self._changed, {}
            self.tasksChanged.emit(
                {
                    i: TaskChange(task.snapshot(), tuple(sorted(f)))
                    for i, f in changed.items()
                    if (task := self._tasks.get(i)) is not None
                }
            )
        self.aggregateChanged.emit(self.aggregate())

    def flush_now(self) -> None:
        """Emit pending coalesced signals immediately (tests, shutdown)."""
        self._flush_timer.stop()
        self._flush()
