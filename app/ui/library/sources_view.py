"""The Library section: every source with its thumbnail and state; sort, filter, rename, trash."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSettings,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Collection, Library
from app.core.models import Source
from app.tasks.manager import ExtractionManager
from app.ui.common.flow import FlowLayout
from app.ui.common.formatting import plural
from app.ui.common.plain import plain_label
from app.ui.common.rendering import PageRenderer
from app.ui.common.widgets import heading_label
from app.ui.library.column_chooser import ColumnChooser
from app.ui.library.filing import Filing
from app.ui.library.names_delegate import NamesDelegate
from app.ui.library.rename import ask_new_name, rename_source
from app.ui.library.reveal import reveal_original
from app.ui.library.sources_grid import LibraryView, SourcesGrid, ViewToggle
from app.ui.library.sources_model import THUMB_SIZE, Column, Role, SourcesModel
from app.ui.library.sources_proxy import SourcesProxy
from app.ui.library.thumbnails import GridThumbnails

SETTINGS_HEADER = "library/header"


class EmptyLibrary(QWidget):
    """What an empty library shows: an invitation to drop documents.

    Signals:
        importRequested(): the user clicked "Choose files…".
    """

    importRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        title = heading_label("Your library is empty")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        text = QLabel(
            "Drop PDFs, scans or whole folders anywhere on this window.\n"
            "Folio keeps a copy of each, reads every page's text and makes it searchable."
        )
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        layout.addWidget(text)
        row = QHBoxLayout()
        row.addStretch(1)
        self.button = QPushButton("Choose files…")
        self.button.clicked.connect(self.importRequested)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addStretch(3)


class SourcesView(QWidget):
    """The list of sources and the actions on them (all by source id).

    Signals:
        openSourceRequested(int): open this source to its pages.
        exportRequested(int): export this source's text.
        searchableRequested(int): save this source as a searchable PDF.
        importRequested(): the empty state's "Choose files…".
        trashRequested(list): move these sources to the trash (the window does, undoably).
        wholeLibraryRequested(): a document outside the collection shown is to be shown.
    """

    openSourceRequested = Signal(int)
    exportRequested = Signal(int)
    searchableRequested = Signal(int)
    importRequested = Signal()
    trashRequested = Signal(list)
    wholeLibraryRequested = Signal()

    def __init__(
        self,
        library: Library,
        manager: ExtractionManager,
        renderer: PageRenderer,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        filing: Filing | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.manager = manager
        self.settings = settings
        self.filing = filing if filing is not None else Filing(library, self)
        #: The collection shown (None: the whole library).
        self.collection: Collection | None = None
        #: Asks for a new name (None: cancelled); tests put an answer here (None: the dialog).
        self.ask_name: Callable[[Source, tuple[str, ...]], str | None] | None = None
        self.model = SourcesModel(library, manager, renderer, self)
        self.proxy = SourcesProxy(self)
        self.proxy.setSourceModel(self.model)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        # One row when there is room; the filter and buttons wrap below when narrow.
        top = FlowLayout(spacing=8)
        self.heading = plain_label(heading_label("Library"))
        top.add(self.heading)
        self.count_label = plain_label(QLabel())
        self.count_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        top.add(self.count_label)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(240)
        self.filter_edit.textChanged.connect(self._on_filter)
        top.add(self.filter_edit)
        self.to_check_button = QPushButton("To check")
        self.to_check_button.setCheckable(True)
        self.to_check_button.toggled.connect(self._on_to_check)
        top.add(self.to_check_button)
        self.view_toggle = ViewToggle(settings)
        top.add(self.view_toggle)
        layout.addLayout(top)

        self.stack = QStackedWidget()
        self.empty = EmptyLibrary()
        self.empty.importRequested.connect(self.importRequested)
        self.view = QTreeView()
        self.view.setModel(self.proxy)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.setIconSize(THUMB_SIZE)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.activated.connect(self._on_activated)
        self.view.setAccessibleName("Sources")
        self.view.setItemDelegateForColumn(Column.NAME, NamesDelegate(Role.NAMES, self.view))
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        for column in (Column.PAGES, Column.ADDED, Column.TEXT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        # As wide as their usual contents, so the name keeps the room in a narrow window.
        metrics = self.view.fontMetrics()
        header.resizeSection(Column.PAGES, metrics.horizontalAdvance("Pages") + 28)
        header.resizeSection(Column.ADDED, metrics.horizontalAdvance("8888-88-88 88:88") + 24)
        header.resizeSection(Column.TEXT, metrics.horizontalAdvance("888/888 pages") + 40)
        for column, width in ((Column.TITLE, 180), (Column.AUTHOR, 130), (Column.PAGE_SIZE, 95)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.view.sortByColumn(Column.ADDED, Qt.SortOrder.DescendingOrder)
        self.no_match = QLabel("No document's name contains that.")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The same documents as a grid of first pages: same proxy, same selection.
        self.thumbnails = GridThumbnails(renderer, library.store.path_for, self)
        self.grid = SourcesGrid(self.proxy, self.model, self.view.selectionModel(), self.thumbnails)
        self.grid.customContextMenuRequested.connect(self._context_menu)
        self.grid.activated.connect(self._on_activated)
        self.views = QStackedWidget()
        self.views.addWidget(self.view)
        self.views.addWidget(self.grid)
        self.view_toggle.changed.connect(self._show_view)
        self._show_view(self.view_toggle.view().value)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.views)
        self.stack.addWidget(self.no_match)
        layout.addWidget(self.stack, 1)

        self.open_action = self._action("Open", self.open_selected, "Return")
        self.delete_action = self._action("Move to trash", self.delete_selected, "Del")
        self.remove_action = self._action("Remove from collection", self.remove_selected)
        self.rename_action = self._action("Rename…", self.rename_selected, "F2")
        self.reveal_action = self._action("Show original file", self.reveal_selected)
        self.export_action = self._action("Export text…", self.export_selected)
        self.searchable_action = self._action("Save as searchable PDF…", self.searchable_selected)
        for action in (self.open_action, self.delete_action, self.rename_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.view.addAction(action)
            self.grid.addAction(action)

        #: How many documents of the collection shown are in the Library (None: to count).
        self._in_collection: int | None = None
        #: True while the proxy re-filters every row: the state is updated once, after.
        self._quiet = False
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._forget_total)
            signal.connect(self._update_state)
        self.proxy.rowsInserted.connect(self._update_state)
        self.proxy.rowsRemoved.connect(self._update_state)
        self.model.toCheckChanged.connect(self._update_state)
        self.filing.changed.connect(self._on_collections_changed)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        state = settings.value(SETTINGS_HEADER)
        if state is not None:
            header.restoreState(state)
        self.columns = ColumnChooser(header, settings, self)
        self._update_state()
        self._update_actions()

    def _action(self, text: str, slot: Callable[[], None], shortcut: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    # -- list or grid -----------------------------------------------------------------

    def current_view(self) -> QTreeView | SourcesGrid:
        """The list or the grid, whichever is chosen."""
        return self.grid if self.views.currentWidget() is self.grid else self.view

    @Slot(str)
    def _show_view(self, view: str) -> None:
        """Show the list or the grid; the selection and the current document stay."""
        had_focus = self.current_view().hasFocus()
        shown = self.grid if view == LibraryView.GRID else self.view
        self.views.setCurrentWidget(shown)
        current = self.view.selectionModel().currentIndex()
        if current.isValid():
            shown.scrollTo(current)
        if had_focus:
            shown.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_actions()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._update_actions()

    def save_state(self) -> None:
        self.settings.setValue(SETTINGS_HEADER, self.view.header().saveState())

    # -- state -----------------------------------------------------------------------

    def show_collection(self, collection_id: int | None) -> None:
        """Show one collection's documents (the filter still applies), or the whole library."""
        found = self.library.collection(collection_id) if collection_id else None
        self.collection = found
        self.heading.setText(found.name if found else "Library")
        self._in_collection = None
        self._quiet = True  # the proxy announces each range of rows it shows or hides
        try:
            self.proxy.set_members(self.filing.members(found.id) if found else None)
        finally:
            self._quiet = False
        self._update_state()
        self._update_actions()

    @Slot()
    def _on_collections_changed(self) -> None:
        if self.collection is not None:
            self.show_collection(self.collection.id)

    def _collection_total(self, members: set[int]) -> int:
        """How many of the collection's documents the Library holds (counted once)."""
        if self._in_collection is None:
            self._in_collection = sum(1 for i in members if self.model.row_of(i) is not None)
        return self._in_collection

    @Slot()
    def _forget_total(self, *args: object) -> None:
        self._in_collection = None

    @Slot()
    def _update_state(self, *args: object) -> None:
        if self._quiet:
            return
        total = self.model.rowCount()
        members = self.proxy.members
        if members is not None and self.collection is not None:
            total = self._collection_total(members)
            if total == 0:
                # An empty collection: how to fill it, instead of the empty library's invitation.
                self.filter_edit.setEnabled(bool(self.model.rowCount()))
                self.stack.setCurrentWidget(self.no_match)
                self.no_match.setText(
                    f"“{self.collection.name}” holds no documents yet: drag documents from the"
                    " Library onto it in the sidebar, or use “Add to collection” in their menu."
                )
                self.count_label.setText("")
                return
        shown = self.proxy.rowCount()
        checking = self.model.to_check_count
        only = self.proxy.to_check_only
        self.to_check_button.setText(f"To check ({checking})" if checking else "To check")
        self.to_check_button.setEnabled(bool(checking) or only)
        self.to_check_button.setToolTip(
            "Show only the documents with pages to check"
            if checking
            else "No document has pages to check."
        )
        if total == 0:
            self.stack.setCurrentWidget(self.empty)
            self.count_label.setText("")
            self.filter_edit.setEnabled(False)
            return
        self.filter_edit.setEnabled(True)
        self.stack.setCurrentWidget(self.views if shown else self.no_match)
        self.no_match.setText(
            "No document has pages to check."
            if only and not checking
            else "No document's name contains that."
        )
        text = plural(total, "document")
        if only:
            verb = "has" if checking == 1 else "have"
            text = f"{plural(checking, 'document')} {verb} pages to check"
            if shown != checking:
                text += f"; {shown} shown"
        elif shown != total:
            text = f"{shown} of {text} shown"
        self.count_label.setText(text)

    @Slot()
    def _update_actions(self, *args: object) -> None:
        ids = self.selected_ids()
        for action in (self.delete_action, self.reveal_action, self.export_action):
            action.setEnabled(bool(ids))
        # Also in the Edit menu: there it acts only while the list is in front.
        self.delete_action.setEnabled(bool(ids) and self.isVisibleTo(self.window()))
        self.remove_action.setEnabled(bool(ids) and self.collection is not None)
        if self.collection is not None:
            self.remove_action.setText(f"Remove from “{self.collection.name}”")
        self.open_action.setEnabled(len(ids) == 1)
        self.rename_action.setEnabled(len(ids) == 1)
        self.reveal_action.setEnabled(len(ids) == 1)
        self.export_action.setEnabled(len(ids) == 1)
        self.searchable_action.setEnabled(len(ids) == 1)

    @Slot(bool)
    def _on_to_check(self, on: bool) -> None:
        self.proxy.set_to_check_only(on)
        self._update_state()

    @Slot(str)
    def _on_filter(self, text: str) -> None:
        self.proxy.set_name_filter(text)
        self._update_state()

    # -- selection -------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = self.view.selectionModel().selectedRows(Column.NAME)
        return [int(index.data(Role.SOURCE_ID)) for index in rows]

    def select_source(self, source_id: int) -> bool:
        """Select and show a source (clearing the filter if it hides it)."""
        row = self.model.row_of(source_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, Column.NAME))
        if not index.isValid():
            self.filter_edit.clear()
            self.to_check_button.setChecked(False)
            index = self.proxy.mapFromSource(self.model.index(row, Column.NAME))
        if not index.isValid() and self.collection is not None:
            # Not in the collection shown: the whole Library (the sidebar follows).
            self.wholeLibraryRequested.emit()
            if self.collection is not None:
                self.show_collection(None)
            index = self.proxy.mapFromSource(self.model.index(row, Column.NAME))
        # Explicit flags: a selection made for the user never depends on a key held down.
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.current_view().scrollTo(index)
        return True

    # -- actions ---------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        self.openSourceRequested.emit(int(index.data(Role.SOURCE_ID)))

    @Slot()
    def open_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.openSourceRequested.emit(ids[0])

    @Slot()
    def export_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.exportRequested.emit(ids[0])

    @Slot()
    def searchable_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.searchableRequested.emit(ids[0])

    @Slot()
    def rename_selected(self) -> None:
        """Ask for the selected document's new name (F2, "Rename…") and give it."""
        ids = self.selected_ids()
        source = self.model.source(ids[0]) if len(ids) == 1 else None
        if source is None:
            return
        others = self.model.names_of(source.id)
        ask = self.ask_name or (lambda s, o: ask_new_name(self, s, o))
        rename_source(self, self.manager, source, ask(source, others))

    @Slot()
    def delete_selected(self) -> None:
        """Move the selected documents to the trash (no question: Edit › Undo brings them back)."""
        ids = [i for i in self.selected_ids() if self.model.row_of(i) is not None]
        if ids:
            self.trashRequested.emit(ids)

    @Slot()
    def remove_selected(self) -> None:
        """Take the selected documents out of the collection shown (they stay in the library)."""
        ids = self.selected_ids()
        if ids and self.collection is not None:
            self.filing.remove(self.collection.id, ids)

    @Slot()
    def reveal_selected(self) -> None:
        ids = self.selected_ids()
        source = self.model.source(ids[0]) if len(ids) == 1 else None
        if source is not None:
            reveal_original(self, source, self.library)

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        view = self.current_view()
        if not view.indexAt(pos).isValid():
            return
        self.selection_menu().popup(view.viewport().mapToGlobal(pos))

    def selection_menu(self) -> QMenu:
        """The context menu of the selected documents (built on its own, so tests can look)."""
        menu = QMenu(self)
        for action in (
            self.open_action,
            self.rename_action,
            self.export_action,
            self.searchable_action,
            self.reveal_action,
        ):
            menu.addAction(action)
        menu.addSeparator()
        menu.addMenu(self.filing.add_menu(menu, self.selected_ids()))
        if self.collection is not None:
            menu.addAction(self.remove_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        return menu
