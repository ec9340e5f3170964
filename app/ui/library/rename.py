"""Renaming a document: a small dialog that says at once why a name cannot be used."""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FolioError
from app.core.models import Source
from app.core.names import name_problem
from app.tasks.manager import ExtractionManager
from app.ui.common.plain import plain_label, plain_message_box
from app.ui.common.theme import is_dark


class RenameDialog(QDialog):
    """Asks for a document's new name; Rename is off while the name cannot be used, and
    a line under the field says why (empty, several lines, too long)."""

    def __init__(self, source: Source, others: tuple[str, ...], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Rename document")
        self.source = source
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(QLabel(f"New name for “{source.name}”:")))
        self.field = QLineEdit(source.name)
        self.field.setAccessibleName("New name")
        self.field.setMinimumWidth(360)
        # As file managers do: the name is selected without its extension.
        stem = len(PurePath(source.name).stem) if PurePath(source.name).suffix else 0
        self.field.setSelection(0, stem or len(source.name))
        layout.addWidget(self.field)
        imported = ", ".join(dict.fromkeys([*others]))
        self.note = (
            f"The names it was imported under ({imported}) are kept; each still finds it."
            if imported
            else "The name it was imported under is kept and still finds it."
        )
        self.hint = plain_label(QLabel(self.note))
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Rename")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(self._check)
        self._check(self.field.text())

    @property
    def problem(self) -> str | None:
        return name_problem(self.field.text())

    def new_name(self) -> str:
        return self.field.text().strip()

    @Slot(str)
    def _check(self, text: str) -> None:
        problem = name_problem(text)
        self.ok.setEnabled(problem is None)
        self.hint.setText(problem or self.note)
        palette = self.hint.palette()
        if problem:
            dark = is_dark(QApplication.palette())
            palette.setColor(
                QPalette.ColorRole.WindowText, QColor("#f2b8b5" if dark else "#b3261e")
            )
        else:
            palette = QApplication.palette()
        self.hint.setPalette(palette)

    def accept(self) -> None:
        if self.problem is None:
            super().accept()


def rename_source(
    parent: QWidget, manager: ExtractionManager, source: Source, new_name: str | None
) -> bool:
    """Rename a document to `new_name` (None: asked and cancelled); True when renamed.

    A name refused by the library (or a document gone meanwhile) is said in a box.
    """
    if new_name is None or new_name.strip() == source.name:
        return False
    try:
        manager.rename_source(source.id, new_name)
    except FolioError as exc:
        box = plain_message_box(QMessageBox.Icon.Warning, "Rename document", exc.message, parent)
        box.addButton(QMessageBox.StandardButton.Close)
        box.exec()
        return False
    return True


def ask_new_name(parent: QWidget, source: Source, others: tuple[str, ...]) -> str | None:
    """The name the person typed, or None when they cancelled."""
    dialog = RenameDialog(source, others, parent)
    return dialog.new_name() if dialog.exec() == QDialog.DialogCode.Accepted else None
