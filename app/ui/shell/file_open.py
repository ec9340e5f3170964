"""Files the platform asks Folio to open while it runs ("Open with Folio" on macOS).

macOS does not pass such files on the command line: it sends the application a
`QFileOpenEvent`, at launch (before the window exists) and later while Folio
runs. Those that arrive before the window is ready are kept and handed over
once it is.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent


class FileOpenReceiver(QObject):
    """An application event filter that turns file-open events into imports."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: list[str] = []
        self._deliver: Callable[[list[str]], None] | None = None

    def deliver_to(self, deliver: Callable[[list[str]], None]) -> None:
        """Send files to `deliver` from now on, starting with any that arrived early."""
        self._deliver = deliver
        pending, self._pending = self._pending, []
        if pending:
            deliver(pending)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file() or event.url().toLocalFile()
            if path:
                if self._deliver is None:
                    self._pending.append(path)
                else:
                    self._deliver([path])
            return True
        return super().eventFilter(watched, event)
