"""The open document's names and metadata under its title, and renaming it from there."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy

from app.core.models import Source
from app.ui.common.plain import plain_label, plain_tip
from app.ui.library.rename import ask_new_name, rename_source
from app.ui.library.source_columns import document_details, other_names

if TYPE_CHECKING:
    from app.ui.library.pages_view import DocumentView


class DocumentNames(QObject):
    """A line under the document's title ("Also imported as: … · Title: … · Author: … ·
    Page size: A4") and the title's "Rename…" (F2, or its context menu).

    Follows the manager's `sourceChanged`: a rename made anywhere shows at once.
    """

    def __init__(self, view: DocumentView) -> None:
        super().__init__(view)
        self.view = view
        #: Asks for a new name (None: cancelled); tests put an answer here (None: the dialog).
        self.ask_name: Callable[[Source, tuple[str, ...]], str | None] | None = None
        self.others: tuple[str, ...] = ()
        self.details = plain_label(QLabel())
        self.details.setAccessibleName("Document details")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Long details are cut at the edge (the tooltip says them all), never widening.
        self.details.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.details.hide()
        self.rename_action = QAction("Rename…", view)
        self.rename_action.setShortcut(QKeySequence("F2"))
        self.rename_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.rename_action.setToolTip("Give this document another name (F2)")
        self.rename_action.triggered.connect(self.rename)
        view.addAction(self.rename_action)
        view.title.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.title.customContextMenuRequested.connect(self._title_menu)
        view.manager.sourceChanged.connect(self._on_source_changed)

    def show(self, source: Source) -> None:
        """Name, tooltip and details of `source` (its other names read: one small query)."""
        self.others = other_names(source.name, self.view.library.source_names(source.id))
        view = self.view
        view.title.setText(source.name)
        tip = f"{source.name}\nOriginal: {source.original_path}"
        text = document_details(source, self.others)
        view.title.setToolTip(plain_tip(f"{tip}\n{text}" if text else tip))
        self.details.setText(text)
        self.details.setToolTip(plain_tip(text.replace(" · ", "\n")))
        self.details.setVisible(bool(text))

    @Slot(int)
    def _on_source_changed(self, source_id: int) -> None:
        view = self.view
        if view.source is None or view.source.id != source_id:
            return
        fresh = view.library.source(source_id)
        if fresh is None:
            return
        view.source = fresh
        view.model.source = fresh
        if view.viewer.source is not None and view.viewer.source.id == source_id:
            view.viewer.source = fresh
        self.show(fresh)

    @Slot()
    def rename(self) -> None:
        source = self.view.source
        if source is None:
            return
        ask = self.ask_name or (lambda s, o: ask_new_name(self.view, s, o))
        rename_source(self.view, self.view.manager, source, ask(source, self.others))

    @Slot(QPoint)
    def _title_menu(self, pos: QPoint) -> None:
        menu = QMenu(self.view)
        menu.addAction(self.rename_action)
        menu.popup(self.view.title.mapToGlobal(pos))
