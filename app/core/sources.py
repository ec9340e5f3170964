"""Documents and their pages in the library: sources, page text, states and search."""

from __future__ import annotations

import logging
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from app.core.database import LibraryDatabase, _valid_id
from app.core.models import (
    SOURCE_COLUMNS,
    Page,
    Source,
    TaskStatus,
    TextMethod,
    now_iso,
)
from app.core.states import PageState, SourceState
from app.core.trash import TRASHED_IDS, in_scope

log = logging.getLogger(__name__)


class SourcesTable(LibraryDatabase):
    """Sources, pages, page text and full-text search; part of Library."""

    # -- sources and pages ---------------------------------------------------------

    def source_by_sha(self, sha256: str) -> Source | None:
        rows = self._query(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE sha256 = ?",
            (sha256,),
        )
        return Source(*rows[0]) if rows else None

    def source(self, source_id: int) -> Source | None:
        if not _valid_id(source_id):
            return None
        rows = self._query(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?",
            (source_id,),
        )
        return Source(*rows[0]) if rows else None

    def sources(
        self, limit: int = -1, offset: int = 0, *, collection_id: int | None = None
    ) -> list[Source]:
        """Newest first, none in the trash; `limit` and `offset` page through them (-1: no
        limit); `collection_id`: only the documents in that collection."""
        scope, params = in_scope("id", collection_id)
        rows = self._query(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE trashed_at IS NULL{scope} "
            "ORDER BY added_at DESC, id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [Source(*row) for row in rows]

    def source_states(self, ids: Iterable[int] | None = None) -> dict[int, SourceState]:
        """Per source (all, or those named): pages in all, with text, failed, active.

        The counters are kept by the database itself as pages and tasks change, so
        this reads one row per source and never aggregates pages.
        """
        sql = (
            "SELECT source_id, total, completed, failed, active, cancelled, to_check "
            "FROM source_stats"
        )
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
            "SELECT DISTINCT source_id FROM pages WHERE task_id IS NULL AND has_text = 0 "
            f"AND source_id NOT IN ({TRASHED_IDS})"
        )
        return [row[0] for row in rows]

    def page_states(self, source_id: int) -> list[PageState]:
        """One document's pages in order, with their state and newest task (no text)."""
        rows = self._query(
            """
            SELECT p.id, p.source_id, p.number, p.has_text, p.method, p.confidence,
                   p.task_id, p.task_status, p.doubt,
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
                doubt=bool(row[8]),
                error=row[9],
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
        db.execute(
            "INSERT INTO source_names(source_id, name, original_path, added_at) "
            "VALUES (?, ?, ?, ?)",
            (source_id, name, original_path, added_at),
        )
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
            f"SELECT {_PAGE_COLUMNS} FROM pages p LEFT JOIN page_text t ON t.page_id = p.id "
            "WHERE p.source_id = ? ORDER BY p.number",
            (source_id,),
        )
        return [_page_from_row(row) for row in rows]

    def page(self, page_id: int) -> Page | None:
        if not _valid_id(page_id):
            return None
        rows = self._query(
            f"SELECT {_PAGE_COLUMNS} FROM pages p LEFT JOIN page_text t ON t.page_id = p.id "
            "WHERE p.id = ?",
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
        *,
        doubt: str | None = None,
        rotation: int = 0,
    ) -> None:
        """Store a page's text inside the caller's transaction (with its task's completion).

        `doubt`: a sentence when the text may be wrong (the page is then "to check");
        `rotation`: the turn, in degrees clockwise, applied to the page before reading it.
        """
        db.execute(
            "INSERT INTO page_text(page_id, text, method, confidence, extracted_at, doubt, "
            "rotation) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(page_id) DO UPDATE SET "
            "text = excluded.text, method = excluded.method, "
            "confidence = excluded.confidence, extracted_at = excluded.extracted_at, "
            "doubt = excluded.doubt, rotation = excluded.rotation",
            (
                page_id,
                unicodedata.normalize("NFKC", text),
                method.value,
                confidence,
                now_iso(),
                doubt,
                rotation % 360,
            ),
        )

    def set_user_rotation(self, page_id: int, degrees: int) -> None:
        """The turn the user chose for a page; kept, and applied whenever it is read again.

        0 means no choice (Folio finds which way up the page is); a choice of upright is
        kept as 360, so Folio does not turn that page on its own again.
        """
        turn = degrees % 360 or (360 if degrees else 0)
        with self.transaction() as db:
            db.execute("UPDATE pages SET user_rotation = ? WHERE id = ?", (turn, page_id))

    def user_rotation(self, page_id: int) -> int:
        rows = self._query("SELECT user_rotation FROM pages WHERE id = ?", (page_id,))
        return int(rows[0][0]) if rows else 0

    def user_rotations(self, source_id: int) -> dict[int, int]:
        """The turns the user chose for pages of a source, by page id (unturned pages left out)."""
        rows = self._query(
            "SELECT id, user_rotation FROM pages WHERE source_id = ? AND user_rotation != 0",
            (source_id,),
        )
        return {int(page_id): int(turn) for page_id, turn in rows}


_PAGE_COLUMNS = (
    "p.id, p.source_id, p.number, t.text, t.method, t.confidence, t.extracted_at, t.doubt, "
    "t.rotation"
)


def _page_from_row(row: Sequence[Any]) -> Page:
    return Page(
        id=row[0],
        source_id=row[1],
        number=row[2],
        text=row[3],
        method=TextMethod(row[4]) if row[4] else None,
        confidence=row[5],
        extracted_at=row[6],
        doubt=row[7],
        rotation=row[8] or 0,
    )
