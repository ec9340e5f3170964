"""What each cell of the tasks table shows: columns, roles, labels and cheap formatting."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from app.core.locked import NEEDS_PASSWORD
from app.core.models import BackgroundTask, TaskStatus, TaskType
from app.tasks.progress import format_duration
from app.ui.common.plain import plain_tip

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
    #: True when the task waits for its document's password ("Needs password").
    WAITING = int(Qt.ItemDataRole.UserRole) + 7


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

#: The chip of a failed task that waits for its document's password.
NEEDS_PASSWORD_LABEL = "Needs password"

TYPE_LABELS: dict[TaskType, str] = {
    TaskType.IMPORT: "Import",
    TaskType.TEXT_EXTRACTION: "Extract text",
    TaskType.SEARCHABLE_PDF: "Searchable PDF",
}

#: Ascending status order: what needs a look first.
_STATUS_ORDER: dict[TaskStatus, int] = {
    TaskStatus.IN_PROGRESS: 0,
    TaskStatus.PENDING: 1,
    TaskStatus.FAILED: 2,
    TaskStatus.CANCELLED: 3,
    TaskStatus.COMPLETED: 4,
}

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


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


def needs_password(task: BackgroundTask) -> bool:
    """Whether the task waits for its document's password (said by a field of its payload)."""
    return task.status is TaskStatus.FAILED and bool(task.payload.get(NEEDS_PASSWORD))


def status_label(task: BackgroundTask) -> str:
    return NEEDS_PASSWORD_LABEL if needs_password(task) else STATUS_LABELS[task.status]


def status_text(task: BackgroundTask) -> str:
    label = status_label(task)
    if task.status is TaskStatus.IN_PROGRESS and task.progress > 0:
        return f"{label} {task.progress:.0%}"
    return label


def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _status_tip(task: BackgroundTask, now: float) -> str:
    if needs_password(task):
        return "Waits for the document's password: Enter password… (right-click) gives it"
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
    return plain_tip(task.error or task.message)


def _source_tip(task: BackgroundTask, now: float) -> str:
    name = source_label(task)
    return plain_tip(f"Open {name}" if task.source_id is not None else name)


def _page_text(task: BackgroundTask, now: float) -> str:
    return f"Page {task.page_number}" if task.page_number is not None else ""


def _duration_text(task: BackgroundTask, now: float) -> str:
    seconds = task_seconds(task, now)
    return "" if seconds is None else elapsed_text(seconds)


def _filter_text(task: BackgroundTask, now: float) -> str:
    return f"{source_label(task)}\n{task.error or ''}"


Getter = Callable[[BackgroundTask, float], Any]

#: Roles every column answers the same way.
BY_ROLE: dict[int, Getter] = {
    Role.TASK_ID: lambda t, now: t.id,
    Role.STATUS: lambda t, now: t.status.value,
    Role.PROGRESS: lambda t, now: t.progress,
    Role.FILTER: _filter_text,
    Role.WAITING: lambda t, now: needs_password(t),
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
BY_CELL: dict[tuple[int, int], Getter] = {
    (Column.TYPE, DISPLAY): lambda t, now: TYPE_LABELS[t.task_type],
    (Column.STATUS, DISPLAY): lambda t, now: status_text(t),
    (Column.STATUS, TOOLTIP): _status_tip,
    (Column.SOURCE, DISPLAY): lambda t, now: source_label(t),
    (Column.SOURCE, TOOLTIP): _source_tip,
    (Column.SOURCE, Role.LINK): lambda t, now: t.source_id,
    (Column.PAGE, DISPLAY): _page_text,
    (Column.PAGE, Role.LINK): lambda t, now: t.page_id,
    (Column.SCHEDULED, DISPLAY): lambda t, now: relative_time(now - _epoch(t.scheduled_at)),
    (Column.SCHEDULED, TOOLTIP): lambda t, now: local_time(t.scheduled_at),
    (Column.PROGRESS, DISPLAY): _progress_text,
    (Column.PROGRESS, TOOLTIP): _progress_tip,
    (Column.DURATION, DISPLAY): _duration_text,
    (Column.DURATION, ALIGN): lambda t, now: RIGHT,
}
for _column, _key in SORT_KEYS.items():
    BY_CELL[(_column, Role.SORT)] = _key

_D, _T = DISPLAY, TOOLTIP
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
