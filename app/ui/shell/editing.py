"""Copy, select all and export, acting on the section in front."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QWidget,
)

from app.core.errors import FolioError
from app.core.models import Source
from app.ui.common.asyncutil import spawn
from app.ui.common.formatting import plural
from app.ui.common.message_bar import MessageKind
from app.ui.library.export import default_export_name, library_source_text, write_text
from app.ui.library.open_print import PagePrinter, choose_printer, open_in_viewer
from app.ui.library.reveal import reveal_original
from app.ui.shell.parts import WindowParts
from app.ui.shell.sidebar import Section


class WindowEditing(WindowParts):
    """Part of MainWindow (main_window.py): copy, select all, export and reveal."""

    @Slot()
    def export_current(self) -> None:
        if self.document_view.source is not None:
            self.export_source(self.document_view.source.id)

    @Slot(int)
    def export_source(self, source_id: int, path: str | None = None) -> None:
        source = self.library.source(source_id)
        if source is None:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Export text",
                str(Path.home() / default_export_name(source)),
                "Text files (*.txt)",
            )
        if not path:
            return
        spawn(self._write_export(Path(path), source))

    async def _write_export(self, path: Path, source: Source) -> None:
        def export() -> int:
            text, missing = library_source_text(self.library, source)
            write_text(path, text)
            return missing

        try:
            # Every page's text is read and written off the GUI thread.
            missing = await asyncio.to_thread(export)
        except OSError as exc:
            self.message_bar.show_message(
                f"Could not write {path} ({exc.strerror or exc}); choose another folder.",
                MessageKind.ERROR,
            )
        else:
            note = (
                f" ({plural(missing, 'page')} without text: see the notes in the file)"
                if missing
                else ""
            )
            self.statusBar().showMessage(f"Saved the text to {path}{note}", 8000)

    @Slot(int)
    def open_original(self, source_id: int) -> None:
        """Open a document in the system's default viewer (the original, else Folio's copy)."""
        source = self.library.source(source_id)
        if source is not None:
            spawn(self._open_original(source))

    async def _open_original(self, source: Source) -> None:
        problem = await open_in_viewer(source, self.library)
        if problem is None:
            self.statusBar().showMessage(f"Opened {source.name} in the default viewer", 5000)
        else:
            self.message_bar.show_message(problem, MessageKind.WARNING)

    @Slot(int, bool)
    def print_source(self, source_id: int, page_only: bool = False) -> None:
        """The print dialog for a document: the page shown, a range, or every page."""
        source = self.library.source(source_id)
        if source is None:
            return
        viewer = self.document_view.viewer
        shown = (
            viewer.page.number
            if viewer.source is not None and viewer.page and (viewer.source.id == source_id)
            else None
        )
        chosen = choose_printer(self, source, shown, page_only, self.run_print_dialog)
        if chosen is not None:
            printer, numbers = chosen
            spawn(self._print(printer, source, numbers))

    async def _print(self, printer: QPrinter, source: Source, numbers: list[int]) -> None:
        job = PagePrinter(self.library, self.renderer, self)
        job.progressed.connect(
            lambda done, total: self.statusBar().showMessage(
                f"Printing {source.name}: page {done} of {total}", 3000
            )
        )
        try:
            await job.print_pages(printer, source, numbers)
        except FolioError as exc:
            self.message_bar.show_message(
                f"Could not print {source.name}: {exc.message}", MessageKind.ERROR
            )
        else:
            self.statusBar().showMessage(
                f"Sent {plural(len(numbers), 'page')} of {source.name} to the printer", 8000
            )
        finally:
            job.deleteLater()

    @Slot()
    def open_current(self) -> None:
        if self.document_view.source is not None:
            self.open_original(self.document_view.source.id)

    @Slot()
    def print_current(self) -> None:
        if self.document_view.source is not None:
            self.print_source(self.document_view.source.id)

    @Slot(int)
    def _reveal_source(self, source_id: int) -> None:
        source = self.library.source(source_id)
        if source is not None:
            reveal_original(self, source, self.library)

    def _text_target(self) -> QWidget | None:
        focus = QApplication.focusWidget()
        if focus is not None and focus.window() is self and hasattr(focus, "copy"):
            return focus
        if (
            self.sidebar.section() is Section.LIBRARY
            and self.library_stack.currentWidget() is self.document_view
        ):
            return self.document_view.viewer.text
        return None

    @Slot()
    def copy_text(self) -> None:
        """Copy the selection; in the page viewer with nothing selected, the whole page."""
        target = self._text_target()
        viewer_text = self.document_view.viewer.text
        if target is viewer_text and not viewer_text.textCursor().hasSelection():
            QApplication.clipboard().setText(viewer_text.toPlainText())
            self.statusBar().showMessage("Copied the page's text", 3000)
            return
        if target is not None:
            target.copy()  # type: ignore[attr-defined]
        elif self.stack.currentWidget() is self.tasks_page:
            self.tasks_page.copy_error()

    @Slot()
    def select_all(self) -> None:
        """Select all of what is in front: a text field's text, every task, every document."""
        target = self._text_target()
        if target is not None and hasattr(target, "selectAll"):
            target.selectAll()
        elif self.sidebar.section() is Section.TASKS:
            self.tasks_page.view.selectAll()
        elif (
            self.sidebar.section() is Section.LIBRARY
            and self.library_stack.currentWidget() is self.sources_view
        ):
            self.sources_view.view.selectAll()
