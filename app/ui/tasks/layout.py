"""The Tasks page's widgets and actions, built once."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
)

from app.ui.common.coalesce import Coalescer
from app.ui.common.flow import FlowLayout
from app.ui.common.plain import plain_label
from app.ui.tasks.cells import Column
from app.ui.tasks.delegates import LinkDelegate, SelectionCheckDelegate
from app.ui.tasks.filter import StatusFilter
from app.ui.tasks.parts import TasksPageParts
from app.ui.tasks.status_chip import StatusChipDelegate
from app.ui.tasks.view import TasksView

#: How long the outcome of an action stays under the table.
SAY_FOR_MS = 30_000

_DEFAULT_WIDTHS: dict[Column, int] = {
    # Together under 700 px: at a 900 px window no column starts off-screen.
    Column.SELECT: 30,
    Column.TYPE: 90,
    Column.STATUS: 130,
    Column.SOURCE: 170,
    Column.PAGE: 55,
    Column.SCHEDULED: 90,
    Column.DURATION: 70,
    Column.PROGRESS: 200,  # the last column: it stretches over the rest
}


class PageLayout(TasksPageParts):
    """Part of TasksPage (page.py): its widgets and actions, built once."""

    def _action(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.cancel_selected_action = self._action("Cancel selected", self.cancel_selected)
        self.cancel_selected_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.cancel_selected_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.cancel_all_action = self._action("Cancel all…", self.cancel_all)
        self.retry_action = self._action("Retry", self.retry_selected)
        self.retry_failed_action = self._action("Retry all failed", self.retry_all_failed)
        self.move_to_top_action = self._action("Move to top", self.move_to_top)
        self.pause_action = self._action("Pause", self.toggle_paused)
        self.clear_finished_action = self._action("Clear finished", self.clear_finished)
        self.show_cleared_action = self._action("Show cleared", self.show_cleared)
        self.open_source_action = self._action("Open source", self.open_source)
        self.open_page_action = self._action("Open page", self.open_page)
        self.copy_error_action = self._action("Copy error", self.copy_error)
        self.copy_error_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_error_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(6)

        heading = QHBoxLayout()
        title = QLabel("Tasks")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        heading.addWidget(title)
        heading.addSpacing(12)
        self.summary_label = plain_label(QLabel())
        self.summary_label.setObjectName("tasksSummary")
        heading.addWidget(self.summary_label, 1)
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addLayout(heading)

        self.toolbar = QToolBar("Task actions")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        for action in (self.cancel_selected_action, self.cancel_all_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        for action in (self.retry_action, self.retry_failed_action, self.move_to_top_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.pause_action)
        at_once = QLabel(" Tasks at once: ")
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(1, 64)
        self.concurrency_spin.setKeyboardTracking(False)
        self.concurrency_spin.setValue(self.manager.concurrency)
        self.concurrency_spin.setToolTip("How many tasks run at the same time")
        at_once.setBuddy(self.concurrency_spin)
        self.toolbar.addWidget(at_once)
        self.toolbar.addWidget(self.concurrency_spin)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.clear_finished_action)
        self.toolbar.addAction(self.show_cleared_action)
        layout.addWidget(self.toolbar)

        # The chips wrap onto a second line in a narrow window rather than being cut.
        filters = FlowLayout(spacing=4)
        self.chip_group = QButtonGroup(self)
        self.chip_group.setExclusive(True)
        self.filter_chips: dict[StatusFilter, QToolButton] = {}
        for which in StatusFilter:
            chip = QToolButton()
            chip.setCheckable(True)
            chip.setObjectName(f"filter-{which.value}")
            chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            chip.setProperty("statusFilter", which.value)
            self.chip_group.addButton(chip)
            self.filter_chips[which] = chip
            filters.add(chip)
        self.filter_chips[StatusFilter.ALL].setChecked(True)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("Filter by source or error")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setMinimumWidth(160)
        self.text_filter.setMaximumWidth(320)
        self.text_filter.setToolTip("Shows the tasks whose source name or error contains this")
        # On the heading's row: the chips keep a row to themselves, whole at 700 px.
        heading.addWidget(self.text_filter, 1)
        layout.addLayout(filters)
        self.setStyleSheet(
            "QToolButton[statusFilter] { border: 1px solid palette(mid); border-radius: 11px;"
            " padding: 2px 10px; }"
            " QToolButton[statusFilter]:checked { background: palette(highlight);"
            " color: palette(highlighted-text); border-color: palette(highlight); }"
        )

        self.view = TasksView()
        self.view.setObjectName("tasksTable")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.view.verticalHeader()
        vertical.hide()
        # Fixed row heights: nothing is measured per row, whatever the row count.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 12)
        self._chip_delegate = StatusChipDelegate(self.view)
        self._link_delegate = LinkDelegate(self.view)
        self._check_delegate = SelectionCheckDelegate(self.view)
        self.view.setItemDelegateForColumn(Column.STATUS, self._chip_delegate)
        self.view.setItemDelegateForColumn(Column.SOURCE, self._link_delegate)
        self.view.setItemDelegateForColumn(Column.PAGE, self._link_delegate)
        self.view.setItemDelegateForColumn(Column.SELECT, self._check_delegate)
        header = self.view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSortIndicatorClearable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._apply_default_columns()
        for action in (self.cancel_selected_action, self.copy_error_action):
            self.view.addAction(action)

        self.details = QTextBrowser()
        self.details.setObjectName("taskDetails")
        self.details.setOpenLinks(False)
        self.details.setPlaceholderText("Select a task to see its details.")

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)

        self.status_line = plain_label(QLabel())
        self.status_line.setObjectName("tasksStatusLine")
        self.status_line.setWordWrap(True)
        self.status_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.status_line)

        self._text_timer = Coalescer(150, self._apply_text_filter, self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._save_timer = Coalescer(400, self.save_state, self)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._said_until_new_work = False
        self._say_timer = QTimer(self)
        self._say_timer.setSingleShot(True)
        self._say_timer.setInterval(SAY_FOR_MS)
        self._say_timer.timeout.connect(self._forget_said)

    def _apply_default_columns(self) -> None:
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in _DEFAULT_WIDTHS.items():
            header.resizeSection(column, width)
        # Duration before the message, so that the message takes the remaining width.
        header.moveSection(header.visualIndex(Column.DURATION), header.visualIndex(Column.PROGRESS))
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
