"""Settings › Watched folders in the real window: add, import, a folder gone, a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.services.watched import WatchedFolder, save_watched
from app.ui.shell.launcher import Session, open_session
from app.ui.shell.main_window import MainWindow
from tests.conftest import SAMPLES, wait_idle

PDF = SAMPLES / "001-trivial" / "minimal-document.pdf"
PNG = SAMPLES / "007-imagemagick-images" / "smile.png"


def names(window: MainWindow) -> set[str]:
    model = window.sources_view.model
    return {model.source_at(row).name for row in range(model.rowCount())}


def test_a_folder_added_in_settings_is_watched_and_its_new_files_imported(
    qtbot: QtBot, ui_window: MainWindow, tmp_path: Path
) -> None:
    window = ui_window
    inbox = tmp_path / "Inbox"
    inbox.mkdir()
    qtbot.waitUntil(lambda: window.tesseract is not None, timeout=10_000)  # its languages
    dialog = window.settings_dialog()
    box = dialog.watched
    assert box is not None and box.list.count() == 0
    box.choose_folder = lambda: str(inbox)
    box.add_button.click()
    assert box.list.count() == 1 and str(inbox) in box.list.item(0).text()
    box.choose_languages = lambda folder: "deu"
    box.languages_button.click()
    assert "OCR languages: deu" in box.list.item(0).text()
    # The library's own folder is refused with a sentence.
    box.choose_folder = lambda: str(window.library.folder)
    box.add_button.click()
    assert box.list.count() == 1
    assert box.note.text() == f"{window.library.folder} lies inside Folio's own library; " + (
        "choose another folder."
    )
    dialog.accept()
    assert window.watcher is not None
    assert window.watcher.folders() == [WatchedFolder(inbox, "deu")]
    qtbot.waitUntil(lambda: window.watcher is not None and window.watcher.has_looked(inbox))
    shutil.copy(PDF, inbox / "arrived.pdf")
    qtbot.waitUntil(lambda: names(window) == {"arrived.pdf"}, timeout=30_000)
    wait_idle(qtbot, window.manager)
    (task,) = [t for t in window.manager.tasks() if t.payload.get("path")]
    assert task.payload["lang"] == "deu"
    # Removed: no longer watched (what it brought stays).
    again = window.settings_dialog()
    assert again.watched is not None
    again.watched.list.setCurrentRow(0)
    again.watched.remove_button.click()
    again.accept()
    assert window.watcher.folders() == []
    assert names(window) == {"arrived.pdf"}


def test_a_vanished_folder_is_one_sentence_in_the_message_bar_and_in_settings(
    qtbot: QtBot, ui_window: MainWindow, tmp_path: Path
) -> None:
    window = ui_window
    watcher = window.watcher
    assert watcher is not None
    inbox = tmp_path / "USB stick"
    inbox.mkdir()
    watcher.set_folders([WatchedFolder(inbox)])
    qtbot.waitUntil(lambda: watcher.has_looked(inbox))
    shutil.rmtree(inbox)
    watcher.scan(str(inbox))
    qtbot.waitUntil(lambda: watcher.problem(inbox) is not None)
    sentence = watcher.problem(inbox)
    assert sentence is not None and str(inbox) in sentence
    assert window.message_bar.isVisible() and window.message_bar.text() == sentence
    dialog = window.settings_dialog()
    assert dialog.watched is not None
    dialog.show()
    assert dialog.watched.problem_text() == sentence
    dialog.reject()
    # It comes back: the sentence goes, and what it holds is imported.
    inbox.mkdir()
    shutil.copy(PNG, inbox / "photo.png")
    watcher.scan(str(inbox))
    qtbot.waitUntil(lambda: not window.message_bar.isVisible())
    qtbot.waitUntil(lambda: names(window) == {"photo.png"}, timeout=30_000)
    wait_idle(qtbot, window.manager)


def test_files_added_while_folio_was_closed_are_imported_at_start(
    qtbot: QtBot,
    ui_loop: qasync.QEventLoop,
    ui_library: Library,
    ui_settings: QSettings,
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "Scans"
    inbox.mkdir()
    save_watched(ui_library, [WatchedFolder(inbox)])
    shutil.copy(PDF, inbox / "while closed.pdf")
    session: Session = open_session(ui_library, ui_settings)
    try:
        session.window.confirm_quit = lambda active: True
        session.window.show()
        qtbot.waitUntil(lambda: names(session.window) == {"while closed.pdf"}, timeout=30_000)
        wait_idle(qtbot, session.manager)
    finally:
        session.window.close()
        session.close()
    assert session.watcher is not None and session.watcher.pool.activeThreadCount() == 0
