"""Save as searchable PDF…: the window's side (the dialog, then a task on the Tasks page)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QPushButton

from app.core.models import Source
from app.extraction.languages import default_ocr_languages
from app.extraction.searchable import default_output_name
from app.ui.dialogs.save_searchable import SaveSearchableDialog
from app.ui.shell.parts import WindowParts
from app.ui.shell.sidebar import Section


class WindowSearchable(WindowParts):
    """Part of MainWindow (main_window.py): saving a document as a searchable PDF."""

    #: The File menu's "Export text…" (actions.py); the new action goes after it.
    export_action: QAction
    #: Answers the Save dialog instead of showing it (tests): (file, languages) or None.
    ask_searchable: Callable[[SaveSearchableDialog], tuple[Path, str] | None] | None = None

    def _build_searchable(self) -> None:
        """The File menu's action, the document view's button, the Library's menu entry."""
        self.searchable_action = QAction("Save as searchable PDF…", self)
        self.searchable_action.setToolTip(
            "Save this document as a PDF whose text can be selected and searched, its page "
            "images kept as they are"
        )
        self.searchable_action.triggered.connect(self.save_searchable_current)
        for owner in self.export_action.associatedObjects():
            if isinstance(owner, QMenu):
                actions = owner.actions()
                after = actions.index(self.export_action) + 1
                if after < len(actions):
                    owner.insertAction(actions[after], self.searchable_action)
                else:
                    owner.addAction(self.searchable_action)
        self.searchable_button = QPushButton("Save as searchable PDF…")
        self.searchable_button.setToolTip(self.searchable_action.toolTip())
        self.searchable_button.clicked.connect(self.save_searchable_current)
        header = self.document_view.header
        header.insert(header.indexOf(self.document_view.export_button) + 1, self.searchable_button)
        self.sources_view.searchableRequested.connect(self.save_searchable)
        self.library_stack.currentChanged.connect(self._update_searchable_action)
        self.stack.currentChanged.connect(self._update_searchable_action)
        self._update_searchable_action()

    @Slot()
    def _update_searchable_action(self, *args: object) -> None:
        self.searchable_action.setEnabled(
            self.sidebar.section() is Section.LIBRARY
            and self.library_stack.currentWidget() is self.document_view
        )

    @Slot()
    def save_searchable_current(self) -> None:
        if self.document_view.source is not None:
            self.save_searchable(self.document_view.source.id)

    @Slot(int)
    def save_searchable(
        self, source_id: int, path: Path | None = None, lang: str | None = None
    ) -> None:
        """Ask where to save `source_id` (unless `path` is given), then queue its task."""
        source = self.library.source(source_id)
        if source is None:
            return
        if path is None:
            chosen = self._ask_searchable(source)
            if chosen is None:
                return
            path, lang = chosen
        task = self.manager.save_searchable_pdf(source.id, path, lang=lang)
        if task is not None:
            self.statusBar().showMessage(
                f"Saving {path.name} as a searchable PDF; see the Tasks page", 8000
            )
            self.indicator.refresh()

    def _ask_searchable(self, source: Source) -> tuple[Path, str] | None:
        original = Path(source.original_path)
        folder = original.parent if original.parent.is_dir() else Path.home()
        languages = self.tesseract.languages if self.tesseract is not None else ()
        current = self.manager.ocr_lang or default_ocr_languages(languages)
        dialog = SaveSearchableDialog(
            source.name,
            folder / default_output_name(source.name),
            languages,
            current,
            forbidden=(original, self.library.store.path_for(source.sha256)),
            parent=self,
        )
        if self.ask_searchable is not None:
            return self.ask_searchable(dialog)
        return dialog.chosen() if dialog.exec() else None
