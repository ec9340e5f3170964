"""What the Tasks page remembers between runs: filters, columns, the split."""

from __future__ import annotations

from PySide6.QtCore import (
    QByteArray,
    Slot,
)
from PySide6.QtGui import QHideEvent

from app.ui.tasks.filter import StatusFilter
from app.ui.tasks.parts import TasksPageParts

SETTINGS_STATUS_FILTER = "tasks/statusFilter"
SETTINGS_TEXT_FILTER = "tasks/textFilter"
SETTINGS_HEADER = "tasks/header"
SETTINGS_SPLITTER = "tasks/splitter"


class PageMemory(TasksPageParts):
    """Part of TasksPage (page.py): filters, columns and split kept between runs."""

    def _restore_state(self) -> None:
        s = self.settings
        header_state = s.value(SETTINGS_HEADER)
        if isinstance(
            header_state, QByteArray | bytes
        ) and not self.view.horizontalHeader().restoreState(QByteArray(header_state)):
            self._apply_default_columns()
        splitter_state = s.value(SETTINGS_SPLITTER)
        if isinstance(splitter_state, QByteArray | bytes):
            self.splitter.restoreState(QByteArray(splitter_state))
        else:
            self.splitter.setSizes([420, 180])
        try:
            which = StatusFilter(str(s.value(SETTINGS_STATUS_FILTER, StatusFilter.ALL.value)))
        except ValueError:
            which = StatusFilter.ALL
        self.set_status_filter(which)
        text = str(s.value(SETTINGS_TEXT_FILTER, "") or "")
        self.text_filter.setText(text)
        self._apply_text_filter()

    @Slot()
    def save_state(self) -> None:
        """Remember the filter, the column layout and the split (the main window may call it)."""
        self._save_timer.cancel()
        s = self.settings
        s.setValue(SETTINGS_STATUS_FILTER, self.proxy.status_filter.value)
        s.setValue(SETTINGS_TEXT_FILTER, self.text_filter.text())
        s.setValue(SETTINGS_HEADER, self.view.horizontalHeader().saveState())
        s.setValue(SETTINGS_SPLITTER, self.splitter.saveState())
        s.sync()

    @Slot()
    def _schedule_save(self) -> None:
        self._save_timer.restart()

    def hideEvent(self, event: QHideEvent) -> None:
        if self._save_timer.pending:
            self.save_state()
        super().hideEvent(event)

    # -- reading the selection ---------------------------------------------------------
