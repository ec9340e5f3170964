"""Collections as the window changes them: one object that edits them and says so, the
"Add to collection" menu, and the drag format of Library rows."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import QMimeData, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox, QWidget

from app.core.errors import FolioError
from app.core.library import Collection, Library
from app.ui.common.formatting import plural
from app.ui.common.plain import plain_message_box

#: What a Library row carries when dragged: the documents' ids, as a JSON list.
SOURCE_IDS_MIME = "application/x-folio-source-ids"


def ids_mime(source_ids: list[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(SOURCE_IDS_MIME, json.dumps(source_ids).encode())
    return mime


def ids_from_mime(mime: QMimeData | None) -> list[int]:
    """The documents a drag carries ([] for anything else: files, text…)."""
    if mime is None or not mime.hasFormat(SOURCE_IDS_MIME):
        return []
    try:
        data = json.loads(bytes(mime.data(SOURCE_IDS_MIME).data()))
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [i for i in data if isinstance(i, int) and not isinstance(i, bool)]


class Filing(QObject):
    """The one way the window changes collections; every change is announced.

    Asking for a name goes through `ask_name` and confirming through `confirm`, which
    tests replace (None shows the dialog).

    Signals:
        changed(): collections, their names or their members changed.
        message(str): a sentence to show the user (what was done, or why not).
    """

    changed = Signal()
    message = Signal(str)

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        #: (title, label, text) -> a name, or None when the user cancels.
        self.ask_name: Callable[[str, str, str], str | None] | None = None
        #: (question) -> whether to go ahead.
        self.confirm: Callable[[str], bool] | None = None

    # -- reading -----------------------------------------------------------------------

    def collections(self) -> list[Collection]:
        return self.library.collections()

    def members(self, collection_id: int) -> set[int]:
        return self.library.collection_members(collection_id)

    # -- changing ----------------------------------------------------------------------

    def add(self, collection_id: int, source_ids: list[int]) -> int:
        """Put documents in a collection and say so; how many were added."""
        collection = self.library.collection(collection_id)
        if collection is None or not source_ids:
            return 0
        added = self.library.add_to_collection(collection_id, source_ids)
        self.changed.emit()
        if added == len(source_ids):
            self.message.emit(f"Added {plural(added, 'document')} to “{collection.name}”.")
        elif added:
            self.message.emit(
                f"Added {plural(added, 'document')} to “{collection.name}”; "
                f"{len(source_ids) - added} {'was' if len(source_ids) - added == 1 else 'were'}"
                " in it already."
            )
        else:
            self.message.emit(
                f"{'That document is' if len(source_ids) == 1 else 'Those documents are'}"
                f" in “{collection.name}” already."
            )
        return added

    def remove(self, collection_id: int, source_ids: list[int]) -> int:
        collection = self.library.collection(collection_id)
        if collection is None:
            return 0
        removed = self.library.remove_from_collection(collection_id, source_ids)
        self.changed.emit()
        self.message.emit(
            f"Took {plural(removed, 'document')} out of “{collection.name}” (still in the library)."
        )
        return removed

    def new_collection(self, parent: QWidget, source_ids: list[int] | None = None) -> int | None:
        """Ask for a name and make the collection (with these documents); its id, or None."""
        text = ""
        while True:
            name = self._ask(parent, "New collection", "Name of the new collection:", text)
            if name is None:
                return None
            try:
                made = self.library.create_collection(name)
            except FolioError as exc:
                self._warn(parent, exc.message)
                text = name
                continue
            self.changed.emit()
            if source_ids:
                self.add(made.id, source_ids)
            else:
                self.message.emit(
                    f"Made the collection “{made.name}”: drag documents from the Library onto it."
                )
            return made.id

    def rename(self, parent: QWidget, collection_id: int) -> bool:
        collection = self.library.collection(collection_id)
        if collection is None:
            return False
        text = collection.name
        while True:
            name = self._ask(parent, "Rename collection", "New name:", text)
            if name is None or name == collection.name:
                return False
            try:
                self.library.rename_collection(collection_id, name)
            except FolioError as exc:
                self._warn(parent, exc.message)
                text = name
                continue
            self.changed.emit()
            return True

    def delete(self, parent: QWidget, collection_id: int) -> bool:
        collection = self.library.collection(collection_id)
        if collection is None:
            return False
        question = f"Delete the collection “{collection.name}”?"
        if not self._confirm(parent, question):
            return False
        self.library.delete_collection(collection_id)
        self.changed.emit()
        self.message.emit(
            f"Deleted the collection “{collection.name}”; its documents are still in the library."
        )
        return True

    # -- the context menu --------------------------------------------------------------

    def add_menu(self, parent: QWidget, source_ids: list[int]) -> QMenu:
        """ "Add to collection ›": every collection (ticked when all these are in it) and
        "New collection…"."""
        menu = QMenu("Add to collection", parent)
        holding = self.library.collections_of(source_ids)
        for collection in self.collections():
            action = QAction(collection.name, menu)
            action.setCheckable(True)
            action.setChecked(holding.get(collection.id, set()) >= set(source_ids))

            def add(_checked: bool = False, cid: int = collection.id) -> None:
                self.add(cid, source_ids)

            action.triggered.connect(add)
            menu.addAction(action)
        if menu.actions():
            menu.addSeparator()
        new = QAction("New collection…", menu)
        new.triggered.connect(lambda: self.new_collection(parent, source_ids))
        menu.addAction(new)
        menu.setEnabled(bool(source_ids))
        return menu

    # -- dialogs -----------------------------------------------------------------------

    def _ask(self, parent: QWidget, title: str, label: str, text: str) -> str | None:
        if self.ask_name is not None:
            return self.ask_name(title, label, text)
        name, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
        return name if ok else None

    def _confirm(self, parent: QWidget, question: str) -> bool:
        if self.confirm is not None:
            return self.confirm(question)
        box = plain_message_box(
            QMessageBox.Icon.Question,
            "Delete collection",
            question,
            parent,
            informative="The documents in it stay in the library.",
        )
        delete = box.addButton("Delete collection", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is delete

    def _warn(self, parent: QWidget, sentence: str) -> None:
        if self.ask_name is not None:  # a test answering the dialogs hears it here
            self.message.emit(sentence)
            return
        box = plain_message_box(QMessageBox.Icon.Warning, "Collection", sentence, parent)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.exec()
