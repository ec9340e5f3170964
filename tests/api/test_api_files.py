"""The API's token and address files, and Folios started at the same moment."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.api.server import load_or_create_token, publish_url, withdraw_url
from app.core.errors import FolioError

STRANGER = 65534  # nobody
as_root = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0, reason="giving a file to another user needs root"
)
posix = pytest.mark.skipif(os.name != "posix", reason="file modes and owners are POSIX")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix
def test_a_token_file_others_can_read_is_replaced_by_a_private_one(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "api-token"
    path.parent.mkdir()
    path.write_text("known-to-everyone-0123456789abcdef\n")
    path.chmod(0o644)
    token = load_or_create_token(path)
    assert token != "known-to-everyone-0123456789abcdef"
    assert path.read_text().strip() == token
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert load_or_create_token(path) == token  # a private one is kept


@as_root
def test_a_token_file_of_another_user_is_refused_with_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "api-token"
    path.write_text("planted-by-someone-else-0123456789\n")
    path.chmod(0o600)
    os.chown(path, STRANGER, STRANGER)
    with pytest.raises(FolioError, match="belongs to another user") as refused:
        load_or_create_token(path)
    assert str(path) in refused.value.message and "delete it" in refused.value.message


@posix
def test_a_token_file_that_is_a_link_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("someone-elses-token-0123456789abcdef\n")
    elsewhere.chmod(0o600)
    path = tmp_path / "api-token"
    path.symlink_to(elsewhere)
    with pytest.raises(FolioError, match="api-token cannot be read"):
        load_or_create_token(path)


AT_ONCE = """
import sys, time
from pathlib import Path
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.0005)
what = sys.argv[3]
try:
    if what == "token":
        from app.api.server import load_or_create_token
        print("token", load_or_create_token(Path(sys.argv[1])))
    else:
        from app.core.library import Library
        Library(Path(sys.argv[1])).close()
        print("ok")
except Exception as exc:
    print(type(exc).__name__, exc)
"""


def _at_once(target: Path, what: str, tmp_path: Path, count: int = 8) -> list[str]:
    """Start `count` processes that do `what` on `target` at the same moment."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    go = tmp_path / f"go-{what}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", AT_ONCE, str(target), str(go), what],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    time.sleep(2)  # every process started and waiting: then all are released together
    go.touch()
    return [p.communicate(timeout=60)[0].strip() for p in procs]


def test_folios_starting_at_once_share_one_token(tmp_path: Path) -> None:
    for attempt in range(3):
        path = tmp_path / f"cfg{attempt}" / "api-token"
        outputs = _at_once(path, "token", tmp_path / f"t{attempt}")
        assert len(set(outputs)) == 1, outputs  # no FileExistsError, one token for all
        assert outputs[0] == f"token {path.read_text().strip()}"


def test_folios_opening_a_new_library_at_once_all_open_it(tmp_path: Path) -> None:
    for attempt in range(3):
        outputs = _at_once(tmp_path / f"Library{attempt}", "library", tmp_path / f"l{attempt}")
        assert outputs == ["ok"] * len(outputs)  # none told to restore a backup


def test_the_address_file_is_removed_only_while_it_is_ours(tmp_path: Path) -> None:
    path = tmp_path / "api-url"
    publish_url("http://127.0.0.1:4000", path)
    assert _mode(path) == 0o600
    publish_url("http://127.0.0.1:5000", path)  # another Folio started since
    withdraw_url("http://127.0.0.1:4000", path)
    assert path.read_text().strip() == "http://127.0.0.1:5000"
    withdraw_url("http://127.0.0.1:5000", path)
    assert not path.exists()


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM ends the window on POSIX")
def test_the_window_removes_its_api_address_when_it_quits(tmp_path: Path) -> None:
    config = tmp_path / "config"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(config),
        "FOLIO_API_PORT": "0",
    }
    window = subprocess.Popen(
        [sys.executable, "-m", "app", "--library", str(tmp_path / "Library"), "--api"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url_file = config / "Folio" / "api-url"
    try:
        deadline = time.monotonic() + 60
        while not url_file.exists() and time.monotonic() < deadline and window.poll() is None:
            time.sleep(0.1)
        assert url_file.exists(), window.stderr.read() if window.poll() is not None else ""
        url = url_file.read_text().strip()
        assert url.startswith("http://127.0.0.1:")
        assert _mode(url_file) == 0o600
        window.send_signal(signal.SIGTERM)
        _, err = window.communicate(timeout=60)
    finally:
        if window.poll() is None:
            window.kill()
            window.wait()
    assert window.returncode == 0, err
    assert not url_file.exists()
    token = (config / "Folio" / "api-token").read_text().strip()
    assert json.dumps(token)  # the token stays for the next start
