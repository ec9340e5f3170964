"""The Trash: documents moved out of the Library, to restore or delete for good."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Library, TrashedSource
from app.tasks.manager import ExtractionManager
from app.ui.common.coalesce import Coalescer
from app.ui.common.formatting import local_date, plural
from app.ui.common.plain import plain_label, plain_message_box, plain_tip
from app.ui.common.widgets import heading_label

AnyIndex = QModelIndex | QPersistentModelIndex
SOURCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: The trash is read again this long after a burst of changes (one read per burst).
RELOAD_MS = 100


class Column(enum.IntEnum):
    NAME = 0
    PAGES = 1
    TRASHED = 2


HEADERS = {Column.NAME: "Name", Column.PAGES: "Pages", Column.TRASHED: "Moved to the trash"}


class TrashModel(QAbstractTableModel):
    """The documents in the trash, the most recently trashed first."""

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._rows: list[TrashedSource] = []
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self.library.trashed_sources()
        self.endResetModel()

    def source_ids(self) -> list[int]:
        return [t.source.id for t in self._rows]

    def trashed(self, row: int) -> TrashedSource:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return HEADERS[Column(section)]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == SOURCE_ID_ROLE:
            return item.source.id
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == Column.NAME:
                return item.source.name
            if column == Column.PAGES:
                return str(item.source.page_count)
            if column == Column.TRASHED:
                return local_date(item.trashed_at)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == Column.PAGES:
            return int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == Column.NAME:
            return plain_tip(f"{item.source.name}\nOriginal: {item.source.original_path}")
        return None


class TrashView(QWidget):
    """The Trash section: its documents, Restore, Delete forever and Empty trash.

    Restoring is the window's (undoable) business: the view asks for it by signal.
    Deleting for good asks first (`confirm` answers in tests; None shows the dialog).

    Signals:
        restoreRequested(list): take these documents out of the trash.
        countChanged(int): how many documents the trash holds now.
    """

    restoreRequested = Signal(list)
    countChanged = Signal(int)

    def __init__(
        self, library: Library, manager: ExtractionManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.manager = manager
        #: (question, informative) -> whether to delete for good.
        self.confirm: Callable[[str, str], bool] | None = None
        self.model = TrashModel(library, self)
        self._reload = Coalescer(RELOAD_MS, self.reload, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        top = QHBoxLayout()
        top.addWidget(heading_label("Trash"))
        top.addSpacing(12)
        self.count_label = plain_label(QLabel())
        top.addWidget(self.count_label, 1)
        self.restore_button = QPushButton("Restore")
        self.restore_button.setToolTip("Put the selected documents back in the Library")
        self.restore_button.clicked.connect(self.restore_selected)
        top.addWidget(self.restore_button)
        self.delete_button = QPushButton("Delete forever…")
        self.delete_button.clicked.connect(self.delete_selected)
        top.addWidget(self.delete_button)
        self.empty_button = QPushButton("Empty trash…")
        self.empty_button.clicked.connect(self.empty_trash)
        top.addWidget(self.empty_button)
        layout.addLayout(top)
        note = QLabel(
            "Documents in the trash are not listed or searched, and their pages are not read."
            " Deleting them for good removes Folio's copy and the text; your original files"
            " are never touched."
        )
        note.setWordWrap(True)
        layout.addWidget(note)

        self.stack = QStackedWidget()
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.setAccessibleName("Documents in the trash")
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(Column.PAGES, 70)
        header.resizeSection(Column.TRASHED, 190)
        self.empty_label = QLabel("The trash is empty.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)
        layout.addWidget(self.stack, 1)

        self.restore_action = QAction("Restore", self)
        self.restore_action.triggered.connect(self.restore_selected)
        self.delete_action = QAction("Delete forever…", self)
        self.delete_action.setShortcut(QKeySequence("Del"))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.view.addAction(self.delete_action)

        manager.sourcesTrashed.connect(self._reload.request)
        manager.sourcesRestored.connect(self._reload.request)
        manager.sourceRemoved.connect(self._reload.request)
        # Renaming is the Library's (F2 is not offered here), but `folio rename` may
        # rename a document in the trash through the window: its row follows.
        manager.sourceChanged.connect(self._on_source_changed)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_state)
        self._update_state()

    @Slot()
    def reload(self) -> None:
        """Read the trash again, keeping the selection of the documents still in it."""
        self._reload.cancel()
        selected = set(self.selected_ids())
        self.model.reload()
        for row, source_id in enumerate(self.model.source_ids()):
            if source_id in selected:
                self.view.selectionModel().select(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )

    @Slot(int)
    def _on_source_changed(self, source_id: int) -> None:
        if source_id in self.model.source_ids():
            self._reload.request()

    def select_source(self, source_id: int) -> bool:
        """Select exactly this document (if it is in the trash)."""
        ids = self.model.source_ids()
        if source_id not in ids:
            return False
        index = self.model.index(ids.index(source_id), Column.NAME)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.selectionModel().setCurrentIndex(index, flags)
        return True

    def selected_ids(self) -> list[int]:
        rows = self.view.selectionModel().selectedRows(Column.NAME)
        return [int(index.data(SOURCE_ID_ROLE)) for index in rows]

    @Slot()
    def _update_state(self) -> None:
        count = self.model.rowCount()
        self.stack.setCurrentWidget(self.view if count else self.empty_label)
        self.count_label.setText(plural(count, "document") if count else "")
        self.empty_button.setEnabled(bool(count))
        self._update_actions()
        self.countChanged.emit(count)

    @Slot()
    def _update_actions(self, *args: object) -> None:
        chosen = bool(self.selected_ids())
        for widget in (self.restore_button, self.delete_button):
            widget.setEnabled(chosen)
        self.restore_action.setEnabled(chosen)
        self.delete_action.setEnabled(chosen)

    @Slot()
    def restore_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.restoreRequested.emit(ids)

    @Slot()
    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        names = [self.model.trashed(i.row()).source.name for i in self._selected_rows()]
        what = f"“{names[0]}”" if len(names) == 1 else plural(len(names), "document")
        if self._confirm(f"Delete {what} for good?", "Delete forever"):
            self.manager.delete_forever(ids)

    @Slot()
    def empty_trash(self) -> None:
        count = self.model.rowCount()
        if not count:
            return
        if self._confirm(f"Delete the {plural(count, 'document')} in the trash for good?", "Empty"):
            self.manager.empty_trash()

    def _selected_rows(self) -> list[QModelIndex]:
        return self.view.selectionModel().selectedRows(Column.NAME)

    def _confirm(self, question: str, verb: str) -> bool:
        informative = (
            "Folio's copy of each file and the text read from it are deleted; this cannot be "
            "undone. The original files on your disk are not touched."
        )
        if self.confirm is not None:
            return self.confirm(question, informative)
        box = plain_message_box(
            QMessageBox.Icon.Warning, "Delete for good", question, self, informative=informative
        )
        delete = box.addButton(verb, QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is delete

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        if not self.view.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        menu.addAction(self.restore_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.popup(self.view.viewport().mapToGlobal(pos))
