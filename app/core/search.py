"""Full-text search over the pages' text: hits, best first, and honest counts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from app.core.database import LibraryDatabase
from app.core.query import SearchQuery, parse_query

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
    ) -> list[SearchHit]:
        """Pages matching `query`, best first; every one unless `limit` is given.

        `source_id`: only the pages of that document (a document's hits, expanded).
        """
        parsed = as_query(query)
        if not parsed.match:
            return []
        where = "page_fts MATCH ?"
        params: list[Any] = [parsed.match]
        if source_id is not None:
            where += " AND p.source_id = ?"
            params.append(source_id)
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

    def search_count(self, query: str | SearchQuery) -> SearchCount:
        """How many pages and documents match (every one, not a page of results)."""
        parsed = as_query(query)
        if not parsed.match:
            return SearchCount(0, 0)
        rows = self._query(
            """
            SELECT count(*), count(DISTINCT p.source_id)
            FROM page_fts JOIN pages p ON p.id = page_fts.rowid
            WHERE page_fts MATCH ?
            """,
            (parsed.match,),
        )
        return SearchCount(int(rows[0][0]), int(rows[0][1]))
