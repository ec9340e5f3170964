"""Status chips: each task status painted as a rounded, colour-coded label."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.core.models import TaskStatus
from app.ui.tasks.cells import STATUS_LABELS, Role

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChipColours:
    """The colours of one chip: its background, its text, and the done part of progress."""

    background: str
    text: str
    fill: str


#: One table for every status: (light palette, dark palette). Text on background and
#: on fill keeps a contrast ratio of at least 4.5:1.
CHIP_COLOURS: dict[TaskStatus, tuple[ChipColours, ChipColours]] = {
    TaskStatus.PENDING: (
        ChipColours("#e3e5e8", "#3c4043", "#e3e5e8"),
        ChipColours("#45484d", "#e8eaed", "#45484d"),
    ),
    TaskStatus.IN_PROGRESS: (
        ChipColours("#d6e4fb", "#0b3d91", "#a8c7fa"),
        ChipColours("#1b355c", "#dce8fd", "#2f5f9f"),
    ),
    TaskStatus.COMPLETED: (
        ChipColours("#cdebd6", "#0d5a28", "#cdebd6"),
        ChipColours("#1c4a2a", "#bfe8cb", "#1c4a2a"),
    ),
    TaskStatus.FAILED: (
        ChipColours("#fad3cf", "#9f0e0e", "#fad3cf"),
        ChipColours("#621f1b", "#fbd0cb", "#621f1b"),
    ),
    TaskStatus.CANCELLED: (
        ChipColours("#fdecc0", "#6e4400", "#fdecc0"),
        ChipColours("#594200", "#fde3a0", "#594200"),
    ),
}

#: A task that waits for the user (its document's password): neither failed nor done.
WAITING_COLOURS = (
    ChipColours("#e9ddff", "#4a1d96", "#e9ddff"),
    ChipColours("#3d2b6b", "#eaddff", "#3d2b6b"),
)

#: The widest text a chip shows, so that every chip in a column has one width.
_WIDEST = f"{STATUS_LABELS[TaskStatus.IN_PROGRESS]} 100%"
_H_PAD = 10
_MARGIN = 6


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def chip_colours(status: TaskStatus, palette: QPalette, *, waiting: bool = False) -> ChipColours:
    """`waiting`: the task waits for the user (its document's password)."""
    light, dark = WAITING_COLOURS if waiting else CHIP_COLOURS[status]
    return dark if is_dark(palette) else light


class StatusChipDelegate(QStyledItemDelegate):
    """Paints the Status column: the normal item panel (selection, hover), then a chip.

    Reads Role.STATUS and Role.PROGRESS; an in-progress chip fills with its progress.
    """

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The panel first, so that selection and the theme still show around the chip.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        value = index.data(Role.STATUS)
        if value is None:
            return
        status = TaskStatus(value)
        colours = chip_colours(status, opt.palette, waiting=bool(index.data(Role.WAITING)))
        metrics = opt.fontMetrics
        height = min(metrics.height() + 6, opt.rect.height() - 4)
        width = min(metrics.horizontalAdvance(_WIDEST) + 2 * _H_PAD, opt.rect.width() - 2 * _MARGIN)
        if width <= 0 or height <= 0:
            return
        chip = QRectF(
            opt.rect.left() + _MARGIN,
            opt.rect.top() + (opt.rect.height() - height) / 2,
            width,
            height,
        )
        path = QPainterPath()
        path.addRoundedRect(chip, height / 2, height / 2)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillPath(path, QColor(colours.background))
        if status is TaskStatus.IN_PROGRESS:
            progress = float(index.data(Role.PROGRESS) or 0.0)
            if progress > 0:
                painter.setClipPath(path)
                done = QRectF(chip.left(), chip.top(), chip.width() * min(progress, 1.0), height)
                painter.fillRect(done, QColor(colours.fill))
                painter.setClipping(False)
        painter.setPen(QColor(colours.text))
        painter.setFont(opt.font)
        label = metrics.elidedText(
            text, Qt.TextElideMode.ElideRight, round(chip.width()) - 2 * _H_PAD + 4
        )
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        metrics = option.fontMetrics
        return QSize(
            metrics.horizontalAdvance(_WIDEST) + 2 * (_H_PAD + _MARGIN), metrics.height() + 12
        )
