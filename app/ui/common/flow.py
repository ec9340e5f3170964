"""A row of controls that wraps onto more lines when the window is narrow.

Qt's own "Flow Layout" example, with one addition: on each line, the items that may
expand horizontally (a title label, a spacer) share the width left over, so a row reads
like a QHBoxLayout with a stretch when there is room, and wraps instead of cutting or
widening the window when there is not.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget, QWidgetItem


def spacer() -> QWidget:
    """An empty widget that takes the free width of its line (a stretch)."""
    widget = QWidget()
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
    widget.setMinimumWidth(0)
    widget.setFixedHeight(1)
    return widget


class FlowLayout(QLayout):
    """Lays its items left to right, starting a new line when the next does not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def add(self, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))

    def insert(self, index: int, widget: QWidget) -> None:
        """Put `widget` before the item at `index` (at the end when out of range)."""
        self.addChildWidget(widget)
        at = index if 0 <= index <= len(self._items) else len(self._items)
        self._items.insert(at, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        visible = self._visible()
        width = sum(max(i.sizeHint().width(), self._need(i)) for i in visible)
        width += self.spacing() * max(0, len(visible) - 1)
        height = max((i.sizeHint().height() for i in visible), default=0)
        margins = self.contentsMargins()
        return QSize(width, height) + QSize(
            margins.left() + margins.right(), margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:
        """As narrow as the widest single item: everything else can wrap."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _visible(self) -> list[QLayoutItem]:
        shown = []
        for item in self._items:
            widget = item.widget()
            if widget is None or not widget.isHidden():
                shown.append(item)
        return shown

    @staticmethod
    def _grows(item: QLayoutItem) -> bool:
        """An item that takes the free width of its line (expanding, or sized by its line)."""
        if item.expandingDirections() & Qt.Orientation.Horizontal:
            return True
        widget = item.widget()
        return widget is not None and widget.sizePolicy().horizontalPolicy() in (
            QSizePolicy.Policy.Ignored,
            QSizePolicy.Policy.Expanding,
            QSizePolicy.Policy.MinimumExpanding,
        )

    def _need(self, item: QLayoutItem) -> int:
        return item.minimumSize().width() if self._grows(item) else item.sizeHint().width()

    def _lines(self, width: int) -> list[list[QLayoutItem]]:
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            need = self._need(item)
            if lines[-1] and used + self.spacing() + need > width:
                lines.append([])
                used = 0
            used += (self.spacing() if lines[-1] else 0) + need
            lines[-1].append(item)
        return [line for line in lines if line]

    def _place(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        y = area.y()
        for line in self._lines(area.width()):
            widths = [min(self._need(i), area.width()) for i in line]
            free = area.width() - sum(widths) - self.spacing() * (len(line) - 1)
            growing = [n for n, item in enumerate(line) if self._grows(item)]
            for n in growing:
                widths[n] += max(0, free) // len(growing)
            height = max(i.sizeHint().height() for i in line)
            x = area.x()
            for item, width in zip(line, widths, strict=True):
                if move:
                    item_height = min(height, item.maximumSize().height())
                    top = y + (height - item_height) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, item_height)))
                x += width + self.spacing()
            y += height + self.spacing()
        return y - self.spacing() - rect.y() + margins.bottom() if y > area.y() else 0
