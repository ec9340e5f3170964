"""The results of one search as a tree: documents named like it, then documents by their best page.

Top-level rows: first, when some names answer the query, one "Documents named like
this" row whose children are those documents; then one row per document with matching
pages, best first, showing its best page's snippet. A document with several matching
pages expands to them, best first. Both levels load lazily (canFetchMore/fetchMore):
the model asks for what it lacks with `fetchRequested`, and its owner answers with
`add_documents` / `add_pages` once the work, done off the GUI thread, is back.
"""

from __future__ import annotations

import enum
import html
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QApplication

from app.core.library import HIT_END, HIT_START, SearchHit
from app.core.search import DocumentMatch, NamedDocument
from app.ui.common.plain import escaped
from app.ui.common.theme import is_dark

AnyIndex = QModelIndex | QPersistentModelIndex
#: Documents added to the list at a time, as it is scrolled.
DOCUMENT_BATCH = 50
#: A document's pages added at a time, as it is expanded and scrolled.
PAGE_BATCH = 100
NAMES_HEADING = "Documents named like this"


def first_batch(matches: list[DocumentMatch]) -> list[DocumentMatch]:
    """The documents shown first, whose snippets set_results wants."""
    return matches[:DOCUMENT_BATCH]


class SearchRole(enum.IntEnum):
    PAGE_ID = Qt.ItemDataRole.UserRole + 1
    HTML = Qt.ItemDataRole.UserRole + 2
    SOURCE_ID = Qt.ItemDataRole.UserRole + 3
    KIND = Qt.ItemDataRole.UserRole + 4


class RowKind(enum.Enum):
    NAMES = "names"  # the "Documents named like this" heading
    NAMED = "named"  # a document under it: opens the document
    DOCUMENT = "document"  # a document with matching pages: opens its best page
    PAGE = "page"  # one matching page of a document


@dataclass(frozen=True, slots=True)
class FetchDocuments:
    """The next documents to show: their best pages' snippets are wanted."""

    matches: list[DocumentMatch]


@dataclass(frozen=True, slots=True)
class FetchPages:
    """More matching pages of one document."""

    source_id: int
    offset: int
    limit: int


@dataclass(slots=True)
class _DocumentRow:
    match: DocumentMatch
    snippet: str
    pages: list[SearchHit] = field(default_factory=list)
    loading: bool = False


def snippet_html(snippet: str, dark: bool) -> str:
    """The snippet, escaped, with the matched words marked (HIT_START…HIT_END)."""
    background, colour = ("#8a6d00", "#ffffff") if dark else ("#ffe066", "#000000")
    out = html.escape(" ".join(snippet.split()))
    out = out.replace(HIT_START, f'<span style="background:{background}; color:{colour};"><b>')
    return out.replace(HIT_END, "</b></span>")


def _plain(snippet: str) -> str:
    return " ".join(snippet.replace(HIT_START, "").replace(HIT_END, "").split())


def _pages(count: int) -> str:
    return f"{count:,} page{'s' if count != 1 else ''}"


class SearchResultsModel(QAbstractItemModel):
    """The results of one search (see the module's documentation).

    Signals:
        fetchRequested(object): a FetchDocuments or FetchPages the owner should run.
    """

    fetchRequested = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.named: list[NamedDocument] = []
        #: Every matching document, best first; `_rows` are those shown so far.
        self.matches: list[DocumentMatch] = []
        self._rows: list[_DocumentRow] = []
        self._fetching_documents = False

    # -- filling -----------------------------------------------------------------------

    def set_results(
        self,
        named: list[NamedDocument],
        matches: list[DocumentMatch],
        snippets: dict[int, str],
    ) -> None:
        """A new search's results; `snippets` are those of first_batch()'s best pages."""
        self.beginResetModel()
        self.named = named
        self.matches = matches
        self._rows = []
        self._fetching_documents = False
        for match in matches[:DOCUMENT_BATCH]:
            self._rows.append(_DocumentRow(match, snippets.get(match.best_page_id, "")))
        self.endResetModel()

    def add_documents(self, snippets: dict[int, str]) -> None:
        """The next documents, with their best pages' snippets (after FetchDocuments)."""
        self._fetching_documents = False
        start = len(self._rows)
        batch = self.matches[start : start + DOCUMENT_BATCH]
        if not batch:
            return
        first = self._offset + start
        self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        for match in batch:
            self._rows.append(_DocumentRow(match, snippets.get(match.best_page_id, "")))
        self.endInsertRows()

    def add_pages(self, source_id: int, offset: int, hits: list[SearchHit]) -> None:
        """A document's pages from `offset` (after FetchPages); stale answers are ignored."""
        row = self._row_of(source_id)
        if row is None:
            return
        doc = self._rows[row]
        doc.loading = False
        if offset != len(doc.pages):
            return
        # Pages that left the results since the count (new text) must not loop fetching.
        if not hits:
            doc.match = replace(doc.match, pages=len(doc.pages))
            return
        parent = self.index(self._offset + row, 0)
        self.beginInsertRows(parent, offset, offset + len(hits) - 1)
        doc.pages.extend(hits)
        self.endInsertRows()

    def hits(self) -> list[SearchHit]:
        """Each document shown, as its best page (best document first)."""
        return [
            SearchHit(
                r.match.best_page_id,
                r.match.source_id,
                r.match.source_name,
                r.match.best_page_number,
                r.snippet,
            )
            for r in self._rows
        ]

    def document_row(self, source_id: int) -> QModelIndex:
        row = self._row_of(source_id)
        return QModelIndex() if row is None else self.index(self._offset + row, 0)

    def _row_of(self, source_id: int) -> int | None:
        for row, doc in enumerate(self._rows):
            if doc.match.source_id == source_id:
                return row
        return None

    @property
    def _offset(self) -> int:
        """Top-level rows before the documents: the names heading, when there is one."""
        return 1 if self.named else 0

    # -- lazy loading ------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex) -> bool:
        if not parent.isValid():
            return not self._fetching_documents and len(self._rows) < len(self.matches)
        doc = self._document_at(parent)
        if doc is None or doc.loading or doc.match.pages < 2:
            return False  # one matching page: the document's row is that page
        return len(doc.pages) < doc.match.pages

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        if not parent.isValid():
            self._fetching_documents = True
            start = len(self._rows)
            self.fetchRequested.emit(FetchDocuments(self.matches[start : start + DOCUMENT_BATCH]))
            return
        doc = self._document_at(parent)
        assert doc is not None
        doc.loading = True
        self.fetchRequested.emit(FetchPages(doc.match.source_id, len(doc.pages), PAGE_BATCH))

    def _document_at(self, index: AnyIndex) -> _DocumentRow | None:
        if index.internalId() != 0:
            return None
        row = index.row() - self._offset
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- the tree ------------------------------------------------------------------------

    def kind(self, index: AnyIndex) -> RowKind | None:
        if not index.isValid():
            return None
        parent_row = index.internalId() - 1
        if parent_row < 0:
            return RowKind.NAMES if self.named and index.row() == 0 else RowKind.DOCUMENT
        return RowKind.NAMED if self.named and parent_row == 0 else RowKind.PAGE

    def index(self, row: int, column: int = 0, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0 or row >= self.rowCount(parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0)
        return self.createIndex(row, 0, parent.row() + 1)

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return self._offset + len(self._rows)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        if self.kind(parent) is RowKind.NAMES:
            return len(self.named)
        doc = self._document_at(parent)
        return len(doc.pages) if doc is not None else 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if not parent.isValid():
            return self.rowCount() > 0
        kind = self.kind(parent)
        if kind is RowKind.NAMES:
            return bool(self.named)
        doc = self._document_at(parent) if kind is RowKind.DOCUMENT else None
        return doc is not None and doc.match.pages > 1

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        kind = self.kind(index)
        if kind is None:
            return None
        if role == SearchRole.KIND:
            return kind.value
        if kind is RowKind.NAMES:
            return self._names_data(role)
        if kind is RowKind.NAMED:
            return self._named_data(self.named[index.row()], role)
        if kind is RowKind.DOCUMENT:
            doc = self._document_at(index)
            return None if doc is None else self._document_data(doc, role)
        doc = self._rows[index.internalId() - 1 - self._offset]
        return self._page_data(doc.pages[index.row()], role)

    def _names_data(self, role: int) -> Any:
        text = f"{NAMES_HEADING} ({len(self.named):,})"
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == SearchRole.HTML:
            return f"<b>{text}</b>"
        return None

    def _named_data(self, named: NamedDocument, role: int) -> Any:
        # "document of": its size, not a count of matches like the rows below.
        # Found by a name it was imported under: that name is said too.
        also = f" (imported as {named.matched_as})" if named.matched_as else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{named.name} — document of {_pages(named.page_count)}{also}"
        if role == SearchRole.HTML:
            size = f" — document of {_pages(named.page_count)}"
            return f"<b>{escaped(named.name)}</b>{size}{escaped(also) if also else ''}"
        if role == SearchRole.SOURCE_ID:
            return named.source_id
        return None

    def _document_data(self, doc: _DocumentRow, role: int) -> Any:
        match = doc.match
        if match.pages > 1:
            head = f"{match.source_name} — {_pages(match.pages)}"
            line = f"page {match.best_page_number}: "
        else:
            head = f"{match.source_name} — page {match.best_page_number}"
            line = ""
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{head}: {line}{_plain(doc.snippet)}"
        if role == SearchRole.HTML:
            dark = is_dark(QApplication.palette())
            name = escaped(match.source_name)
            rest = head[len(match.source_name) :]
            return f"<b>{name}</b>{rest}<br>{line}{snippet_html(doc.snippet, dark)}"
        if role == SearchRole.PAGE_ID:
            return match.best_page_id
        if role == SearchRole.SOURCE_ID:
            return match.source_id
        return None

    def _page_data(self, hit: SearchHit, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"page {hit.page_number}: {_plain(hit.snippet)}"
        if role == SearchRole.HTML:
            dark = is_dark(QApplication.palette())
            return f"page {hit.page_number}: {snippet_html(hit.snippet, dark)}"
        if role == SearchRole.PAGE_ID:
            return hit.page_id
        if role == SearchRole.SOURCE_ID:
            return hit.source_id
        return None
