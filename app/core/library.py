"""The SQLite library: sources, pages, page text (FTS5), tasks and settings."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.checkpoint import WalCheckpointer
from app.core.errors import (
    CorruptLibraryError,
    FolioError,
    LibraryLockedError,
    describe_os_error,
)
from app.core.filestore import FileStore
from app.core.models import (
    TERMINAL_STATUSES,
    BackgroundTask,
    Page,
    Source,
    TaskStatus,
    TaskType,
    TextMethod,
    now_iso,
)
from app.core.schema import MIGRATIONS, SCHEMA_VERSION, split_sql
from app.core.states import PageState, SourceState

log = logging.getLogger(__name__)

DB_NAME = "library.sqlite3"
LOCK_NAME = "library.lock"
MAX_INTERRUPTED_ATTEMPTS = 3
#: Markers around matched words in search snippets (control characters never found in text).
HIT_START = "\x02"
HIT_END = "\x03"

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


@dataclass(frozen=True, slots=True)
class SearchHit:
    page_id: int
    source_id: int
    source_name: str
    page_number: int
    snippet: str

    def to_json(self) -> dict[str, Any]:
        return {
            "pageId": self.page_id,
            "sourceId": self.source_id,
            "sourceName": self.source_name,
            "pageNumber": self.page_number,
            "snippet": self.snippet.replace(HIT_START, "[").replace(HIT_END, "]"),
        }


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
        # A deleted document's name and page number were kept in the payload.
        source_name=row[16] or str(payload.get("source_name") or ""),
        page_number=row[17] if row[17] is not None else payload.get("page_number"),
    )


def _column_value(task: BackgroundTask, column: str) -> Any:
    value = getattr(task, column)
    if column == "payload":
        return json.dumps(value)
    if isinstance(value, TaskType | TaskStatus):
        return value.value
    return value


def fts_query(text: str) -> str:
    """Turn what a person types into a safe FTS5 query: every word must match.

    Words are quoted so FTS5 syntax in the input is never an error; a trailing
    `*` keeps its prefix meaning.
    """
    terms: list[str] = []
    text = unicodedata.normalize("NFKC", text)
    for raw in re.findall(r"[\w*]+", text, flags=re.UNICODE):
        prefix = raw.endswith("*")
        word = raw.strip("*")
        if not word:
            continue
        terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(terms)


class Library:
    """One library folder: `library.sqlite3` and the file store `files/`.

    One connection, used from the thread that opened it (the GUI thread in the
    app); a lock serialises the rare use from elsewhere.
    """

    def __init__(self, folder: Path, *, readonly: bool = False) -> None:
        self.folder = folder
        self.readonly = readonly
        self.store = FileStore(folder / "files")
        self._lock = threading.RLock()
        self._lock_fd: int | None = None
        self._checkpointer: WalCheckpointer | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FolioError(
                describe_os_error(exc, str(folder), "create the library folder")
            ) from exc
        self.db_path = folder / DB_NAME
        try:
            self._db = sqlite3.connect(
                self.db_path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA foreign_keys = ON")
            # Reading the header and schema finds a file that is not a database at all.
            self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL: a committed transaction survives a crash of the app
                # (the WAL is on disk); only a power cut may lose the last commits.
                self._db.execute("PRAGMA synchronous = NORMAL")
                # Checkpoints run on a thread of their own, not inside our commits.
                self._db.execute("PRAGMA wal_autocheckpoint = 0")
            self._migrate()
            if not readonly:
                self._checkpointer = WalCheckpointer(self.db_path)
                self._checkpointer.start()
        except sqlite3.DatabaseError as exc:
            raise CorruptLibraryError(
                f"The library database {self.db_path} cannot be read ({exc}); "
                "restore a backup with `folio restore` or choose another library folder."
            ) from exc

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        with self._lock:
            self._db.close()
        self.release_writer_lock()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def acquire_writer_lock(self) -> None:
        """Become the only process that runs this library's tasks, or raise."""
        if self._lock_fd is not None:
            return
        path = self.folder / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_file(fd)
        except OSError as exc:
            os.close(fd)
            raise LibraryLockedError(
                f"Another Folio is already working on the library {self.folder}; "
                "use that window, or close it first."
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def release_writer_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise FolioError(
                f"The library {self.folder} was written by a newer Folio (schema {version}); "
                "update Folio to open it."
            )
        if version == SCHEMA_VERSION:
            return
        if self.readonly:
            raise FolioError(f"The library {self.folder} needs an upgrade; open it in Folio first.")
        if version > 0:
            from app.core.backup import make_backup

            make_backup(self.db_path, f"before-schema-{version + 1}")
        for index in range(version, SCHEMA_VERSION):
            log.info("migrating library schema %d -> %d", index, index + 1)
            with self.transaction() as db:
                for statement in split_sql(MIGRATIONS[index]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {index + 1}")

    def backup(self, reason: str = "scheduled") -> Path:
        """A consistent copy of the database in `backups/` (SQLite's backup API)."""
        from app.core.backup import make_backup

        return make_backup(self.db_path, reason)

    def integrity_check(self) -> str:
        return str(self._query("PRAGMA integrity_check")[0][0])

    # -- settings --------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- sources and pages ---------------------------------------------------------

    def source_by_sha(self, sha256: str) -> Source | None:
        rows = self._query(
            "SELECT id, sha256, name, original_path, kind, size, page_count, added_at "
            "FROM sources WHERE sha256 = ?",
            (sha256,),
        )
        return Source(*rows[0]) if rows else None

    def source(self, source_id: int) -> Source | None:
        if not _valid_id(source_id):
            return None
        rows = self._query(
            "SELECT id, sha256, name, original_path, kind, size, page_count, added_at "
            "FROM sources WHERE id = ?",
            (source_id,),
        )
        return Source(*rows[0]) if rows else None

    def sources(self, limit: int = -1, offset: int = 0) -> list[Source]:
        """Newest first; `limit` and `offset` page through them (-1: no limit)."""
        rows = self._query(
            "SELECT id, sha256, name, original_path, kind, size, page_count, added_at "
            "FROM sources ORDER BY added_at DESC, id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [Source(*row) for row in rows]

    def source_states(self, ids: Iterable[int] | None = None) -> dict[int, SourceState]:
        """Per source (all, or those named): pages in all, with text, failed, active.

        The counters are kept by the database itself as pages and tasks change, so
        this reads one row per source and never aggregates pages.
        """
        sql = "SELECT source_id, total, completed, failed, active, cancelled FROM source_stats"
        params: list[int] = []
        if ids is not None:
            params = [i for i in ids if _valid_id(i)]
            if not params:
                return {}
            sql += f" WHERE source_id IN ({', '.join('?' for _ in params)})"
        return {row[0]: SourceState(*row[1:]) for row in self._query(sql, params)}

    def source_state(self, source_id: int) -> SourceState | None:
        return self.source_states([source_id]).get(source_id)

    def unqueued_pages(self, source_id: int, limit: int) -> list[Page]:
        """Pages without text that no task was ever made for (first ones first)."""
        rows = self._query(
            "SELECT id, source_id, number FROM pages WHERE source_id = ? AND task_id IS NULL"
            " AND has_text = 0 ORDER BY number LIMIT ?",
            (source_id, limit),
        )
        return [Page(*row) for row in rows]

    def sources_with_unqueued_pages(self) -> list[int]:
        """Sources whose page tasks were not all made (an import stopped half-way)."""
        rows = self._query(
            "SELECT DISTINCT source_id FROM pages WHERE task_id IS NULL AND has_text = 0"
        )
        return [row[0] for row in rows]

    def page_states(self, source_id: int) -> list[PageState]:
        """One document's pages in order, with their state and newest task (no text)."""
        rows = self._query(
            """
            SELECT p.id, p.source_id, p.number, p.has_text, p.method, p.confidence,
                   p.task_id, p.task_status,
                   CASE WHEN p.task_status = 'failed'
                        THEN (SELECT error FROM tasks WHERE id = p.task_id) END
            FROM pages p WHERE p.source_id = ? ORDER BY p.number
            """,
            (source_id,),
        )
        return [
            PageState(
                page_id=row[0],
                source_id=row[1],
                number=row[2],
                has_text=bool(row[3]),
                method=TextMethod(row[4]) if row[4] else None,
                confidence=row[5],
                task_id=row[6],
                task_status=TaskStatus(row[7]) if row[7] else None,
                error=row[8],
            )
            for row in rows
        ]

    def add_source(
        self,
        *,
        sha256: str,
        name: str,
        original_path: str,
        kind: str,
        size: int,
        page_count: int,
        db: sqlite3.Connection,
    ) -> tuple[Source, list[Page]]:
        """Insert a source and its pages inside the caller's transaction."""
        added_at = now_iso()
        cur = db.execute(
            "INSERT INTO sources(sha256, name, original_path, kind, size, page_count, added_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sha256, name, original_path, kind, size, page_count, added_at),
        )
        source_id = int(cur.lastrowid or 0)
        db.executemany(
            "INSERT INTO pages(source_id, number) VALUES (?, ?)",
            [(source_id, n) for n in range(1, page_count + 1)],
        )
        pages = [
            Page(id=row[0], source_id=source_id, number=row[1])
            for row in db.execute(
                "SELECT id, number FROM pages WHERE source_id = ? ORDER BY number", (source_id,)
            )
        ]
        source = Source(source_id, sha256, name, original_path, kind, size, page_count, added_at)
        return source, pages

    def delete_source(self, source_id: int) -> str | None:
        """Delete a source with its pages and text; return its hash for the store."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT sha256, name FROM sources WHERE id = ?", (source_id,)
            ).fetchone()
            if row is None:
                return None
            # The history keeps naming what its tasks worked on once the rows are gone.
            db.execute(
                """
                UPDATE tasks SET payload = json_set(
                    COALESCE(NULLIF(payload, ''), '{}'),
                    '$.source_name', ?,
                    '$.page_number', (SELECT number FROM pages WHERE pages.id = tasks.page_id)
                ) WHERE source_id = ?
                """,
                (row[1], source_id),
            )
            db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return str(row[0])

    def has_sources(self) -> bool:
        return bool(self._query("SELECT 1 FROM sources LIMIT 1"))

    def stored_hashes(self) -> set[str]:
        return {row[0] for row in self._query("SELECT sha256 FROM sources")}

    def pages(self, source_id: int) -> list[Page]:
        rows = self._query(
            "SELECT p.id, p.source_id, p.number, t.text, t.method, t.confidence, t.extracted_at "
            "FROM pages p LEFT JOIN page_text t ON t.page_id = p.id "
            "WHERE p.source_id = ? ORDER BY p.number",
            (source_id,),
        )
        return [_page_from_row(row) for row in rows]

    def page(self, page_id: int) -> Page | None:
        if not _valid_id(page_id):
            return None
        rows = self._query(
            "SELECT p.id, p.source_id, p.number, t.text, t.method, t.confidence, t.extracted_at "
            "FROM pages p LEFT JOIN page_text t ON t.page_id = p.id WHERE p.id = ?",
            (page_id,),
        )
        return _page_from_row(rows[0]) if rows else None

    def save_page_text(
        self,
        db: sqlite3.Connection,
        page_id: int,
        text: str,
        method: TextMethod,
        confidence: float | None,
    ) -> None:
        """Store a page's text inside the caller's transaction (with its task's completion)."""
        db.execute(
            "INSERT INTO page_text(page_id, text, method, confidence, extracted_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(page_id) DO UPDATE SET "
            "text = excluded.text, method = excluded.method, "
            "confidence = excluded.confidence, extracted_at = excluded.extracted_at",
            (page_id, unicodedata.normalize("NFKC", text), method.value, confidence, now_iso()),
        )

    def search(self, query: str, limit: int = 200) -> list[SearchHit]:
        match = fts_query(query)
        if not match:
            return []
        rows = self._query(
            f"""
            SELECT p.id, p.source_id, s.name, p.number,
                   snippet(page_fts, 0, '{HIT_START}', '{HIT_END}', '…', 16)
            FROM page_fts
            JOIN pages p ON p.id = page_fts.rowid
            JOIN sources s ON s.id = p.source_id
            WHERE page_fts MATCH ?
            ORDER BY rank
            LIMIT ?
            """,
            (match, limit),
        )
        return [SearchHit(*row) for row in rows]

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


def _valid_id(value: int) -> bool:
    """Ids are positive SQLite integers; anything else names no row."""
    return 0 < value < 2**63


def _page_from_row(row: Sequence[Any]) -> Page:
    return Page(
        id=row[0],
        source_id=row[1],
        number=row[2],
        text=row[3],
        method=TextMethod(row[4]) if row[4] else None,
        confidence=row[5],
        extracted_at=row[6],
    )


def _lock_file(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
