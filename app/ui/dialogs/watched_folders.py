"""Settings › Watched folders: the folders whose new documents Folio imports by itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.services.watch import FolderWatcher
from app.services.watched import WatchedFolder, overlaps_library
from app.ui.common.plain import plain_label, plain_tip
from app.ui.dialogs.language import LanguageList

TITLE = "Watch these folders for new documents"


class WatchedFoldersBox(QWidget):
    """The list of watched folders with Add…, Languages… and Remove; `folders()` is the
    list as edited (the Settings dialog hands it to the watcher on OK)."""

    def __init__(
        self,
        watcher: FolderWatcher,
        library_folder: Path,
        languages: tuple[str, ...],
        current_lang: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.watcher = watcher
        self.library_folder = library_folder
        self.languages = languages
        self.current_lang = current_lang
        #: Chooses a folder; returns its path or None. Tests put an answer here.
        self.choose_folder: Callable[[], str | None] | None = None
        #: Chooses languages for a folder; returns e.g. "eng+deu" or None. Tests too.
        self.choose_languages: Callable[[WatchedFolder], str | None] | None = None
        self._folders: list[WatchedFolder] = list(watcher.folders())
        self._initial = list(self._folders)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(TITLE))
        self.list = QListWidget()
        self.list.setAccessibleName("Watched folders")
        self.list.setMaximumHeight(130)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add…")
        self.add_button.setToolTip("Watch a folder: its PDFs and images are imported as they come")
        self.add_button.clicked.connect(self.add)
        self.languages_button = QPushButton("Languages…")
        self.languages_button.setToolTip("The OCR languages of documents from this folder")
        self.languages_button.clicked.connect(self.change_languages)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Stop watching this folder (its documents stay)")
        self.remove_button.clicked.connect(self.remove)
        for button in (self.add_button, self.languages_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.note = plain_label(QLabel())
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        hint = QLabel(
            "What a folder holds now and every PDF or image that appears in it later (or in "
            "its subfolders) is imported once it has stopped changing; partial downloads and "
            "hidden files are left alone, and nothing is imported twice."
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)
        layout.addWidget(hint)
        watcher.problemChanged.connect(self._on_problem)
        self._fill()

    # -- what the list holds ------------------------------------------------------------

    def folders(self) -> list[WatchedFolder]:
        return list(self._folders)

    def changed(self) -> bool:
        return self._folders != self._initial

    def _fill(self) -> None:
        selected = self._selected_index()
        self.list.clear()
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        problems = []
        for folder in self._folders:
            languages = folder.lang or "as in Settings"
            item = QListWidgetItem(f"{folder.path}\nOCR languages: {languages}")
            problem = self.watcher.problem(folder.path)
            if problem:
                item.setIcon(warning)
                problems.append(problem)
            item.setToolTip(plain_tip(problem or str(folder.path)))
            self.list.addItem(item)
        if self._folders and selected is not None:
            self.list.setCurrentRow(min(selected, len(self._folders) - 1))
        self.note.setText(" ".join(problems))
        self.note.setVisible(bool(problems))
        self._update_buttons()

    def _selected_index(self) -> int | None:
        rows = [i.row() for i in self.list.selectedIndexes()]
        return rows[0] if rows else None

    @Slot()
    def _update_buttons(self) -> None:
        chosen = self._selected_index() is not None
        self.remove_button.setEnabled(chosen)
        self.languages_button.setEnabled(chosen and bool(self.languages))

    @Slot(str, str)
    def _on_problem(self, _folder: str, _sentence: str) -> None:
        self._fill()

    def problem_text(self) -> str:
        """The sentences shown under the list (folders that cannot be watched now)."""
        return self.note.text() if self.note.isVisibleTo(self) else ""

    # -- editing ------------------------------------------------------------------------

    @Slot()
    def add(self) -> None:
        chosen = self.choose_folder() if self.choose_folder is not None else self._ask_folder()
        if not chosen:
            return
        path = Path(chosen).expanduser().absolute()
        refused = overlaps_library(path, self.library_folder.expanduser())
        if refused:
            self.note.setText(refused)
            self.note.show()
            return
        for row, folder in enumerate(self._folders):
            if folder.path == path:
                self.list.setCurrentRow(row)
                return
        self._folders.append(WatchedFolder(path, None))
        self._fill()
        self.list.setCurrentRow(len(self._folders) - 1)

    def _ask_folder(self) -> str | None:
        return QFileDialog.getExistingDirectory(self, "Watch a folder") or None

    @Slot()
    def remove(self) -> None:
        row = self._selected_index()
        if row is not None:
            del self._folders[row]
            self._fill()

    @Slot()
    def change_languages(self) -> None:
        row = self._selected_index()
        if row is None:
            return
        folder = self._folders[row]
        if self.choose_languages is not None:
            lang = self.choose_languages(folder)
        else:
            lang = self._ask_languages(folder)
        if lang:
            self._folders[row] = WatchedFolder(folder.path, lang)
            self._fill()

    def _ask_languages(self, folder: WatchedFolder) -> str | None:
        dialog = QDialog(self)
        dialog.setWindowTitle("OCR languages")
        layout = QVBoxLayout(dialog)
        label = plain_label(QLabel(f"Read the documents that appear in {folder.path} in:"))
        label.setWordWrap(True)
        layout.addWidget(label)
        choice = LanguageList(self.languages, folder.lang or self.current_lang())
        layout.addWidget(choice)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        if dialog.exec() and choice.value():
            return choice.value()
        return None
