"""Which tasks in view need the user: failures not retried, pages read that need checking."""

from __future__ import annotations

from app.core.models import TO_CHECK, BackgroundTask, TaskStatus


class Attention:
    """Keeps, as tasks come, go and change status, what needs attention.

    A failure needs attention until a task in view retries it. A page task that
    completed "to check" needs it until a newer task for the same page is in view
    (the page rotated or read again: that task's own outcome then counts).
    """

    def __init__(self) -> None:
        self.failed: set[int] = set()
        #: Ids that a task in view retries.
        self.retried: set[int] = set()
        #: Completed "to check" task id -> its page id.
        self.to_check: dict[int, int] = {}
        #: The newest task id in view for each page.
        self.latest: dict[int, int] = {}

    def count(self, task: BackgroundTask, status: TaskStatus, delta: int) -> None:
        """`task` enters (+1) or leaves (-1) `status`."""
        if status is TaskStatus.FAILED:
            if delta > 0:
                self.failed.add(task.id)
            else:
                self.failed.discard(task.id)
        elif status is TaskStatus.COMPLETED and task.page_id is not None:
            if delta > 0 and task.payload.get(TO_CHECK):
                self.to_check[task.id] = task.page_id
            elif delta < 0:
                self.to_check.pop(task.id, None)

    def note_new(self, tasks: list[BackgroundTask]) -> set[int]:
        """Tasks came into view: the ids that no longer need attention because of them."""
        settled = {t.retry_of for t in tasks if t.retry_of is not None} - self.retried
        self.retried |= settled
        for task in tasks:
            page = task.page_id
            if page is None:
                continue
            before = self.latest.get(page)
            if before is None or task.id > before:
                self.latest[page] = task.id
                if before is not None and before in self.to_check:
                    settled.add(before)
        return settled

    def rebuild(self, tasks: list[BackgroundTask]) -> None:
        """After tasks left the view: retries and newest tasks from those that remain."""
        self.retried = {t.retry_of for t in tasks if t.retry_of is not None}
        latest: dict[int, int] = {}
        for task in tasks:
            if task.page_id is not None and task.id > latest.get(task.page_id, -1):
                latest[task.page_id] = task.id
        self.latest = latest

    def _checking(self) -> list[int]:
        return [t for t, page in self.to_check.items() if self.latest.get(page) == t]

    @property
    def failures(self) -> int:
        """Failed tasks that no task in view retries."""
        return len(self.failed) - len(self.failed & self.retried)

    @property
    def total(self) -> int:
        return self.failures + len(self._checking())

    def needs(self, task: BackgroundTask) -> bool:
        if task.status is TaskStatus.FAILED:
            return task.id not in self.retried
        if task.id in self.to_check:
            return self.latest.get(self.to_check[task.id]) == task.id
        return False

    def failed_ids(self) -> list[int]:
        return sorted(self.failed - self.retried)
