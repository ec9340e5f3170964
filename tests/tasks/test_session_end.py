"""Logout, shutdown or `kill`: Folio quits as from the menu and loses no task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.errors import FolioError
from app.core.library import Library
from app.core.models import TaskStatus, TaskType
from tests.conftest import REPO


def running_pages(library_dir: Path) -> int:
    """How many page tasks the other process has in progress (0 before its library exists)."""
    if not (library_dir / "library.sqlite3").exists():
        return 0
    try:
        library = Library(library_dir, readonly=True)
    except FolioError:
        return 0  # created but not yet set up by the other process
    with library:
        return sum(
            1
            for t in library.tasks()
            if t.task_type is TaskType.TEXT_EXTRACTION and t.status is TaskStatus.IN_PROGRESS
        )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_quits_cleanly_and_running_pages_resume_later(
    tmp_path: Path, long_scan: Path, signum: signal.Signals
) -> None:
    library_dir = tmp_path / "Library"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    folio = subprocess.Popen(
        [sys.executable, "-m", "app", "--library", str(library_dir), str(long_scan)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while running_pages(library_dir) == 0:
            assert folio.poll() is None, folio.communicate()[0]
            assert time.monotonic() < deadline, "no page started OCR within 60 s"
            time.sleep(0.05)
        folio.send_signal(signum)
        output, _ = folio.communicate(timeout=30)
    finally:
        if folio.poll() is None:
            folio.kill()
            folio.communicate()
    assert folio.returncode == 0, output
    assert "Traceback" not in output, output

    with Library(library_dir, readonly=True) as library:
        pages = [t for t in library.tasks() if t.task_type is TaskType.TEXT_EXTRACTION]
        assert len(pages) == 12
        assert not [t for t in pages if t.status is TaskStatus.IN_PROGRESS]
        stopped = [t for t in pages if t.message.startswith("Stopped when Folio quit")]
        assert stopped, "the pages being read were not put back in the queue"
        assert all(t.status is TaskStatus.PENDING and t.interrupted == 0 for t in stopped)
