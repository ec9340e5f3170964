"""One Folio per library: the running one listens, later launches and commands talk to it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket as pysocket
import struct
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.core.errors import FolioError
from app.core.paths import runtime_dir
from app.tasks.manager import ExtractionManager

log = logging.getLogger(__name__)

MAX_REQUEST = 4 * 1024 * 1024
#: Socket paths must fit `sun_path` (104 bytes on macOS, 108 on Linux).
_MAX_SOCKET_DIR = 70


def server_name(library_dir: Path) -> str:
    """A per-user, per-library socket name: a socket in this user's private runtime folder.

    Raises FolioError when that folder belongs to someone else (see runtime_dir).
    """
    key = hashlib.sha256(str(library_dir.resolve()).encode()).hexdigest()[:16]
    if os.name == "posix":
        return str(runtime_dir(_MAX_SOCKET_DIR) / f"folio-{key}.sock")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return f"folio-{uid}-{key}"  # a named pipe, open to this user only (UserAccessOption)


def peer_uid(sock: QLocalSocket) -> int | None:
    """The user id of the process at the other end, where the system tells it (Linux)."""
    option = getattr(pysocket, "SO_PEERCRED", None)
    fd = int(sock.socketDescriptor())
    if option is None or fd < 0:
        return None
    # A duplicate of Qt's descriptor: closing it leaves Qt's own open.
    with pysocket.fromfd(fd, pysocket.AF_UNIX, pysocket.SOCK_STREAM) as dup:
        raw = dup.getsockopt(pysocket.SOL_SOCKET, option, struct.calcsize("iII"))
    _pid, uid, _gid = struct.unpack("iII", raw)
    return int(uid)


def _is_stranger(sock: QLocalSocket) -> bool:
    uid = peer_uid(sock)
    return uid is not None and uid != os.getuid()


def send_to_running(
    library_dir: Path, request: dict[str, Any], timeout_ms: int = 3000
) -> dict[str, Any] | None:
    """Send a request to the Folio that owns this library; None when none is running.

    Raises FolioError when another user's program answers instead (nothing is sent).
    """
    _app = QCoreApplication.instance() or QCoreApplication([])
    name = server_name(library_dir)
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return None
    if _is_stranger(socket):
        socket.abort()
        raise FolioError(
            f"{name} is answered by a program of another user, not by your Folio, so nothing"
            " was sent to it; delete that file and start Folio again."
        )
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
    try:
        reply = json.loads(buffer)
    except (ValueError, RecursionError):
        reply = None
    if not isinstance(reply, dict):
        raise FolioError(
            f"The Folio answering at {name} sent a reply this one cannot read; "
            "quit it and start Folio again."
        )
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
        """Start listening, or raise FolioError; call only while holding the writer lock.

        Without the channel a second launch would start a second engine on the same
        library, so a failure is fatal.
        """
        QLocalServer.removeServer(self.name)  # a stale socket of a crashed run
        if not self.server.listen(self.name):
            raise FolioError(
                f"Folio could not open its channel for later launches at {self.name} "
                f"({self.server.errorString()}); remove that file if it is there and start "
                "Folio again."
            )
        return True

    def close(self) -> None:
        self.server.close()

    @Slot()
    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if _is_stranger(socket):
                log.warning("refused a connection from user %s on %s", peer_uid(socket), self.name)
                socket.abort()
                socket.deleteLater()
                continue
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
        if not data.endswith(b"\n"):
            self._buffers[socket] = data
            return
        self._buffers[socket] = b""
        socket.write(QByteArray((json.dumps(self.answer(data)) + "\n").encode()))
        socket.flush()

    def answer(self, data: bytes) -> dict[str, Any]:
        """The reply to one request line: whatever it holds, a reply, never an exception."""
        try:
            request = json.loads(data)
        except RecursionError:
            return {"ok": False, "error": "Bad request: it is nested too deeply."}
        except ValueError as exc:
            return {"ok": False, "error": f"Bad request: it is not JSON ({exc})."}
        if not isinstance(request, dict):
            return {"ok": False, "error": "Bad request: it must be a JSON object."}
        try:
            return self.handle(request)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return {"ok": False, "error": f"Bad request: {exc}."}
        except Exception:
            log.exception("request %r failed", request.get("op"))
            return {"ok": False, "error": "Folio could not answer this request; see its log."}

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
            lang = request.get("lang")
            paths = [Path(p) for p in request.get("paths", [])]
            password = request.get("password")
            if isinstance(password, str) and password:  # `folio import --password`
                for path in paths:
                    m.passwords.remember_file(path, password)
            tasks = m.import_files(
                paths,
                lang=str(lang) if isinstance(lang, str) and lang else None,
            )
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
        if op == "trash":
            moved = m.trash_sources(int(i) for i in request.get("ids", []))
            return {"ok": True, "ids": moved}
        if op == "restore":
            restored = m.restore_sources(int(i) for i in request.get("ids", []))
            return {"ok": True, "ids": [s.id for s in restored]}
        if op == "empty_trash":
            return {"ok": True, "ids": m.empty_trash()}
        if op == "rename":
            try:
                name = m.rename_source(int(request["id"]), str(request["name"]))
            except FolioError as exc:
                return {"ok": False, "error": exc.message}
            return {"ok": True, "name": name}
        if op == "status":
            active, running = m.active_counts()
            return {"ok": True, "active": active, "running": running, "pid": os.getpid()}
        return {"ok": False, "error": f"Unknown request {op!r}."}
