"""Copy, select all and export, acting on the section in front."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QWidget,
)

from app.core.models import Source
from app.ui.common.asyncutil import spawn
from app.ui.common.formatting import plural
from app.ui.common.message_bar import MessageKind
from app.ui.library.export import default_export_name, library_source_text, write_text
from app.ui.library.sources_view import reveal_original
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
