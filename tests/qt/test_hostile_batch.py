"""Every hostile file, in one batch, through the real manager: each ends with text or a sentence."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import TaskStatus
from app.extraction.engine import OCR_BUDGET
from app.tasks.manager import ExtractionManager
from tests.conftest import HOSTILE

MEMORY_MB = 768


@pytest.fixture
def manager(library_dir: Path, qapp: object) -> Iterator[ExtractionManager]:
    lib = Library(library_dir)
    lib.acquire_writer_lock()
    m = ExtractionManager(lib, memory_mb=MEMORY_MB)
    m.start()
    yield m
    m.shutdown()
    lib.close()


def test_hostile_corpus_through_the_manager(qtbot: QtBot, manager: ExtractionManager) -> None:
    files = sorted(p for p in HOSTILE.rglob("*") if p.is_file() and not p.name.endswith(".txt"))
    assert len(files) >= 150
    me = psutil.Process()
    rss_start = me.memory_info().rss
    peak_app = rss_start
    peak_worker = 0

    def sample() -> bool:
        nonlocal peak_app, peak_worker
        peak_app = max(peak_app, me.memory_info().rss)
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                peak_worker = max(peak_worker, child.memory_info().rss)
        return manager.is_idle()

    manager.import_files(files)
    qtbot.waitUntil(sample, timeout=int(len(files) * OCR_BUDGET * 1000))
    manager.flush_now()
    tasks = manager.tasks()
    assert all(t.status.is_terminal for t in tasks)
    failed = [t for t in tasks if t.status is TaskStatus.FAILED]
    assert failed, "the hostile corpus has files that must fail"
    for task in failed:
        assert task.error and task.error.endswith("."), task.error
        # The sentence names the file it is about.
        name = task.source_name or str(task.payload.get("name", ""))
        assert name and name in task.error, (name, task.error)
    imported = [
        t for t in tasks if t.task_type.value == "import" and t.status is TaskStatus.COMPLETED
    ]
    assert imported, "damaged but readable files still import"
    assert peak_worker < MEMORY_MB * 1024 * 1024 * 1.1
    # The app's own memory stays flat: parsing happens in the workers.
    assert peak_app - rss_start < 300 * 1024 * 1024
