"""The Tasks table: a model over the manager's tasks, and a proxy that filters them."""

from __future__ import annotations

import enum
import logging
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)

from app.core.models import BackgroundTask, TaskStatus, TaskType
from app.tasks.manager import ExtractionManager
from app.tasks.progress import format_duration

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    """The table's columns, in model order."""

    SELECT = 0
    TYPE = 1
    STATUS = 2
    SOURCE = 3
    PAGE = 4
    SCHEDULED = 5
    PROGRESS = 6
    DURATION = 7


class Role(enum.IntEnum):
    """Data roles beyond Qt's own; every column answers TASK_ID, STATUS and PROGRESS."""

    TASK_ID = int(Qt.ItemDataRole.UserRole) + 1
    STATUS = int(Qt.ItemDataRole.UserRole) + 2
    PROGRESS = int(Qt.ItemDataRole.UserRole) + 3
    #: The value the column sorts by.
    SORT = int(Qt.ItemDataRole.UserRole) + 4
    #: What the text filter looks at (source name and error); named in dataChanged so
    #: that a proxy knows to filter the row again.
    FILTER = int(Qt.ItemDataRole.UserRole) + 5
    #: The source id (Source column) or page id (Page column) a link opens, else None.
    LINK = int(Qt.ItemDataRole.UserRole) + 6


COLUMN_TITLES: dict[Column, str] = {
    Column.SELECT: "",
    Column.TYPE: "Type",
    Column.STATUS: "Status",
    Column.SOURCE: "Source",
    Column.PAGE: "Page",
    Column.SCHEDULED: "Scheduled",
    Column.PROGRESS: "Progress",
    Column.DURATION: "Duration",
}

COLUMN_TIPS: dict[Column, str] = {
    Column.SELECT: "Selected tasks (click to add or remove a task)",
    Column.TYPE: "What the task does",
    Column.STATUS: "Where the task stands",
    Column.SOURCE: "The document the task works on (click to open it)",
    Column.PAGE: "The page the task reads (click to open it)",
    Column.SCHEDULED: "When the task was created",
    Column.PROGRESS: "What the task is doing, or why it failed",
    Column.DURATION: "How long the task has run",
}

STATUS_LABELS: dict[TaskStatus, str] = {
    TaskStatus.PENDING: "Pending",
    TaskStatus.IN_PROGRESS: "In progress",
    TaskStatus.COMPLETED: "Completed",
    TaskStatus.FAILED: "Failed",
    TaskStatus.CANCELLED: "Cancelled",
}

TYPE_LABELS: dict[TaskType, str] = {
    TaskType.IMPORT: "Import",
    TaskType.TEXT_EXTRACTION: "Extract text",
}

#: Ascending status order: what needs a look first.
_STATUS_ORDER: dict[TaskStatus, int] = {
    TaskStatus.IN_PROGRESS: 0,
    TaskStatus.PENDING: 1,
    TaskStatus.FAILED: 2,
    TaskStatus.CANCELLED: 3,
    TaskStatus.COMPLETED: 4,
}

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


# -- formatting (all cheap: data() is called for every painted cell) ---------------------


@lru_cache(maxsize=8192)
def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def relative_time(seconds_ago: float) -> str:
    """E.g. "just now", "3 min ago", "2 h ago", "yesterday"."""
    if seconds_ago < 45:
        return "just now"
    minutes = round(seconds_ago / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(seconds_ago / 3600)
    if hours < 24:
        return f"{hours} h ago"
    days = round(seconds_ago / 86400)
    return "yesterday" if days == 1 else f"{days} days ago"


def local_time(iso: str | None) -> str:
    """The exact local time of an ISO 8601 stamp, in the user's locale."""
    if not iso:
        return ""
    stamp = QDateTime.fromMSecsSinceEpoch(round(_epoch(iso) * 1000))
    return QLocale().toString(stamp.toLocalTime(), QLocale.FormatType.LongFormat)


def elapsed_text(seconds: float) -> str:
    if seconds < 0.1:
        return "< 0.1 s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    return format_duration(seconds)


def task_seconds(task: BackgroundTask, now: float) -> float | None:
    """How long the task ran (or has been running), None if it never started."""
    if not task.started_at:
        return None
    if task.finished_at:
        return _epoch(task.finished_at) - _epoch(task.started_at)
    if task.status is TaskStatus.IN_PROGRESS:
        return now - _epoch(task.started_at)
    return None


def source_label(task: BackgroundTask) -> str:
    """The document's name, also before an import has made it a source."""
    return task.source_name or str(task.payload.get("name") or "")


def status_text(task: BackgroundTask) -> str:
    label = STATUS_LABELS[task.status]
    if task.status is TaskStatus.IN_PROGRESS and task.progress > 0:
        return f"{label} {task.progress:.0%}"
    return label


def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _status_tip(task: BackgroundTask, now: float) -> str:
    tip = STATUS_LABELS[task.status]
    if task.status is TaskStatus.PENDING:
        tip += f", priority {task.priority}" if task.priority else ", waiting its turn"
    if task.attempt > 1:
        tip += f" · attempt {task.attempt}"
    return tip


def _progress_text(task: BackgroundTask, now: float) -> str:
    if task.status is TaskStatus.FAILED and task.error:
        return first_line(task.error)
    return task.message


def _progress_tip(task: BackgroundTask, now: float) -> str:
    if task.error:
        return task.error
    return task.message


def _page_text(task: BackgroundTask, now: float) -> str:
    return f"Page {task.page_number}" if task.page_number is not None else ""


def _duration_text(task: BackgroundTask, now: float) -> str:
    seconds = task_seconds(task, now)
    return "" if seconds is None else elapsed_text(seconds)


def _filter_text(task: BackgroundTask, now: float) -> str:
    return f"{source_label(task)}\n{task.error or ''}"


Getter = Callable[[BackgroundTask, float], Any]

#: Roles every column answers the same way.
_BY_ROLE: dict[int, Getter] = {
    Role.TASK_ID: lambda t, now: t.id,
    Role.STATUS: lambda t, now: t.status.value,
    Role.PROGRESS: lambda t, now: t.progress,
    Role.FILTER: _filter_text,
}

#: Sort keys per column (the task id breaks ties, so the order is stable).
SORT_KEYS: dict[Column, Getter] = {
    Column.SELECT: lambda t, now: t.id,
    Column.TYPE: lambda t, now: t.task_type.value,
    Column.STATUS: lambda t, now: _STATUS_ORDER[t.status],
    Column.SOURCE: lambda t, now: source_label(t).casefold(),
    Column.PAGE: lambda t, now: -1 if t.page_number is None else t.page_number,
    Column.SCHEDULED: lambda t, now: t.scheduled_at,
    Column.PROGRESS: lambda t, now: (t.progress, t.message),
    Column.DURATION: lambda t, now: task_seconds(t, now) or -1.0,
}

#: (column, role) -> value.
_BY_CELL: dict[tuple[int, int], Getter] = {
    (Column.TYPE, _DISPLAY): lambda t, now: TYPE_LABELS[t.task_type],
    (Column.STATUS, _DISPLAY): lambda t, now: status_text(t),
    (Column.STATUS, _TOOLTIP): _status_tip,
    (Column.SOURCE, _DISPLAY): lambda t, now: source_label(t),
    (Column.SOURCE, _TOOLTIP): lambda t, now: (
        f"Open {source_label(t)}" if t.source_id is not None else source_label(t)
    ),
    (Column.SOURCE, Role.LINK): lambda t, now: t.source_id,
    (Column.PAGE, _DISPLAY): _page_text,
    (Column.PAGE, Role.LINK): lambda t, now: t.page_id,
    (Column.SCHEDULED, _DISPLAY): lambda t, now: relative_time(now - _epoch(t.scheduled_at)),
    (Column.SCHEDULED, _TOOLTIP): lambda t, now: local_time(t.scheduled_at),
    (Column.PROGRESS, _DISPLAY): _progress_text,
    (Column.PROGRESS, _TOOLTIP): _progress_tip,
    (Column.DURATION, _DISPLAY): _duration_text,
    (Column.DURATION, _ALIGN): lambda t, now: _RIGHT,
}
for _column, _key in SORT_KEYS.items():
    _BY_CELL[(_column, Role.SORT)] = _key

_D, _T = _DISPLAY, _TOOLTIP
#: Which cells and roles a changed task field affects: dataChanged names only these.
FIELD_EFFECTS: dict[str, tuple[tuple[Column, tuple[int, ...]], ...]] = {
    "status": ((Column.STATUS, (_D, _T, Role.STATUS, Role.SORT)),),
    "progress": (
        (Column.STATUS, (_D, Role.PROGRESS)),
        (Column.PROGRESS, (Role.PROGRESS, Role.SORT)),
    ),
    "message": ((Column.PROGRESS, (_D, _T, Role.SORT)),),
    "error": ((Column.PROGRESS, (_D, _T, Role.FILTER)),),
    "started_at": ((Column.DURATION, (_D, Role.SORT)),),
    "finished_at": ((Column.DURATION, (_D, Role.SORT)),),
    "source_id": ((Column.SOURCE, (_D, _T, Role.LINK, Role.SORT, Role.FILTER)),),
    "source_name": ((Column.SOURCE, (_D, _T, Role.SORT, Role.FILTER)),),
    "page_id": ((Column.PAGE, (_D, Role.LINK, Role.SORT)),),
    "page_number": ((Column.PAGE, (_D, Role.SORT)),),
    "priority": ((Column.STATUS, (_T,)),),
    "attempt": ((Column.STATUS, (_T,)),),
    "scheduled_at": ((Column.SCHEDULED, (_D, _T, Role.SORT)),),
    "task_type": ((Column.TYPE, (_D, Role.SORT)),),
}

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
    """The tasks in view, one row each; a thin adapter over the manager's task objects.

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
        rowsRelocating(list): these task ids are about to move (removed and
            inserted elsewhere): a view may note whether they are selected.
        rowsRelocated(list): they moved; a view may select them again.
    """

    countsChanged = Signal()
    rowsRelocating = Signal(object)
    rowsRelocated = Signal(object)

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
        self._failed_ids: set[int] = set()
        #: Ids that a task in view retries: a failed one of them needs no more attention.
        self._retried: set[int] = set()
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

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        row = index.row()
        if not 0 <= row < len(self._tasks):
            return None
        getter = _BY_ROLE.get(role) or _BY_CELL.get((index.column(), role))
        return None if getter is None else getter(self._tasks[row], self._now)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == _DISPLAY:
            return COLUMN_TITLES[Column(section)]
        if role == _TOOLTIP:
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
        """Failed tasks that no task in view retries."""
        return len(self._failed_ids) - len(self._failed_ids & self._retried)

    def needs_attention(self, task: BackgroundTask) -> bool:
        return task.status is TaskStatus.FAILED and task.id not in self._retried

    def is_retried(self, task_id: int) -> bool:
        return task_id in self._retried

    def attention_ids(self) -> list[int]:
        return sorted(self._failed_ids - self._retried)

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
        retried = {t.retry_of for t in tasks if t.retry_of is not None} - self._retried
        if not retried:
            return
        self._retried |= retried
        # A retried failure needs no more attention: let a filtering proxy look again.
        rows = [r for r in (self.row_of(i) for i in retried) if r is not None]
        for first, last in row_runs(rows):
            self.dataChanged.emit(
                self.index(first, Column.STATUS), self.index(last, Column.STATUS), [Role.FILTER]
            )

    def _count(self, task: BackgroundTask, status: TaskStatus, delta: int) -> None:
        self._counts[status] += delta
        if status is TaskStatus.FAILED:
            if delta > 0:
                self._failed_ids.add(task.id)
            else:
                self._failed_ids.discard(task.id)

    @Slot(object)
    def change_tasks(self, changes: dict[int, tuple[str, ...]]) -> None:
        """Turn the manager's {id: changed fields} into few, narrow dataChanged calls."""
        cells: dict[Column, tuple[list[int], set[int]]] = {}
        counts_changed = False
        sort_fields = SORT_FIELDS[Column(self._sort_column)] if self._sort_column >= 0 else None
        unsorted: list[int] = []
        for task_id, fields in changes.items():
            row = self.row_of(task_id)
            if row is None:
                continue
            task = self._tasks[row]
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
        for column, (rows, roles) in cells.items():
            role_list = sorted(roles)
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
        ids = [task_id for task_id, _ in moving]
        self.rowsRelocating.emit(ids)
        for task_id, new in moving:
            row = self._position(self._key_of[task_id])
            self.beginRemoveRows(QModelIndex(), row, row)
            task = self._tasks.pop(row)
            seen = self._seen.pop(row)
            del self._keys[row]
            self.endRemoveRows()
            target = self._position(new)
            self.beginInsertRows(QModelIndex(), target, target)
            self._tasks.insert(target, task)
            self._seen.insert(target, seen)
            self._keys.insert(target, new)
            self._key_of[task_id] = new
            self.endInsertRows()
        self.rowsRelocated.emit(ids)
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
        self._retried = {t.retry_of for t in self._tasks if t.retry_of is not None}
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
                    self.index(first, column), self.index(last, column), [_DISPLAY]
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
    StatusFilter.NEEDS_ATTENTION: frozenset({TaskStatus.FAILED}),
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

    def setSourceModel(self, model: Any) -> None:
        self._tasks_model = model if isinstance(model, TasksTableModel) else None
        super().setSourceModel(model)

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
        self._status_filter = which
        self._statuses = _FILTER_STATUSES[which]
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self._tasks_model
        if model is None:
            return True
        task = model.task_at(source_row)
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
