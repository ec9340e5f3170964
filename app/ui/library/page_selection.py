"""Selecting text on the page image: drag over words to select them, Ctrl+C (or the
context menu's Copy) copies their text in reading order, with the page's line breaks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, Slot
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QKeySequence, QMouseEvent, QPainter
from PySide6.QtWidgets import QMenu

from app.core.words import WordBox, text_of
from app.ui.library.page_hits import canvas_rect

if TYPE_CHECKING:
    from app.ui.library.page_hits import PageHits

#: A press that moves less than this (pixels) is a click: it clears the selection.
DRAG_START = 3


class PageSelection(QObject):
    """Installs selection by dragging on the page image of a PageViewer (through its hits,
    which know the page's text and word boxes)."""

    def __init__(self, hits: PageHits) -> None:
        super().__init__(hits)
        self.hits = hits
        self.viewer = hits.viewer
        self.canvas = self.viewer.image.label
        #: The selected words, in reading order.
        self.selected: list[WordBox] = []
        self._page_id: int | None = None
        self._origin: QPointF | None = None
        self.canvas.layers.append(self.paint)
        self.canvas.installEventFilter(self)
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.canvas.customContextMenuRequested.connect(self._context_menu)
        self.viewer.image.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        # Ctrl+C on the image copies its selection; with none, the window's Copy copies
        # the page's text as before.
        self.viewer.image.installEventFilter(self)
        self.viewer.textShown.connect(self._on_text_shown)

    @Slot()
    def _on_text_shown(self) -> None:
        page = self.viewer.page
        if page is None or page.id != self._page_id or self.hits.boxes is None:
            self._page_id = page.id if page is not None else None
            self.clear()
        cursor = Qt.CursorShape.IBeamCursor if self.hits.boxes else Qt.CursorShape.ArrowCursor
        self.canvas.setCursor(cursor)

    def clear(self) -> None:
        self.selected = []
        self.canvas.update()

    # -- dragging ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.viewer.image and isinstance(event, QKeyEvent):
            if self.selected and event.matches(QKeySequence.StandardKey.Copy):
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.accept()  # the key comes here, not to the window's Copy
                    return True
                if event.type() == QEvent.Type.KeyPress:
                    self.copy()
                    return True
            return False
        if watched is not self.canvas or not isinstance(event, QMouseEvent):
            return False
        left = event.button() == Qt.MouseButton.LeftButton
        if event.type() == QEvent.Type.MouseButtonPress and left:
            self.viewer.image.setFocus(Qt.FocusReason.MouseFocusReason)
            self._origin = event.position()
            self.clear()
            return True
        if event.type() == QEvent.Type.MouseMove and self._origin is not None:
            if (event.position() - self._origin).manhattanLength() >= DRAG_START:
                self.select_rect(QRectF(self._origin, event.position()).normalized())
            return True
        if event.type() == QEvent.Type.MouseButtonRelease and left:
            self._origin = None
            return True
        return False

    def select_rect(self, area: QRectF) -> list[WordBox]:
        """Select the words drawn under `area` (canvas coordinates); returns them."""
        page = self.canvas.page_rect()
        turn = self.viewer.image.shown_turn
        boxes = self.hits.boxes or []
        self.selected = [b for b in boxes if canvas_rect(b, page, turn).intersects(area)]
        self.canvas.update()
        return self.selected

    def selected_text(self) -> str:
        return text_of(self.hits.text, self.selected)

    @Slot()
    def copy(self) -> None:
        if self.selected:
            QGuiApplication.clipboard().setText(self.selected_text())

    # -- the menu and the marks ------------------------------------------------------------

    def menu(self) -> QMenu:
        menu = QMenu(self.canvas)
        copy = menu.addAction("Copy")
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setEnabled(bool(self.selected))
        copy.triggered.connect(self.copy)
        select_all = menu.addAction("Select all words on the page")
        select_all.setEnabled(bool(self.hits.boxes))
        select_all.triggered.connect(self.select_all)
        return menu

    @Slot()
    def select_all(self) -> None:
        self.selected = list(self.hits.boxes or [])
        self.canvas.update()

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        self.menu().exec(self.canvas.mapToGlobal(pos))

    def paint(self, painter: QPainter, page: QRectF) -> None:
        if not self.selected:
            return
        colour = QColor(self.viewer.palette().highlight().color())
        colour.setAlpha(95)
        turn = self.viewer.image.shown_turn
        for box in self.selected:
            painter.fillRect(canvas_rect(box, page, turn), colour)
