"""The status filters of the Tasks page and the proxy that applies them with the text filter."""

from __future__ import annotations

import enum
import logging
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QGuiApplication, QPalette

from app.core.models import BackgroundTask, TaskStatus
from app.ui.tasks.cells import Role, source_label
from app.ui.tasks.model import TasksTableModel

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex


class StatusFilter(enum.StrEnum):
    """The status filter chips of the Tasks page."""

    ALL = "all"
    ACTIVE = "active"
    NEEDS_ATTENTION = "needs_attention"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


STATUS_FILTER_LABELS: dict[StatusFilter, str] = {
    StatusFilter.ALL: "All",
    StatusFilter.ACTIVE: "Active",
    StatusFilter.NEEDS_ATTENTION: "Needs attention",
    StatusFilter.COMPLETED: "Completed",
    StatusFilter.CANCELLED: "Cancelled",
}

_FILTER_STATUSES: dict[StatusFilter, frozenset[TaskStatus] | None] = {
    StatusFilter.ALL: None,
    StatusFilter.ACTIVE: frozenset({TaskStatus.PENDING, TaskStatus.IN_PROGRESS}),
    StatusFilter.NEEDS_ATTENTION: frozenset({TaskStatus.FAILED, TaskStatus.COMPLETED}),
    StatusFilter.COMPLETED: frozenset({TaskStatus.COMPLETED}),
    StatusFilter.CANCELLED: frozenset({TaskStatus.CANCELLED}),
}


def filter_count(model: TasksTableModel, which: StatusFilter) -> int:
    """How many tasks in view a status filter shows (before the text filter)."""
    if which is StatusFilter.NEEDS_ATTENTION:
        return model.attention_count
    statuses = _FILTER_STATUSES[which]
    counts = model.counts()
    return sum(counts.values()) if statuses is None else sum(counts[s] for s in statuses)


class TasksFilterProxyModel(QSortFilterProxyModel):
    """Filters the tasks by status and by text (source name and error).

    Sorting is forwarded to the TasksTableModel, which sorts far faster itself.

    While held (`set_holding`, see hold.py), a row that stops matching the filter
    (a task finishing under the Active filter) stays where it is, dimmed, so the
    rows do not shift under the pointer; it goes when the hold ends.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(True)
        self.setFilterRole(Role.FILTER)
        self.setFilterKeyColumn(-1)
        self._tasks_model: TasksTableModel | None = None
        self._status_filter = StatusFilter.ALL
        self._statuses: frozenset[TaskStatus] | None = None
        self._needle = ""
        self._holding = False
        #: Ids of tasks shown while held that the filter no longer matches.
        self._held: set[int] = set()

    def setSourceModel(self, model: Any) -> None:
        old = self._tasks_model
        if old is not None:
            old.dataChanged.disconnect(self._before_source_change)
        self._tasks_model = model if isinstance(model, TasksTableModel) else None
        if self._tasks_model is not None:
            # Connected before the proxy's own handler: the rows are noted while
            # they are still in view, before the proxy filters them again.
            self._tasks_model.dataChanged.connect(self._before_source_change)
        super().setSourceModel(model)

    # -- holding rows still --------------------------------------------------------------

    @property
    def holding(self) -> bool:
        return self._holding

    def set_holding(self, on: bool) -> None:
        """Hold rows in view while on; when turned off, rows held meanwhile go."""
        if on == self._holding:
            return
        self._holding = on
        if not on and self._held:
            self.beginFilterChange()
            self._held.clear()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def is_held(self, task_id: int) -> bool:
        """Shown only because the rows are held (the filter no longer matches it)."""
        return task_id in self._held

    def _before_source_change(
        self,
        top_left: QModelIndex,
        bottom_right: QModelIndex,
        roles: list[int] = [],  # noqa: B006
    ) -> None:
        model = self._tasks_model
        if not self._holding or model is None:
            return
        for row in range(top_left.row(), bottom_right.row() + 1):
            task = model.task_at(row)
            if task.id in self._held or self._accepts(task):
                continue
            if self.mapFromSource(model.index(row, 0)).isValid():
                self._held.add(task.id)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and self._held:
            task_id = super().data(index, Role.TASK_ID)
            if task_id is not None and int(task_id) in self._held:
                palette = QGuiApplication.palette()
                return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return super().data(index, role)

    @property
    def status_filter(self) -> StatusFilter:
        return self._status_filter

    @property
    def text_filter(self) -> str:
        return self._needle

    def set_status_filter(self, which: StatusFilter) -> None:
        if which is self._status_filter:
            return
        self.beginFilterChange()
        self._held.clear()
        self._status_filter = which
        self._statuses = _FILTER_STATUSES[which]
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._held.clear()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self._tasks_model
        if model is None:
            return True
        task = model.task_at(source_row)
        return self._accepts(task) or task.id in self._held

    def _accepts(self, task: BackgroundTask) -> bool:
        model = self._tasks_model
        assert model is not None
        statuses = self._statuses
        if statuses is not None:
            if task.status not in statuses:
                return False
            if self._status_filter is StatusFilter.NEEDS_ATTENTION and not model.needs_attention(
                task
            ):
                return False
        needle = self._needle
        if needle:
            error = (task.error or "").casefold()
            return needle in source_label(task).casefold() or needle in error
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self._tasks_model
        if model is not None:
            model.sort(column, order)
        else:
            super().sort(column, order)
