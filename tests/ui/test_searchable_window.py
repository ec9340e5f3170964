"""Save as searchable PDF… in the window: the Library's menu, the Save dialog, a task."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.models import TaskStatus, TaskType
from app.ui.dialogs.save_searchable import SaveSearchableDialog
from app.ui.shell.main_window import MainWindow
from app.ui.tasks.cells import Column
from tests.conftest import wait_idle

# The window's fixtures, used by name as pytest does (hence F811 below).
# ruff: noqa: F811
from tests.ui.test_main_window import (  # noqa: F401
    library,
    loop,
    session,
    session_loop,
    settings,
    window,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def test_the_library_menu_saves_a_searchable_pdf_as_a_task(
    qtbot: QtBot, window: MainWindow, scanned_pdf: Path, tmp_path: Path
) -> None:
    manager = window.manager
    manager.import_files([scanned_pdf], lang="eng")
    qtbot.waitUntil(lambda: window.sources_view.model.rowCount() == 1, timeout=30_000)
    wait_idle(qtbot, manager)
    source = window.library.sources()[0]
    assert window.sources_view.select_source(source.id)
    action = window.sources_view.searchable_action
    assert action.isEnabled() and action.text() == "Save as searchable PDF…"
    out = tmp_path / "chosen.pdf"
    seen: list[SaveSearchableDialog] = []

    def answer(dialog: SaveSearchableDialog) -> tuple[Path, str] | None:
        seen.append(dialog)
        assert dialog.path().name == "scanned document (searchable).pdf"
        dialog.path_edit.setText(str(Path(source.original_path)))
        assert dialog.problem() is not None  # never the original
        dialog.path_edit.setText(str(tmp_path / "chosen"))
        assert dialog.problem() is None
        return dialog.path(), "eng"

    window.ask_searchable = answer
    action.trigger()
    assert seen
    task = next(t for t in manager.tasks() if t.task_type is TaskType.SEARCHABLE_PDF)
    wait_idle(qtbot, manager)
    assert manager.get(task.id).status is TaskStatus.COMPLETED
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "gubergren" in text.lower()
    # The Tasks page names it like every other task.
    model = window.tasks_page.model
    qtbot.waitUntil(lambda: model.rowCount() >= 2, timeout=5_000)
    types = {model.index(r, Column.TYPE).data() for r in range(model.rowCount())}
    assert "Searchable PDF" in types


def test_the_document_view_has_the_button_and_the_file_menu_the_action(
    qtbot: QtBot, window: MainWindow, scanned_pdf: Path, tmp_path: Path
) -> None:
    window.manager.import_files([scanned_pdf], lang="eng")
    qtbot.waitUntil(lambda: window.sources_view.model.rowCount() == 1, timeout=30_000)
    wait_idle(qtbot, window.manager)
    assert not window.searchable_action.isEnabled()
    window.open_source(window.library.sources()[0].id)
    assert window.searchable_action.isEnabled()
    assert window.searchable_button.isVisible()
    window.ask_searchable = lambda dialog: None  # the user cancels the dialog
    window.searchable_button.click()
    assert not any(t.task_type is TaskType.SEARCHABLE_PDF for t in window.manager.tasks())
