"""The trash: documents set aside (out of the list, counts and search) until restored or emptied."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.core.database import LibraryDatabase, _valid_id
from app.core.models import SOURCE_COLUMNS, Source, now_iso

#: Ids per statement: far below SQLite's limit on parameters, whatever it was built with.
CHUNK = 500

#: SQL: the sources in the trash (a partial index holds exactly these rows).
TRASHED_IDS = "SELECT id FROM sources WHERE trashed_at IS NOT NULL"


@dataclass(frozen=True, slots=True)
class TrashedSource:
    """A document in the trash, and when it was put there."""

    source: Source
    trashed_at: str

    def to_json(self) -> dict[str, Any]:
        return {**self.source.to_json(), "trashedAt": self.trashed_at}


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """Valid ids, without repeats, in slices small enough for one statement."""
    wanted = [i for i in dict.fromkeys(ids) if _valid_id(i)]
    for start in range(0, len(wanted), CHUNK):
        yield wanted[start : start + CHUNK]


def marks(ids: list[int]) -> str:
    return ", ".join("?" for _ in ids)


class TrashTable(LibraryDatabase):
    """Moving documents to the trash and back; part of Library.

    A trashed source keeps its pages, text, tasks, collections and stored file; only
    `sources.trashed_at` is set. Lists, counts and search leave it out (see
    sources.py and search.py); deleting it for good is `delete_source`.
    """

    def trash_sources(self, ids: Iterable[int]) -> list[int]:
        """Move these sources to the trash; the ids that were moved (not already there)."""
        ids = list(ids)
        moved: list[int] = []
        stamp = now_iso()
        with self.transaction() as db:
            for part in chunks(ids):
                found = [
                    int(row[0])
                    for row in db.execute(
                        f"SELECT id FROM sources WHERE id IN ({marks(part)}) "
                        "AND trashed_at IS NULL",
                        part,
                    )
                ]
                if found:
                    db.execute(
                        f"UPDATE sources SET trashed_at = ? WHERE id IN ({marks(found)})",
                        (stamp, *found),
                    )
                    moved.extend(found)
        order = {source_id: n for n, source_id in enumerate(dict.fromkeys(ids))}
        return sorted(moved, key=order.__getitem__)

    def restore_sources(self, ids: Iterable[int]) -> list[Source]:
        """Take these sources out of the trash; the sources restored (those that were in it)."""
        restored: list[Source] = []
        with self.transaction() as db:
            for part in chunks(ids):
                rows = db.execute(
                    f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id IN ({marks(part)}) "
                    "AND trashed_at IS NOT NULL",
                    part,
                ).fetchall()
                if rows:
                    found = [row[0] for row in rows]
                    db.execute(
                        f"UPDATE sources SET trashed_at = NULL WHERE id IN ({marks(found)})",
                        found,
                    )
                    restored.extend(Source(*row) for row in rows)
        return restored

    def trashed_sources(self) -> list[TrashedSource]:
        """Every source in the trash, the most recently trashed first."""
        rows = self._query(
            f"SELECT {SOURCE_COLUMNS}, trashed_at FROM sources "
            "WHERE trashed_at IS NOT NULL ORDER BY trashed_at DESC, id DESC"
        )
        return [TrashedSource(Source(*row[:-1]), str(row[-1])) for row in rows]

    def trash_count(self) -> int:
        return int(self._query("SELECT count(*) FROM sources WHERE trashed_at IS NOT NULL")[0][0])

    def is_trashed(self, source_id: int) -> bool:
        if not _valid_id(source_id):
            return False
        rows = self._query("SELECT trashed_at IS NOT NULL FROM sources WHERE id = ?", (source_id,))
        return bool(rows and rows[0][0])

    def in_library(self, source_id: int) -> bool:
        """Whether a source is in the library and not in the trash."""
        if not _valid_id(source_id):
            return False
        rows = self._query(
            "SELECT 1 FROM sources WHERE id = ? AND trashed_at IS NULL", (source_id,)
        )
        return bool(rows)

    def unused_hashes(self, hashes: Iterable[str]) -> list[str]:
        """Of these stored files, those that no source (in the library or the trash) uses."""
        wanted = list(dict.fromkeys(hashes))
        used: set[str] = set()
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK]
            used.update(
                row[0]
                for row in self._query(
                    f"SELECT sha256 FROM sources WHERE sha256 IN ({', '.join('?' for _ in part)})",
                    part,
                )
            )
        return [sha for sha in wanted if sha not in used]

    def pages_to_read_again(self, source_ids: Iterable[int]) -> list[int]:
        """Newest tasks of these sources' pages that were cancelled before reading them.

        Moving a document to the trash cancels its waiting pages; restoring it retries
        these tasks, so the pages are read after all.
        """
        out: list[int] = []
        for part in chunks(source_ids):
            out.extend(
                int(row[0])
                for row in self._query(
                    f"SELECT task_id FROM pages WHERE source_id IN ({marks(part)}) "
                    "AND has_text = 0 AND task_status = 'cancelled' ORDER BY source_id, number",
                    part,
                )
            )
        return out


def in_scope(column: str, collection_id: int | None) -> tuple[str, tuple[int, ...]]:
    """SQL (" AND …") keeping the source ids in `column` to one collection, and its parameter.

    The collection's members come from its own index, read once per statement.
    """
    if collection_id is None:
        return "", ()
    return (
        f" AND {column} IN (SELECT source_id FROM collection_sources WHERE collection_id = ?)",
        (collection_id,),
    )
