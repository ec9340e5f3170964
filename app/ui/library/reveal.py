"""Show a document's original file in the file manager, or say where it is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.core.library import Library
from app.core.models import Source
from app.ui.common.plain import plain_message_box


def reveal_original(parent: QWidget, source: Source, library: Library) -> None:
    """Open the folder that holds the original file, or say it is gone."""
    original = Path(source.original_path)
    if original.exists():
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(original.parent))):
            _say_where(parent, original)
        return
    box = plain_message_box(
        QMessageBox.Icon.Information,
        "Original file not found",
        f"{original} is no longer there; it may have been moved or deleted.",
        parent,
        informative="Folio keeps its own copy, so nothing in the library is lost.",
    )
    open_copy = box.addButton("Open Folio's copy", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is open_copy:
        copy = library.store.path_for(source.sha256)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy))):
            _say_where(parent, copy)


def _say_where(parent: QWidget, path: Path) -> None:
    """No file manager or viewer could be opened: give the path, ready to copy."""
    box = plain_message_box(
        QMessageBox.Icon.Information,
        "Show file",
        f"No program could be opened to show {path.name}. It is at:\n{path}",
        parent,
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton("Copy path", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is copy:
        QApplication.clipboard().setText(str(path))
