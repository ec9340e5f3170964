"""The status bar's live task indicator: a spinner while work runs, and the batch summary."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.tasks.progress import AggregateProgress
from app.ui.common.plain import plain_label


class Spinner(QWidget):
    """A turning arc, drawn in the palette's highlight colour; still when stopped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._angle = 0
        self._timer = QTimer(self)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self._turn)
        self.setFixedSize(QSize(16, 16))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def is_spinning(self) -> bool:
        return self._timer.isActive()

    def set_spinning(self, on: bool) -> None:
        if on and not self._timer.isActive():
            self._timer.start()
        elif not on and self._timer.isActive():
            self._timer.stop()
        self.setVisible(on)
        self.update()

    @Slot()
    def _turn(self) -> None:
        self._angle = (self._angle + 30) % 360
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 2.2)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.drawArc(rect, -self._angle * 16, 270 * 16)
        painter.end()


class StatusIndicator(QWidget):
    """Spinner plus "Extracting 12 of 340 pages · 2 min left"; a click opens the Tasks page.

    Signals:
        clicked(): the user clicked the indicator.
    """

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(6)
        self.spinner = Spinner()
        layout.addWidget(self.spinner)
        self.label = plain_label(QLabel("Idle"))
        layout.addWidget(self.label)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Show the Tasks page")
        self.spinner.set_spinning(False)

    @Slot(object)
    def show_progress(self, progress: AggregateProgress) -> None:
        text = progress.summary()
        if progress.total == 0 and not progress.paused:
            text = "No tasks running"
        self.label.setText(text)
        self.spinner.set_spinning(progress.active > 0 and not progress.paused)

    def text(self) -> str:
        return self.label.text()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)
