"""Keeping the tasks table still while the user aims at its rows.

Under a status filter, a task that finishes would leave the table at once, and the
rows below it would move up under the pointer: a click meant for one task would
tick the next. While the pointer is over the table, or tasks are selected, the
proxy holds such rows in place (dimmed); they go once the pointer has left the
table and nothing is selected.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import QAbstractItemView

from app.ui.tasks.filter import TasksFilterProxyModel


class RowHold(QObject):
    """Turns the proxy's hold on while the pointer is over `view` or rows are selected."""

    def __init__(self, view: QAbstractItemView, proxy: TasksFilterProxyModel) -> None:
        super().__init__(view)
        self._view = view
        self._proxy = proxy
        self._pointer_over = view.viewport().underMouse()
        view.viewport().installEventFilter(self)
        view.selectionModel().selectionChanged.connect(self.update)
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        over = self._pointer_over
        if kind in (QEvent.Type.Enter, QEvent.Type.MouseMove, QEvent.Type.HoverMove):
            over = True
        elif kind in (QEvent.Type.Leave, QEvent.Type.Hide):
            over = False
        if over != self._pointer_over:
            self._pointer_over = over
            self.update()
        return False

    @Slot()
    def update(self, *_args: object) -> None:
        selection = self._view.selectionModel()
        self._proxy.set_holding(self._pointer_over or selection.hasSelection())
