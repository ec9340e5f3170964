""" "Batch finished" notifications: the sentence, and the tray message when the window is away."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from app.tasks.progress import AggregateProgress
from app.ui.common.formatting import plural


def batch_message(progress: AggregateProgress, *, on_page: bool = False) -> tuple[str, str]:
    """The title and text of the "batch finished" notification, failures counted.

    `on_page`: for the Tasks page itself, where "open Tasks" would be odd.
    """
    finished = progress.done + progress.failed + progress.cancelled
    title = "Folio finished its tasks"
    if progress.failed:
        title += f": {progress.failed} failed"
    parts = [f"{progress.done} completed"]
    if progress.failed:
        parts.append(f"{progress.failed} failed")
    if progress.cancelled:
        parts.append(f"{progress.cancelled} cancelled")
    text = f"{plural(finished, 'task')}: {', '.join(parts)}."
    if progress.pages_done:
        text += f" {plural(progress.pages_done, 'page')} read."
    if progress.failed:
        text += (
            " Select a failed task to see why, or retry them all."
            if on_page
            else " Open Tasks to see why and retry."
        )
    return title, text


class BatchNotifier(QObject):
    """Tells the user, through the system tray, that a batch of tasks has finished.

    Signals:
        notified(str, str): the title and text of each notification.
    """

    notified = Signal(str, str)

    def __init__(self, parent: QObject | None = None, tray: QSystemTrayIcon | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._own_tray: QSystemTrayIcon | None = None

    def set_tray(self, tray: QSystemTrayIcon | None) -> None:
        """Use the application's tray icon (the main window may own one)."""
        self._tray = tray

    def tray(self) -> QSystemTrayIcon | None:
        if self._tray is not None:
            return self._tray
        if self._own_tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            icon = QGuiApplication.windowIcon()
            if icon.isNull():
                return None  # a tray icon without an image is not shown anyway
            self._own_tray = QSystemTrayIcon(icon, self)
            self._own_tray.setToolTip("Folio")
            self._own_tray.show()
        return self._own_tray

    @Slot(object)
    def batch_finished(self, progress: AggregateProgress) -> None:
        if progress.total == 0:
            return
        title, text = batch_message(progress)
        self.notified.emit(title, text)
        tray = self.tray()
        if tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Warning
                if progress.failed
                else QSystemTrayIcon.MessageIcon.Information
            )
            tray.showMessage(title, text, icon, 10_000)
