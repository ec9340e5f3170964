"""The main window: sidebar, sections, toolbar, menus and status bar; it lays out and wires."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FolioError
from app.core.library import Library
from app.core.models import Source
from app.core.paths import default_library_dir
from app.extraction.filetype import KNOWN_EXTENSIONS
from app.extraction.tesseract import TesseractInfo, tesseract_info
from app.tasks.manager import ExtractionManager
from app.ui.common.asyncutil import spawn
from app.ui.common.formatting import plural
from app.ui.common.message_bar import MessageBar, MessageKind
from app.ui.common.rendering import PageRenderer
from app.ui.common.theme import apply_theme
from app.ui.dialogs.about import show_about
from app.ui.dialogs.help import UserGuideDialog
from app.ui.dialogs.settings import SettingsDialog
from app.ui.library.export import default_export_name, library_source_text, write_text
from app.ui.library.pages_view import DocumentView
from app.ui.library.sources_view import SourcesView, reveal_original
from app.ui.search.search_view import SearchView
from app.ui.shell.drop_overlay import DropOverlay
from app.ui.shell.importer import Collected, ImportFlow, summary
from app.ui.shell.sidebar import Section, Sidebar
from app.ui.shell.status_indicator import StatusIndicator
from app.ui.tasks.page import TasksPage

log = logging.getLogger(__name__)

SETTINGS_GEOMETRY = "window/geometry"
SETTINGS_STATE = "window/state"
SETTINGS_SPLITTER = "window/splitter"
SETTINGS_THEME = "window/theme"


def window_title(library: Library) -> str:
    """ "Folio", or "Folio — NAME" for a library other than the default one."""
    try:
        default = default_library_dir().expanduser().resolve()
        is_default = library.folder.expanduser().resolve() == default
    except OSError:
        is_default = False
    return "Folio" if is_default else f"Folio — {library.folder.name}"


def local_paths(event: QDragEnterEvent | QDropEvent) -> list[str]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


class MainWindow(QMainWindow):
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
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.manager = manager
        self.settings = settings if settings is not None else QSettings()
        self.tesseract: TesseractInfo | None = None
        self.tesseract_error: str | None = None
        #: Asks before quitting while tasks run; tests put an answer here.
        self.confirm_quit: Callable[[int], bool] | None = None
        self._shut_down = False
        self.setWindowTitle(window_title(library))
        self.setAcceptDrops(True)

        self.renderer = PageRenderer(self)
        self.importer = ImportFlow(manager, self)
        self._build_views()
        self.guide_dialog: UserGuideDialog | None = None
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect()
        self._restore_state()
        QApplication.instance().installEventFilter(self)  # drops anywhere, even on a text field
        spawn(self._look_for_tesseract())

    # -- building ----------------------------------------------------------------------

    def _build_views(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.tesseract_bar = MessageBar()
        self.message_bar = MessageBar()
        for bar in (self.tesseract_bar, self.message_bar):
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
        self.sources_view = SourcesView(self.library, self.manager, self.renderer, self.settings)
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

    def _action(
        self, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        style = self.style()
        self.import_files_action = self._action("Import files…", self.choose_files, keys.Open)
        self.import_files_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_FileIcon))
        self.import_files_action.setToolTip("Add PDFs or images to the library (Ctrl+O)")
        self.import_folder_action = self._action(
            "Import folder…", self.choose_folder, "Ctrl+Shift+O"
        )
        self.import_folder_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DirIcon))
        self.import_folder_action.setToolTip(
            "Add every PDF and image in a folder and its subfolders (Ctrl+Shift+O)"
        )
        self.export_action = self._action("Export text…", self.export_current, "Ctrl+E")
        self.settings_action = self._action("Settings…", self.open_settings, keys.Preferences)
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.quit_action = self._action("Quit", self.close, keys.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.copy_action = self._action("Copy text", self.copy_text, keys.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.select_all_action = self._action("Select all", self.select_all, keys.SelectAll)
        self.find_action = self._action("Find in library…", self.show_search, keys.Find)
        self.section_actions: dict[Section, QAction] = {}
        for section, label in (
            (Section.LIBRARY, "Library"),
            (Section.SEARCH, "Search"),
            (Section.TASKS, "Tasks"),
        ):
            # triggered(bool) would otherwise arrive as the section (False is LIBRARY).
            action = self._action(
                label,
                lambda _checked=False, s=section: self.show_section(s),
                f"Ctrl+{int(section) + 1}",
            )
            self.section_actions[section] = action
        self.zoom_in_action = self._action(
            "Zoom in", self.document_view.viewer.zoom_in, keys.ZoomIn
        )
        self.zoom_out_action = self._action(
            "Zoom out", self.document_view.viewer.zoom_out, keys.ZoomOut
        )
        self.fit_width_action = self._action(
            "Fit width", self.document_view.viewer.set_fit_width, "Ctrl+0"
        )
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for key, label in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            action = self._action(label, lambda _checked=False, k=key: self.set_theme(k))
            action.setCheckable(True)
            self.theme_group.addAction(action)
            self.theme_actions[key] = action
        self.guide_action = self._action(
            "User guide", self.show_user_guide, QKeySequence.StandardKey.HelpContents
        )
        self.about_action = self._action("About Folio", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.import_files_action)
        file_menu.addAction(self.import_folder_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.copy_action)
        edit_menu.addAction(self.select_all_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        view_menu = bar.addMenu("&View")
        for action in self.section_actions.values():
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.zoom_in_action)
        view_menu.addAction(self.zoom_out_action)
        view_menu.addAction(self.fit_width_action)
        view_menu.addSeparator()
        appearance = view_menu.addMenu("Appearance")
        for action in self.theme_actions.values():
            appearance.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.guide_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        self.menus = {"file": file_menu, "edit": edit_menu, "view": view_menu, "help": help_menu}

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar("Main toolbar")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(self.import_files_action)
        self.toolbar.addAction(self.import_folder_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.find_action)
        self.toolbar.addAction(self.settings_action)
        self.find_action.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView)
        )
        self.settings_action.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView)
        )
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _build_status_bar(self) -> None:
        self.indicator = StatusIndicator()
        self.statusBar().addPermanentWidget(self.indicator)
        self.indicator.show_progress(self.manager.aggregate())

    def _connect(self) -> None:
        self.sidebar.sectionChosen.connect(self._on_section)
        self.indicator.clicked.connect(lambda: self.show_section(Section.TASKS))
        self.manager.aggregateChanged.connect(self.indicator.show_progress)
        self.tasks_page.badgeChanged.connect(self.sidebar.set_task_badge)
        self.tasks_page.openSourceRequested.connect(self.open_source)
        self.tasks_page.openPageRequested.connect(self.open_page)
        self.sources_view.openSourceRequested.connect(self.open_source)
        self.sources_view.exportRequested.connect(self.export_source)
        self.sources_view.importRequested.connect(self.choose_files)
        self.document_view.backRequested.connect(self.show_sources)
        self.document_view.exportRequested.connect(self.export_source)
        self.document_view.revealRequested.connect(self._reveal_source)
        self.document_view.viewer.zoomChanged.connect(self._update_zoom_actions)
        self.search_view.openPageRequested.connect(self.open_page)
        self.importer.collected.connect(self._on_collected)
        self.importer.existingSourceFound.connect(self._on_existing_source)
        self.importer.duplicatesFound.connect(self._on_duplicates)
        self.manager.sourceRemoved.connect(self._on_source_removed)
        self.library_stack.currentChanged.connect(self._update_actions)
        self.stack.currentChanged.connect(self._update_actions)
        self._update_actions()

    def _restore_state(self) -> None:
        geometry = self.settings.value(SETTINGS_GEOMETRY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        state = self.settings.value(SETTINGS_STATE)
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value(SETTINGS_SPLITTER)
        if splitter is not None:
            self.splitter.restoreState(splitter)
        theme = str(self.settings.value(SETTINGS_THEME, "system"))
        self.theme_actions.get(theme, self.theme_actions["system"]).setChecked(True)
        if theme != "system":
            apply_theme(QApplication.instance(), theme)  # type: ignore[arg-type]

    def save_state(self) -> None:
        s = self.settings
        s.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        s.setValue(SETTINGS_STATE, self.saveState())
        s.setValue(SETTINGS_SPLITTER, self.splitter.saveState())
        self.sources_view.save_state()
        self.document_view.save_state()
        self.tasks_page.save_state()
        s.sync()

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
        viewer.ocr_available = info is not None
        self.document_view.update_ocr_button()
        if info is None:
            self.tesseract_bar.show_message(
                f"<b>OCR is not available.</b> {error} Pages with a text layer are still read.",
                MessageKind.WARNING,
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
        self.sources_view.view.setFocus()

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
        self.show_section(Section.LIBRARY)
        self.library_stack.setCurrentWidget(self.document_view)
        self.document_view.show_source(source, page_id, highlight)

    @Slot(int)
    def _on_source_removed(self, source_id: int) -> None:
        doc = self.document_view
        if doc.source is not None and doc.source.id == source_id:
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
        self.export_action.setEnabled(in_document)

    @Slot(str)
    def _update_zoom_actions(self, text: str) -> None:
        self.statusBar().showMessage(f"Zoom: {text}", 1500)

    # -- importing ---------------------------------------------------------------------

    @Slot(list)
    def import_paths(self, paths: list[str]) -> None:
        """Import files and folders (from a drop, the menu, the command line or a second launch)."""
        self.importer.import_paths([str(p) for p in paths])

    @Slot()
    def choose_files(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in sorted(KNOWN_EXTENSIONS))
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import files",
            str(Path.home()),
            f"PDFs and images ({patterns});;All files (*)",
        )
        if files:
            self.import_paths(files)

    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import folder", str(Path.home()))
        if folder:
            self.import_paths([folder])

    @Slot(object)
    def _on_collected(self, collected: Collected) -> None:
        text = summary(collected)
        if collected.unsupported or collected.missing or not collected.files:
            kind = MessageKind.WARNING if not collected.files else MessageKind.INFO
            self.message_bar.show_message(text, kind)
        else:
            self.statusBar().showMessage(text, 6000)

    @Slot(list)
    def _on_duplicates(self, names: list[str]) -> None:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.message_bar.show_message(
            f"{plural(len(names), 'file was', 'files were')} already in the library, so"
            f" {'it was' if len(names) == 1 else 'they were'} not added again: {shown}.",
            MessageKind.INFO,
        )

    @Slot(int, str)
    def _on_existing_source(self, source_id: int, message: str) -> None:
        source = self.library.source(source_id)
        if source is None:
            return
        self.show_section(Section.LIBRARY)
        if self.library_stack.currentWidget() is not self.document_view or (
            self.document_view.source is None or self.document_view.source.id != source_id
        ):
            self.library_stack.setCurrentWidget(self.sources_view)
            self.sources_view.select_source(source_id)
        self.message_bar.show_message(
            f"{message}; showing it instead of adding it twice.", MessageKind.INFO
        )

    # -- exporting ---------------------------------------------------------------------

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

    # -- edit --------------------------------------------------------------------------

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

    # -- dialogs -----------------------------------------------------------------------

    def settings_dialog(self) -> SettingsDialog:
        theme = str(self.settings.value(SETTINGS_THEME, "system"))
        return SettingsDialog(
            self.manager, self.library.folder, self.tesseract, self.tesseract_error, theme, self
        )

    @Slot()
    def open_settings(self) -> None:
        dialog = self.settings_dialog()
        if dialog.exec():
            self.set_theme(dialog.chosen_theme())

    def set_theme(self, theme: str) -> None:
        self.settings.setValue(SETTINGS_THEME, theme)
        if theme in self.theme_actions:
            self.theme_actions[theme].setChecked(True)
        apply_theme(QApplication.instance(), theme)  # type: ignore[arg-type]

    @Slot()
    def show_user_guide(self) -> None:
        if self.guide_dialog is None:
            self.guide_dialog = UserGuideDialog(self)
        if self.guide_dialog.isVisible():
            self.guide_dialog.raise_()
            self.guide_dialog.activateWindow()
        else:
            self.guide_dialog.show()

    @Slot()
    def show_about(self) -> None:
        show_about(self, self.tesseract, self.tesseract_error)

    @Slot()
    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    # -- drag and drop -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (
            QEvent.Type.DragEnter,
            QEvent.Type.DragMove,
            QEvent.Type.DragLeave,
            QEvent.Type.Drop,
        ):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self:
            return False
        if kind == QEvent.Type.DragLeave:
            self.overlay.hide()
            return False
        if not local_paths(event):  # type: ignore[arg-type]
            return False
        if kind == QEvent.Type.Drop:
            self.overlay.hide()
            event.acceptProposedAction()  # type: ignore[attr-defined]
            self.import_paths(local_paths(event))  # type: ignore[arg-type]
            return True
        event.acceptProposedAction()  # type: ignore[attr-defined]
        if not self.overlay.isVisible():
            self.overlay.show_over_parent()
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event):
            event.acceptProposedAction()
            self.overlay.show_over_parent()

    def dropEvent(self, event: QDropEvent) -> None:
        self.overlay.hide()
        paths = local_paths(event)
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # -- quitting ----------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        active = len(self.manager.active_tasks())
        if active and not self._confirm_quit(active):
            event.ignore()
            return
        self.save_state()
        event.accept()

    def _confirm_quit(self, active: int) -> bool:
        if self.confirm_quit is not None:
            return self.confirm_quit(active)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Quit Folio",
            f"{plural(active, 'task is', 'tasks are')} still to do. Quit anyway?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setInformativeText(
            "The queue is paused: they stay waiting, also after the next start, until you"
            " press Resume on the Tasks page."
            if self.manager.paused
            else "They stop now and carry on the next time you open Folio."
        )
        quit_button = box.addButton("Quit", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep running", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is quit_button

    def shutdown(self) -> None:
        """Stop background rendering and save the layout (before the manager shuts down)."""
        if self._shut_down:
            return
        self._shut_down = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.renderer.shutdown()
        self.save_state()
        for timer in self.findChildren(QTimer):  # nothing may touch the library after this
            timer.stop()
