"""What the parts of the main window share: declared once, so each part type-checks alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QFileDialog, QMenu, QSplitter, QStackedWidget

    from app.core.library import Library
    from app.extraction.tesseract import TesseractInfo
    from app.services.watch import FolderWatcher
    from app.tasks.manager import ExtractionManager
    from app.ui.common.message_bar import MessageBar
    from app.ui.common.rendering import PageRenderer
    from app.ui.dialogs.help import UserGuideDialog
    from app.ui.dialogs.shortcuts import ShortcutsDialog
    from app.ui.library.filing import Filing
    from app.ui.library.pages_view import DocumentView
    from app.ui.library.sources_view import SourcesView
    from app.ui.search.search_view import SearchView
    from app.ui.shell.drop_overlay import DropOverlay
    from app.ui.shell.import_language import ImportLanguageBox
    from app.ui.shell.importer import ImportFlow
    from app.ui.shell.sidebar import Section, Sidebar
    from app.ui.shell.status_indicator import StatusIndicator
    from app.ui.tasks.page import TasksPage


class WindowParts(QMainWindow):
    """The base of MainWindow's parts (actions, importing, editing, lifecycle): nothing at
    run time but a QMainWindow; for the type checker, the window's views and methods."""

    if TYPE_CHECKING:
        library: Library
        manager: ExtractionManager
        settings: QSettings
        watcher: FolderWatcher | None
        tesseract: TesseractInfo | None
        tesseract_error: str | None
        confirm_quit: Callable[[int], bool] | None
        run_print_dialog: Callable[[QPrintDialog], int] | None
        run_file_dialog: Callable[[QFileDialog], int] | None
        import_language: ImportLanguageBox
        guide_dialog: UserGuideDialog | None
        shortcuts_dialog: ShortcutsDialog | None
        _shut_down: bool
        renderer: PageRenderer
        importer: ImportFlow
        sidebar: Sidebar
        stack: QStackedWidget
        library_stack: QStackedWidget
        splitter: QSplitter
        sources_view: SourcesView
        filing: Filing
        document_view: DocumentView
        search_view: SearchView
        tasks_page: TasksPage
        message_bar: MessageBar
        overlay: DropOverlay
        indicator: StatusIndicator
        _import_note: str | None
        theme_actions: dict[str, QAction]
        menus: dict[str, QMenu]
        section_actions: dict[Section, QAction]
        # methods of the window and of the other parts
        show_section: Callable[[Section], None]
        show_search: Callable[[], None]
        import_paths: Callable[[list[str]], None]
        choose_files: Callable[[], None]
        choose_folder: Callable[[], None]
        export_current: Callable[[], None]
        open_current: Callable[[], None]
        print_current: Callable[[], None]
        copy_text: Callable[[], None]
        select_all: Callable[[], None]
        open_settings: Callable[[], None]
        set_theme: Callable[[str], None]
        show_user_guide: Callable[[], None]
        show_about: Callable[[], None]
        show_shortcuts: Callable[[], None]
        forget_documents: Callable[[set[int]], None]
