"""One call for a burst of requests: the helper every view uses instead of its own timers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Coalescer(QObject):
    """Calls `slot` once, `ms` after a request, however many requests came meanwhile.

    `request()` keeps a call already scheduled (throttling: the first request sets the
    time, so a steady stream still gets regular calls); `restart()` schedules it anew
    (debouncing: the call waits for a pause, e.g. in typing).
    """

    def __init__(self, ms: int, slot: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(ms)
        self._timer.timeout.connect(slot)

    def request(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def restart(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.stop()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()
