"""Collections: groups of documents the user names; a document may be in any number of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.core.database import LibraryDatabase, _valid_id
from app.core.errors import FolioError
from app.core.models import now_iso
from app.core.query import fold
from app.core.trash import TRASHED_IDS, chunks, marks

#: Longer names would not fit anywhere they are shown.
MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class Collection:
    """A named group of documents; `count` leaves out those in the trash."""

    id: int
    name: str
    count: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "documents": self.count}


@dataclass(frozen=True, slots=True)
class Counts:
    """What the sidebar shows beside its entries: the trash's size and each collection's."""

    trash: int
    collections: dict[int, int]


def clean_name(name: str) -> str:
    """A collection name as kept: one line, spaces trimmed; a sentence when it cannot be one."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise FolioError("A collection needs a name; type one.")
    if len(cleaned) > MAX_NAME:
        raise FolioError(f"A collection's name can have at most {MAX_NAME} characters.")
    return cleaned


class CollectionsTable(LibraryDatabase):
    """Collections and who is in them; part of Library."""

    def collections(self) -> list[Collection]:
        """Every collection by name, with how many documents (not in the trash) it holds."""
        counts = self.sidebar_counts().collections
        rows = self._query("SELECT id, name FROM collections")
        found = [Collection(int(i), str(n), counts.get(int(i), 0)) for i, n in rows]
        return sorted(found, key=lambda c: (fold(c.name), c.id))

    def collection(self, collection_id: int) -> Collection | None:
        return next((c for c in self.collections() if c.id == collection_id), None)

    def collection_named(self, name: str) -> Collection | None:
        """The collection of that name, case ignored (None when there is none)."""
        wanted = " ".join(name.split()).casefold()
        return next((c for c in self.collections() if c.name.casefold() == wanted), None)

    def sidebar_counts(self) -> Counts:
        """How many documents are in the trash and in each collection (trash left out).

        Cheap at any size: the members are counted from the collections' own index, and
        only the trashed ones (a partial index holds them) are looked up to take off.
        """
        members = {
            int(cid): int(n)
            for cid, n in self._query(
                "SELECT c.id, (SELECT count(*) FROM collection_sources cs "
                "WHERE cs.collection_id = c.id) FROM collections c"
            )
        }
        trashed = self._query(
            f"SELECT cs.collection_id, count(*) FROM ({TRASHED_IDS}) t "
            "JOIN collection_sources cs ON cs.source_id = t.id GROUP BY cs.collection_id"
        )
        for cid, n in trashed:
            if int(cid) in members:
                members[int(cid)] -= int(n)
        trash = int(self._query("SELECT count(*) FROM sources WHERE trashed_at IS NOT NULL")[0][0])
        return Counts(trash, members)

    def create_collection(self, name: str) -> Collection:
        """A new, empty collection; FolioError when the name is empty or taken."""
        cleaned = clean_name(name)
        with self.transaction() as db:
            self._refuse_taken(db, cleaned, None)
            cur = db.execute(
                "INSERT INTO collections(name, created_at) VALUES (?, ?)", (cleaned, now_iso())
            )
        return Collection(int(cur.lastrowid or 0), cleaned, 0)

    def rename_collection(self, collection_id: int, name: str) -> Collection:
        cleaned = clean_name(name)
        with self.transaction() as db:
            self._refuse_taken(db, cleaned, collection_id)
            cur = db.execute(
                "UPDATE collections SET name = ? WHERE id = ?", (cleaned, collection_id)
            )
            if not cur.rowcount:
                raise FolioError("That collection no longer exists.")
        found = self.collection(collection_id)
        assert found is not None
        return found

    def _refuse_taken(self, db: Any, name: str, own_id: int | None) -> None:
        # Python's casefold, not only SQLite's NOCASE (which folds ASCII letters only).
        for cid, existing in db.execute("SELECT id, name FROM collections"):
            if cid != own_id and str(existing).casefold() == name.casefold():
                raise FolioError(f"There is already a collection named “{existing}”.")

    def delete_collection(self, collection_id: int) -> None:
        """Delete a collection; its documents stay in the library."""
        with self.transaction() as db:
            db.execute("DELETE FROM collections WHERE id = ?", (collection_id,))

    def add_to_collection(self, collection_id: int, source_ids: Iterable[int]) -> int:
        """Put documents in a collection; how many were not in it yet."""
        added = 0
        with self.transaction() as db:
            if not db.execute(
                "SELECT 1 FROM collections WHERE id = ?", (collection_id,)
            ).fetchone():
                raise FolioError("That collection no longer exists.")
            for part in chunks(source_ids):
                cur = db.execute(
                    "INSERT OR IGNORE INTO collection_sources(collection_id, source_id) "
                    f"SELECT ?, id FROM sources WHERE id IN ({marks(part)})",
                    (collection_id, *part),
                )
                added += max(cur.rowcount, 0)
        return added

    def remove_from_collection(self, collection_id: int, source_ids: Iterable[int]) -> int:
        """Take documents out of a collection (they stay in the library); how many were in it."""
        removed = 0
        with self.transaction() as db:
            for part in chunks(source_ids):
                cur = db.execute(
                    "DELETE FROM collection_sources WHERE collection_id = ? "
                    f"AND source_id IN ({marks(part)})",
                    (collection_id, *part),
                )
                removed += max(cur.rowcount, 0)
        return removed

    def collection_members(self, collection_id: int) -> set[int]:
        """The ids of the documents in a collection (from its own index)."""
        if not _valid_id(collection_id):
            return set()
        rows = self._query(
            "SELECT source_id FROM collection_sources WHERE collection_id = ?", (collection_id,)
        )
        return {int(row[0]) for row in rows}

    def collections_of(self, source_ids: Iterable[int]) -> dict[int, set[int]]:
        """For each collection, which of these documents are in it."""
        out: dict[int, set[int]] = {}
        for part in chunks(source_ids):
            for cid, sid in self._query(
                "SELECT collection_id, source_id FROM collection_sources "
                f"WHERE source_id IN ({marks(part)})",
                part,
            ):
                out.setdefault(int(cid), set()).add(int(sid))
        return out
