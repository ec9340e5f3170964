"""The Library section: every source with its thumbnail and state; sort, filter, delete, reveal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSettings,
    QSortFilterProxyModel,
    Qt,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Library
from app.core.models import Source
from app.core.query import fold
from app.tasks.manager import ExtractionManager
from app.ui.common.formatting import plural
from app.ui.common.plain import plain_label, plain_message_box
from app.ui.common.rendering import PageRenderer
from app.ui.common.widgets import heading_label
from app.ui.library.column_chooser import ColumnChooser
from app.ui.library.names_delegate import NamesDelegate
from app.ui.library.rename import ask_new_name, rename_source
from app.ui.library.sources_grid import LibraryView, SourcesGrid, ViewToggle
from app.ui.library.sources_model import THUMB_SIZE, AnyIndex, Column, Role, SourcesModel
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


def all_names(index: QModelIndex) -> tuple[str, ...]:
    """The names a row answers to (Role.NAMES, or its text in a model without that role)."""
    names = index.data(Role.NAMES)
    return tuple(names) if names else (str(index.data() or ""),)


class SourcesProxy(QSortFilterProxyModel):
    """Filters by name as search compares words (no case, no accents: "resume" shows
    "Résumé.pdf"), matching the name shown and every name a document was imported
    under; and to the documents with pages to check. Sorting is the source model's own.

    A proxy sort would call the Python model's data() for every comparison (seconds
    for ten thousand documents); the model sorts its plain list instead.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFilterKeyColumn(Column.NAME)
        self._folded_filter = ""
        #: Names as compared, kept while the filter is typed (folding is not free).
        self._folded: dict[str, str] = {}
        self._to_check_only = False

    @property
    def to_check_only(self) -> bool:
        return self._to_check_only

    def set_to_check_only(self, on: bool) -> None:
        """Show only the documents with pages to check (or every one again)."""
        if on == self._to_check_only:
            return
        self.beginFilterChange()
        self._to_check_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_name_filter(self, text: str) -> None:
        self.beginFilterChange()
        self._folded_filter = fold(text.strip())
        if not self._folded_filter:
            self._folded.clear()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if self._to_check_only and not model.index(source_row, Column.TEXT, source_parent).data(
            Role.TO_CHECK
        ):
            return False
        if not self._folded_filter:
            return True
        # Every name it answers to: the one shown and those it was imported under, from
        # the model's plain list where it has one (no data() call per row).
        names_at = getattr(model, "names_at", None)
        names = (
            names_at(source_row)
            if names_at is not None
            else all_names(model.index(source_row, Column.NAME, source_parent))
        )
        return any(self._folded_filter in self._fold(n) for n in names)

    def _fold(self, name: str) -> str:
        folded = self._folded.get(name)
        if folded is None:
            folded = self._folded[name] = fold(name)
        return folded

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)


class SourcesView(QWidget):
    """The list of sources and the actions on them (all by source id).

    Signals:
        openSourceRequested(int): open this source to its pages.
        exportRequested(int): export this source's text.
        searchableRequested(int): save this source as a searchable PDF.
        importRequested(): the empty state's "Choose files…".
    """

    openSourceRequested = Signal(int)
    exportRequested = Signal(int)
    searchableRequested = Signal(int)
    importRequested = Signal()

    def __init__(
        self,
        library: Library,
        manager: ExtractionManager,
        renderer: PageRenderer,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.manager = manager
        self.settings = settings
        #: Asks before deleting; tests put an answer here (None shows the dialog).
        self.confirm_delete: Callable[[list[Source]], bool] | None = None
        #: Asks for a new name (None: cancelled); tests put an answer here (None: the dialog).
        self.ask_name: Callable[[Source, tuple[str, ...]], str | None] | None = None
        self.model = SourcesModel(library, manager, renderer, self)
        self.proxy = SourcesProxy(self)
        self.proxy.setSourceModel(self.model)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        top = QHBoxLayout()
        top.addWidget(heading_label("Library"))
        top.addSpacing(12)
        self.count_label = plain_label(QLabel())
        top.addWidget(self.count_label, 1)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(240)
        self.filter_edit.textChanged.connect(self._on_filter)
        top.addWidget(self.filter_edit)
        self.to_check_button = QPushButton("To check")
        self.to_check_button.setCheckable(True)
        self.to_check_button.toggled.connect(self._on_to_check)
        top.addWidget(self.to_check_button)
        top.addSpacing(8)
        self.view_toggle = ViewToggle(settings)
        top.addWidget(self.view_toggle)
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
        self.delete_action = self._action("Delete from library…", self.delete_selected, "Del")
        self.rename_action = self._action("Rename…", self.rename_selected, "F2")
        self.reveal_action = self._action("Show original file", self.reveal_selected)
        self.export_action = self._action("Export text…", self.export_selected)
        self.searchable_action = self._action("Save as searchable PDF…", self.searchable_selected)
        for action in (self.open_action, self.delete_action, self.rename_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.view.addAction(action)
            self.grid.addAction(action)

        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._update_state)
        self.proxy.rowsInserted.connect(self._update_state)
        self.proxy.rowsRemoved.connect(self._update_state)
        self.model.toCheckChanged.connect(self._update_state)
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

    def save_state(self) -> None:
        self.settings.setValue(SETTINGS_HEADER, self.view.header().saveState())

    # -- state -----------------------------------------------------------------------

    @Slot()
    def _update_state(self, *args: object) -> None:
        total = self.model.rowCount()
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
        sources = [s for i in self.selected_ids() if (s := self.model.source(i)) is not None]
        if sources:
            self.delete_sources(sources)

    def delete_sources(self, sources: list[Source]) -> bool:
        if not self._confirm_delete(sources):
            return False
        for source in sources:
            self.manager.delete_source(source.id)
        return True

    def _confirm_delete(self, sources: list[Source]) -> bool:
        if self.confirm_delete is not None:
            return self.confirm_delete(sources)
        what = f"“{sources[0].name}”" if len(sources) == 1 else plural(len(sources), "document")
        box = plain_message_box(
            QMessageBox.Icon.Question,
            "Delete from library",
            f"Delete {what} from the library?",
            self,
            informative="Folio's copy, the extracted text and any waiting tasks are removed. "
            "The original file on your disk is not touched.",
        )
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is delete

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
        menu.addAction(self.delete_action)
        menu.popup(view.viewport().mapToGlobal(pos))


def reveal_original(parent: QWidget, source: Source, library: Library) -> None:
    """Open the folder that holds the original file, or say it is gone."""
    original = Path(source.original_path)
    if original.exists():
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(original.parent))):
            _say_where(parent, original)
        return
    box = plain_message_box(
        QMessageBox.Icon.Information,
        "Original file not found",
        f"{original} is no longer there; it may have been moved or deleted.",
        parent,
        informative="Folio keeps its own copy, so nothing in the library is lost.",
    )
    open_copy = box.addButton("Open Folio's copy", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is open_copy:
        copy = library.store.path_for(source.sha256)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy))):
            _say_where(parent, copy)


def _say_where(parent: QWidget, path: Path) -> None:
    """No file manager or viewer could be opened: give the path, ready to copy."""
    box = plain_message_box(
        QMessageBox.Icon.Information,
        "Show file",
        f"No program could be opened to show {path.name}. It is at:\n{path}",
        parent,
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton("Copy path", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is copy:
        QApplication.clipboard().setText(str(path))
