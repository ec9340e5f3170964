"""A locked PDF in the window: its task waits ("Needs password"), Folio asks without blocking,
a wrong password is said and asked again, the right one reads every page and draws them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import TaskType
from app.ui.dialogs.password import PasswordDialog
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sidebar import Section
from app.ui.tasks.cells import Column, Role
from tests.conftest import wait_idle
from tests.locked import PASSWORD, make_locked, starts_right
from tests.ui.test_main_window import drop, source_named

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

LOCKED_SENTENCE = "locked.pdf is protected by a password — enter it to read the document."
WRONG_SENTENCE = "That password does not open locked.pdf — try again."


@pytest.fixture
def locked(tmp_path: Path) -> Path:
    return make_locked(tmp_path / "locked.pdf")


def drop_and_wait(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    assert drop(window.sources_view.view.viewport(), [path])
    wait_idle(qtbot, window.manager, started=True)
    qtbot.waitUntil(lambda: window.password_bar.isVisible(), timeout=30_000)


def status_cell(window: MainWindow, task_id: int) -> QModelIndex:
    model = window.tasks_page.model
    row = model.row_of(task_id)
    assert row is not None
    return model.index(row, Column.STATUS)


def open_dialog_from_bar(qtbot: QtBot, window: MainWindow) -> PasswordDialog:
    bar = window.password_bar
    assert bar.action_button.isVisible() and bar.action_button.text() == "Enter password…"
    qtbot.mouseClick(bar.action_button, Qt.MouseButton.LeftButton)
    dialog = window.passwords.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def type_password(qtbot: QtBot, dialog: PasswordDialog, password: str) -> None:
    dialog.field.setFocus()
    QTest.keyClicks(dialog.field, password)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)


def test_a_locked_import_waits_asks_and_reads_every_page(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library, locked: Path, tmp_path: Path
) -> None:
    window = ui_window
    drop_and_wait(qtbot, window, locked)
    (task,) = [t for t in window.manager.tasks() if t.task_type is TaskType.IMPORT]
    # The task waits in a state of its own, on the Tasks page and in its attention count.
    cell = status_cell(window, task.id)
    assert cell.data() == "Needs password" and cell.data(Role.WAITING) is True
    assert window.tasks_page.model.attention_count == 1
    # Folio asks without blocking: a message bar with the sentence and an action.
    assert LOCKED_SENTENCE in window.password_bar.text()

    dialog = open_dialog_from_bar(qtbot, window)
    assert dialog.isVisible() and not dialog.isModal()  # the window stays usable
    assert dialog.field.echoMode() is QLineEdit.EchoMode.Password
    assert LOCKED_SENTENCE in dialog.prompt.text()

    type_password(qtbot, dialog, "not the password")
    assert dialog.checking  # tried off the GUI thread: the window goes on meanwhile
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30_000)
    assert dialog.error.text() == WRONG_SENTENCE
    assert dialog.isVisible() and dialog.field.text() == "" and not dialog.checking

    type_password(qtbot, dialog, PASSWORD)
    qtbot.waitUntil(lambda: window.passwords.dialog is None, timeout=30_000)
    qtbot.waitUntil(lambda: bool(ui_library.sources()), timeout=30_000)
    wait_idle(qtbot, window.manager)
    source_id = source_named(ui_library, "locked.pdf")
    assert starts_right([p.text for p in ui_library.pages(source_id)])
    assert not window.password_bar.isVisible()
    assert window.tasks_page.model.attention_count == 0
    # Kept in memory only: not in the library, its database, the settings or any file.
    window.tasks_page.save_state()
    window.settings.sync()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_cancel_leaves_the_task_waiting_with_enter_password_on_its_row(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library, locked: Path
) -> None:
    window = ui_window
    drop_and_wait(qtbot, window, locked)
    dialog = open_dialog_from_bar(qtbot, window)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.passwords.dialog is None, timeout=5_000)
    (task,) = window.manager.waiting_for_password()
    assert status_cell(window, task.id).data() == "Needs password"
    assert window.password_bar.isVisible()  # still asking, never in the way

    window.show_section(Section.TASKS)
    page = window.tasks_page
    page.select_tasks([task.id])
    # Its details say so and offer the same.
    qtbot.waitUntil(lambda: f"folio:password/{task.id}" in page.details.toHtml())
    assert "Enter password…" in page.details.toPlainText()
    menu = page.context_menu(task.id)
    actions = {a.text(): a for a in menu.actions()}
    assert actions["Enter password…"].isEnabled()
    assert page.retry_action.isEnabled()
    actions["Enter password…"].trigger()
    menu.deleteLater()
    dialog = window.passwords.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    type_password(qtbot, dialog, PASSWORD)
    qtbot.waitUntil(lambda: window.passwords.dialog is None, timeout=30_000)
    wait_idle(qtbot, window.manager)
    assert starts_right([p.text for p in ui_library.pages(source_named(ui_library, "locked.pdf"))])


def test_the_page_viewer_draws_a_locked_document_once_it_has_the_password(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library, locked: Path
) -> None:
    window = ui_window
    window.manager.passwords.remember_file(locked, PASSWORD)
    assert drop(window.sources_view.view.viewport(), [locked])
    wait_idle(qtbot, window.manager, started=True)
    source_id = source_named(ui_library, "locked.pdf")
    window.manager.passwords.clear()  # as after a restart: the text stays, images ask
    viewer = window.document_view.viewer
    window.open_page(ui_library.pages(source_id)[1].id)
    qtbot.waitUntil(lambda: viewer.unlock_button.isVisible(), timeout=30_000)
    assert starts_right([p.text for p in ui_library.pages(source_id)])
    assert viewer.text.toPlainText().startswith("information. Really?")

    qtbot.mouseClick(viewer.unlock_button, Qt.MouseButton.LeftButton)
    dialog = window.passwords.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    type_password(qtbot, dialog, PASSWORD)
    qtbot.waitUntil(lambda: window.passwords.dialog is None, timeout=30_000)
    qtbot.waitUntil(lambda: viewer._shown_key is not None, timeout=30_000)
    assert not viewer.unlock_button.isVisible()
