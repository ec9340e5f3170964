"""The window's state between runs, its dialogs, and quitting."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import (
    QCloseEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QMessageBox,
)

from app.ui.common.formatting import plural
from app.ui.common.plain import plain_message_box
from app.ui.common.theme import apply_theme
from app.ui.dialogs.about import show_about
from app.ui.dialogs.help import UserGuideDialog
from app.ui.dialogs.settings import SettingsDialog
from app.ui.dialogs.shortcuts import ShortcutsDialog
from app.ui.shell.parts import WindowParts

SETTINGS_GEOMETRY = "window/geometry"
SETTINGS_STATE = "window/state"
SETTINGS_SPLITTER = "window/splitter"
SETTINGS_THEME = "window/theme"


class WindowLifecycle(WindowParts):
    """Part of MainWindow (main_window.py): remembered state, dialogs, quitting."""

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

    def settings_dialog(self) -> SettingsDialog:
        theme = str(self.settings.value(SETTINGS_THEME, "system"))
        return SettingsDialog(
            self.manager,
            self.library.folder,
            self.tesseract,
            self.tesseract_error,
            theme,
            self,
            watcher=self.watcher,
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
    def show_shortcuts(self) -> None:
        """Every keyboard shortcut of the window, read from its actions as it opens."""
        self.shortcuts_dialog = ShortcutsDialog(self, self)
        self.shortcuts_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog.show()

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
        box = plain_message_box(
            QMessageBox.Icon.Question,
            "Quit Folio",
            f"{plural(active, 'task is', 'tasks are')} still to do. Quit anyway?",
            self,
            informative="The queue is paused: they stay waiting, also after the next start,"
            " until you press Resume on the Tasks page."
            if self.manager.paused
            else "They stop now and carry on the next time you open Folio.",
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
