"""Steering tasks: cancel, retry, move to the front, clear from view and bring back."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.locked import without_attempt_marks
from app.core.models import (
    BackgroundTask,
    TaskStatus,
    TaskType,
    now_iso,
)
from app.tasks.queue import TaskQueue

log = logging.getLogger(__name__)


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


class TaskControl(TaskQueue):
    """What a person (or a script) asks of tasks, by id; part of ExtractionManager."""

    # -- control ---------------------------------------------------------------------

    def cancel(self, task_id: int) -> CancelOutcome:
        return self.cancel_many([task_id])

    def cancel_all(self) -> CancelOutcome:
        return self.cancel_many([t.id for t in self._tasks.values() if t.status.is_active])

    def cancel_many(self, task_ids: Iterable[int], *, message: str = "Cancelled") -> CancelOutcome:
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
            task.message = message
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
            self.flush_now()  # what a person asked for shows at once
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
                    # Not how the last attempt ended (e.g. that it needed a password).
                    payload=without_attempt_marks(old.payload),
                    source_name=old.source_name,
                    page_number=old.page_number,
                )
            )
        registered = self.register(new)
        if registered:
            self.flush_now()
        return registered, skipped

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
        self.flush_now()

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
        return [t.snapshot() for t in tasks]

    def _top_priority(self) -> int:
        return max((t.priority for t in self._tasks.values() if t.status.is_active), default=0)
