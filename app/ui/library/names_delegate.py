"""The Library's name cell: the name, and under it the other names it was imported under."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.ui.library.source_columns import also_text

AnyIndex = QModelIndex | QPersistentModelIndex


class NamesDelegate(QStyledItemDelegate):
    """Paints a document's name with a dimmer second line "Also imported as: …" when the
    same content was imported under other names (the normal item otherwise).

    `names_role`: the model's role giving every name, the shown one first.
    """

    def __init__(self, names_role: int, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.names_role = names_role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        names = index.data(self.names_role)
        if not names or len(names) < 2:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        # The text's place as the style lays it out beside the thumbnail.
        opt.text = name
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        # The margin the style leaves around an item's text (as Qt's own delegate does).
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        area = area.adjusted(margin, 0, -margin, 0)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Normal
            if opt.state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        colour = opt.palette.color(group, role)
        small = QFont(opt.font)  # a copy: the name keeps the item's own font
        small.setPointSizeF(max(6.0, opt.font.pointSizeF() * 0.9))
        main_height = opt.fontMetrics.height()
        left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        painter.save()
        painter.setFont(small)
        small_metrics = painter.fontMetrics()
        # The two lines, together centred in the row.
        top = area.top() + (area.height() - main_height - small_metrics.height()) // 2
        first = QRect(area.left(), top, area.width(), main_height)
        second = QRect(area.left(), first.bottom() + 1, area.width(), small_metrics.height())
        also = also_text(tuple(names[1:]))
        painter.setPen(colour)
        painter.setFont(opt.font)
        painter.drawText(
            first,
            left,
            opt.fontMetrics.elidedText(name, Qt.TextElideMode.ElideMiddle, area.width()),
        )
        dim = colour
        dim.setAlphaF(0.7)
        painter.setPen(dim)
        painter.setFont(small)
        painter.drawText(
            second, left, small_metrics.elidedText(also, Qt.TextElideMode.ElideRight, area.width())
        )
        painter.restore()
