"""The main window: sidebar, sections, toolbar, menus and status bar; it lays out and wires."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QSettings, Qt, Slot
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FolioError
from app.core.library import Library
from app.core.paths import default_library_dir
from app.extraction.tesseract import TesseractInfo, tesseract_info
from app.services.watch import FolderWatcher
from app.tasks.manager import ExtractionManager
from app.tasks.unlocking import LockedDocument
from app.ui.common.asyncutil import spawn
from app.ui.common.message_bar import MessageBar, MessageKind
from app.ui.common.rendering import PageRenderer
from app.ui.dialogs.help import UserGuideDialog
from app.ui.dialogs.shortcuts import GROUP_PROPERTY, ShortcutsDialog
from app.ui.library.filing import Filing
from app.ui.library.pages_view import DocumentView
from app.ui.library.sources_view import SourcesView
from app.ui.search.search_view import SearchView
from app.ui.shell.actions import WindowActions
from app.ui.shell.collections import WindowFiling
from app.ui.shell.drop_overlay import DropOverlay
from app.ui.shell.dropping import WindowImporting
from app.ui.shell.editing import WindowEditing
from app.ui.shell.importer import ImportFlow
from app.ui.shell.lifecycle import WindowLifecycle
from app.ui.shell.passwords import PasswordPrompts
from app.ui.shell.searchable import WindowSearchable
from app.ui.shell.sidebar import Section, Sidebar
from app.ui.shell.status_indicator import StatusIndicator
from app.ui.shell.watching import WatchNotices
from app.ui.tasks.page import TasksPage

log = logging.getLogger(__name__)


def window_title(library: Library) -> str:
    """ "Folio", or "Folio — NAME" for a library other than the default one."""
    try:
        default = default_library_dir().expanduser().resolve()
        is_default = library.folder.expanduser().resolve() == default
    except OSError:
        is_default = False
    return "Folio" if is_default else f"Folio — {library.folder.name}"


class MainWindow(
    WindowActions,
    WindowImporting,
    WindowEditing,
    WindowFiling,
    WindowSearchable,
    WindowLifecycle,
    QMainWindow,
):
    """Folio's window. Holds no business logic: the views talk to the manager.

    Signals: none of its own; it connects the views' signals to each other.
    """

    def __init__(
        self,
        library: Library,
        manager: ExtractionManager,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        watcher: FolderWatcher | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.manager = manager
        #: The watched folders' engine (Settings › Watched folders), if this window has one.
        self.watcher = watcher
        self.settings = settings if settings is not None else QSettings()
        self.tesseract: TesseractInfo | None = None
        self.tesseract_error: str | None = None
        #: Asks before quitting while tasks run; tests put an answer here.
        self.confirm_quit: Callable[[int], bool] | None = None
        #: Shows the print dialog and returns its result; tests put an answer here.
        self.run_print_dialog: Callable[[QPrintDialog], int] | None = None
        #: Shows the Import files dialog and returns its result; tests put an answer here.
        self.run_file_dialog: Callable[[QFileDialog], int] | None = None
        self._shut_down = False
        #: The section a document was opened from; closing it goes back there.
        self._opened_from = Section.LIBRARY
        self.setWindowTitle(window_title(library))
        self.setAcceptDrops(True)

        self.renderer = PageRenderer(self, passwords=manager.passwords)
        self.importer = ImportFlow(manager, self)
        self._build_views()
        self.guide_dialog: UserGuideDialog | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        if watcher is not None:
            self.watch_notices = WatchNotices(watcher, self.message_bar, self.statusBar(), self)
        self._connect()
        self._build_searchable()
        self._build_filing()
        self._restore_state()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # drops anywhere, even on a text field
        spawn(self._look_for_tesseract())

    # -- building ----------------------------------------------------------------------

    def _build_views(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.tesseract_bar = MessageBar()
        self.message_bar = MessageBar()
        self.password_bar = MessageBar()
        for bar in (self.tesseract_bar, self.password_bar, self.message_bar):
            wrapper = QVBoxLayout()
            wrapper.setContentsMargins(8, 6, 8, 0)
            wrapper.addWidget(bar)
            outer.addLayout(wrapper)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.sidebar = Sidebar()
        self.splitter.addWidget(self.sidebar)
        self.stack = QStackedWidget()
        self.library_stack = QStackedWidget()
        self.filing = Filing(self.library, self)
        self.sources_view = SourcesView(
            self.library, self.manager, self.renderer, self.settings, filing=self.filing
        )
        self.document_view = DocumentView(self.library, self.manager, self.renderer, self.settings)
        self.library_stack.addWidget(self.sources_view)
        self.library_stack.addWidget(self.document_view)
        self.search_view = SearchView(self.library, self.manager)
        self.tasks_page = TasksPage(self.manager, settings=self.settings)
        self.stack.addWidget(self.library_stack)
        self.stack.addWidget(self.search_view)
        self.stack.addWidget(self.tasks_page)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([180, 1100])
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.overlay = DropOverlay(central)
        for view, group in (
            (self.sources_view, "The list of documents"),
            (self.document_view, "An open document"),
            (self.search_view, "Search"),
            (self.tasks_page, "Tasks"),
        ):
            view.setProperty(GROUP_PROPERTY, group)

    def _build_status_bar(self) -> None:
        self.indicator = StatusIndicator()
        self.statusBar().addPermanentWidget(self.indicator)
        self.indicator.follow(self.manager)
        #: The "Importing N documents." line on the status bar, while it is true.
        self._import_note: str | None = None

    def _connect(self) -> None:
        self.passwords = PasswordPrompts(self.manager, self.password_bar, self)
        self.tasks_page.passwordRequested.connect(self.passwords.ask_for_task)
        self.document_view.viewer.passwordRequested.connect(self.passwords.ask_for_source)
        self.passwords.unlocked.connect(self._on_unlocked)
        self.sidebar.sectionChosen.connect(self._on_section)
        self.indicator.clicked.connect(lambda: self.show_section(Section.TASKS))
        self.document_view.workQueued.connect(self.indicator.refresh)
        self.importer.importsSettled.connect(self._end_import_note)
        self.manager.batchFinished.connect(self._end_import_note)
        self.manager.idle.connect(self._end_import_note)
        self.tasks_page.badgeChanged.connect(self.sidebar.set_task_badge)
        self.sidebar.clicked.connect(self._on_sidebar_click)
        self.tasks_page.openSourceRequested.connect(self.open_source)
        self.tasks_page.openPageRequested.connect(self.open_page)
        self.sources_view.openSourceRequested.connect(self.open_source)
        self.sources_view.exportRequested.connect(self.export_source)
        self.sources_view.importRequested.connect(self.choose_files)
        self.document_view.backRequested.connect(self.close_document)
        self.document_view.exportRequested.connect(self.export_source)
        self.document_view.revealRequested.connect(self._reveal_source)
        self.document_view.openRequested.connect(self.open_original)
        self.document_view.printRequested.connect(self.print_source)
        self.document_view.viewer.zoomChanged.connect(self._update_zoom_actions)
        self.search_view.openPageRequested.connect(self.open_page)
        self.search_view.openSourceRequested.connect(self.open_source)
        self.importer.collected.connect(self._on_collected)
        self.importer.existingSourceFound.connect(self._on_existing_source)
        self.importer.duplicatesFound.connect(self._on_duplicates)
        self.manager.sourceRemoved.connect(self._on_source_removed)
        self.library_stack.currentChanged.connect(self._update_actions)
        self.stack.currentChanged.connect(self._update_actions)
        self._update_actions()

    # -- Tesseract ---------------------------------------------------------------------

    async def _look_for_tesseract(self) -> None:
        try:
            info = await asyncio.to_thread(tesseract_info)
        except FolioError as exc:
            self.set_tesseract(None, exc.message)
        else:
            self.set_tesseract(info, None)

    def set_tesseract(self, info: TesseractInfo | None, error: str | None) -> None:
        self.tesseract = info
        self.tesseract_error = error
        viewer = self.document_view.viewer
        viewer.languages = info.languages if info else ()
        self.import_language.set_languages(info.languages if info else ())
        viewer.ocr_available = info is not None
        self.document_view.update_ocr_button()
        if info is None:
            self.tesseract_bar.show_message(
                f"{error} Pages with a text layer are still read.",
                MessageKind.WARNING,
                title="OCR is not available.",
            )
        else:
            self.tesseract_bar.dismiss()

    # -- sections ----------------------------------------------------------------------

    @Slot(int)
    def _on_section(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        if row == Section.SEARCH:
            self.search_view.focus_field()

    def show_section(self, section: Section) -> None:
        self.sidebar.choose(section)
        self.stack.setCurrentIndex(int(section))

    @Slot()
    def show_search(self) -> None:
        self.show_section(Section.SEARCH)
        self.search_view.focus_field()

    @Slot()
    def show_sources(self) -> None:
        self.show_section(Section.LIBRARY)
        self.library_stack.setCurrentWidget(self.sources_view)
        if self.document_view.source is not None:
            self.sources_view.select_source(self.document_view.source.id)
        self.sources_view.current_view().setFocus()

    @Slot()
    def close_document(self) -> None:
        """Back to where the document was opened from: the search results, or the list."""
        if self._opened_from is Section.SEARCH:
            self.show_section(Section.SEARCH)
            self.library_stack.setCurrentWidget(self.sources_view)
            self.search_view.focus_results()
        else:
            self.show_sources()

    def _on_sidebar_click(self, index: QModelIndex) -> None:
        """A click on "Library" (or a collection) shows the list, even with a document open."""
        if self.sidebar.section_of_row(
            index.row()
        ) is Section.LIBRARY and self.library_stack.currentWidget() is not (self.sources_view):
            self.show_sources()

    @Slot(int)
    def open_source(self, source_id: int) -> None:
        self.open_page_of(source_id, None, "")

    @Slot(int)
    @Slot(int, str)
    def open_page(self, page_id: int, highlight: str = "") -> None:
        page = self.library.page(page_id)
        if page is None:
            self.statusBar().showMessage("That page is no longer in the library.", 5000)
            return
        self.open_page_of(page.source_id, page_id, highlight)

    def open_page_of(self, source_id: int, page_id: int | None, highlight: str) -> None:
        source = self.library.source(source_id)
        if source is None:
            self.statusBar().showMessage("That document is no longer in the library.", 5000)
            return
        if self.library.is_trashed(source_id):
            self.statusBar().showMessage(
                f"{source.name} is in the trash; restore it from the Trash to open it.", 8000
            )
            return
        self._opened_from = self.sidebar.section()
        self.document_view.back_button.setText(
            "‹ Results" if self._opened_from is Section.SEARCH else "‹ Library"
        )
        self.show_section(Section.LIBRARY)
        self.library_stack.setCurrentWidget(self.document_view)
        self.document_view.show_source(source, page_id, highlight)

    @Slot(object)
    def _on_unlocked(self, document: LockedDocument) -> None:
        if document.source_id is not None:
            self.document_view.viewer.redraw_unlocked(document.source_id)

    @Slot(int)
    def _on_source_removed(self, source_id: int) -> None:
        self.forget_documents({source_id})

    def forget_documents(self, source_ids: set[int]) -> None:
        """Close the open document if it is one of these (deleted or trashed)."""
        doc = self.document_view
        if doc.source is not None and doc.source.id in source_ids:
            doc.source = None
            doc.viewer.clear()
            doc.model.set_source(None)
            if self.library_stack.currentWidget() is doc:
                self.library_stack.setCurrentWidget(self.sources_view)

    @Slot()
    def _update_actions(self, *args: object) -> None:
        in_document = (
            self.stack.currentIndex() == Section.LIBRARY
            and self.library_stack.currentWidget() is self.document_view
        )
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_width_action):
            action.setEnabled(in_document)
        for action in (self.export_action, self.open_original_action, self.print_action):
            action.setEnabled(in_document)

    @Slot(str)
    def _update_zoom_actions(self, text: str) -> None:
        self.statusBar().showMessage(f"Zoom: {text}", 1500)

    # -- exporting ---------------------------------------------------------------------

    # -- dialogs -----------------------------------------------------------------------

    # -- quitting ----------------------------------------------------------------------
