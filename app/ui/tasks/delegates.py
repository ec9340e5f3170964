"""Delegates of the tasks table: the selection check box and links to documents and pages."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.ui.tasks.cells import Role

AnyIndex = QModelIndex | QPersistentModelIndex

#: Space left of a link's text; the delegate paints it there and the view hit-tests it.
LINK_MARGIN = 6


class SelectionCheckDelegate(QStyledItemDelegate):
    """Paints the check column: a check box that shows whether the row is selected.

    Drawn here rather than by the style: some styles outline an unchecked box in
    nearly the colour of a dark palette's base, and the box must show on a
    selected (highlighted) row too.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        palette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        side = min(14, opt.rect.height() - 4)
        box = QRectF(0, 0, side, side)
        box.moveCenter(QRectF(opt.rect).center())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected:
            mark = palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.HighlightedText))
            painter.drawRoundedRect(box, 3, 3)
            pen = QPen(mark, 2)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            left, top = box.left(), box.top()
            painter.drawPolyline(
                [
                    QPointF(left + side * 0.22, top + side * 0.52),
                    QPointF(left + side * 0.42, top + side * 0.72),
                    QPointF(left + side * 0.78, top + side * 0.30),
                ]
            )
        else:
            border = QColor(palette.color(QPalette.ColorRole.Text))
            border.setAlphaF(0.55)
            painter.setPen(QPen(border, 1.2))
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(28, option.fontMetrics.height() + 12)


class LinkDelegate(QStyledItemDelegate):
    """Paints a cell whose Role.LINK is set as an underlined link; others as plain text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        if index.data(Role.LINK) is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Link
        font = QFont(opt.font)
        font.setUnderline(True)
        rect = opt.rect.adjusted(LINK_MARGIN, 0, -LINK_MARGIN, 0)
        painter.save()
        painter.setFont(font)
        painter.setPen(opt.palette.color(role))
        elided = opt.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
        painter.restore()
