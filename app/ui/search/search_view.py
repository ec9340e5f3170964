"""Search: full-text search over every page, grouped by document, snippets highlighted."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QKeyEvent,
    QPainter,
    QPalette,
    QShowEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Library, SearchHit
from app.core.query import SearchQuery, parse_query
from app.core.search import DocumentMatch, NamedDocument, SearchCount
from app.tasks.manager import ExtractionManager
from app.ui.common.coalesce import Coalescer
from app.ui.common.plain import plain_label
from app.ui.common.widgets import heading_label
from app.ui.search.results_model import (
    AnyIndex,
    FetchDocuments,
    FetchPages,
    RowKind,
    SearchResultsModel,
    SearchRole,
    first_batch,
    snippet_html,
)
from app.ui.search.search_jobs import SearchRunner

__all__ = ["HtmlDelegate", "SearchResultsModel", "SearchRole", "SearchView", "snippet_html"]

TYPING_MS = 250
#: New text while results are shown: search again, at most this often.
REFRESH_MS = 1500
FIRST = "first"
COUNT = "count"


@dataclass(frozen=True, slots=True)
class FirstResults:
    named: list[NamedDocument]
    matches: list[DocumentMatch]
    snippets: dict[int, str]


def first_results(library: Library, query: SearchQuery) -> FirstResults:
    """What a search shows first (run off the GUI thread)."""
    named = library.sources_named(query)
    matches = library.search_documents(query)
    ids = [m.best_page_id for m in first_batch(matches)]
    return FirstResults(named, matches, library.snippets(query, ids))


class HtmlDelegate(QStyledItemDelegate):
    """Paints SearchRole.HTML over the normal item panel, wrapped to the view's width."""

    def _document(
        self, option: QStyleOptionViewItem, index: AnyIndex, width: int | None = None
    ) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(4)
        doc.setHtml(str(index.data(SearchRole.HTML) or ""))
        doc.setTextWidth(max(100, option.rect.width() if width is None else width))
        return doc

    @staticmethod
    def _row_width(option: QStyleOptionViewItem, index: AnyIndex) -> int | None:
        """The width a row gets in a tree (a size hint's option has no rectangle yet)."""
        view = option.widget
        if not isinstance(view, QTreeView):
            return None
        depth = 1 if index.parent().isValid() else 0
        if view.rootIsDecorated():
            depth += 1
        return view.viewport().width() - depth * view.indentation()

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
        doc = self._document(option, index, self._row_width(option, index))
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 4)


class SearchView(QWidget):
    """A search field and what matches: documents named like it, then documents by best page.

    Every query runs off the GUI thread; what an outdated search returns is dropped.

    Signals:
        openPageRequested(int, str): open this page (id) with these words highlighted.
        openSourceRequested(int): open this document (its name matched).
        searchFinished(): the current search's first results and count are shown.
    """

    openPageRequested = Signal(int, str)
    openSourceRequested = Signal(int)
    searchFinished = Signal()

    def __init__(
        self, library: Library, manager: ExtractionManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.query = ""
        self.parsed = parse_query("")
        self.generation = 0
        self._waiting: set[str] = set()
        self._stale = False
        #: The document to keep current when the results are searched again.
        self._keep: int | None = None
        self._count: SearchCount | None = None
        self.runner = SearchRunner(library.folder, self)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
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
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)
        self.stack = QStackedWidget()
        self.hint = QLabel(
            "Type a few words. Every document whose text or name holds all of them is listed\n"
            "here, best first; open a result to see the page with the words highlighted."
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.model = SearchResultsModel(self)
        self.model.fetchRequested.connect(self._on_fetch_requested)
        self.results = QTreeView()
        self.results.setModel(self.model)
        self.results.setHeaderHidden(True)
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.results.setExpandsOnDoubleClick(False)  # a double click opens the page
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setAccessibleName("Search results")
        self.results.activated.connect(self._on_activated)
        # Rows wrap to the width: their heights are measured again when it changes.
        self._relayout = Coalescer(100, self.results.doItemsLayout, self)
        self.results.viewport().installEventFilter(self)
        self.field.installEventFilter(self)
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.results)
        layout.addWidget(self.stack, 1)

        self._typing = Coalescer(TYPING_MS, self.run_search, self)
        self._refresh = Coalescer(REFRESH_MS, self._refresh_results, self)
        self.field.textEdited.connect(lambda _text: self._typing.restart())
        self.field.returnPressed.connect(self.run_search)
        manager.pageTextReady.connect(self._on_new_text)
        manager.sourceRemoved.connect(self._on_new_text)
        manager.sourceChanged.connect(self._on_new_text)  # renamed, or one more name

    def focus_field(self) -> None:
        self.field.setFocus()
        self.field.selectAll()

    def search(self, text: str) -> None:
        """Search now, as if typed and Enter pressed (`searchFinished` follows)."""
        self.field.setText(text)
        self.run_search()

    def busy(self) -> bool:
        """Whether the current search is still being answered."""
        return bool(self._waiting)

    def hits(self) -> list[SearchHit]:
        """The documents shown, each as its best page, best first."""
        return self.model.hits()

    # -- searching -----------------------------------------------------------------------

    @Slot()
    def run_search(self) -> None:
        self._typing.cancel()
        self._start()

    def _start(self, keep: int | None = None, refreshing: bool = False) -> None:
        self.generation += 1
        self.runner.cancel_older(self.generation)
        self._stale = False
        self._keep = keep
        self._count = None
        self.query = self.field.text().strip()
        self.parsed = parse_query(self.query)
        if not self.query or self.parsed.empty:
            self._waiting = set()
            self.model.set_results([], [], {})
            self.count_label.setText(self.parsed.problem or "")
            self.stack.setCurrentWidget(self.results if self.query else self.hint)
            self.searchFinished.emit()
            return
        parsed, generation = self.parsed, self.generation
        self._waiting = {FIRST, COUNT}
        self.stack.setCurrentWidget(self.results)
        if not refreshing:
            self.count_label.setText(f"Searching for “{self.query}”…")
        self.runner.start(generation, FIRST, lambda lib: first_results(lib, parsed))
        self.runner.start(generation, COUNT, lambda lib: lib.search_count(parsed))

    @Slot(int, object, object)
    def _on_finished(self, generation: int, tag: object, result: object) -> None:
        if generation != self.generation:
            return  # an outdated search
        if isinstance(result, FirstResults):
            self.model.set_results(result.named, result.matches, result.snippets)
            if self.model.named:
                self.results.expand(self.model.index(0, 0))
            self._restore_current()
        elif isinstance(result, SearchCount):
            self._count = result
        elif isinstance(tag, FetchDocuments) and isinstance(result, dict):
            self.model.add_documents(result)
            return
        elif isinstance(tag, FetchPages) and isinstance(result, list):
            self.model.add_pages(tag.source_id, tag.offset, result)
            return
        self._waiting.discard(str(tag))
        self._show_count()
        if not self._waiting:
            self.searchFinished.emit()
            if self._stale:
                self._refresh.request()

    @Slot(int, object, str)
    def _on_failed(self, generation: int, tag: object, sentence: str) -> None:
        if generation != self.generation:
            return
        self._waiting.clear()
        self.count_label.setText(sentence)
        self.searchFinished.emit()

    def _show_count(self) -> None:
        """The count line, from what has been answered so far."""
        count = self._count
        if count is None:
            if FIRST not in self._waiting:
                self.count_label.setText(f"Counting the pages that match “{self.query}”…")
            return
        named = len(self.model.named) if FIRST not in self._waiting else 0
        names = ""
        if named:
            names = f"; {named:,} document{'s are' if named != 1 else ' is'} named like it"
        if count.pages:
            self.count_label.setText(f"{count.summary(self.query)}{names}")
        elif named:
            self.count_label.setText(f"No page contains “{self.query}”{names}.")
        else:
            self.count_label.setText(
                f"No page contains “{self.query}”. Pages still being read are searched "
                "as soon as their text is ready."
            )

    @Slot(object)
    def _on_fetch_requested(self, request: object) -> None:
        parsed = self.parsed
        if isinstance(request, FetchDocuments):
            ids = [m.best_page_id for m in request.matches]
            self.runner.start(self.generation, request, lambda lib: lib.snippets(parsed, ids))
        elif isinstance(request, FetchPages):
            source, offset, limit = request.source_id, request.offset, request.limit
            self.runner.start(
                self.generation,
                request,
                lambda lib: lib.search(parsed, limit, offset, source_id=source),
            )

    # -- new text while shown ------------------------------------------------------------

    @Slot()
    def _on_new_text(self, *args: object) -> None:
        if self.query:
            self._refresh.request()

    @Slot()
    def _refresh_results(self) -> None:
        if not self.query:
            return
        if not self.isVisible() or self.busy():
            # Searched again when shown / once the running search is answered: a
            # search slower than the text arrives is never interrupted by the next.
            self._stale = True
            return
        current = self.results.currentIndex()
        self._start(keep=current.data(SearchRole.SOURCE_ID), refreshing=True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and not self.busy():
            self._refresh.request()

    def _restore_current(self) -> None:
        source_id = self._keep
        index = self.model.document_row(source_id) if source_id is not None else QModelIndex()
        if not index.isValid():
            first = self.model.index(0, 0)
            index = self.model.index(0, 0, first) if self.model.named else first
        if index.isValid():
            self.results.setCurrentIndex(index)

    # -- opening ---------------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        kind = self.model.kind(index)
        if kind is RowKind.NAMES:
            self.results.setExpanded(index, not self.results.isExpanded(index))
        elif kind is RowKind.NAMED:
            self.openSourceRequested.emit(int(index.data(SearchRole.SOURCE_ID)))
        elif kind is not None:
            self.openPageRequested.emit(int(index.data(SearchRole.PAGE_ID)), self.query)

    def open_result(self, row: int, parent: QModelIndex | None = None) -> None:
        self._on_activated(self.model.index(row, 0, parent or QModelIndex()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field:
            if (
                event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Down
                and self._move_into_results()
            ):
                return True
        elif event.type() == QEvent.Type.Resize:  # the results' viewport
            self._relayout.request()
        return super().eventFilter(watched, event)

    def focus_results(self) -> None:
        """Back from a document: the results keep the one opened current, and take the keys."""
        if self.stack.currentWidget() is self.results:
            self.results.setFocus()
        else:
            self.focus_field()

    def _move_into_results(self) -> bool:
        if self.stack.currentWidget() is not self.results or self.model.rowCount() == 0:
            return False
        if not self.results.currentIndex().isValid():
            self.results.setCurrentIndex(self.model.index(0, 0))
        self.results.setFocus()
        return True
