"""The Tasks page: every background task, live, with the controls to steer them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSettings,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QGuiApplication, QHideEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.models import BackgroundTask, TaskStatus
from app.tasks.manager import ExtractionManager
from app.tasks.progress import AggregateProgress
from app.ui.common.formatting import plural
from app.ui.tasks.delegates import LinkDelegate, SelectionCheckDelegate
from app.ui.tasks.details import task_details_html
from app.ui.tasks.model import (
    STATUS_FILTER_LABELS,
    Column,
    Role,
    StatusFilter,
    TasksFilterProxyModel,
    TasksTableModel,
    filter_count,
    source_label,
)
from app.ui.tasks.notify import BatchNotifier, batch_message
from app.ui.tasks.status_chip import StatusChipDelegate
from app.ui.tasks.view import TasksView

SETTINGS_STATUS_FILTER = "tasks/statusFilter"
SETTINGS_TEXT_FILTER = "tasks/textFilter"
SETTINGS_HEADER = "tasks/header"
SETTINGS_SPLITTER = "tasks/splitter"


_DEFAULT_WIDTHS: dict[Column, int] = {
    Column.SELECT: 30,
    Column.TYPE: 105,
    Column.STATUS: 150,
    Column.SOURCE: 250,
    Column.PAGE: 75,
    Column.SCHEDULED: 105,
    Column.DURATION: 80,
    Column.PROGRESS: 200,  # the last column: it stretches over the rest
}


#: How long the outcome of an action stays under the table.
SAY_FOR_MS = 30_000


def default_settings() -> QSettings:
    if QCoreApplication.organizationName() or QCoreApplication.applicationName():
        return QSettings()
    return QSettings("Folio", "Folio")


def ask_yes_no(parent: QWidget, title: str, text: str, informative: str, yes: str) -> bool:
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setInformativeText(informative)
    confirm = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep running", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is confirm


class TasksPage(QWidget):
    """The Tasks page: a live, filterable table of tasks and the actions on them.

    Every action works on task ids (read from the selection when it runs),
    never on row numbers, and goes through the ExtractionManager.

    Signals:
        openSourceRequested(int): the user asked to open a source (its id).
        openPageRequested(int): the user asked to open a page (its id).
        badgeChanged(int, int): the number of active tasks, and of failed ones
            that need attention, for the navigation entry's badge.
    """

    openSourceRequested = Signal(int)
    openPageRequested = Signal(int)
    badgeChanged = Signal(int, int)

    def __init__(
        self,
        manager: ExtractionManager,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.settings = settings if settings is not None else default_settings()
        #: Asks "Cancel all N active tasks?" and returns True to go ahead; None shows the
        #: standard dialog (tests put an answer here).
        self.confirm: Callable[[str], bool] | None = None
        self.notifier = BatchNotifier(self)
        self.model = TasksTableModel(manager, self)
        self.proxy = TasksFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self._badge: tuple[int, int] | None = None
        self._details_key: tuple[int, TaskStatus, str, int] | None = None
        self._page_text: tuple[int, str | None] | None = None
        self._refresh_cost = 0.0
        self._context_task: int | None = None
        self._moving_selected: list[int] = []
        self._moving_current: int | None = None

        self._build_actions()
        self._build_ui()
        self._connect()
        self._restore_state()
        self._refresh_actions()
        self._refresh_chips()
        self._show_aggregate(manager.aggregate())
        self._show_paused(manager.paused)
        self._update_details()
        QTimer.singleShot(0, self, self._emit_badge)

    # -- building ----------------------------------------------------------------------

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
        self.summary_label = QLabel()
        self.summary_label.setObjectName("tasksSummary")
        heading.addWidget(self.summary_label, 1)
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

        filters = QHBoxLayout()
        filters.setSpacing(4)
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
            filters.addWidget(chip)
        self.filter_chips[StatusFilter.ALL].setChecked(True)
        filters.addStretch(1)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("Filter by source or error")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setMinimumWidth(260)
        self.text_filter.setToolTip("Shows the tasks whose source name or error contains this")
        filters.addWidget(self.text_filter)
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

        self.status_line = QLabel()
        self.status_line.setObjectName("tasksStatusLine")
        self.status_line.setWordWrap(True)
        self.status_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.status_line)

        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(150)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(400)
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

    def _connect(self) -> None:
        m = self.manager
        m.tasksChanged.connect(self._on_tasks_changed)
        m.tasksAdded.connect(self._on_tasks_added)
        m.clearedChanged.connect(self._show_cleared_count)
        self._show_cleared_count(m.cleared_count)
        m.tasksRemoved.connect(self._on_tasks_removed)
        m.aggregateChanged.connect(self._show_aggregate)
        m.batchFinished.connect(self.notifier.batch_finished)
        m.batchFinished.connect(self._on_batch_finished)
        m.pausedChanged.connect(self._show_paused)
        m.concurrencyChanged.connect(self._show_concurrency)
        m.pageTextReady.connect(self._on_page_text_ready)
        self.model.countsChanged.connect(self._on_counts_changed)
        self.model.rowsRelocating.connect(self._on_relocating)
        self.model.rowsRelocated.connect(self._on_relocated)
        self.model.rowsInserted.connect(self._request_refresh)
        self.model.layoutChanged.connect(self._request_refresh)
        self.proxy.layoutChanged.connect(self._request_refresh)
        self.proxy.rowsRemoved.connect(self._request_refresh)
        selection = self.view.selectionModel()
        selection.selectionChanged.connect(self._on_selection_changed)
        selection.currentChanged.connect(self._on_current_changed)
        self.view.linkActivated.connect(self._on_link)
        self.view.activated.connect(self._on_activated)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        header = self.view.horizontalHeader()
        header.customContextMenuRequested.connect(self._show_header_menu)
        header.sectionResized.connect(self._schedule_save)
        header.sectionMoved.connect(self._schedule_save)
        header.sortIndicatorChanged.connect(self._schedule_save)
        self.splitter.splitterMoved.connect(self._schedule_save)
        self.chip_group.buttonClicked.connect(self._on_chip_clicked)
        self.text_filter.textChanged.connect(self._on_text_changed)
        self.text_filter.returnPressed.connect(self._apply_text_filter)
        self.concurrency_spin.valueChanged.connect(self._on_concurrency_spin)
        self.details.anchorClicked.connect(self._on_details_link)
        self._text_timer.timeout.connect(self._apply_text_filter)
        self._refresh_timer.timeout.connect(self._refresh_actions)
        self._save_timer.timeout.connect(self.save_state)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self.view.setSortingEnabled(True)

    # -- state ---------------------------------------------------------------------------

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
        self._save_timer.stop()
        s = self.settings
        s.setValue(SETTINGS_STATUS_FILTER, self.proxy.status_filter.value)
        s.setValue(SETTINGS_TEXT_FILTER, self.text_filter.text())
        s.setValue(SETTINGS_HEADER, self.view.horizontalHeader().saveState())
        s.setValue(SETTINGS_SPLITTER, self.splitter.saveState())
        s.sync()

    @Slot()
    def _schedule_save(self) -> None:
        self._save_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        if self._save_timer.isActive():
            self.save_state()
        super().hideEvent(event)

    # -- reading the selection ---------------------------------------------------------

    def _selected_rows(self) -> list[int]:
        """Model rows of the selected tasks, in the order the table shows them."""
        shown: set[int] = set()
        for span in self.view.selectionModel().selection():
            shown.update(range(span.top(), span.bottom() + 1))
        ordered = sorted(shown)
        proxy = self.proxy
        if proxy.rowCount() == self.model.rowCount():
            # The proxy only filters: with nothing filtered out, its rows are the model's.
            return ordered
        return [proxy.mapToSource(proxy.index(row, 0)).row() for row in ordered]

    def selected_task_ids(self) -> list[int]:
        """The ids of the selected tasks, in the order the table shows them."""
        task_at = self.model.task_at
        return [task_at(row).id for row in self._selected_rows()]

    def selected_tasks(self) -> list[BackgroundTask]:
        task_at = self.model.task_at
        return [task_at(row) for row in self._selected_rows()]

    def current_task(self) -> BackgroundTask | None:
        index = self.view.selectionModel().currentIndex()
        if not index.isValid():
            return None
        task_id = index.data(Role.TASK_ID)
        return None if task_id is None else self.model.task(int(task_id))

    def select_tasks(self, task_ids: Iterable[int]) -> None:
        """Select these tasks (those the filter shows), e.g. from a test or a search."""
        selection = QItemSelection()
        for task_id in task_ids:
            row = self.model.row_of(task_id)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, index)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        model = self.view.selectionModel()
        model.select(selection, flags)
        if not selection.isEmpty():
            first = selection.first().topLeft()
            model.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollTo(first)

    def badge_counts(self) -> tuple[int, int]:
        return self.model.active_count, self.model.attention_count

    # -- actions -------------------------------------------------------------------------

    def say(self, text: str, *, until_new_work: bool = False) -> None:
        """Show the outcome of the last action under the table, for a while.

        `until_new_work`: also gone as soon as new tasks arrive (e.g. "Folio
        finished its tasks", which a new import makes untrue).
        """
        self.status_line.setText(text)
        self._said_until_new_work = until_new_work
        self._say_timer.start()

    @Slot()
    def _forget_said(self) -> None:
        self._say_timer.stop()
        self._said_until_new_work = False
        self.status_line.clear()

    @Slot(object)
    def _on_tasks_added(self, tasks: list[BackgroundTask]) -> None:
        if self._said_until_new_work and any(t.status.is_active for t in tasks):
            self._forget_said()

    @Slot()
    def cancel_selected(self) -> None:
        ids = self.selected_task_ids()
        if not ids:
            return
        outcome = self.manager.cancel_many(ids)
        self.say(outcome.summary())
        self._request_refresh()

    @Slot()
    def cancel_all(self) -> None:
        active = self.model.active_count
        if not active:
            return
        ask = self.confirm or self._confirm_cancel_all
        if not ask(f"Cancel all {plural(active, 'active task')}?"):
            return
        outcome = self.manager.cancel_all()
        self.say(outcome.summary())
        self._request_refresh()

    def _confirm_cancel_all(self, question: str) -> bool:
        return ask_yes_no(
            self,
            "Cancel all tasks",
            question,
            "Running tasks stop now and keep no partial text. Finished tasks are not affected;"
            " you can retry cancelled tasks later.",
            "Cancel tasks",
        )

    @Slot()
    def retry_selected(self) -> None:
        tasks = self.selected_tasks()
        ids = [t.id for t in tasks if self._retryable(t)]
        if not ids:
            return
        new = self.manager.retry(ids)
        text = f"Retrying {plural(len(new), 'task')}."
        skipped = len(tasks) - len(new)
        if skipped:
            text += f" {plural(skipped, 'selected task')} could not be retried (only failed or"
            text += " cancelled tasks that were not retried yet can be)."
        self.say(text)
        self._request_refresh()

    @Slot()
    def retry_all_failed(self) -> None:
        ids = self.model.attention_ids()
        if not ids:
            return
        new = self.manager.retry(ids)
        self.say(f"Retrying {plural(len(new), 'failed task')}.")
        self._request_refresh()

    @Slot()
    def move_to_top(self) -> None:
        tasks = self.selected_tasks()
        ids = [t.id for t in tasks if t.status is TaskStatus.PENDING]
        if not ids:
            return
        self.manager.prioritise(ids)
        text = f"Moved {plural(len(ids), 'task')} to the front of the queue."
        if len(tasks) > len(ids):
            text += f" {len(tasks) - len(ids)} had already started or finished."
        self.say(text)

    @Slot()
    def toggle_paused(self) -> None:
        if self.manager.paused:
            self.manager.resume()
        else:
            self.manager.pause()

    @Slot()
    def clear_finished(self) -> None:
        ids = self.manager.clear_finished()
        self.say(
            f"Cleared {plural(len(ids), 'finished task')} from view;"
            " the library keeps their history."
        )

    @Slot()
    def show_cleared(self) -> None:
        tasks = self.manager.show_cleared()
        self.say(
            f"Showing {plural(len(tasks), 'cleared task')} again, from the library's history."
            if tasks
            else "No cleared task to show."
        )

    @Slot(int)
    def _show_cleared_count(self, count: int) -> None:
        self.show_cleared_action.setEnabled(count > 0)
        self.show_cleared_action.setText(f"Show cleared ({count:,})" if count else "Show cleared")
        self.show_cleared_action.setToolTip(
            f"Bring back {plural(count, 'finished task')} cleared from this list"
            if count
            else "No task was cleared from this list."
        )

    def _target_task(self) -> BackgroundTask | None:
        if self._context_task is not None:
            task = self.model.task(self._context_task)
            if task is not None:
                return task
        return self.current_task()

    @Slot()
    def open_source(self) -> None:
        task = self._target_task()
        if task is not None and task.source_id is not None:
            self.openSourceRequested.emit(task.source_id)

    @Slot()
    def open_page(self) -> None:
        task = self._target_task()
        if task is not None and task.page_id is not None:
            self.openPageRequested.emit(task.page_id)

    @Slot()
    def copy_error(self) -> None:
        failed = [t for t in self.selected_tasks() if t.error]
        if not failed:
            task = self._target_task()
            failed = [task] if task is not None and task.error else []
        if not failed:
            return
        if len(failed) == 1:
            text = failed[0].error or ""
        else:
            text = "\n".join(f"{source_label(t)}: {t.error}" for t in failed)
        QGuiApplication.clipboard().setText(text)
        self.say(f"Copied {plural(len(failed), 'error')}.")

    def set_status_filter(self, which: StatusFilter) -> None:
        self.filter_chips[which].setChecked(True)
        if which is not self.proxy.status_filter:
            self.proxy.set_status_filter(which)
            self._schedule_save()
            # Another list: start at its top left (an old scroll position would hide
            # the checkboxes and put a different task under the pointer).
            self.view.scrollToTop()
            self.view.horizontalScrollBar().setValue(0)
        self._request_refresh()

    # -- keeping the controls right ------------------------------------------------------

    def _retryable(self, task: BackgroundTask) -> bool:
        if task.status is TaskStatus.FAILED:
            return self.model.needs_attention(task)
        if task.status is TaskStatus.CANCELLED:
            return not self.model.is_retried(task.id)
        return False

    @Slot()
    def _request_refresh(self) -> None:
        # Cheap refreshes run at once; one that took long (a huge selection) waits ten
        # times its cost, so keeping the buttons right never hogs the GUI thread.
        if self._refresh_cost < 0.005:
            self._refresh_actions()
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start(min(2000, round(self._refresh_cost * 10_000)))

    @Slot()
    def _refresh_actions(self) -> None:
        started = time.perf_counter()
        self._refresh_timer.stop()
        tasks = self.selected_tasks()
        cancellable = sum(1 for t in tasks if t.status.is_active)
        retryable = sum(1 for t in tasks if self._retryable(t))
        pending = sum(1 for t in tasks if t.status is TaskStatus.PENDING)

        action = self.cancel_selected_action
        action.setText(f"Cancel selected ({cancellable})" if cancellable else "Cancel selected")
        action.setEnabled(cancellable > 0)
        if not tasks:
            action.setToolTip("Select pending or in-progress tasks to cancel them.")
        elif not cancellable:
            action.setToolTip(
                "The selected tasks have finished; only pending or in-progress tasks can be"
                " cancelled."
            )
        elif cancellable < len(tasks):
            action.setToolTip(
                f"Cancel {plural(cancellable, 'task')} (Delete); {len(tasks) - cancellable} of"
                " the selected have already finished."
            )
        else:
            action.setToolTip(f"Cancel {plural(cancellable, 'selected task')} (Delete)")

        active = self.model.active_count
        self.cancel_all_action.setEnabled(active > 0)
        self.cancel_all_action.setToolTip(
            f"Cancel every pending or running task ({active})"
            if active
            else "No task is pending or in progress."
        )

        self.retry_action.setText(f"Retry ({retryable})" if retryable else "Retry")
        self.retry_action.setEnabled(retryable > 0)
        if not tasks:
            self.retry_action.setToolTip("Select failed or cancelled tasks to retry them.")
        elif not retryable:
            self.retry_action.setToolTip(
                "None of the selected tasks can be retried: only failed or cancelled tasks"
                " that were not retried yet can be."
            )
        else:
            self.retry_action.setToolTip(f"Run {plural(retryable, 'task')} again as new tasks")

        failed = self.model.attention_count
        self.retry_failed_action.setText(
            f"Retry all failed ({failed})" if failed else "Retry all failed"
        )
        self.retry_failed_action.setEnabled(failed > 0)
        self.retry_failed_action.setToolTip(
            f"Run the {plural(failed, 'failed task')} again" if failed else "No task has failed."
        )

        self.move_to_top_action.setEnabled(pending > 0)
        if not tasks:
            self.move_to_top_action.setToolTip(
                "Select pending tasks to move them to the front of the queue."
            )
        elif not pending:
            self.move_to_top_action.setToolTip(
                "Only pending tasks can move; the selected ones have started or finished."
            )
        else:
            self.move_to_top_action.setToolTip(
                f"Run {plural(pending, 'selected pending task')} next"
            )

        counts = self.model.counts()
        attention = self.model.attention_count
        finished = sum(counts[s] for s in TaskStatus if s.is_terminal) - attention
        self.clear_finished_action.setEnabled(finished > 0)
        self.clear_finished_action.setToolTip(
            f"Take {plural(finished, 'finished task')} out of this list; the library keeps"
            " their history."
            + (f" The {plural(attention, 'failure')} to deal with stay." if attention else "")
            if finished
            else "No finished task to clear."
            + (" Failures stay until they are retried." if attention else "")
        )

        target = self._target_task()
        has_source = target is not None and target.source_id is not None
        has_page = target is not None and target.page_id is not None
        self.open_source_action.setEnabled(has_source)
        self.open_page_action.setEnabled(has_page)
        has_error = any(t.error for t in tasks) or (target is not None and bool(target.error))
        self.copy_error_action.setEnabled(has_error)
        self._refresh_cost = time.perf_counter() - started

    def _refresh_chips(self) -> None:
        for which, chip in self.filter_chips.items():
            count = filter_count(self.model, which)
            chip.setText(f"{STATUS_FILTER_LABELS[which]} ({count})")
        self.filter_chips[StatusFilter.NEEDS_ATTENTION].setToolTip(
            "Failed tasks that were not retried"
        )

    @Slot()
    def _emit_badge(self) -> None:
        badge = self.badge_counts()
        if badge != self._badge:
            self._badge = badge
            self.badgeChanged.emit(*badge)

    # -- following the manager -------------------------------------------------------------

    @Slot()
    def _on_counts_changed(self) -> None:
        self._refresh_chips()
        self._emit_badge()
        self._request_refresh()

    @Slot(object)
    def _on_tasks_changed(self, changes: dict[int, tuple[str, ...]]) -> None:
        current = self.current_task()
        if current is not None and current.id in changes:
            self._update_details()
        if any("status" in fields for fields in changes.values()):
            self._request_refresh()

    @Slot(object)
    def _on_tasks_removed(self, task_ids: list[int]) -> None:
        self._refresh_chips()
        self._request_refresh()
        self._update_details()

    @Slot(object)
    def _on_relocating(self, task_ids: list[int]) -> None:
        # Rows that move to their sorted place are removed and inserted again, which
        # would drop them from the selection: note which were selected.
        selection = self.view.selectionModel()
        current = self.current_task()
        self._moving_current = current.id if current is not None else None
        self._moving_selected = []
        for task_id in task_ids:
            index = self._view_index(task_id)
            if index.isValid() and selection.isRowSelected(index.row()):
                self._moving_selected.append(task_id)

    @Slot(object)
    def _on_relocated(self, task_ids: list[int]) -> None:
        selection = self.view.selectionModel()
        if self._moving_selected:
            chosen = QItemSelection()
            for task_id in self._moving_selected:
                index = self._view_index(task_id)
                if index.isValid():
                    chosen.select(index, index)
            flags = (
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            )
            selection.select(chosen, flags)
        if self._moving_current in task_ids:
            index = self._view_index(self._moving_current)
            if index.isValid():
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        self._moving_selected = []
        self._moving_current = None

    def _view_index(self, task_id: int, column: int = 0) -> QModelIndex:
        row = self.model.row_of(task_id)
        if row is None:
            return QModelIndex()
        return self.proxy.mapFromSource(self.model.index(row, column))

    @Slot(object)
    def _show_aggregate(self, progress: AggregateProgress) -> None:
        self.summary_label.setText(progress.summary())

    @Slot(object)
    def _on_batch_finished(self, progress: AggregateProgress) -> None:
        if progress.total:
            title, text = batch_message(progress, on_page=True)
            self.say(f"{title}. {text}", until_new_work=True)

    @Slot(bool)
    def _show_paused(self, paused: bool) -> None:
        if paused:
            self.pause_action.setText("Resume")
            self.pause_action.setToolTip("Start waiting tasks again")
        else:
            self.pause_action.setText("Pause")
            self.pause_action.setToolTip("Start no new task; running tasks finish")
        self._show_aggregate(self.manager.aggregate())

    @Slot(int)
    def _show_concurrency(self, count: int) -> None:
        if self.concurrency_spin.value() != count:
            self.concurrency_spin.blockSignals(True)
            self.concurrency_spin.setValue(count)
            self.concurrency_spin.blockSignals(False)

    @Slot(int)
    def _on_concurrency_spin(self, count: int) -> None:
        self.manager.set_concurrency(count)

    @Slot(int, int)
    def _on_page_text_ready(self, source_id: int, page_id: int) -> None:
        current = self.current_task()
        if current is not None and current.page_id == page_id:
            self._page_text = None
            self._details_key = None
            self._update_details()

    # -- following the user ----------------------------------------------------------------

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._request_refresh()
        self._update_details()

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._context_task = None
        self._update_details()

    @Slot(object)
    def _on_chip_clicked(self, button: QToolButton) -> None:
        self.set_status_filter(StatusFilter(str(button.property("statusFilter"))))

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        self._text_timer.start()

    @Slot()
    def _apply_text_filter(self) -> None:
        self._text_timer.stop()
        text = self.text_filter.text()
        if text.strip().casefold() != self.proxy.text_filter:
            self.proxy.set_text_filter(text)
            self._schedule_save()
            self._request_refresh()

    @Slot(int, int)
    def _on_link(self, column: int, target: int) -> None:
        if column == Column.SOURCE:
            self.openSourceRequested.emit(target)
        elif column == Column.PAGE:
            self.openPageRequested.emit(target)

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        task_id = index.data(Role.TASK_ID)
        task = None if task_id is None else self.model.task(int(task_id))
        if task is None:
            return
        if task.page_id is not None:
            self.openPageRequested.emit(task.page_id)
        elif task.source_id is not None:
            self.openSourceRequested.emit(task.source_id)

    @Slot(QUrl)
    def _on_details_link(self, url: QUrl) -> None:
        kind, _, value = url.path().partition("/")
        if not value.isdigit():
            return
        if kind == "source":
            self.openSourceRequested.emit(int(value))
        elif kind == "page":
            self.openPageRequested.emit(int(value))

    def context_menu(self, task_id: int | None) -> QMenu:
        """The menu for a right-click on a task (or on empty space, with None)."""
        self._context_task = task_id
        self._refresh_actions()
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for action in (
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

    def _update_details(self) -> None:
        task = self.current_task()
        selected = len(self._selected_rows())
        if task is None:
            self._details_key = None
            self.details.setHtml(
                "" if not selected else f"<p>{plural(selected, 'task')} selected.</p>"
            )
            return
        key = (task.id, task.status, task.message, selected)
        if key == self._details_key and task.status is not TaskStatus.IN_PROGRESS:
            return
        self._details_key = key
        page_text: str | None = None
        if task.page_id is not None and task.status is TaskStatus.COMPLETED:
            if self._page_text is None or self._page_text[0] != task.page_id:
                page = self.manager.library.page(task.page_id)
                self._page_text = (task.page_id, page.text if page is not None else None)
            page_text = self._page_text[1]
        scroll = self.details.verticalScrollBar().value()
        self.details.setHtml(
            task_details_html(task, page_text, self.palette(), time.time(), selected)
        )
        self.details.verticalScrollBar().setValue(scroll)

    @Slot()
    def _tick(self) -> None:
        if not self.isVisible():
            return
        rows = self.view.visible_rows()
        if rows:
            proxy = self.proxy
            self.model.refresh_times(proxy.mapToSource(proxy.index(row, 0)).row() for row in rows)
        current = self.current_task()
        if current is not None and current.status is TaskStatus.IN_PROGRESS:
            self._update_details()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._details_key = None
            self._update_details()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(1100, 700)


__all__ = [
    "BatchNotifier",
    "LinkDelegate",
    "SelectionCheckDelegate",
    "TasksPage",
    "TasksView",
    "batch_message",
    "task_details_html",
]
