"""Bringing documents in: drops anywhere on the window, the file dialogs, what the import says."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QLabel,
    QWidget,
)

from app.extraction.filetype import KNOWN_EXTENSIONS
from app.services.walk import Collected
from app.ui.common.formatting import plural
from app.ui.common.message_bar import MessageKind
from app.ui.shell.importer import summary
from app.ui.shell.parts import WindowParts
from app.ui.shell.sidebar import Section


def local_paths(event: QDragEnterEvent | QDropEvent) -> list[str]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


class WindowImporting(WindowParts):
    """Part of MainWindow (main_window.py): drops, file dialogs and import messages."""

    @Slot(list)
    def import_paths(self, paths: list[str]) -> None:
        """Import files and folders (from a drop, the menu, the command line or a second launch),
        read in the languages chosen for imports ("Read in:" on the toolbar)."""
        self.importer.import_paths([str(p) for p in paths], self.import_language.value())

    @Slot()
    def choose_files(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in sorted(KNOWN_EXTENSIONS))
        dialog = QFileDialog(
            self, "Import files", str(Path.home()), f"PDFs and images ({patterns});;All files (*)"
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        # Qt's own dialog, so that it can hold the languages row.
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        languages = self.import_language.copy(dialog)
        languages.setObjectName("importLanguages")
        grid = dialog.layout()
        if isinstance(grid, QGridLayout):
            row = grid.rowCount()
            label = QLabel("OCR languages:")
            label.setBuddy(languages)
            grid.addWidget(label, row, 0)
            grid.addWidget(languages, row, 1)
        run = self.run_file_dialog or QFileDialog.exec
        if run(dialog) != QDialog.DialogCode.Accepted:
            return
        files = dialog.selectedFiles()
        if files:
            self.import_language.set_value(languages.value())  # and for the next imports
            self.import_paths(files)

    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import folder", str(Path.home()))
        if folder:
            self.import_paths([folder])

    @Slot(object)
    def _on_collected(self, collected: Collected) -> None:
        text = summary(collected)
        if collected.unsupported or collected.missing or collected.folders or not collected.files:
            # A folder left out may hold documents the user expects: that stays until read.
            kind = (
                MessageKind.WARNING
                if collected.folders or not collected.files
                else MessageKind.INFO
            )
            self.message_bar.show_message(text, kind)
        else:
            # Until the imports are done (not for a fixed time): see _end_import_note.
            self._import_note = text
            self.statusBar().showMessage(text)
        self.indicator.refresh()

    @Slot()
    @Slot(object)
    def _end_import_note(self, *_args: object) -> None:
        """The imports are over: "Importing N documents." is no longer true."""
        if self._import_note is None or not self.importer.settled():
            return
        if self.statusBar().currentMessage() == self._import_note:
            self.statusBar().clearMessage()
        self._import_note = None

    @Slot(list)
    def _on_duplicates(self, names: list[str]) -> None:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.message_bar.show_message(
            f"{plural(len(names), 'file was', 'files were')} already in the library, so"
            f" {'it was' if len(names) == 1 else 'they were'} not added again: {shown}.",
            MessageKind.INFO,
        )

    @Slot(int, str)
    def _on_existing_source(self, source_id: int, message: str) -> None:
        source = self.library.source(source_id)
        if source is None:
            return
        self.show_section(Section.LIBRARY)
        if self.library_stack.currentWidget() is not self.document_view or (
            self.document_view.source is None or self.document_view.source.id != source_id
        ):
            self.library_stack.setCurrentWidget(self.sources_view)
            self.sources_view.select_source(source_id)
        self.message_bar.show_message(
            f"{message}; showing it instead of adding it twice.", MessageKind.INFO
        )

    def _show_overlay(self) -> None:
        self.overlay.language = (
            f"Scans are read in {self.import_language.reads_in()}:"
            " change it with “Read in” on the toolbar before dropping"
        )
        self.overlay.show_over_parent()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (
            QEvent.Type.DragEnter,
            QEvent.Type.DragMove,
            QEvent.Type.DragLeave,
            QEvent.Type.Drop,
        ):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self:
            return False
        if kind == QEvent.Type.DragLeave:
            self.overlay.hide()
            return False
        if not local_paths(event):  # type: ignore[arg-type]
            return False
        if kind == QEvent.Type.Drop:
            self.overlay.hide()
            event.acceptProposedAction()  # type: ignore[attr-defined]
            self.import_paths(local_paths(event))  # type: ignore[arg-type]
            return True
        event.acceptProposedAction()  # type: ignore[attr-defined]
        if not self.overlay.isVisible():
            self._show_overlay()
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event):
            event.acceptProposedAction()
            self._show_overlay()

    def dropEvent(self, event: QDropEvent) -> None:
        self.overlay.hide()
        paths = local_paths(event)
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)
