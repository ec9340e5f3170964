"""Which OCR languages the next imports are read in: one choice, shown in the toolbar,
in the Import dialog and on the drop overlay."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from app.extraction.languages import default_ocr_languages
from app.ui.dialogs.language import LANGUAGE_NAMES

AS_IN_SETTINGS = "As in Settings"


def describe(lang: str) -> str:
    """`deu+eng` → "German + English"."""
    return " + ".join(LANGUAGE_NAMES.get(code, code) for code in lang.split("+") if code)


class ImportLanguageBox(QComboBox):
    """ "As in Settings", the system's languages, then each installed language on its own.

    `value()` is what `import_files(..., lang=)` gets: None for "As in Settings".
    """

    def __init__(self, settings_lang: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings_lang = settings_lang
        self.installed: tuple[str, ...] = ()
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setToolTip("The OCR languages the next imported scans are read in")
        self.set_languages(())

    def set_languages(self, installed: Iterable[str]) -> None:
        current = self.value()
        self.installed = tuple(c for c in installed if c != "osd")
        choices = [default_ocr_languages(self.installed)] if self.installed else []
        choices += list(self.installed)
        self.blockSignals(True)
        self.clear()
        self.addItem(AS_IN_SETTINGS, None)
        for lang in dict.fromkeys(choices):
            self.addItem(describe(lang), lang)
        self.blockSignals(False)
        self.set_value(current)

    def value(self) -> str | None:
        data = self.currentData()
        return str(data) if data else None

    def set_value(self, lang: str | None) -> None:
        index = self.findData(lang) if lang else 0
        if index < 0 and lang:
            self.addItem(describe(lang), lang)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))

    def copy(self, parent: QWidget | None = None) -> ImportLanguageBox:
        """The same choices and choice, e.g. for a dialog."""
        box = ImportLanguageBox(self._settings_lang, parent)
        box.set_languages(self.installed)
        box.set_value(self.value())
        return box

    def reads_in(self) -> str:
        """What the next import is read in, in words: "German + English"."""
        lang = self.value()
        if lang:
            return describe(lang)
        return f"{describe(self._settings_lang())} ({AS_IN_SETTINGS.lower()})"


def labelled(box: ImportLanguageBox, text: str = "Read in:") -> QWidget:
    """The box behind a label, as one widget for a toolbar."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(8, 0, 8, 0)
    label = QLabel(text)
    label.setBuddy(box)
    row.addWidget(label)
    row.addWidget(box)
    return holder
