"""The task history in the library: inserting, updating, paging and recovering tasks."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from app.core.database import MAX_INTERRUPTED_ATTEMPTS, LibraryDatabase, _valid_id
from app.core.models import (
    TERMINAL_STATUSES,
    BackgroundTask,
    TaskStatus,
    TaskType,
    now_iso,
)

log = logging.getLogger(__name__)

_TASK_SELECT = """
SELECT t.id, t.task_type, t.status, t.source_id, t.page_id, t.scheduled_at, t.priority,
       t.progress, t.message, t.started_at, t.finished_at, t.error, t.attempt, t.retry_of,
       t.interrupted, t.payload, s.name, p.number
FROM tasks t
LEFT JOIN sources s ON s.id = t.source_id
LEFT JOIN pages p ON p.id = t.page_id
"""

#: Task attributes stored in their own column (the rest are derived).
_TASK_COLUMNS = (
    "task_type",
    "status",
    "source_id",
    "page_id",
    "scheduled_at",
    "priority",
    "progress",
    "message",
    "started_at",
    "finished_at",
    "error",
    "attempt",
    "retry_of",
    "interrupted",
    "payload",
)


def _task_from_row(row: Sequence[Any]) -> BackgroundTask:
    payload = json.loads(row[15]) if row[15] else {}
    return BackgroundTask(
        id=row[0],
        task_type=TaskType(row[1]),
        status=TaskStatus(row[2]),
        source_id=row[3],
        page_id=row[4],
        scheduled_at=row[5],
        priority=row[6],
        progress=row[7],
        message=row[8],
        started_at=row[9],
        finished_at=row[10],
        error=row[11],
        attempt=row[12],
        retry_of=row[13],
        interrupted=row[14],
        payload=payload,
        # An import names the file the user gave (the document may be known by another
        # name); a deleted document's name and page number were kept in the payload.
        source_name=(row[1] == TaskType.IMPORT.value and str(payload.get("name") or ""))
        or row[16]
        or str(payload.get("source_name") or ""),
        page_number=row[17] if row[17] is not None else payload.get("page_number"),
    )


def _column_value(task: BackgroundTask, column: str) -> Any:
    value = getattr(task, column)
    if column == "payload":
        return json.dumps(value)
    if isinstance(value, TaskType | TaskStatus):
        return value.value
    return value


class TasksTable(LibraryDatabase):
    """Every task's record; part of Library."""

    # -- tasks -----------------------------------------------------------------------

    def insert_tasks(self, tasks: Iterable[BackgroundTask], db: sqlite3.Connection) -> None:
        """Insert tasks inside the caller's transaction; their ids are filled in.

        One statement for all: the caller's transaction holds the only write lock and
        ids are AUTOINCREMENT, so the new ids are consecutive, ending at the last one.
        """
        batch = list(tasks)
        if not batch:
            return
        sql = (
            f"INSERT INTO tasks({', '.join(_TASK_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _TASK_COLUMNS)})"
        )
        db.executemany(sql, [[_column_value(t, c) for c in _TASK_COLUMNS] for t in batch])
        last = int(db.execute("SELECT last_insert_rowid()").fetchone()[0])
        for offset, task in enumerate(batch):
            task.id = last - len(batch) + 1 + offset

    def update_task(
        self, task: BackgroundTask, columns: Iterable[str], db: sqlite3.Connection | None = None
    ) -> None:
        cols = [c for c in columns if c in _TASK_COLUMNS]
        if not cols:
            return
        sql = f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?"
        params = [*(_column_value(task, c) for c in cols), task.id]
        if db is not None:
            db.execute(sql, params)
        else:
            with self.transaction() as conn:
                conn.execute(sql, params)

    def update_tasks(
        self, tasks: Sequence[BackgroundTask], columns: Sequence[str], db: sqlite3.Connection
    ) -> None:
        cols = [c for c in columns if c in _TASK_COLUMNS]
        sql = f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?"
        db.executemany(sql, [[*(_column_value(t, c) for c in cols), t.id] for t in tasks])

    def task(self, task_id: int) -> BackgroundTask | None:
        if not _valid_id(task_id):
            return None
        rows = self._query(_TASK_SELECT + " WHERE t.id = ?", (task_id,))
        return _task_from_row(rows[0]) if rows else None

    def tasks(
        self,
        *,
        statuses: Iterable[TaskStatus] | None = None,
        include_hidden: bool = True,
        ids: Iterable[int] | None = None,
        source_ids: Iterable[int] | None = None,
        min_id: int | None = None,
        limit: int = -1,
        offset: int = 0,
    ) -> list[BackgroundTask]:
        """Tasks oldest first, filtered; `limit` and `offset` page through them."""
        where: list[str] = []
        params: list[Any] = []
        if source_ids is not None:
            sources = list(source_ids)
            if not sources:
                return []
            where.append(f"t.source_id IN ({', '.join('?' for _ in sources)})")
            params.extend(sources)
        if min_id is not None:
            where.append("t.id >= ?")
            params.append(min_id)
        if statuses is not None:
            values = [s.value for s in statuses]
            where.append(f"t.status IN ({', '.join('?' for _ in values)})")
            params.extend(values)
        if not include_hidden:
            where.append("t.hidden = 0")
        if ids is not None:
            id_list = list(ids)
            where.append(f"t.id IN ({', '.join('?' for _ in id_list)})")
            params.extend(id_list)
        sql = _TASK_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY t.id LIMIT ? OFFSET ?"
        params.extend([limit, offset])
        return [_task_from_row(row) for row in self._query(sql, params)]

    def hide_tasks(self, task_ids: Iterable[int]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE tasks SET hidden = 1 WHERE id = ?", [(i,) for i in task_ids])

    def hide_finished_beyond(self, keep: int) -> int:
        """Clear from view the finished tasks older than the newest `keep`; how many."""
        finished = ", ".join(f"'{s.value}'" for s in sorted(TERMINAL_STATUSES))
        with self.transaction() as db:
            row = db.execute(
                f"SELECT id FROM tasks WHERE hidden = 0 AND status IN ({finished})"
                " ORDER BY id DESC LIMIT 1 OFFSET ?",
                (max(keep, 0),),
            ).fetchone()
            if row is None:
                return 0
            cur = db.execute(
                f"UPDATE tasks SET hidden = 1 WHERE hidden = 0 AND status IN ({finished})"
                " AND id <= ?",
                (row[0],),
            )
            return int(cur.rowcount)

    def hidden_task_count(self) -> int:
        """How many (finished) tasks were cleared from view."""
        return int(self._query("SELECT COUNT(*) FROM tasks WHERE hidden = 1")[0][0])

    def unhide_tasks(self) -> list[BackgroundTask]:
        """Bring every task cleared from view back into it; returns them, oldest first."""
        with self.transaction() as db:
            rows = db.execute(_TASK_SELECT + " WHERE t.hidden = 1 ORDER BY t.id").fetchall()
            db.execute("UPDATE tasks SET hidden = 0 WHERE hidden = 1")
        return [_task_from_row(row) for row in rows]

    def retried_task_ids(self) -> set[int]:
        """Tasks that already have a retry (so they are not retried twice)."""
        return {
            row[0] for row in self._query("SELECT retry_of FROM tasks WHERE retry_of IS NOT NULL")
        }

    def status_counts(self) -> dict[TaskStatus, int]:
        rows = self._query("SELECT status, COUNT(*) FROM tasks GROUP BY status")
        return {TaskStatus(row[0]): row[1] for row in rows}

    def recover_interrupted(self) -> list[BackgroundTask]:
        """Resume tasks a quit or crash left behind; give up after repeated interruptions.

        Tasks that were running count an interrupted attempt (they may be what
        crashed the app); tasks that were only waiting keep their place.
        """
        stamp = now_iso()
        changed: list[BackgroundTask] = []
        with self.transaction() as db:
            rows = db.execute(
                _TASK_SELECT + " WHERE t.status = 'in_progress' ORDER BY t.id"
            ).fetchall()
            for row in rows:
                task = _task_from_row(row)
                task.interrupted += 1
                if task.interrupted >= MAX_INTERRUPTED_ATTEMPTS:
                    task.status = TaskStatus.FAILED
                    task.finished_at = stamp
                    task.error = (
                        f"Folio stopped {task.interrupted} times while this task ran, so it was "
                        "given up; retry it, or remove the document if it keeps happening."
                    )
                    task.message = "Gave up after repeated interruptions"
                else:
                    task.status = TaskStatus.PENDING
                    task.attempt += 1
                    task.progress = 0.0
                    task.message = "Interrupted; will resume"
                    task.started_at = None
                self.update_task(
                    task,
                    (
                        "status",
                        "interrupted",
                        "attempt",
                        "progress",
                        "message",
                        "started_at",
                        "finished_at",
                        "error",
                    ),
                    db,
                )
                changed.append(task)
        return changed

    def latest_task_for_page(self, page_id: int) -> BackgroundTask | None:
        rows = self._query(
            _TASK_SELECT + " WHERE t.page_id = ? ORDER BY t.id DESC LIMIT 1", (page_id,)
        )
        return _task_from_row(rows[0]) if rows else None
