"""The window's actions, menus and toolbar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QStyle,
    QToolBar,
)

from app.ui.shell.import_language import ImportLanguageBox, labelled
from app.ui.shell.parts import WindowParts
from app.ui.shell.sidebar import Section


class WindowActions(WindowParts):
    """Part of MainWindow (main_window.py): its actions, menus and toolbar."""

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
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
        self.open_original_action = self._action("Open in default viewer", self.open_current)
        self.print_action = self._action("Print…", self.print_current, keys.Print)
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
            (Section.TRASH, "Trash"),
        ):
            # triggered(bool) would otherwise arrive as the section (False is LIBRARY).
            def show(_checked: bool = False, s: Section = section) -> None:
                self.show_section(s)

            action = self._action(label, show, f"Ctrl+{int(section) + 1}")
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
        self.theme_actions = {}
        for key, label in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):

            def choose(_checked: bool = False, k: str = key) -> None:
                self.set_theme(k)

            action = self._action(label, choose)
            action.setCheckable(True)
            self.theme_group.addAction(action)
            self.theme_actions[key] = action
        self.guide_action = self._action(
            "User guide", self.show_user_guide, QKeySequence.StandardKey.HelpContents
        )
        self.shortcuts_action = self._action("Keyboard shortcuts", self.show_shortcuts, "Ctrl+/")
        self.about_action = self._action("About Folio", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.import_files_action)
        file_menu.addAction(self.import_folder_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.open_original_action)
        file_menu.addAction(self.print_action)
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
        help_menu.addAction(self.shortcuts_action)
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
        self.import_language = ImportLanguageBox(lambda: self.manager.ocr_lang)
        self.toolbar.addWidget(labelled(self.import_language))
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
