"""Quit cleanly when the desktop session ends or the terminal says stop.

Logging out, shutting down, `kill PID` or Ctrl+C in the terminal reach Folio as
SIGTERM, SIGHUP or SIGINT. Python runs its signal handlers only between
bytecodes, and none run while Qt waits for events, so the signal is written to
a socket (`signal.set_wakeup_fd`) that a `QSocketNotifier` watches. Folio then
quits as from the menu, without asking: running tasks go back to pending and
resume at the next start instead of counting as interrupted by a crash.
"""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal

SESSION_END_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)


def _ignore(_signum: int, _frame: FrameType | None) -> None:
    """The handler Python needs installed; the wake-up byte does the work."""


class SessionEnd(QObject):
    """Emits `requested(signal number)` on the GUI thread when a stop signal arrives."""

    requested = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._previous: dict[int, Any] = {}
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._notifier: QSocketNotifier | None = None
        self._old_wakeup = -1

    def install(self) -> bool:
        """Start listening; False where signals cannot be caught (not the main thread, Windows)."""
        if not hasattr(signal, "SIGHUP"):
            return False
        try:
            self._old_wakeup = signal.set_wakeup_fd(
                self._writer.fileno(), warn_on_full_buffer=False
            )
        except ValueError:  # not the main thread
            return False
        for signum in SESSION_END_SIGNALS:
            self._previous[signum] = signal.signal(signum, _ignore)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)
        return True

    def _read(self) -> None:
        try:
            data = self._reader.recv(64)
        except BlockingIOError:
            return
        for signum in data:
            if signum in SESSION_END_SIGNALS:
                self.requested.emit(int(signum))
                return

    def uninstall(self) -> None:
        """Restore the handlers found at install; a second signal then acts as before."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        for signum, handler in self._previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(signum, handler)
        self._previous.clear()
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(self._old_wakeup)
        self._reader.close()
        self._writer.close()


def quit_on_session_end(parent: QObject, quit_now: Callable[[int], None]) -> SessionEnd:
    """Install a `SessionEnd` that calls `quit_now(signum)` when a stop signal arrives."""
    watcher = SessionEnd(parent)
    watcher.requested.connect(quit_now)
    watcher.install()
    return watcher
