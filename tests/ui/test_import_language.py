"""Choosing the OCR languages of an import in the window: the toolbar's "Read in:", the
drop overlay that says it, and the Import files dialog's "OCR languages" row."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.ui.shell.import_language import ImportLanguageBox
from app.ui.shell.main_window import MainWindow
from tests.conftest import wait_idle
from tests.extraction.test_languages import letter as letter  # the German letter fixture
from tests.ui.test_main_window import drop

pytest.importorskip("tesserocr")


def german_offered(window: MainWindow, qtbot: QtBot) -> None:
    """Tesseract is looked for off the GUI thread; then its languages are offered."""
    qtbot.waitUntil(lambda: window.import_language.findData("deu") >= 0, timeout=30_000)


def text_of(library: Library, name: str) -> str:
    (source,) = [s for s in library.sources() if s.name == name]
    (page,) = library.pages(source.id)
    return page.text or ""


def test_a_drop_is_read_in_the_language_chosen_on_the_toolbar(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library, letter: Path
) -> None:
    window = ui_window
    german_offered(window, qtbot)
    box = window.import_language
    assert box.value() is None and box.currentText() == "As in Settings"
    labels = [box.itemText(i) for i in range(box.count())]
    assert "German" in labels and "English" in labels
    box.setCurrentIndex(box.findData("deu"))

    # While files are dragged over the window, the overlay says what they will be read in.
    target = window.sources_view.view.viewport()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(letter))])
    enter = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.NoModifier
    )
    QApplication.sendEvent(target, enter)
    assert window.overlay.isVisible()
    assert "read in German" in window.overlay.language

    assert drop(target, [letter])
    wait_idle(qtbot, window.manager, started=True)
    imports = [t for t in window.manager.tasks() if t.payload.get("path") == str(letter)]
    assert imports and imports[0].payload.get("lang") == "deu"
    assert "für" in text_of(ui_library, letter.name)


def test_the_import_dialog_has_an_ocr_languages_row(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library, letter: Path
) -> None:
    window = ui_window
    german_offered(window, qtbot)
    seen: list[str] = []

    def answer(dialog: QFileDialog) -> int:
        languages = dialog.findChild(ImportLanguageBox, "importLanguages")
        assert languages is not None and languages.isVisibleTo(dialog)
        seen.append(languages.currentText())
        languages.setCurrentIndex(languages.findData("deu"))
        dialog.setDirectory(str(letter.parent))
        dialog.selectFile(letter.name)
        return QDialog.DialogCode.Accepted

    window.run_file_dialog = answer
    window.import_files_action.trigger()
    assert seen == ["As in Settings"]
    wait_idle(qtbot, window.manager, started=True)
    assert "für" in text_of(ui_library, letter.name)
    # The choice stays for the next imports, drops included.
    assert window.import_language.value() == "deu"
