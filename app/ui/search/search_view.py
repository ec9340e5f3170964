"""Search: full-text search over every page, snippets with the matched words highlighted."""

from __future__ import annotations

import enum
import html
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.core.library import HIT_END, HIT_START, Library, SearchHit
from app.core.query import parse_query
from app.tasks.manager import ExtractionManager
from app.ui.common.coalesce import Coalescer
from app.ui.common.plain import escaped, plain_label
from app.ui.common.theme import is_dark
from app.ui.common.widgets import heading_label

AnyIndex = QModelIndex | QPersistentModelIndex
TYPING_MS = 250
#: Pages listed at once (the count above says how many match in all).
SHOWN = 200
#: New text while results are shown: search again, at most this often.
REFRESH_MS = 1500


class SearchRole(enum.IntEnum):
    PAGE_ID = Qt.ItemDataRole.UserRole + 1
    HTML = Qt.ItemDataRole.UserRole + 2


def snippet_html(snippet: str, dark: bool) -> str:
    """The snippet, escaped, with the matched words marked (HIT_START…HIT_END)."""
    background, colour = ("#8a6d00", "#ffffff") if dark else ("#ffe066", "#000000")
    out = html.escape(" ".join(snippet.split()))
    out = out.replace(HIT_START, f'<span style="background:{background}; color:{colour};"><b>')
    return out.replace(HIT_END, "</b></span>")


class SearchResultsModel(QAbstractListModel):
    """The hits of one search, best first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hits: list[SearchHit] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self.hits = hits
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            plain = hit.snippet.replace(HIT_START, "").replace(HIT_END, "")
            return f"{hit.source_name} — page {hit.page_number}: {plain}"
        if role == SearchRole.PAGE_ID:
            return hit.page_id
        if role == SearchRole.HTML:
            dark = is_dark(QApplication.palette())
            return (
                f"<b>{escaped(hit.source_name)}</b> — page {hit.page_number}"
                f"<br>{snippet_html(hit.snippet, dark)}"
            )
        return None


class HtmlDelegate(QStyledItemDelegate):
    """Paints SearchRole.HTML over the normal item panel, wrapped to the view's width."""

    def _document(self, option: QStyleOptionViewItem, index: AnyIndex) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(6)
        doc.setHtml(str(index.data(SearchRole.HTML) or ""))
        doc.setTextWidth(max(100, option.rect.width()))
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(option, index)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ctx.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        painter.save()
        painter.translate(opt.rect.topLeft())
        painter.setClipRect(QRectF(0, 0, opt.rect.width(), opt.rect.height()))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        doc = self._document(option, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 4)


class SearchView(QWidget):
    """A search field and the pages that match, best first.

    Signals:
        openPageRequested(int, str): open this page (id) with these words highlighted.
    """

    openPageRequested = Signal(int, str)

    def __init__(
        self, library: Library, manager: ExtractionManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.query = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        top = QHBoxLayout()
        top.addWidget(heading_label("Search"))
        top.addSpacing(12)
        self.field = QLineEdit()
        self.field.setPlaceholderText(
            'Words to find (all of them), "an exact phrase", this OR that, -leave out, word*'
        )
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Search text")
        top.addWidget(self.field, 1)
        layout.addLayout(top)
        self.count_label = plain_label(QLabel())
        layout.addWidget(self.count_label)
        self.stack = QStackedWidget()
        self.hint = QLabel(
            "Type a few words. Every page whose text contains all of them is listed here;\n"
            "open a result to see the page with the words highlighted."
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.model = SearchResultsModel(self)
        self.results = QListView()
        self.results.setModel(self.model)
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.results.setResizeMode(QListView.ResizeMode.Adjust)
        self.results.setAccessibleName("Search results")
        self.results.activated.connect(self._on_activated)
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.results)
        layout.addWidget(self.stack, 1)

        self._typing = Coalescer(TYPING_MS, self.run_search, self)
        self._refresh = Coalescer(REFRESH_MS, self._refresh_results, self)
        self.field.textEdited.connect(lambda _text: self._typing.restart())
        self.field.returnPressed.connect(self.run_search)
        manager.pageTextReady.connect(self._on_new_text)
        manager.sourceRemoved.connect(self._on_new_text)

    def focus_field(self) -> None:
        self.field.setFocus()
        self.field.selectAll()

    def search(self, text: str) -> list[SearchHit]:
        """Search now (as if typed and Enter pressed); returns the hits shown."""
        self.field.setText(text)
        self.run_search()
        return self.model.hits

    @Slot()
    def run_search(self) -> None:
        self._typing.cancel()
        self.query = self.field.text().strip()
        parsed = parse_query(self.query)
        hits = self.library.search(parsed, SHOWN) if parsed.match else []
        self.model.set_hits(hits)
        if not self.query:
            self.count_label.setText("")
            self.stack.setCurrentWidget(self.hint)
            return
        self.stack.setCurrentWidget(self.results)
        if parsed.problem:
            self.count_label.setText(parsed.problem)
        elif hits:
            count = self.library.search_count(parsed)
            more = f" (the best {len(hits):,} shown)" if count.pages > len(hits) else ""
            self.count_label.setText(f"{count.summary(self.query)}{more}")
            self.results.setCurrentIndex(self.model.index(0))
        else:
            self.count_label.setText(
                f"No page contains “{self.query}”. Pages still being read are searched "
                "as soon as their text is ready."
            )

    @Slot()
    def _on_new_text(self, *args: object) -> None:
        if self.query:
            self._refresh.request()

    @Slot()
    def _refresh_results(self) -> None:
        if self.query and self.isVisible():
            current = self.results.currentIndex().data(SearchRole.PAGE_ID)
            self.run_search()
            for row, hit in enumerate(self.model.hits):
                if hit.page_id == current:
                    self.results.setCurrentIndex(self.model.index(row))
                    break

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        self.openPageRequested.emit(int(index.data(SearchRole.PAGE_ID)), self.query)

    def open_result(self, row: int) -> None:
        self._on_activated(self.model.index(row))
