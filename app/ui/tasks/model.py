"""The tasks table model: the manager's tasks in view, kept sorted as they change."""

from __future__ import annotations

import logging
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)

from app.core.models import BackgroundTask, TaskChange, TaskStatus
from app.tasks.manager import ExtractionManager
from app.ui.tasks.attention import Attention
from app.ui.tasks.cells import (
    BY_CELL,
    BY_ROLE,
    COLUMN_TIPS,
    COLUMN_TITLES,
    DISPLAY,
    FIELD_EFFECTS,
    SORT_KEYS,
    TOOLTIP,
    Column,
    Role,
)

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex


#: The task fields each column sorts by: a change to one of them re-sorts.
SORT_FIELDS: dict[Column, frozenset[str]] = {
    Column.SELECT: frozenset(),
    Column.TYPE: frozenset({"task_type"}),
    Column.STATUS: frozenset({"status"}),
    Column.SOURCE: frozenset({"source_id", "source_name"}),
    Column.PAGE: frozenset({"page_id", "page_number"}),
    Column.SCHEDULED: frozenset({"scheduled_at"}),
    Column.PROGRESS: frozenset({"progress", "message"}),
    Column.DURATION: frozenset({"started_at", "finished_at"}),
}

#: Above this many separate row runs, a removal resets the model instead.
_MAX_REMOVE_RUNS = 256
#: GUI time a burst of changes may spend moving rows to their sorted places one by one;
#: beyond it the rows wait for one re-sort of the whole table.
_MOVE_BUDGET_S = 0.008

SortKey = tuple[Any, int]


def row_runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted, de-duplicated rows as inclusive (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _creation_order(task: BackgroundTask, now: float) -> int:
    return 0


class TasksTableModel(QAbstractTableModel):
    """The tasks in view, one row each, as snapshots the manager's signals bring.

    Rows follow the manager's signals (no polling). Each burst of changes becomes
    one ``dataChanged`` per changed column and run of adjacent rows, naming only
    the roles that changed. Sorting happens here, in Python (a proxy sorting
    through ``data()`` takes seconds at 100,000 rows), so the proxy only filters.
    Rows are always in the order of the sort key they were placed with; a task
    whose key changes moves to its new place at once (a few of them) or with the
    next re-sort of the whole table (many, throttled). Looking a task up is a
    binary search on those keys, so moves cost no renumbering.

    Signals:
        countsChanged(): the number of tasks per status changed (see counts()).
    """

    countsChanged = Signal()

    def __init__(self, manager: ExtractionManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._manager = manager
        self._tasks: list[BackgroundTask] = []
        #: The sort key each row was placed with; always in row order.
        self._keys: list[SortKey] = []
        self._key_of: dict[int, SortKey] = {}
        #: The status each row had at the last update, to count transitions.
        self._seen: list[TaskStatus] = []
        self._counts: Counter[TaskStatus] = Counter()
        #: Failures not retried and pages to check without a newer task.
        self._attention = Attention()
        self._now = time.time()
        self._sort_column = -1
        self._descending = False
        self._sort_cost = 0.0
        self._move_cost = 0.0
        self._resort_timer = QTimer(self)
        self._resort_timer.setSingleShot(True)
        self._resort_timer.timeout.connect(self._resort)
        self.add_tasks(manager.tasks())
        manager.tasksAdded.connect(self.add_tasks)
        manager.tasksChanged.connect(self.change_tasks)
        manager.tasksRemoved.connect(self.remove_tasks)

    # -- Qt model API ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._tasks)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        row = index.row()
        if not 0 <= row < len(self._tasks):
            return None
        getter = BY_ROLE.get(role) or BY_CELL.get((index.column(), role))
        return None if getter is None else getter(self._tasks[row], self._now)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == DISPLAY:
            return COLUMN_TITLES[Column(section)]
        if role == TOOLTIP:
            return COLUMN_TIPS[Column(section)]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (-1: the order tasks were created), and keep that order."""
        self._sort_column = column if 0 <= column < len(Column) else -1
        self._descending = self._sort_column >= 0 and order is Qt.SortOrder.DescendingOrder
        self._resort()

    # -- reading -----------------------------------------------------------------------

    def task_at(self, row: int) -> BackgroundTask:
        return self._tasks[row]

    def row_of(self, task_id: int) -> int | None:
        key = self._key_of.get(task_id)
        if key is None:
            return None
        row = self._position(key)
        if row < len(self._keys) and self._keys[row] == key:
            return row
        # Only between appending a large batch and sorting it (signals sent meanwhile).
        return self._keys.index(key) if key in self._keys else None

    def task(self, task_id: int) -> BackgroundTask | None:
        row = self.row_of(task_id)
        return None if row is None else self._tasks[row]

    def tasks(self) -> list[BackgroundTask]:
        """The tasks in row order."""
        return list(self._tasks)

    def tasks_in(self, first: int, last: int) -> list[BackgroundTask]:
        """The tasks of rows first..last (inclusive)."""
        return self._tasks[first : last + 1]

    def counts(self) -> dict[TaskStatus, int]:
        return {status: self._counts[status] for status in TaskStatus}

    @property
    def active_count(self) -> int:
        return self._counts[TaskStatus.PENDING] + self._counts[TaskStatus.IN_PROGRESS]

    @property
    def attention_count(self) -> int:
        """Failures not retried, and pages to check that no newer task reads again."""
        return self._attention.total

    @property
    def failure_count(self) -> int:
        """Failed tasks that no task in view retries."""
        return self._attention.failures

    def needs_attention(self, task: BackgroundTask) -> bool:
        return self._attention.needs(task)

    def is_retried(self, task_id: int) -> bool:
        return task_id in self._attention.retried

    def attention_ids(self) -> list[int]:
        """The failed tasks that no task in view retries."""
        return self._attention.failed_ids()

    # -- order -------------------------------------------------------------------------

    def _key(self, task: BackgroundTask) -> SortKey:
        column = self._sort_column
        getter = SORT_KEYS[Column(column)] if column >= 0 else _creation_order
        return getter(task, self._now), task.id

    def _position(self, key: SortKey) -> int:
        """The row where `key` is, or where it would go (binary search on placed keys)."""
        keys = self._keys
        if not self._descending:
            return bisect_left(keys, key)
        low, high = 0, len(keys)
        while low < high:
            middle = (low + high) // 2
            if keys[middle] > key:
                low = middle + 1
            else:
                high = middle
        return low

    def _in_place(self, row: int, key: SortKey) -> bool:
        keys = self._keys
        before = keys[row - 1] if row > 0 else None
        after = keys[row + 1] if row + 1 < len(keys) else None
        if self._descending:
            return (before is None or before > key) and (after is None or key > after)
        return (before is None or before < key) and (after is None or key < after)

    # -- following the manager ---------------------------------------------------------

    @Slot(object)
    def add_tasks(self, tasks: list[BackgroundTask]) -> None:
        fresh: dict[int, BackgroundTask] = {}
        for task in tasks:
            if task.id not in self._key_of:
                fresh.setdefault(task.id, task)
        if not fresh:
            return
        keyed = sorted(
            ((self._key(t), t) for t in fresh.values()),
            key=lambda pair: pair[0],
            reverse=self._descending,
        )
        last = self._keys[-1] if self._keys else None
        first_new = keyed[0][0]
        in_order = last is None or (first_new < last if self._descending else first_new > last)
        if in_order:
            self._insert_block(len(self._tasks), keyed)
        elif len(keyed) * self._move_cost <= _MOVE_BUDGET_S:
            started = time.perf_counter()
            for key, task in keyed:
                self._insert_block(self._position(key), [(key, task)])
            self._learn_move_cost(started, len(keyed))
        else:
            self._insert_block(len(self._tasks), keyed)
            self._resort()
        self._note_retries(list(fresh.values()))
        self.countsChanged.emit()

    def _insert_block(self, row: int, keyed: list[tuple[SortKey, BackgroundTask]]) -> None:
        self.beginInsertRows(QModelIndex(), row, row + len(keyed) - 1)
        keys = [k for k, _ in keyed]
        tasks = [t for _, t in keyed]
        self._keys[row:row] = keys
        self._tasks[row:row] = tasks
        self._seen[row:row] = [t.status for t in tasks]
        for key, task in keyed:
            self._key_of[task.id] = key
            self._count(task, task.status, +1)
        self.endInsertRows()

    def _note_retries(self, tasks: list[BackgroundTask]) -> None:
        settled = self._attention.note_new(tasks)
        if not settled:
            return
        # A retried failure, a page read again: no more attention; let a proxy look again.
        rows = [r for r in (self.row_of(i) for i in settled) if r is not None]
        for first, last in row_runs(rows):
            self.dataChanged.emit(
                self.index(first, Column.STATUS), self.index(last, Column.STATUS), [Role.FILTER]
            )

    def _count(self, task: BackgroundTask, status: TaskStatus, delta: int) -> None:
        self._counts[status] += delta
        self._attention.count(task, status, delta)

    @Slot(object)
    def change_tasks(self, changes: dict[int, TaskChange]) -> None:
        """Take the manager's new snapshots; few, narrow dataChanged calls for them."""
        cells: dict[Column, tuple[list[int], set[int]]] = {}
        counts_changed = False
        sort_fields = SORT_FIELDS[Column(self._sort_column)] if self._sort_column >= 0 else None
        unsorted: list[int] = []
        for task_id, change in changes.items():
            row = self.row_of(task_id)
            if row is None:
                continue
            task = self._tasks[row] = change.task
            fields = change.fields
            if "status" in fields and self._seen[row] is not task.status:
                self._count(task, self._seen[row], -1)
                self._count(task, task.status, +1)
                self._seen[row] = task.status
                counts_changed = True
            if sort_fields and not sort_fields.isdisjoint(fields):
                unsorted.append(task_id)
            for name in fields:
                for column, roles in FIELD_EFFECTS.get(name, ()):
                    entry = cells.get(column)
                    if entry is None:
                        cells[column] = ([row], set(roles))
                    else:
                        entry[0].append(row)
                        entry[1].update(roles)
        for column, (rows, wanted) in cells.items():
            role_list = sorted(wanted)
            for first, last in row_runs(rows):
                self.dataChanged.emit(
                    self.index(first, column), self.index(last, column), role_list
                )
        if counts_changed:
            self.countsChanged.emit()
        if unsorted:
            if (
                not self._resort_timer.isActive()
                and len(unsorted) * self._move_cost <= _MOVE_BUDGET_S
            ):
                self._relocate(unsorted)
            else:
                self._schedule_resort()

    def _relocate(self, task_ids: list[int]) -> None:
        """Move tasks whose sort key changed to their new rows, one by one."""
        started = time.perf_counter()
        moving: list[tuple[int, SortKey]] = []
        for task_id in task_ids:
            old = self._key_of.get(task_id)
            if old is None:
                continue
            row = self._position(old)
            new = self._key(self._tasks[row])
            if new == old:
                continue
            if self._in_place(row, new):
                self._keys[row] = new
                self._key_of[task_id] = new
            else:
                moving.append((task_id, new))
        if not moving:
            return
        for task_id, new in moving:
            row = self._position(self._key_of[task_id])
            # Where the new key goes among the rows as they are (this one still in):
            # exactly beginMoveRows' destination; the persistent indexes (the view's
            # selection and current row among them) follow the row.
            destination = self._position(new)
            if destination in (row, row + 1):
                self._keys[row] = new
                self._key_of[task_id] = new
                continue
            self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
            task = self._tasks.pop(row)
            seen = self._seen.pop(row)
            del self._keys[row]
            target = destination if destination < row else destination - 1
            self._tasks.insert(target, task)
            self._seen.insert(target, seen)
            self._keys.insert(target, new)
            self._key_of[task_id] = new
            self.endMoveRows()
        self._learn_move_cost(started, len(moving))

    def _learn_move_cost(self, started: float, moves: int) -> None:
        cost = (time.perf_counter() - started) / max(moves, 1)
        self._move_cost = cost if self._move_cost == 0 else 0.7 * self._move_cost + 0.3 * cost

    @Slot(object)
    def remove_tasks(self, task_ids: list[int]) -> None:
        rows = [r for r in (self.row_of(i) for i in task_ids) if r is not None]
        if not rows:
            return
        runs = row_runs(rows)
        for row in set(rows):
            self._count(self._tasks[row], self._seen[row], -1)
            del self._key_of[self._tasks[row].id]
        if len(runs) > _MAX_REMOVE_RUNS:
            gone = set(rows)
            self.beginResetModel()
            self._reorder([r for r in range(len(self._tasks)) if r not in gone])
            self.endResetModel()
        else:
            for first, last in reversed(runs):
                self.beginRemoveRows(QModelIndex(), first, last)
                del self._tasks[first : last + 1]
                del self._seen[first : last + 1]
                del self._keys[first : last + 1]
                self.endRemoveRows()
        self._attention.rebuild(self._tasks)
        self.countsChanged.emit()

    def _reorder(self, order: list[int]) -> None:
        """Rearrange the rows to `order` (old row numbers), dropping the others."""
        self._tasks = [self._tasks[r] for r in order]
        self._seen = [self._seen[r] for r in order]
        self._keys = [self._keys[r] for r in order]

    # -- time and re-sorting -----------------------------------------------------------

    def refresh_times(self, rows: Iterable[int]) -> None:
        """Bring relative times and running durations up to date on these rows.

        The view asks for the rows it shows: refreshing every row would make a
        filtering proxy look at all of them each second.
        """
        self._now = time.time()
        runs = row_runs(r for r in rows if 0 <= r < len(self._tasks))
        for first, last in runs:
            for column in (Column.SCHEDULED, Column.DURATION):
                self.dataChanged.emit(
                    self.index(first, column), self.index(last, column), [DISPLAY]
                )

    def _schedule_resort(self) -> None:
        if self._resort_timer.isActive():
            return
        # Re-sorting 100,000 rows costs ~0.2 s (the proxy filters every row again):
        # wait ten times the last cost, so sorting takes at most a tenth of the GUI time.
        self._resort_timer.start(max(50, min(5000, round(self._sort_cost * 10_000))))

    @Slot()
    def _resort(self) -> None:
        started = time.perf_counter()
        self._resort_timer.stop()
        keys = [self._key(t) for t in self._tasks]
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=self._descending)
        self._key_of = {t.id: k for t, k in zip(self._tasks, keys, strict=True)}
        if order == list(range(len(order))):
            self._keys = keys
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        anchors = [(self._tasks[i.row()].id, i.column()) for i in persistent]
        self._keys = keys
        self._reorder(order)
        moved = []
        for task_id, column in anchors:
            row = self.row_of(task_id)
            moved.append(self.index(row, column) if row is not None else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        self._sort_cost = time.perf_counter() - started
