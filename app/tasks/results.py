"""What a finished job means: a page's text stored, a document added, a failure told."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer, Slot

from app.core.models import (
    ALREADY_IN_LIBRARY,
    TO_CHECK,
    BackgroundTask,
    Source,
    TaskStatus,
    TaskType,
    now_iso,
)
from app.extraction.searchable import SearchableResult
from app.tasks.jobs import Imported, ImportJob, Job, PageJob, PageRead
from app.tasks.queue import TaskQueue
from app.tasks.searchable_job import discard_output, make_searchable_job

log = logging.getLogger(__name__)

#: Page tasks made per event-loop turn after an import: a long document's thousands
#: of tasks never hold the GUI thread for long.
PAGE_TASK_BATCH = 500


class JobResults(TaskQueue):
    """Turns job results into task transitions, page text and new documents."""

    # -- job results (GUI thread) ----------------------------------------------------

    def _start(self, task: BackgroundTask) -> None:
        job = self._make_job(task)
        if job is None:
            return
        if self.remote is not None and isinstance(job, PageJob):
            job = self.remote.page_job(job)  # read on the cluster
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
        job.signals.locked.connect(self._on_locked)
        self._running[task.id] = job
        self.pool.start(job)

    def _make_job(self, task: BackgroundTask) -> Job | None:
        if task.task_type is TaskType.IMPORT:
            return ImportJob(
                task.id,
                self.workers,
                self.library.store,
                Path(task.payload["path"]),
                self.passwords,
            )
        if task.task_type is TaskType.SEARCHABLE_PDF:
            made = make_searchable_job(
                task, self.library, self.workers, self._concurrency, self.ocr_lang, self.passwords
            )
            if isinstance(made, str):
                self._fail(task, made)
                return None
            return made
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
            # The user's turn for the page (see `_reextract`), kept for every later read.
            rotation=int(task.payload.get("rotation") or 0),
            password=self.passwords.get(source.sha256),
        )

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
    def _on_finished(self, task_id: int, result: Imported | PageRead | SearchableResult) -> None:
        job = self._job_done(task_id)
        task = self._tasks.get(task_id)
        if job is None or task is None or task.status is not TaskStatus.IN_PROGRESS:
            self._discard_late_result(task, result)
            self._schedule()
            return
        if isinstance(result, Imported):
            self._complete_import(task, result)
        elif isinstance(result, SearchableResult):
            self._complete_searchable(task, result)
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

    def _complete_page(self, task: BackgroundTask, read: PageRead) -> None:
        assert task.page_id is not None
        self._transition(task, TaskStatus.COMPLETED)
        task.finished_at = now_iso()
        task.progress = 1.0
        task.message = read.summary()
        fields: tuple[str, ...] = ("status", "finished_at", "progress", "message")
        if read.ran_on:  # the cluster machine that read it, for the task's details
            task.payload["ranOn"] = read.ran_on
        if read.doubt:  # the page is "to check": the Tasks page's Needs attention lists it
            task.payload[TO_CHECK] = True
        if read.ran_on or read.doubt:
            fields = (*fields, "payload")
        with self.library.transaction() as db:
            # The page's text and its task's completion commit together.
            self.library.save_page_text(
                db,
                task.page_id,
                read.text,
                read.method,
                read.confidence,
                doubt=read.doubt,
                rotation=read.rotation,
            )
            self.library.save_page_words(db, task.page_id, read.boxes)
            self.library.update_task(task, fields, db)
        self._batch.done += 1
        self._batch.pages_done += 1
        self._mark(task.id, *fields)
        if task.source_id is not None:
            self.pageTextReady.emit(task.source_id, task.page_id)

    def _complete_searchable(self, task: BackgroundTask, result: SearchableResult) -> None:
        self._transition(task, TaskStatus.COMPLETED)
        task.finished_at = now_iso()
        task.progress = 1.0
        task.message = result.summary()
        self.library.update_task(task, ("status", "finished_at", "progress", "message"))
        self._batch.done += 1
        self._mark(task.id, "status", "finished_at", "progress", "message")

    def _complete_import(self, task: BackgroundTask, result: Imported) -> None:
        self._transition(task, TaskStatus.COMPLETED)
        task.finished_at = now_iso()
        task.progress = 1.0
        name = str(task.payload.get("name") or Path(task.payload["path"]).name)
        existing = self.library.source_by_sha(result.sha256)
        # The same content imported again while in the trash: it comes back.
        from_trash = existing is not None and self.library.is_trashed(existing.id)
        source: Source | None = None
        info = result.info
        with self.library.transaction() as db:
            if existing is not None:
                task.source_id = existing.id
                task.message = (
                    f"Restored {existing.name} from the trash"
                    if from_trash
                    else f"Already in the library as {existing.name}"
                )
                # Said by a field, for whoever needs to know (never by the wording above).
                task.payload[ALREADY_IN_LIBRARY] = True
                # The same content under another name is one document with one more name;
                # one imported before Folio read metadata gets it now.
                self.library.add_source_name(db, existing.id, name, str(task.payload["path"]))
                self.library.set_document_info(db, existing.id, info, only_missing=True)
            else:
                source, pages = self.library.add_source(
                    sha256=result.sha256,
                    name=name,
                    original_path=str(task.payload["path"]),
                    kind=result.kind,
                    size=result.size,
                    page_count=result.pages,
                    db=db,
                )
                self.library.set_document_info(db, source.id, info, only_missing=False)
                source = replace(
                    source,
                    title=info.title,
                    author=info.author,
                    page_width=info.page_width,
                    page_height=info.page_height,
                )
                task.source_id = source.id
                count = len(pages)
                task.message = f"Imported {count} page{'s' if count != 1 else ''}"
                if result.note:  # e.g. only the first 10,000 pages are read
                    task.message += f". {result.note}"
            self.library.update_task(
                task, ("status", "finished_at", "progress", "message", "source_id", "payload"), db
            )
        # The row names the file the user gave, whatever the document is called.
        task.source_name = name
        if existing is not None and from_trash:
            self._restore_from_trash(existing.id)
        self._batch.done += 1
        self._mark(
            task.id, "status", "finished_at", "progress", "message", "source_id", "source_name"
        )
        if source is not None:
            self.sourceAdded.emit(source)
        elif existing is not None:
            self.sourceChanged.emit(existing.id)
        # The page tasks follow in batches (an import interrupted earlier, found here
        # as already in the library, gets the tasks it did not make then).
        if task.source_id is not None:
            self._to_queue.append(
                (task.source_id, task.priority, str(task.payload.get("lang") or ""))
            )
            self._queue_pages()

    @Slot()
    def _queue_pages(self) -> None:
        """Make the next batch of page tasks; another turn of the event loop does the rest."""
        if self._stopping or not self._to_queue:
            return
        source_id, priority, lang = self._to_queue[0]
        source = self.library.source(source_id)
        if source is not None and self.library.is_trashed(source_id):
            source = None  # its pages are queued when it is restored
        pages = self.library.unqueued_pages(source_id, PAGE_TASK_BATCH) if source else []
        if len(pages) < PAGE_TASK_BATCH:
            self._to_queue.popleft()
        if source is not None and pages:
            stamp = now_iso()
            new_tasks = [
                BackgroundTask.for_page(
                    source,
                    page,
                    priority=priority,
                    scheduled_at=stamp,
                    payload={"lang": lang} if lang else None,
                )
                for page in pages
            ]
            with self.library.transaction() as db:
                self.library.insert_tasks(new_tasks, db)
            self._adopt(new_tasks)
        if self._to_queue:
            QTimer.singleShot(0, self._queue_pages)

    def _discard_late_result(self, task: BackgroundTask | None, result: object) -> None:
        """A result for a task already cancelled: keep nothing of it."""
        discard_output(result)
        if not isinstance(result, Imported) or result.existed:
            return
        if self.library.source_by_sha(result.sha256) is None:
            self.library.store.remove(result.sha256)
