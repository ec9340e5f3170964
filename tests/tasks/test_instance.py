"""Headless commands and second launches talk to the Folio that owns the library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.models import TaskStatus
from app.tasks.instance import InstanceServer
from app.tasks.manager import ExtractionManager
from tests.conftest import SAMPLES, fresh, window_owning

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"


@pytest.fixture
def running(library_dir: Path, qapp: object) -> Iterator[tuple[ExtractionManager, InstanceServer]]:
    with window_owning(library_dir) as owned:
        yield owned


def run_cli(qtbot: QtBot, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `folio ...` while this process's event loop keeps answering it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60_000)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_cli_cancel_and_import_go_through_the_window(
    qtbot: QtBot, running: tuple[ExtractionManager, InstanceServer], library_dir: Path
) -> None:
    manager, _server = running
    manager.pause()
    (task,) = manager.import_files([TRIVIAL])
    done = run_cli(qtbot, "--library", library_dir, "tasks", "cancel", str(task.id), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cancelled"] == [task.id]
    assert fresh(manager, task).status is TaskStatus.CANCELLED  # the window's own manager did it
    manager.resume()
    imported = run_cli(qtbot, "--library", library_dir, "import", TRIVIAL, "--wait", "--json")
    assert imported.returncode == 0, imported.stderr
    assert "Folio window" in imported.stderr
    statuses = {t["taskType"]: t["status"] for t in json.loads(imported.stdout)}
    assert statuses == {"import": "completed", "text_extraction": "completed"}
    assert len(manager.library.sources()) == 1


def test_cli_says_why_tasks_were_not_cancelled_or_retried(
    qtbot: QtBot, running: tuple[ExtractionManager, InstanceServer], library_dir: Path
) -> None:
    manager, _server = running
    manager.import_files([TRIVIAL])
    qtbot.waitUntil(lambda: len(manager.tasks()) == 2 and manager.is_idle(), timeout=60_000)
    done = manager.tasks()[0]
    assert done.status is TaskStatus.COMPLETED
    missing = run_cli(qtbot, "--library", library_dir, "tasks", "cancel", "99999")
    assert missing.returncode == 1
    assert "folio: there is no task 99999" in missing.stderr
    again = run_cli(qtbot, "--library", library_dir, "tasks", "retry", str(done.id))
    assert again.returncode == 1
    assert (
        f"folio: task {done.id} was not retried: it is completed; only failed or cancelled"
        " tasks can be retried." in again.stderr
    )


def test_second_launch_hands_files_over(
    qtbot: QtBot, running: tuple[ExtractionManager, InstanceServer], library_dir: Path
) -> None:
    _manager, server = running
    with qtbot.waitSignal(server.filesReceived, timeout=30_000) as received:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from app.tasks.instance import "
                "send_to_running; r = send_to_running(Path(sys.argv[1]), "
                "{'op': 'open', 'files': [sys.argv[2]]}); sys.exit(0 if r else 3)",
                str(library_dir),
                str(TRIVIAL),
            ],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
    assert received.args[0] == [str(TRIVIAL)]
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    assert proc.returncode == 0
