"""One Folio per library: the running one listens, later launches and commands talk to it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.tasks.manager import ExtractionManager

log = logging.getLogger(__name__)

MAX_REQUEST = 4 * 1024 * 1024


def server_name(library_dir: Path) -> str:
    """A per-user, per-library socket name (a short path, within socket length limits)."""
    key = hashlib.sha256(str(library_dir.resolve()).encode()).hexdigest()[:16]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    if os.name == "posix":
        return str(Path(tempfile.gettempdir()) / f"folio-{uid}-{key}.sock")
    return f"folio-{uid}-{key}"


def send_to_running(
    library_dir: Path, request: dict[str, Any], timeout_ms: int = 3000
) -> dict[str, Any] | None:
    """Send a request to the Folio that owns this library; None when none is running."""
    _app = QCoreApplication.instance() or QCoreApplication([])
    socket = QLocalSocket()
    socket.connectToServer(server_name(library_dir))
    if not socket.waitForConnected(timeout_ms):
        return None
    socket.write(QByteArray((json.dumps(request) + "\n").encode()))
    socket.flush()
    # Chunks joined once at the end: appending to one bytes object recopies it per chunk.
    chunks: list[bytes] = []
    while not (chunks and chunks[-1].endswith(b"\n")):
        if not socket.waitForReadyRead(timeout_ms * 10):
            break
        chunk = bytes(socket.readAll().data())
        if chunk:
            chunks.append(chunk)
    socket.disconnectFromServer()
    buffer = b"".join(chunks)
    if not buffer.strip():
        return None
    reply: dict[str, Any] = json.loads(buffer)
    return reply


class InstanceServer(QObject):
    """Answers launches and headless commands for the library this process owns.

    Signals:
        filesReceived(list): paths another launch asked to import (list[str]).
        activateRequested(): another launch wants the window shown.
    """

    filesReceived = Signal(list)
    activateRequested = Signal()

    def __init__(
        self, library_dir: Path, manager: ExtractionManager, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.name = server_name(library_dir)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; call only while holding the library's writer lock."""
        QLocalServer.removeServer(self.name)  # a stale socket of a crashed run
        ok = self.server.listen(self.name)
        if not ok:
            log.warning("cannot listen on %s: %s", self.name, self.server.errorString())
        return ok

    def close(self) -> None:
        self.server.close()

    @Slot()
    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(self._on_disconnected)

    @Slot()
    def _on_disconnected(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._buffers.pop(socket, None)
            socket.deleteLater()

    @Slot()
    def _on_ready_read(self) -> None:
        socket = self.sender()
        if not isinstance(socket, QLocalSocket):
            return
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > MAX_REQUEST:
            socket.abort()
            return
        self._buffers[socket] = data
        if not data.endswith(b"\n"):
            return
        try:
            reply = self.handle(json.loads(data))
        except (ValueError, KeyError, TypeError) as exc:
            reply = {"ok": False, "error": f"Bad request: {exc}."}
        socket.write(QByteArray((json.dumps(reply) + "\n").encode()))
        socket.flush()

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        m = self.manager
        if op == "open":
            files = [str(f) for f in request.get("files", [])]
            if files:
                self.filesReceived.emit(files)
            self.activateRequested.emit()
            return {"ok": True}
        if op == "import":
            tasks = m.import_files([Path(p) for p in request.get("paths", [])])
            return {"ok": True, "tasks": [t.to_json() for t in tasks]}
        if op == "tasks":
            if request.get("all"):
                # Bounded: one page of the history, oldest first (offset pages on).
                tasks = m.library.tasks(limit=1000, offset=int(request.get("offset", 0)))
            elif request.get("ids"):
                wanted = {int(i) for i in request["ids"]}
                tasks = [t for i in sorted(wanted) if (t := m.get(i)) is not None]
            else:
                tasks = m.active_tasks()
            return {"ok": True, "tasks": [t.to_json() for t in tasks]}
        if op == "cancel":
            outcome = m.cancel_all() if request.get("all") else m.cancel_many(request["ids"])
            return {
                "ok": True,
                "cancelled": outcome.cancelled,
                "skipped": {str(k): v for k, v in outcome.skipped.items()},
                "summary": outcome.summary(),
            }
        if op == "retry":
            new = m.retry_failed() if request.get("failed") else []
            skipped: dict[int, str] = {}
            if request.get("ids"):
                more, skipped = m.retry_explained([int(i) for i in request["ids"]])
                new += more
            return {
                "ok": True,
                "tasks": [t.to_json() for t in new],
                "skipped": {str(k): v for k, v in skipped.items()},
            }
        if op == "batch":
            tasks = m.batch(int(i) for i in request.get("ids", []))
            return {"ok": True, "tasks": [t.to_json() for t in tasks]}
        if op == "status":
            active, running = m.active_counts()
            return {"ok": True, "active": active, "running": running, "pid": os.getpid()}
        return {"ok": False, "error": f"Unknown request {op!r}."}
