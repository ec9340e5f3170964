"""Full-text search over the pages' text: hits, best first, and honest counts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from app.core.database import LibraryDatabase
from app.core.query import SearchQuery, name_matches, parse_query
from app.core.trash import TRASHED_IDS, in_scope

log = logging.getLogger(__name__)

HIT_START = "\x02"
HIT_END = "\x03"


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


@dataclass(frozen=True, slots=True)
class SearchCount:
    """How many pages match, in how many documents."""

    pages: int
    documents: int

    def summary(self, query: str) -> str:
        """ "503 pages in 212 documents match “invoice”"."""
        pages = f"{self.pages:,} page{'s' if self.pages != 1 else ''}"
        documents = f"{self.documents:,} document{'s' if self.documents != 1 else ''}"
        verb = "matches" if self.pages == 1 else "match"
        return f"{pages} in {documents} {verb} “{query}”"

    def to_json(self) -> dict[str, int]:
        return {"pages": self.pages, "documents": self.documents}


@dataclass(frozen=True, slots=True)
class DocumentMatch:
    """A document with pages that match: how many, and its best page."""

    source_id: int
    source_name: str
    pages: int
    #: Its best page's rank (FTS5's bm25: lower is better).
    rank: float
    best_page_id: int
    best_page_number: int


@dataclass(frozen=True, slots=True)
class NamedDocument:
    """A document whose name answers the query."""

    source_id: int
    name: str
    page_count: int
    #: The name it was imported under that answers the query, when the name shown does not.
    matched_as: str | None = None


def as_query(query: str | SearchQuery) -> SearchQuery:
    return query if isinstance(query, SearchQuery) else parse_query(query)


class SearchTable(LibraryDatabase):
    """Searching the library; part of Library."""

    def search(
        self,
        query: str | SearchQuery,
        limit: int = -1,
        offset: int = 0,
        *,
        source_id: int | None = None,
        collection_id: int | None = None,
    ) -> list[SearchHit]:
        """Pages matching `query`, best first; every one unless `limit` is given.

        `source_id`: only the pages of that document (a document's hits, expanded);
        `collection_id`: only the pages of that collection's documents. Documents in the
        trash are never found.
        """
        parsed = as_query(query)
        if not parsed.match:
            return []
        scope, scope_params = self._searched("p.source_id", collection_id)
        where = "page_fts MATCH ?" + scope
        params: list[Any] = [parsed.match, *scope_params]
        if source_id is not None:
            # A document's pages are (mostly) neighbours: bounding the index's rowids
            # keeps a document's hits fast when the word is on most pages of the library.
            bounds = self._query(
                "SELECT min(id), max(id) FROM pages WHERE source_id = ?", (source_id,)
            )
            if not bounds or bounds[0][0] is None:
                return []
            where += " AND page_fts.rowid BETWEEN ? AND ? AND p.source_id = ?"
            params.extend([bounds[0][0], bounds[0][1], source_id])
        rows = self._query(
            f"""
            SELECT p.id, p.source_id, s.name, p.number,
                   snippet(page_fts, 0, '{HIT_START}', '{HIT_END}', '…', 16)
            FROM page_fts
            JOIN pages p ON p.id = page_fts.rowid
            JOIN sources s ON s.id = p.source_id
            WHERE {where}
            ORDER BY rank, p.id
            LIMIT ? OFFSET ?
            """,
            (*params, limit, max(0, offset)),
        )
        return [SearchHit(*row) for row in rows]

    def search_count(
        self, query: str | SearchQuery, *, collection_id: int | None = None
    ) -> SearchCount:
        """How many pages and documents match (every one, not a page of results)."""
        parsed = as_query(query)
        if not parsed.match:
            return SearchCount(0, 0)
        scope, scope_params = self._searched("p.source_id", collection_id)
        rows = self._query(
            f"""
            SELECT count(*), count(DISTINCT p.source_id)
            FROM page_fts JOIN pages p ON p.id = page_fts.rowid
            WHERE page_fts MATCH ?{scope}
            """,
            (parsed.match, *scope_params),
        )
        return SearchCount(int(rows[0][0]), int(rows[0][1]))

    def search_documents(
        self,
        query: str | SearchQuery,
        limit: int = -1,
        offset: int = 0,
        *,
        collection_id: int | None = None,
    ) -> list[DocumentMatch]:
        """Documents with matching pages, best first (by their best page's rank).

        Ranking needs every match, so the first documents cost about as much as all
        of them: a front-end asks once for every document and pages through them.
        """
        parsed = as_query(query)
        if not parsed.match:
            return []
        # With one min() the bare columns come from the row that holds the minimum.
        scope, scope_params = self._searched("p.source_id", collection_id)
        rows = self._query(
            f"""
            WITH g AS (
                SELECT p.source_id AS sid, count(*) AS n, min(page_fts.rank) AS best,
                       p.id AS pid, p.number AS num
                FROM page_fts JOIN pages p ON p.id = page_fts.rowid
                WHERE page_fts MATCH ?{scope}
                GROUP BY p.source_id
            )
            SELECT g.sid, s.name, g.n, g.best, g.pid, g.num
            FROM g JOIN sources s ON s.id = g.sid
            ORDER BY g.best, g.sid
            LIMIT ? OFFSET ?
            """,
            (parsed.match, *scope_params, limit, max(0, offset)),
        )
        return [DocumentMatch(*row) for row in rows]

    def snippets(self, query: str | SearchQuery, page_ids: list[int]) -> dict[int, str]:
        """The highlighted snippet of each of these pages (those that match)."""
        parsed = as_query(query)
        out: dict[int, str] = {}
        if not parsed.match:
            return out
        for page_id in page_ids:
            # One page at a time: FTS5 looks a rowid up directly, an IN list it scans.
            rows = self._query(
                f"""
                SELECT snippet(page_fts, 0, '{HIT_START}', '{HIT_END}', '…', 16)
                FROM page_fts WHERE page_fts MATCH ? AND page_fts.rowid = ?
                """,
                (parsed.match, page_id),
            )
            if rows:
                out[page_id] = str(rows[0][0])
        return out

    def sources_named(
        self, query: str | SearchQuery, *, collection_id: int | None = None
    ) -> list[NamedDocument]:
        """Documents whose name, or a name they were imported under, answers the query
        (folded; see query.name_matches), by name; none in the trash, and given a
        collection, only its documents."""
        parsed = as_query(query)
        if not parsed.clauses:
            return []
        scope, params = in_scope("id", collection_id)
        rows = self._query(
            f"SELECT id, name, page_count FROM sources WHERE trashed_at IS NULL{scope}", params
        )
        others = self.other_names()
        named = []
        for source_id, name, pages in rows:
            if name_matches(parsed, name):
                named.append(NamedDocument(source_id, name, pages))
                continue
            for other in others.get(source_id, ()):
                if name_matches(parsed, other):
                    named.append(NamedDocument(source_id, name, pages, other))
                    break
        return sorted(named, key=lambda d: (d.name.casefold(), d.source_id))

    def other_names(self) -> dict[int, tuple[str, ...]]:
        raise NotImplementedError  # names.py (NamesTable) answers it in Library

    def _searched(self, column: str, collection_id: int | None) -> tuple[str, tuple[int, ...]]:
        """`searched`, without the trash's clause while the trash is empty (most of the time:
        then a search costs what it did before there was a trash)."""
        if self._query("SELECT 1 FROM sources WHERE trashed_at IS NOT NULL LIMIT 1"):
            return searched(column, collection_id)
        return in_scope(column, collection_id)

    def interrupt(self) -> None:
        """Stop the query running on this connection (from another thread); it raises."""
        self._db.interrupt()


def searched(column: str, collection_id: int | None) -> tuple[str, tuple[int, ...]]:
    """SQL (" AND …") leaving out pages of documents in the trash (and, given a collection,
    of documents outside it), with its parameters. Each subquery is read once per search."""
    scope, params = in_scope(column, collection_id)
    return f" AND {column} NOT IN ({TRASHED_IDS}){scope}", params
