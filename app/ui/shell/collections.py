"""Organising the library in the window: the trash with Undo, and collections in the sidebar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from app.tasks.manager import ExtractionManager
from app.ui.common.coalesce import Coalescer
from app.ui.common.formatting import plural
from app.ui.common.message_bar import MessageKind
from app.ui.dialogs.shortcuts import GROUP_PROPERTY
from app.ui.library.sources_model import Column
from app.ui.library.trash_view import TrashView
from app.ui.shell.parts import WindowParts
from app.ui.shell.sidebar import Section

#: Sidebar counts are read again this long after a burst of changes (once per burst).
COUNTS_MS = 150


class TrashCommand(QUndoCommand):
    """Move documents to the trash; undone, they come back (and are selected again)."""

    def __init__(
        self,
        manager: ExtractionManager,
        source_ids: list[int],
        text: str,
        after: Callable[[list[int], bool], None],
        *,
        restoring: bool = False,
    ) -> None:
        super().__init__(text)
        self.manager = manager
        self.source_ids = source_ids
        self.restoring = restoring
        self.after = after
        #: The documents this command really moved (those already there are left out).
        self.done: list[int] = []
        self._first = True

    def _trash(self) -> None:
        ids = self.source_ids if self._first else self.done
        self.done = self.manager.trash_sources(ids) if not self.restoring or not self._first else []
        self.after(self.done, False)

    def _restore(self) -> None:
        ids = self.source_ids if self._first else self.done
        restored = [s.id for s in self.manager.restore_sources(ids)]
        if self._first:
            self.done = restored
        self.after(restored, True)

    def redo(self) -> None:
        if self.restoring:
            self._restore()
        else:
            self._trash()
        self._first = False

    def undo(self) -> None:
        if self.restoring:
            moved = self.manager.trash_sources(self.done)
            self.after(moved, False)
        else:
            self._restore()


class WindowFiling(WindowParts):
    """Part of MainWindow (main_window.py): the Trash section, Edit › Undo, collections."""

    def _build_filing(self) -> None:
        self.trash_view = TrashView(self.library, self.manager)
        self.stack.insertWidget(int(Section.TRASH), self.trash_view)
        self.trash_view.setProperty(GROUP_PROPERTY, "The trash")
        self.undo_stack = QUndoStack(self)
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.new_collection_action = QAction("New collection…", self)
        self.new_collection_action.triggered.connect(self.new_collection)
        edit = self.menus["edit"]
        first = edit.actions()[0]
        edit.insertAction(first, self.undo_action)
        edit.insertAction(first, self.redo_action)
        edit.insertSeparator(first)
        edit.addSeparator()
        edit.addAction(self.sources_view.delete_action)
        edit.addAction(self.new_collection_action)
        self._counts = Coalescer(COUNTS_MS, self.refresh_counts, self)

        sidebar = self.sidebar
        sidebar.collectionChosen.connect(self._on_collection_chosen)
        sidebar.sourcesDropped.connect(self._on_dropped)
        sidebar.trashDropped.connect(self.trash_sources)
        sidebar.newCollectionRequested.connect(self.new_collection)
        sidebar.renameRequested.connect(lambda cid: self.filing.rename(self, cid))
        sidebar.deleteRequested.connect(lambda cid: self.filing.delete(self, cid))
        sidebar.emptyTrashRequested.connect(self._empty_trash)
        self.sources_view.trashRequested.connect(self.trash_sources)
        self.sources_view.wholeLibraryRequested.connect(lambda: sidebar.choose_collection(0))
        self.trash_view.restoreRequested.connect(self.restore_sources)
        self.filing.changed.connect(self._counts.request)
        self.filing.message.connect(self._say)
        for signal in (
            self.manager.sourcesTrashed,
            self.manager.sourcesRestored,
            self.manager.sourceRemoved,
        ):
            signal.connect(self._counts.request)
            signal.connect(self.search_view._on_new_text)
        self.manager.sourcesTrashed.connect(self._on_trashed)
        # Deleted for good: nothing can bring those documents back, so no step may try.
        self.manager.sourceRemoved.connect(self.undo_stack.clear)
        self.refresh_counts()

    # -- counts ------------------------------------------------------------------------

    @Slot()
    def refresh_counts(self) -> None:
        """The collections and the counts beside them and the Trash (two indexed queries)."""
        self._counts.cancel()
        counts = self.library.sidebar_counts()
        self.sidebar.set_collections(self.library.collections())
        self.sidebar.set_trash_count(counts.trash)

    # -- the trash ---------------------------------------------------------------------

    @Slot(list)
    def trash_sources(self, source_ids: list[int]) -> None:
        """Move documents to the trash, undoably (Edit › Undo, or Undo on the message)."""
        ids = [i for i in source_ids if self.library.in_library(i)]
        if not ids:
            return
        text = f"Move {plural(len(ids), 'document')} to the trash"
        command = TrashCommand(self.manager, ids, text, self._after_trash_step)
        self.undo_stack.push(command)
        if command.done:
            self.message_bar.show_message(
                f"Moved {plural(len(command.done), 'document')} to the trash.",
                MessageKind.INFO,
                action=("Undo", lambda: self._undo(command)),
            )

    @Slot(list)
    def restore_sources(self, source_ids: list[int]) -> None:
        text = f"Restore {plural(len(source_ids), 'document')} from the trash"
        command = TrashCommand(
            self.manager, source_ids, text, self._after_trash_step, restoring=True
        )
        self.undo_stack.push(command)

    def _undo(self, command: QUndoCommand) -> None:
        """Undo this step (the message's button), if it is still the last one."""
        if self.undo_stack.index() > 0 and (
            self.undo_stack.command(self.undo_stack.index() - 1) is command
        ):
            self.undo_stack.undo()

    def _after_trash_step(self, source_ids: list[int], restored: bool) -> None:
        if not source_ids:
            return
        if restored:
            self.message_bar.show_message(
                f"Restored {plural(len(source_ids), 'document')} from the trash.",
                MessageKind.INFO,
            )
            self.select_sources(source_ids)

    def select_sources(self, source_ids: list[int]) -> None:
        """Select exactly these documents in the Library list (those shown there)."""
        view = self.sources_view
        selection = QItemSelection()
        for source_id in source_ids:
            row = view.model.row_of(source_id)
            if row is None:
                continue
            index = view.proxy.mapFromSource(view.model.index(row, Column.NAME))
            if index.isValid():
                selection.select(index, index)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        view.view.selectionModel().select(selection, flags)
        if not selection.isEmpty():
            first = selection.indexes()[0]
            view.view.selectionModel().setCurrentIndex(
                first, QItemSelectionModel.SelectionFlag.NoUpdate
            )
            view.view.scrollTo(first)

    @Slot(object)
    def _on_trashed(self, source_ids: list[int]) -> None:
        self.forget_documents(set(source_ids))

    @Slot()
    def _empty_trash(self) -> None:
        self.show_section(Section.TRASH)
        self.trash_view.empty_trash()

    # -- collections -------------------------------------------------------------------

    @Slot(int)
    def _on_collection_chosen(self, collection_id: int) -> None:
        self.sources_view.show_collection(collection_id or None)

    @Slot(int, list)
    def _on_dropped(self, collection_id: int, source_ids: list[int]) -> None:
        self.filing.add(collection_id, source_ids)

    @Slot()
    def new_collection(self) -> None:
        """Ask for a name and make a collection (shown at once in the sidebar)."""
        made = self.filing.new_collection(self)
        if made is not None:
            self.refresh_counts()

    @Slot(str)
    def _say(self, sentence: str) -> None:
        self.statusBar().showMessage(sentence, 8000)
