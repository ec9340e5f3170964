"""The overlay shown over the window while files are dragged onto it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget


class DropOverlay(QWidget):
    """Covers its parent with a tinted panel and a dashed drop target; lets events through."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.title = "Drop to add to your library"
        self.detail = "PDFs and images (PNG, JPEG, TIFF, BMP, GIF, WebP); folders too"
        #: The OCR languages the drop will be read in, in words (set by the window).
        self.language = ""
        parent.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if parent is not None and watched is parent and event.type() == QEvent.Type.Resize:
            self.setGeometry(parent.rect())
        return False

    def show_over_parent(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        window = QColor(pal.color(QPalette.ColorRole.Window))
        window.setAlpha(225)
        painter.fillRect(self.rect(), window)
        accent = pal.color(QPalette.ColorRole.Highlight)
        box = QRectF(self.rect()).adjusted(24, 24, -24, -24)
        tint = QColor(accent)
        tint.setAlpha(40)
        painter.setBrush(tint)
        pen = QPen(accent, 3, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(box, 16, 16)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(pal.color(QPalette.ColorRole.WindowText))
        upper = QRectF(box.left(), box.center().y() - 60, box.width(), 56)
        painter.drawText(upper, Qt.AlignmentFlag.AlignCenter, self.title)
        font.setBold(False)
        font.setPointSizeF(self.font().pointSizeF() * 1.1)
        painter.setFont(font)
        lower = QRectF(box.left(), box.center().y(), box.width(), 40)
        painter.drawText(lower, Qt.AlignmentFlag.AlignCenter, self.detail)
        if self.language:
            below = QRectF(box.left() + 16, box.center().y() + 40, box.width() - 32, 40)
            painter.drawText(below, Qt.AlignmentFlag.AlignCenter, self.language)
        painter.end()
