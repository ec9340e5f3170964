"""The status bar's live task indicator: a spinner while work runs, and the batch summary."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.tasks.manager import ExtractionManager
from app.tasks.progress import AggregateProgress
from app.ui.common.formatting import plural
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

    It follows the manager's real state (see `follow`): the current batch while work
    waits or runs, how the last batch ended once it is over, "No tasks running" only
    when nothing is pending or running.

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
        self._manager: ExtractionManager | None = None
        #: How the last batch ended, shown until new work arrives.
        self._finished: str | None = None

    def follow(self, manager: ExtractionManager) -> None:
        """Show `manager`'s state from now on, as its signals say it changes."""
        self._manager = manager
        manager.aggregateChanged.connect(self.show_progress)
        manager.batchFinished.connect(self._on_batch_finished)
        manager.idle.connect(self.refresh)
        manager.pausedChanged.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Read the manager's state now (e.g. right after work was queued)."""
        if self._manager is not None:
            self.show_progress(self._manager.aggregate())

    @Slot(object)
    def show_progress(self, progress: AggregateProgress) -> None:
        manager = self._manager
        busy = progress.total > 0 or (manager is not None and not manager.is_idle())
        if busy:
            self._finished = None
        if progress.total:
            text = progress.summary()
        elif busy and manager is not None:
            # Work the batch has not counted yet (queued a moment ago).
            active, _running = manager.active_counts()
            text = f"{plural(active, 'task')} to do"
        elif progress.paused:
            text = "Paused"
        else:
            text = self._finished or "No tasks running"
        self.label.setText(text)
        paused = progress.paused or (manager is not None and manager.paused)
        self.spinner.set_spinning(busy and not paused)

    @Slot(object)
    def _on_batch_finished(self, progress: AggregateProgress) -> None:
        if not progress.total:
            return
        parts = [f"{plural(progress.pages_done, 'page')} read"] if progress.pages_done else []
        parts.append(f"{plural(progress.done, 'task')} done")
        if progress.failed:
            parts.append(f"{progress.failed} failed")
        if progress.cancelled:
            parts.append(f"{progress.cancelled} cancelled")
        self._finished = "Finished: " + ", ".join(parts)
        self.refresh()

    def text(self) -> str:
        return self.label.text()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)
