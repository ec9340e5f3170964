"""Choosing OCR languages: a checkable list of the languages Tesseract has installed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.plain import plain_label
from app.ui.common.theme import checkbox_sheet

#: Names for the language codes Folio is most often used with; others show their code.
LANGUAGE_NAMES = {
    "eng": "English",
    "deu": "German",
    "fra": "French",
    "spa": "Spanish",
    "ita": "Italian",
    "nld": "Dutch",
    "por": "Portuguese",
    "pol": "Polish",
    "ara": "Arabic",
    "rus": "Russian",
    "chi_sim": "Chinese (simplified)",
    "jpn": "Japanese",
}


def language_label(code: str) -> str:
    name = LANGUAGE_NAMES.get(code)
    return f"{name} ({code})" if name else code


class LanguageList(QListWidget):
    """Installed languages with a check box each; `value()` is Tesseract's `eng+deu`."""

    def __init__(
        self, languages: tuple[str, ...], current: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        chosen = set(current.split("+"))
        for code in languages:
            item = QListWidgetItem(language_label(code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.setMaximumHeight(max(80, min(220, 26 * len(languages) + 8)))

    def value(self) -> str:
        codes = [
            str(self.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]
        return "+".join(codes)

    def set_value(self, lang: str) -> None:
        chosen = set(lang.split("+"))
        for i in range(self.count()):
            item = self.item(i)
            code = str(item.data(Qt.ItemDataRole.UserRole))
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)


class LanguageDialog(QDialog):
    """Asks which languages to read a page (or every page of a document) in again."""

    def __init__(
        self,
        languages: tuple[str, ...],
        current: str,
        parent: QWidget | None = None,
        what: str = "this page",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Re-run OCR")
        self.setStyleSheet(checkbox_sheet())
        layout = QVBoxLayout(self)
        label = plain_label(QLabel(f"Read {what} again with Tesseract in these languages:"))
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = LanguageList(languages, current)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Re-run OCR")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemChanged.connect(
            lambda _item: buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
                bool(self.list.value())
            )
        )
        layout.addWidget(buttons)

    def chosen(self) -> str:
        return self.list.value()
