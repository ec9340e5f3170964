"""Every name a document was imported under, renaming it, and its own metadata; part of Library.

A document is its content: the same bytes imported as "report.pdf" and again as
"annual copy.pdf" are one source with two imported names (`source_names`). The name
shown (`sources.name`) is the first one until the user renames the document; the
imported names stay as they were, and every one of them still finds the document.
"""

from __future__ import annotations

import logging
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core.database import LibraryDatabase, _valid_id
from app.core.docinfo import DocumentInfo
from app.core.errors import FolioError
from app.core.models import now_iso

log = logging.getLogger(__name__)

#: Longest name a document may be given (most file systems stop at 255 bytes).
MAX_NAME_CHARS = 255


@dataclass(frozen=True, slots=True)
class SourceName:
    """One import of a document: the file's name and where it was imported from."""

    name: str
    original_path: str
    added_at: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "originalPath": self.original_path, "addedAt": self.added_at}


class InvalidNameError(FolioError):
    """A name a document cannot be given (empty, several lines, too long)."""


def name_problem(text: str) -> str | None:
    """Why `text` cannot name a document (a sentence), or None when it can."""
    name = text.strip()
    if not name:
        return "A name cannot be empty."
    if any(c in name for c in "\r\n\u2028\u2029\x0b\x0c\x85"):
        return "A name is one line; remove the line breaks."
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "A name cannot hold control characters."
    if len(name) > MAX_NAME_CHARS:
        return f"A name is at most {MAX_NAME_CHARS} characters long (this one has {len(name)})."
    return None


def checked_name(text: str) -> str:
    """`text` as a document's name (spaces around it dropped), or InvalidNameError."""
    problem = name_problem(text)
    if problem:
        raise InvalidNameError(problem)
    return unicodedata.normalize("NFC", text.strip())


class NamesTable(LibraryDatabase):
    """Imported names, renaming and document metadata; part of Library."""

    def add_source_name(
        self, db: sqlite3.Connection, source_id: int, name: str, original_path: str
    ) -> bool:
        """Record an import of a document's content (inside the caller's transaction).

        Returns True when this (name, path) is new for the document; importing the same
        file from the same place again adds nothing.
        """
        # The imports' order is their times': two within one millisecond get distinct ones.
        stamp = now_iso()
        last = db.execute(
            "SELECT max(added_at) FROM source_names WHERE source_id = ?", (source_id,)
        ).fetchone()[0]
        if last is not None and stamp <= last:
            after = datetime.fromisoformat(last) + timedelta(milliseconds=1)
            stamp = after.isoformat(timespec="milliseconds")
        cur = db.execute(
            "INSERT INTO source_names(source_id, name, original_path, added_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(source_id, original_path) DO NOTHING",
            (source_id, name, original_path, stamp),
        )
        return cur.rowcount > 0

    def source_names(self, source_id: int) -> list[SourceName]:
        """Every import of a document, the first first."""
        if not _valid_id(source_id):
            return []
        rows = self._query(
            "SELECT name, original_path, added_at FROM source_names WHERE source_id = ? "
            "ORDER BY added_at, original_path",
            (source_id,),
        )
        return [SourceName(*row) for row in rows]

    def imported_names(self, ids: Iterable[int]) -> dict[int, list[str]]:
        """For each of these documents, the distinct names it was imported under, first first."""
        wanted = [i for i in ids if _valid_id(i)]
        out: dict[int, list[str]] = {i: [] for i in wanted}
        # In chunks: SQLite caps the number of parameters of one statement.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._query(
                "SELECT source_id, name FROM source_names "
                f"WHERE source_id IN ({', '.join('?' for _ in chunk)}) "
                "ORDER BY source_id, added_at, original_path",
                chunk,
            )
            for source_id, name in rows:
                names = out[source_id]
                if name not in names:
                    names.append(name)
        return out

    def other_names(self) -> dict[int, tuple[str, ...]]:
        """Per document, the names it was imported under besides the one shown (only the
        documents that have some, none in the trash): what the Library shows and filters
        by beside the name.
        """
        rows = self._query(
            "SELECT n.source_id, n.name FROM source_names n "
            "JOIN sources s ON s.id = n.source_id "
            "WHERE n.name != s.name AND s.trashed_at IS NULL "
            "ORDER BY n.source_id, n.added_at, n.original_path"
        )
        out: dict[int, list[str]] = {}
        for source_id, name in rows:
            names = out.setdefault(source_id, [])
            if name not in names:
                names.append(name)
        return {i: tuple(names) for i, names in out.items()}

    def rename_source(self, source_id: int, name: str) -> str:
        """Give a document the name shown everywhere (its imported names stay).

        Returns the name as stored; InvalidNameError for a name it cannot have,
        FolioError when there is no such document.
        """
        new = checked_name(name)
        with self.transaction() as db:
            cur = db.execute("UPDATE sources SET name = ? WHERE id = ?", (new, source_id))
            if cur.rowcount == 0:
                raise FolioError(f"There is no document {source_id} in the library.")
        log.info("renamed source %d", source_id)
        return new

    def set_document_info(
        self, db: sqlite3.Connection, source_id: int, info: DocumentInfo, *, only_missing: bool
    ) -> None:
        """Store what a document says of itself (inside the caller's transaction).

        `only_missing`: keep what is known and fill in only what is not (a document
        imported before Folio read metadata, imported again).
        """
        if info.empty:
            return
        values = (info.title, info.author, info.page_width, info.page_height, source_id)
        if only_missing:
            db.execute(
                "UPDATE sources SET title = COALESCE(title, ?), author = COALESCE(author, ?), "
                "page_width = COALESCE(page_width, ?), page_height = COALESCE(page_height, ?) "
                "WHERE id = ?",
                values,
            )
        else:
            db.execute(
                "UPDATE sources SET title = ?, author = ?, page_width = ?, page_height = ? "
                "WHERE id = ?",
                values,
            )
