"""Settings: OCR languages and mode, tasks at once, the appearance, watched folders; the
library folder shown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.cluster import MISSING_SENTENCE, SETTING_CLUSTER
from app.cluster import available as cluster_available
from app.cluster.link import link_for
from app.core.models import OcrMode
from app.extraction.languages import default_ocr_languages
from app.extraction.tesseract import TesseractInfo
from app.services.watch import FolderWatcher
from app.tasks.manager import ExtractionManager
from app.ui.common.plain import plain_label
from app.ui.common.theme import checkbox_sheet
from app.ui.dialogs.language import LanguageList
from app.ui.dialogs.watched_folders import WatchedFoldersBox

OCR_MODE_LABELS = {
    OcrMode.AUTO: "Automatic — OCR only pages without a text layer",
    OcrMode.ALWAYS: "Always — OCR every page, even with a text layer",
    OcrMode.NEVER: "Never — use text layers only",
}
#: Library setting: serve the local API at start ("1") or not.
SETTING_API = "api.enabled"
THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class SettingsDialog(QDialog):
    """Edits the manager's settings; `apply()` writes them (OK does so and closes)."""

    def __init__(
        self,
        manager: ExtractionManager,
        library_folder: Path,
        tesseract: TesseractInfo | None,
        tesseract_error: str | None,
        theme: str,
        parent: QWidget | None = None,
        *,
        watcher: FolderWatcher | None = None,
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.watcher = watcher
        self.library_folder = library_folder
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self.setStyleSheet(checkbox_sheet())
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

        languages = tesseract.languages if tesseract else ()
        self.languages = LanguageList(
            languages, manager.ocr_lang or default_ocr_languages(languages)
        )
        self.languages.setToolTip("Tesseract reads pages in every language ticked here")
        if tesseract is None:
            note = plain_label(QLabel(tesseract_error or "Checking which languages are installed…"))
            note.setWordWrap(True)
            form.addRow("OCR languages:", note)
            self.languages.hide()
        else:
            form.addRow("OCR languages:", self.languages)
        self.mode = QComboBox()
        for mode, label in OCR_MODE_LABELS.items():
            self.mode.addItem(label, mode.value)
        self.mode.setCurrentIndex(self.mode.findData(manager.ocr_mode.value))
        form.addRow("OCR:", self.mode)

        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(manager.concurrency)
        self.concurrency.setToolTip("How many pages are read at the same time")
        form.addRow("Tasks at once:", self.concurrency)

        self.theme = QComboBox()
        for key, label in THEME_LABELS.items():
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(theme)))
        form.addRow("Appearance:", self.theme)

        self.api = QCheckBox("Serve the local automation API on 127.0.0.1 (from the next start)")
        self.api.setChecked(manager.library.setting(SETTING_API, "0") == "1")
        self.api.setToolTip(
            "Scripts on this computer can list, cancel and start tasks over HTTP; every request "
            "needs the token in Folio's api-token file. Also: folio --api."
        )
        form.addRow("Automation:", self.api)

        self.cluster = QLineEdit(manager.library.setting(SETTING_CLUSTER, "") or "")
        self.cluster.setPlaceholderText("empty: on this computer; e.g. tcp://10.0.0.5:8786")
        self.cluster.setClearButtonEnabled(True)
        self.cluster.setToolTip(
            "The address of a Dask scheduler whose workers have Folio installed: pages are "
            "read there, the library stays here. Unreachable: pages are read here."
        )
        form.addRow("Read pages on a Dask cluster: address", self.cluster)
        if not cluster_available():
            self.cluster.setEnabled(False)
            self.cluster.setToolTip(MISSING_SENTENCE)

        #: Settings › Watched folders (only where a watcher runs: the window's).
        self.watched: WatchedFoldersBox | None = None
        if watcher is not None:
            self.watched = WatchedFoldersBox(watcher, library_folder, languages, self._current_lang)
            form.addRow("Watched folders:", self.watched)

        folder_row = QHBoxLayout()
        self.folder = QLineEdit(str(library_folder))
        self.folder.setReadOnly(True)
        self.folder.setCursorPosition(0)
        folder_row.addWidget(self.folder, 1)
        open_folder = QPushButton("Open")
        open_folder.setToolTip("Show the library folder in the file manager")
        open_folder.clicked.connect(self._open_folder)
        folder_row.addWidget(open_folder)
        form.addRow("Library folder:", folder_row)
        hint = QLabel("To use another library, start Folio with --library FOLDER.")
        hint.setEnabled(False)
        form.addRow("", hint)
        layout.addLayout(form)

        self.error = plain_label(QLabel())
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: palette(link);")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        self.languages.itemChanged.connect(self._validate)

    @Slot()
    def _validate(self, *args: object) -> bool:
        ok = self.languages.isHidden() or bool(self.languages.value())
        self.error.setText("" if ok else "Tick at least one OCR language.")
        self.error.setVisible(not ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def _current_lang(self) -> str:
        """The OCR languages ticked above (what a watched folder's documents default to)."""
        return self.languages.value() or self.manager.ocr_lang

    def chosen_theme(self) -> str:
        return str(self.theme.currentData())

    def apply(self) -> None:
        mode = OcrMode(str(self.mode.currentData()))
        lang = self.languages.value() if not self.languages.isHidden() else self.manager.ocr_lang
        self.manager.set_ocr(mode, lang or self.manager.ocr_lang)
        self.manager.set_concurrency(self.concurrency.value())
        self.manager.library.set_setting(SETTING_API, "1" if self.api.isChecked() else "0")
        if self.cluster.isEnabled():
            link_for(self.manager).use(self.cluster.text())
        if self.watcher is not None and self.watched is not None and self.watched.changed():
            self.watcher.set_folders(self.watched.folders())

    def accept(self) -> None:
        if not self._validate():
            return
        self.apply()
        super().accept()

    @Slot()
    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.library_folder)))


__all__ = ["Qt", "SettingsDialog"]
