"""Hostile documents through the whole import: bounded tasks, bounded text, a sentence."""

from __future__ import annotations

import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.core.models import TaskStatus, TaskType
from app.tasks.manager import ExtractionManager
from tests.conftest import fresh, wait_idle
from tests.extraction.test_hostile_pages import huge_text_pdf, one_page_pdf

LIBRARY_LIMIT = 64 * 1024 * 1024


def library_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_a_pdf_lying_about_its_page_count_imports_in_seconds_with_one_page_task(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    liar = tmp_path / "liar.pdf"
    liar.write_bytes(one_page_pdf(b"BT /F1 12 Tf 72 720 Td (The only page) Tj ET", 1_000_000))
    started = time.monotonic()
    (imp,) = manager.import_files([liar])
    wait_idle(qtbot, manager, timeout=30_000)
    took = time.monotonic() - started
    tasks = manager.tasks()
    assert [t.task_type for t in tasks] == [TaskType.IMPORT, TaskType.TEXT_EXTRACTION]
    assert all(t.status is TaskStatus.COMPLETED for t in tasks), [t.error for t in tasks]
    (source,) = manager.library.sources()
    assert source.page_count == 1
    assert manager.library.status_counts() == {TaskStatus.COMPLETED: 2}
    assert fresh(manager, imp).message == "Imported 1 page"
    assert took < 30  # "in seconds"; a million tasks took minutes before


def test_a_page_of_20_mb_of_text_leaves_the_library_small_and_says_it_was_cut(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    flood = huge_text_pdf(tmp_path / "flood.pdf")
    manager.import_files([flood])
    wait_idle(qtbot, manager, timeout=120_000)
    (page_task,) = [t for t in manager.tasks() if t.task_type is TaskType.TEXT_EXTRACTION]
    assert page_task.status is TaskStatus.COMPLETED, page_task.error
    assert "The page's text was cut at" in page_task.message
    (page,) = manager.library.pages(page_task.source_id or 0)
    assert page.text is not None and 500_000 < len(page.text) <= 1_000_000
    assert library_bytes(manager.library.folder) < LIBRARY_LIMIT
