"""Save as searchable PDF as a task: queued, shown, cancelled like every other task."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.models import TaskStatus, TaskType
from app.tasks.manager import ExtractionManager
from app.ui.tasks.cells import TYPE_LABELS
from tests.conftest import fresh, wait_idle

pytestmark = pytest.mark.slow


def imported(qtbot: QtBot, manager: ExtractionManager, path: Path) -> int:
    manager.import_files([path], lang="eng")
    wait_idle(qtbot, manager)
    return manager.library.sources()[0].id


def test_the_task_saves_a_searchable_copy(
    qtbot: QtBot, manager: ExtractionManager, scanned_pdf: Path, tmp_path: Path
) -> None:
    source_id = imported(qtbot, manager, scanned_pdf)
    out = tmp_path / "out.pdf"
    task = manager.save_searchable_pdf(source_id, out, lang="eng")
    assert task is not None and task.task_type is TaskType.SEARCHABLE_PDF
    assert task.payload == {
        "source_id": source_id,
        "output": str(out),
        "lang": "eng",
        "name": "scanned document.pdf",
    }
    assert TYPE_LABELS[task.task_type] == "Searchable PDF"
    wait_idle(qtbot, manager)
    done = fresh(manager, task)
    assert done.status is TaskStatus.COMPLETED, done.error
    assert done.message == "Saved 1 page to out.pdf (1 read by OCR)"
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "gubergren" in text.lower()


def test_a_cancelled_task_leaves_no_file(
    qtbot: QtBot, manager: ExtractionManager, long_scan: Path, tmp_path: Path
) -> None:
    source_id = imported(qtbot, manager, long_scan)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    task = manager.save_searchable_pdf(source_id, out_dir / "long.pdf", lang="eng")
    assert task is not None
    qtbot.waitUntil(lambda: fresh(manager, task).progress > 0.1, timeout=60_000)
    manager.cancel(task.id)
    wait_idle(qtbot, manager)
    qtbot.waitUntil(lambda: not manager._finishing, timeout=30_000)
    assert fresh(manager, task).status is TaskStatus.CANCELLED
    assert list(out_dir.iterdir()) == []


def test_a_deleted_document_fails_with_a_sentence(
    qtbot: QtBot, manager: ExtractionManager, scanned_pdf: Path, tmp_path: Path
) -> None:
    source_id = imported(qtbot, manager, scanned_pdf)
    manager.pause()
    task = manager.save_searchable_pdf(source_id, tmp_path / "gone.pdf")
    assert task is not None
    manager.library.delete_source(source_id)
    manager.resume()
    wait_idle(qtbot, manager)
    failed = fresh(manager, task)
    assert failed.status is TaskStatus.FAILED
    assert failed.error == "The document was deleted from the library, so it cannot be saved."
