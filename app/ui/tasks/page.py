"""The Tasks page: every background task, live, with the controls to steer them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    QSignalBlocker,
    QSize,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QToolButton,
    QWidget,
)

from app.core.models import BackgroundTask, TaskChange, TaskStatus
from app.tasks.manager import ExtractionManager
from app.tasks.progress import AggregateProgress
from app.ui.common.formatting import plural
from app.ui.tasks.actions import PageSituation, action_states
from app.ui.tasks.cells import Column, Role
from app.ui.tasks.commands import TaskCommands
from app.ui.tasks.delegates import LinkDelegate, SelectionCheckDelegate
from app.ui.tasks.details import task_details_html
from app.ui.tasks.filter import (
    STATUS_FILTER_LABELS,
    StatusFilter,
    TasksFilterProxyModel,
    filter_count,
)
from app.ui.tasks.hold import RowHold
from app.ui.tasks.layout import PageLayout
from app.ui.tasks.menus import TaskMenus
from app.ui.tasks.model import TasksTableModel
from app.ui.tasks.notify import BatchNotifier, batch_message
from app.ui.tasks.state import PageMemory
from app.ui.tasks.view import TasksView


def default_settings() -> QSettings:
    if QCoreApplication.organizationName() or QCoreApplication.applicationName():
        return QSettings()
    return QSettings("Folio", "Folio")


class TasksPage(PageLayout, PageMemory, TaskCommands, TaskMenus, QWidget):
    """The Tasks page: a live, filterable table of tasks and the actions on them.

    Every action works on task ids (read from the selection when it runs),
    never on row numbers, and goes through the ExtractionManager.

    Signals:
        openSourceRequested(int): the user asked to open a source (its id).
        openPageRequested(int): the user asked to open a page (its id).
        badgeChanged(int, int): the number of active tasks, and of failed ones
            that need attention, for the navigation entry's badge.
        passwordRequested(int): the user asked to give the password that a task (its
            id) waits for.
    """

    openSourceRequested = Signal(int)
    openPageRequested = Signal(int)
    passwordRequested = Signal(int)
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
        self._refresh_timer.timeout.connect(self._refresh_actions)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self.view.setSortingEnabled(True)
        self.row_hold = RowHold(self.view, self.proxy)

    # -- state ---------------------------------------------------------------------------

    def _selected_rows(self) -> list[int]:
        """Model rows of the selected tasks, in the order the table shows them."""
        shown: set[int] = set()
        # PySide6 iterates a QItemSelection; its type stubs do not say so.
        for span in self.view.selectionModel().selection():  # type: ignore[attr-defined]
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
        situation = PageSituation(
            selected=self.selected_tasks(),
            target=self._target_task(),
            active=self.model.active_count,
            attention=self.model.failure_count,
            counts=self.model.counts(),
        )
        for name, state in action_states(situation, self._retryable).items():
            action: QAction = getattr(self, f"{name}_action")
            action.setEnabled(state.enabled)
            if state.text is not None:
                action.setText(state.text)
            if state.tooltip is not None:
                action.setToolTip(state.tooltip)
        self._refresh_cost = time.perf_counter() - started

    def _refresh_chips(self) -> None:
        for which, chip in self.filter_chips.items():
            count = filter_count(self.model, which)
            chip.setText(f"{STATUS_FILTER_LABELS[which]} ({count})")
        self.filter_chips[StatusFilter.NEEDS_ATTENTION].setToolTip(
            "Failed tasks that were not retried, and pages read that need checking"
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
    def _on_tasks_changed(self, changes: dict[int, TaskChange]) -> None:
        current = self.current_task()
        if current is not None and current.id in changes:
            self._update_details()
        if any("status" in change.fields for change in changes.values()):
            self._request_refresh()

    @Slot(object)
    def _on_tasks_removed(self, task_ids: list[int]) -> None:
        self._refresh_chips()
        self._request_refresh()
        self._update_details()

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
            with QSignalBlocker(self.concurrency_spin):
                self.concurrency_spin.setValue(count)

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
        self._text_timer.restart()

    @Slot()
    def _apply_text_filter(self) -> None:
        self._text_timer.cancel()
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
        elif kind == "password":
            self.passwordRequested.emit(int(value))

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
