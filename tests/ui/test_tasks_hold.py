"""The Tasks page holds its rows still while the user aims at them: real imports finish
under the pointer, and a click ticks the task it was aimed at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.core.models import TaskStatus, TaskType
from app.tasks.manager import ExtractionManager
from app.ui.tasks.cells import Column, Role
from app.ui.tasks.filter import StatusFilter
from app.ui.tasks.page import TasksPage
from tests.conftest import SAMPLES, fresh, wait_idle

PDFS = [
    SAMPLES / "001-trivial" / "minimal-document.pdf",
    SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf",
    SAMPLES / "002-trivial-libre-office-writer" / "002-trivial-libre-office-writer.pdf",
    SAMPLES / "003-pdflatex-image" / "pdflatex-image.pdf",
    SAMPLES / "006-pdflatex-outline" / "pdflatex-outline.pdf",
    SAMPLES / "010-pdflatex-forms" / "pdflatex-forms.pdf",
    SAMPLES / "011-google-doc-document" / "google-doc-document.pdf",
    SAMPLES / "012-libreoffice-form" / "libreoffice-form.pdf",
]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def page(qtbot: QtBot, manager: ExtractionManager, tmp_path: Path) -> Iterator[TasksPage]:
    settings = QSettings(str(tmp_path / "folio.ini"), QSettings.Format.IniFormat)
    widget = TasksPage(manager, settings=settings)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()
    shiboken6.delete(widget)


def shown_ids(page: TasksPage) -> list[int]:
    proxy = page.proxy
    return [int(proxy.index(row, 0).data(Role.TASK_ID)) for row in range(proxy.rowCount())]


def check_box_of(page: TasksPage, row: int) -> QPoint:
    return page.view.visualRect(page.proxy.index(row, Column.SELECT)).center()


def task_under(page: TasksPage, pos: QPoint) -> int:
    return int(page.view.indexAt(pos).data(Role.TASK_ID))


def test_rows_under_the_pointer_stay_while_tasks_finish_and_the_tick_hits_the_aim(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    manager.pause()
    imports = manager.import_files(PDFS)
    manager.flush_now()
    page.set_status_filter(StatusFilter.ACTIVE)
    qtbot.waitUntil(lambda: page.proxy.rowCount() == len(PDFS))
    assert shown_ids(page) == [t.id for t in imports]
    viewport = page.view.viewport()
    # The pointer rests on the check box of the last import, the one the user aims at.
    aimed = imports[-1].id
    pos = check_box_of(page, len(PDFS) - 1)
    QTest.mouseMove(viewport, pos)
    qtbot.wait(20)
    assert task_under(page, pos) == aimed
    manager.resume()
    # The imports above it finish (and their pages queue below).
    above = imports[:4]
    qtbot.waitUntil(
        lambda: all(fresh(manager, t).status.is_terminal for t in above), timeout=60_000
    )
    manager.flush_now()
    qtbot.wait(50)
    assert task_under(page, pos) == aimed
    assert shown_ids(page)[: len(PDFS)] == [t.id for t in imports]
    # The click ticks exactly the task aimed at.
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=pos)
    assert page.selected_task_ids() == [aimed]
    # A finished row stays, dimmed, and says it is done.
    assert page.proxy.is_held(imports[0].id)
    dim = page.proxy.data(page.proxy.index(0, Column.SOURCE), Qt.ItemDataRole.ForegroundRole)
    assert isinstance(dim, QColor)
    assert page.proxy.index(0, Column.STATUS).data() != "Waiting"
    wait_idle(qtbot, manager)
    # Still held while something is selected, even with the pointer gone.
    QTest.mouseMove(page.text_filter, page.text_filter.rect().center())
    qtbot.wait(20)
    assert aimed in shown_ids(page)
    # Nothing selected and the pointer away: the finished rows go.
    page.view.clearSelection()
    qtbot.waitUntil(lambda: not page.proxy.holding)
    manager.flush_now()
    assert shown_ids(page) == [
        t.id for t in manager.tasks() if t.status in (TaskStatus.PENDING, TaskStatus.IN_PROGRESS)
    ]
    assert all(fresh(manager, t).status is TaskStatus.COMPLETED for t in imports)
    assert all(t.task_type is TaskType.IMPORT for t in imports)


def test_a_filter_the_user_changes_lets_held_rows_go(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    manager.pause()
    imports = manager.import_files(PDFS[:2])
    manager.flush_now()
    page.set_status_filter(StatusFilter.ACTIVE)
    page.select_tasks([imports[1].id])
    manager.resume()
    qtbot.waitUntil(
        lambda: all(fresh(manager, t).status.is_terminal for t in imports), timeout=60_000
    )
    manager.flush_now()
    assert set(shown_ids(page)) >= {t.id for t in imports}
    wait_idle(qtbot, manager)
    page.set_status_filter(StatusFilter.COMPLETED)
    page.set_status_filter(StatusFilter.ACTIVE)
    assert shown_ids(page) == []
