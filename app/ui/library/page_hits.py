"""Search hits on the page image: marks over the words, the first one scrolled into view,
F3 / Shift+F3 to the next / previous hit (on to the document's other pages).

The hits are where the search (app.core.query) finds its words, phrases and prefixes in
the page's stored text (`hit_spans`, as the text panel marks them); each is drawn over
the boxes of the words it covers (`page_words`). A page read before Folio kept word
boxes shows its hits in the text panel only, and F3 still steps through them there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen, QShortcut, QTextCharFormat

from app.core.query import SearchQuery, parse_query
from app.core.words import WordBox, hit_marks, hit_spans, turn_box
from app.ui.common.theme import is_dark

if TYPE_CHECKING:
    from app.ui.library.pages_view import DocumentView

#: Hits other than the current one: a highlighter's yellow, the page seen through it.
HIT_FILL = QColor(255, 212, 0, 105)
#: The current hit: orange, stronger, with an outline.
CURRENT_FILL = QColor(255, 120, 0, 125)
CURRENT_EDGE = QColor(220, 80, 0)


def canvas_rect(box: WordBox, page: QRectF, turn: int) -> QRectF:
    """Where `box` (fractions of the unturned page) is drawn on a page shown at `turn`."""
    shown = turn_box(box, turn)
    return QRectF(
        page.x() + shown.x0 * page.width(),
        page.y() + shown.y0 * page.height(),
        (shown.x1 - shown.x0) * page.width(),
        (shown.y1 - shown.y0) * page.height(),
    ).adjusted(-1.0, -1.0, 1.0, 1.0)


class PageHits(QObject):
    """Installs the hit marks and F3 / Shift+F3 on a DocumentView."""

    def __init__(self, view: DocumentView) -> None:
        super().__init__(view)
        self.view = view
        self.viewer = view.viewer
        #: The shown page's stored text and word boxes (None: none kept for it).
        self.page_id: int | None = None
        self.text = ""
        self.boxes: list[WordBox] | None = None
        #: The hits of the search on this page: (start, end) in `text`, and the rectangles
        #: marking each (fractions of the unturned page).
        self.spans: list[tuple[int, int]] = []
        self.hits: list[list[WordBox]] = []
        self.current = -1
        self._query: SearchQuery | None = None
        #: The search and document whose first hit was last brought into view.
        self._opened: tuple[int, str] | None = None
        #: Where to land on the next page shown (0: its first hit, -1: its last).
        self._land: int | None = None
        self._scroll_pending = False
        #: The pages of this document with hits, by number, for this search (per search).
        self._hit_pages: tuple[tuple[int, str], list[tuple[int, int]]] | None = None
        self.viewer.image.label.layers.append(self.paint)
        self.viewer.textShown.connect(self._on_text_shown)
        self.viewer.imageShown.connect(self._on_image_shown)
        self.shortcuts = []
        for key, what, step in (
            ("F3", "Next search hit (on to the next page with one)", 1),
            ("Shift+F3", "Previous search hit", -1),
        ):
            shortcut = QShortcut(QKeySequence(key), view)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setWhatsThis(what)  # the Keyboard shortcuts dialog lists it
            shortcut.activated.connect(self.next_hit if step > 0 else self.previous_hit)
            self.shortcuts.append(shortcut)

    # -- the page's hits -----------------------------------------------------------------

    @Slot()
    def _on_text_shown(self) -> None:
        page, source = self.viewer.page, self.viewer.source
        if page is None or source is None:
            return
        new_page = page.id != self.page_id
        highlight = self.viewer.highlight
        self._query = parse_query(highlight) if highlight else None
        if new_page or page.text != self.text:
            self.page_id = page.id
            self.text = page.text or ""
            self.boxes = self.view.library.page_words(page.id)
        self.spans = hit_spans(self._query, self.text) if self._query is not None else []
        boxes, turn = self.boxes or [], page.rotation
        self.hits = [hit_marks(self.text, boxes, start, end, turn) for start, end in self.spans]
        opened = (source.id, highlight)
        if not self.spans:
            self.current = -1
        elif self._land is not None or (highlight and opened != self._opened):
            self.current = len(self.spans) - 1 if self._land == -1 else 0
            self._opened = opened
            self._scroll_pending = True
        elif new_page or self.current >= len(self.spans):
            self.current = 0
        landing = self._scroll_pending
        self._land = None
        self._mark_text_panel(scroll=landing)
        if self._scroll_pending and not self.viewer.image.label.pixmap().isNull():
            self._scroll_pending = False
            self._scroll_to_current()
        self.viewer.image.label.update()

    @Slot()
    def _on_image_shown(self) -> None:
        if self._scroll_pending:
            # A drawing at its final size is coming: scroll again once it is shown.
            self._scroll_pending = self.viewer.drawing_again()
            # After the scroll area has taken the new page's size.
            QTimer.singleShot(0, self._scroll_to_current)

    def current_boxes(self) -> list[WordBox]:
        return self.hits[self.current] if 0 <= self.current < len(self.hits) else []

    # -- stepping ------------------------------------------------------------------------

    @Slot()
    def next_hit(self) -> None:
        self.step(1)

    @Slot()
    def previous_hit(self) -> None:
        self.step(-1)

    def step(self, direction: int) -> None:
        """The next (1) or previous (-1) hit: on this page, else on the nearest page of the
        document with one (after the last page, round to the first)."""
        if self._query is None or self.viewer.page is None:
            return
        target = self.current + direction
        if self.spans and 0 <= target < len(self.spans):
            self._show_hit(target)
            return
        page_id = self._next_page(direction)
        if page_id is None or page_id == self.viewer.page.id:
            if self.spans:  # the only page with hits: round within it
                self._show_hit(0 if direction > 0 else len(self.spans) - 1)
            return
        row = self.view.model.row_of(page_id)
        if row is not None:
            self._land = 0 if direction > 0 else -1
            self.view.pages.setCurrentIndex(self.view.model.index(row))

    def _show_hit(self, index: int) -> None:
        self.current = index
        self._mark_text_panel(scroll=True)
        self._scroll_to_current()
        self.viewer.image.label.update()

    def _next_page(self, direction: int) -> int | None:
        page, source = self.viewer.page, self.viewer.source
        if page is None or source is None or self._query is None:
            return None
        key = (source.id, self.viewer.highlight)
        if self._hit_pages is None or self._hit_pages[0] != key:
            # One document's hits: the search is bounded to its pages (a few ms).
            found = self.view.library.search(self._query, source_id=source.id)
            self._hit_pages = (key, sorted((h.page_number, h.page_id) for h in found))
        pages = self._hit_pages[1]
        if not pages:
            return None
        if direction > 0:
            later = [p for p in pages if p[0] > page.number]
            return (later[0] if later else pages[0])[1]
        earlier = [p for p in pages if p[0] < page.number]
        return (earlier[-1] if earlier else pages[-1])[1]

    # -- showing -------------------------------------------------------------------------

    def _scroll_to_current(self) -> None:
        """Bring the current hit into view (a third down the image, where the eye is)."""
        boxes = self.current_boxes()
        label = self.viewer.image.label
        page = label.page_rect()
        if not boxes or page.isEmpty():
            return
        rect = QRectF()
        for box in boxes:
            rect = rect.united(canvas_rect(box, page, self.viewer.image.shown_turn))
        image = self.viewer.image
        center = rect.center()
        image.ensureVisible(
            round(center.x()),
            round(center.y()),
            round(rect.width() / 2) + 40,
            max(50, image.viewport().height() // 3),
        )

    def _mark_text_panel(self, scroll: bool) -> None:
        """The current hit stands out in the text panel too (and is scrolled to on a step)."""
        text = self.viewer.text
        self.viewer.apply_highlight(scroll_to_hit=False)  # every mark plain again
        marks = text.extraSelections()
        if len(marks) != len(self.spans) or not 0 <= self.current < len(marks):
            return  # the panel shows the text joined differently: its marks stay plain
        dark = is_dark(self.viewer.palette())
        mark = marks[self.current]
        current = QTextCharFormat(mark.format)
        current.setBackground(QColor("#b35900" if dark else "#ff9a3c"))
        mark.format = current
        text.setExtraSelections(marks)
        if scroll:
            cursor = mark.cursor
            cursor.clearSelection()
            text.setTextCursor(cursor)
            text.centerCursor()

    def paint(self, painter: QPainter, page: QRectF) -> None:
        """The marks over the page: every hit, the current one stronger and outlined."""
        if not self.hits or self.viewer.page is None or self.viewer.page.id != self.page_id:
            return
        turn = self.viewer.image.shown_turn
        for i, boxes in enumerate(self.hits):
            if i != self.current:
                for box in boxes:
                    painter.fillRect(canvas_rect(box, page, turn), HIT_FILL)
        painter.setPen(QPen(CURRENT_EDGE, 1.5))
        painter.setBrush(CURRENT_FILL)
        for box in self.current_boxes():
            painter.drawRect(canvas_rect(box, page, turn))
