"""The context menu of a task and the column menu of the table header."""

from __future__ import annotations

from PySide6.QtCore import (
    QPoint,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtWidgets import (
    QMenu,
)

from app.ui.tasks.cells import Column, Role
from app.ui.tasks.parts import TasksPageParts


class TaskMenus(TasksPageParts):
    """Part of TasksPage (page.py): the task context menu and the header column menu."""

    def context_menu(self, task_id: int | None) -> QMenu:
        """The menu for a right-click on a task (or on empty space, with None)."""
        self._context_task = task_id
        self._refresh_actions()
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for action in (
            self.enter_password_action,
            self.cancel_selected_action,
            self.retry_action,
            self.move_to_top_action,
            None,
            self.open_source_action,
            self.open_page_action,
            self.copy_error_action,
        ):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.aboutToHide.connect(self._forget_context_task)
        return menu

    @Slot(QPoint)
    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        task_id = index.data(Role.TASK_ID) if index.isValid() else None
        menu = self.context_menu(None if task_id is None else int(task_id))
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    @Slot()
    def _forget_context_task(self) -> None:
        # Actions triggered from the menu run after it hides: keep the target until then.
        QTimer.singleShot(0, self, self._clear_context_task)

    @Slot()
    def _clear_context_task(self) -> None:
        self._context_task = None

    @Slot(QPoint)
    def _show_header_menu(self, pos: QPoint) -> None:
        header = self.view.horizontalHeader()
        menu = QMenu(self)
        for column in Column:
            if column is Column.SELECT:
                continue
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setData(int(column))
        menu.addSeparator()
        reset = menu.addAction("Reset columns")
        chosen = menu.exec(header.mapToGlobal(pos))
        if chosen is reset:
            for column in Column:
                header.showSection(column)
            header.reset()
            self._apply_default_columns()
        elif chosen is not None and chosen.data() is not None:
            header.setSectionHidden(int(chosen.data()), not chosen.isChecked())
        self._schedule_save()
        menu.deleteLater()

    # -- details and time --------------------------------------------------------------------
