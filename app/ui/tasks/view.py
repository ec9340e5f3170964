"""The tasks table view: a check column that toggles selection, links that open what they name."""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelectionModel,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QTableView, QWidget

from app.ui.tasks.cells import Column, Role
from app.ui.tasks.delegates import LINK_MARGIN


class TasksView(QTableView):
    """The tasks table.

    A click in the check column adds the row to the selection or takes it out,
    keeping the rest; a plain click on a link's text opens what it names.

    Signals:
        linkActivated(int, int): the column (Source or Page) and the id it links to.
    """

    linkActivated = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self._pressed_link: tuple[int, int] | None = None

    def link_at(self, pos: QPoint) -> tuple[int, int] | None:
        """(column, id) of the link whose text is under `pos` (viewport coordinates)."""
        index = self.indexAt(pos)
        if not index.isValid() or index.column() not in (Column.SOURCE, Column.PAGE):
            return None
        target = index.data(Role.LINK)
        if target is None:
            return None
        rect = self.visualRect(index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = min(self.fontMetrics().horizontalAdvance(text), rect.width() - 2 * LINK_MARGIN)
        left = rect.left() + LINK_MARGIN
        if left <= pos.x() <= left + width:
            return index.column(), int(target)
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier
        left = event.button() == Qt.MouseButton.LeftButton
        self._pressed_link = self.link_at(pos) if plain and left else None
        if index.isValid() and index.column() == Column.SELECT and left and plain:
            flags = (
                QItemSelectionModel.SelectionFlag.Toggle | QItemSelectionModel.SelectionFlag.Rows
            )
            self.selectionModel().setCurrentIndex(index, flags)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pressed, self._pressed_link = self._pressed_link, None
        super().mouseReleaseEvent(event)
        if pressed is not None and pressed == self.link_at(event.position().toPoint()):
            self.linkActivated.emit(*pressed)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:
            if self.link_at(event.position().toPoint()) is not None:
                self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                self.viewport().unsetCursor()

    def visible_rows(self) -> range:
        """The view rows on screen now."""
        count = self.model().rowCount() if self.model() is not None else 0
        if count == 0:
            return range(0)
        top = self.rowAt(0)
        bottom = self.rowAt(self.viewport().height() - 1)
        top = 0 if top < 0 else top
        bottom = count - 1 if bottom < 0 else bottom
        return range(top, bottom + 1)
