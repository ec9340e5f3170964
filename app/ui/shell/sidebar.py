"""The navigation sidebar: Library, Search, Tasks — with the Tasks badge counts."""

from __future__ import annotations

import enum

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.ui.common.theme import is_dark

BADGE_ROLE = Qt.ItemDataRole.UserRole + 1


class Section(enum.IntEnum):
    LIBRARY = 0
    SEARCH = 1
    TASKS = 2


SECTION_LABELS = {Section.LIBRARY: "Library", Section.SEARCH: "Search", Section.TASKS: "Tasks"}
SECTION_TIPS = {
    Section.LIBRARY: "Your documents (Ctrl+1)",
    Section.SEARCH: "Search the text of every page (Ctrl+2)",
    Section.TASKS: "Background work: import and text extraction (Ctrl+3)",
}
#: Badge colours (background, text): light and dark variants, 4.5:1 contrast or more.
_ACTIVE = (("#d6e4fb", "#0b3d91"), ("#1b355c", "#dce8fd"))
_FAILED = (("#b3261e", "#ffffff"), ("#f2b8b5", "#601410"))


class BadgeDelegate(QStyledItemDelegate):
    """Draws the normal item, then pills on the right: active tasks, then failed ones."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 60, max(size.height(), 34))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        badges = index.data(BADGE_ROLE) or (0, 0)
        active, failed = badges
        dark = is_dark(option.palette)
        right = option.rect.right() - 8
        metrics = QFontMetrics(option.font)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for count, colours in ((failed, _FAILED), (active, _ACTIVE)):
            if not count:
                continue
            bg, fg = colours[1] if dark else colours[0]
            text = str(count) if count < 10000 else "9999+"
            width = max(metrics.horizontalAdvance(text) + 12, 22)
            height = metrics.height() + 4
            top = option.rect.center().y() - height // 2
            rect = QRect(right - width, top, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(rect, height / 2, height / 2)
            painter.setPen(QColor(fg))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            right = rect.left() - 4
        painter.restore()


class Sidebar(QListWidget):
    """The navigation list.

    Signals:
        sectionChosen(int): the user (or code) chose a Section.
    """

    sectionChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setItemDelegate(BadgeDelegate(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.setFont(font)
        for section in Section:
            item = QListWidgetItem(SECTION_LABELS[section])
            item.setToolTip(SECTION_TIPS[section])
            item.setData(BADGE_ROLE, (0, 0))
            self.addItem(item)
        self.setCurrentRow(Section.LIBRARY)
        self.currentRowChanged.connect(self._on_row)
        self.setMinimumWidth(150)
        self.setAccessibleName("Navigation")

    @Slot(int)
    def _on_row(self, row: int) -> None:
        if row >= 0:
            self.sectionChosen.emit(row)

    def choose(self, section: Section) -> None:
        self.setCurrentRow(int(section))

    def section(self) -> Section:
        return Section(max(self.currentRow(), 0))

    @Slot(int, int)
    def set_task_badge(self, active: int, failed: int) -> None:
        item = self.item(Section.TASKS)
        item.setData(BADGE_ROLE, (active, failed))
        parts = []
        if active:
            parts.append(f"{active} active")
        if failed:
            parts.append(f"{failed} failed")
        tip = SECTION_TIPS[Section.TASKS]
        item.setToolTip(f"{tip} — {', '.join(parts)}" if parts else tip)
        item.setData(
            Qt.ItemDataRole.AccessibleTextRole,
            f"Tasks, {', '.join(parts)}" if parts else "Tasks",
        )

    def task_badge(self) -> tuple[int, int]:
        return tuple(self.item(Section.TASKS).data(BADGE_ROLE))

    def sizeHint(self) -> QSize:
        return QSize(180, 300)
