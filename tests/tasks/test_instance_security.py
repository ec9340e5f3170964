"""The single-instance channel: a private socket, peers of this user only, any request answered."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from app.core.errors import FolioError
from app.core.library import Library
from app.tasks.instance import InstanceServer, send_to_running, server_name
from app.tasks.manager import ExtractionManager
from app.ui.shell.launcher import open_session
from tests.conftest import window_owning

STRANGER = 65534  # nobody
as_root = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0, reason="acting as another user needs root"
)


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A runtime folder of this test (outside pytest's private folders, 0700 like a real one)."""
    folder = Path(tempfile.mkdtemp(prefix="folio-xdg-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def running(
    library_dir: Path, runtime: Path, qapp: object
) -> Iterator[tuple[ExtractionManager, InstanceServer]]:
    with window_owning(library_dir) as owned:
        yield owned


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_socket_is_in_the_users_private_runtime_folder(
    running: tuple[ExtractionManager, InstanceServer], runtime: Path
) -> None:
    _manager, server = running
    socket = Path(server.name)
    assert socket.parent == runtime / "Folio"
    assert socket.is_socket()
    assert _mode(socket.parent) == 0o700
    assert socket.parent.stat().st_uid == os.getuid()


def test_without_a_runtime_folder_a_private_folder_of_ours_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    (tmp_path / f"folio-{os.getuid()}").mkdir(mode=0o755)  # left too open: made private
    name = Path(server_name(tmp_path / "Library"))
    assert name.parent == tmp_path / f"folio-{os.getuid()}"
    assert _mode(name.parent) == 0o700


@as_root
def test_a_runtime_folder_of_another_user_is_refused(runtime: Path, tmp_path: Path) -> None:
    (runtime / "Folio").mkdir()
    os.chown(runtime / "Folio", STRANGER, STRANGER)
    with pytest.raises(FolioError, match="belongs to another user") as refused:
        server_name(tmp_path / "Library")
    assert str(runtime / "Folio") in refused.value.message


SQUATTER = """
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
os.setgid(65534)
os.setuid(65534)
s.listen(1)  # the peer credentials a client sees are taken here: another user's
print("ready", flush=True)
conn, _ = s.accept()
conn.settimeout(10)
data = b""
try:
    while not data.endswith(b"\\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    conn.sendall(b'{"ok": true}\\n')
except OSError:
    pass
print(len(data), flush=True)
"""


@as_root
def test_the_client_sends_nothing_to_a_server_of_another_user(
    runtime: Path, tmp_path: Path, qapp: object
) -> None:
    library = tmp_path / "Library"
    name = server_name(library)
    squatter = subprocess.Popen(
        [sys.executable, "-c", SQUATTER, name], stdout=subprocess.PIPE, text=True
    )
    try:
        assert squatter.stdout is not None
        assert squatter.stdout.readline().strip() == "ready"
        with pytest.raises(FolioError, match="program of another user") as refused:
            send_to_running(library, {"op": "open", "files": ["/home/secret.pdf"]})
        assert name in refused.value.message
        received, _ = squatter.communicate(timeout=20)
    finally:
        squatter.kill()
        squatter.wait()
    assert received.strip() == "0"  # not one byte of the request


STRANGER_CLIENT = """
import os, socket, sys
os.setgid(65534)
os.setuid(65534)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(20)
s.connect(sys.argv[1])
try:
    s.sendall(b'{"op": "status"}\\n')
    reply = s.recv(65536)
except OSError:
    reply = b""
print(repr(reply), flush=True)
"""


@as_root
def test_the_server_refuses_a_client_of_another_user(
    qtbot: QtBot, running: tuple[ExtractionManager, InstanceServer], runtime: Path
) -> None:
    _manager, server = running
    # Open the folders on purpose, so that only the server's own check stands in the way.
    for folder in (runtime, runtime / "Folio"):
        folder.chmod(0o711)
    os.chmod(server.name, 0o777)
    proc = subprocess.Popen(
        [sys.executable, "-c", STRANGER_CLIENT, server.name], stdout=subprocess.PIPE, text=True
    )
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    out, _ = proc.communicate()
    assert out.strip() == "b''"  # closed without a word


def _ask(qtbot: QtBot, server: InstanceServer, data: bytes) -> dict[str, object]:
    sock = QLocalSocket()
    sock.connectToServer(server.name)
    assert sock.waitForConnected(5000)
    sock.write(QByteArray(data))
    sock.flush()
    qtbot.waitUntil(sock.canReadLine, timeout=10_000)
    reply = json.loads(bytes(sock.readLine().data()))
    sock.abort()
    assert isinstance(reply, dict)
    return reply


@pytest.mark.parametrize(
    ("request_line", "error"),
    [
        (b"[" * 100_000 + b"]" * 100_000 + b"\n", "Bad request: it is nested too deeply."),
        (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"\n", "Bad request: it is nested"),
        (b'["op", "status"]\n', "Bad request: it must be a JSON object."),
        (b'"status"\n', "Bad request: it must be a JSON object."),
        (b"\xff\xfe{\n", "Bad request: it is not JSON"),
        (b'{"op": "tasks", "ids": 5}\n', "Bad request:"),
        (b'{"op": "import", "paths": 5}\n', "Bad request:"),
    ],
)
def test_any_request_gets_a_sentence_and_the_server_carries_on(
    qtbot: QtBot,
    running: tuple[ExtractionManager, InstanceServer],
    request_line: bytes,
    error: str,
) -> None:
    _manager, server = running
    reply = _ask(qtbot, server, request_line)
    assert reply["ok"] is False
    assert str(reply["error"]).startswith(error)
    assert _ask(qtbot, server, b'{"op": "status"}\n')["ok"] is True


def test_a_failed_listen_stops_the_start_with_a_sentence(
    library_dir: Path, runtime: Path, tmp_path: Path, qapp: object
) -> None:
    library = Library(library_dir)
    library.acquire_writer_lock()
    try:
        taken = Path(server_name(library_dir))
        taken.mkdir()  # something that is not a stale socket sits where the socket goes
        (taken / "keep").write_text("not Folio's")
        manager = ExtractionManager(library)
        server = InstanceServer(library_dir, manager)
        with pytest.raises(FolioError, match="could not open its channel") as refused:
            server.listen()
        assert str(taken) in refused.value.message
        manager.shutdown()
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        with pytest.raises(FolioError, match="could not open its channel"):
            open_session(library, settings)  # the window does not start a second engine
    finally:
        library.close()
