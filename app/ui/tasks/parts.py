"""What the parts of the Tasks page share: declared once, so each part type-checks alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint, QSettings, QTimer, SignalInstance
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import (
        QButtonGroup,
        QLabel,
        QLineEdit,
        QSpinBox,
        QSplitter,
        QTextBrowser,
        QToolBar,
        QToolButton,
    )

    from app.core.models import BackgroundTask
    from app.tasks.manager import ExtractionManager
    from app.ui.common.coalesce import Coalescer
    from app.ui.tasks.filter import StatusFilter, TasksFilterProxyModel
    from app.ui.tasks.model import TasksTableModel
    from app.ui.tasks.notify import BatchNotifier
    from app.ui.tasks.view import TasksView


class TasksPageParts(QWidget):
    """The base of TasksPage's parts (layout, memory, commands, menus): nothing at run
    time but a QWidget; for the type checker, the page's widgets and methods."""

    if TYPE_CHECKING:
        openSourceRequested: SignalInstance
        openPageRequested: SignalInstance
        passwordRequested: SignalInstance
        manager: ExtractionManager
        settings: QSettings
        confirm: Callable[[str], bool] | None
        notifier: BatchNotifier
        model: TasksTableModel
        proxy: TasksFilterProxyModel
        view: TasksView
        splitter: QSplitter
        details: QTextBrowser
        status_line: QLabel
        summary_label: QLabel
        text_filter: QLineEdit
        toolbar: QToolBar
        filter_chips: dict[StatusFilter, QToolButton]
        chip_group: QButtonGroup
        concurrency_spin: QSpinBox
        _save_timer: Coalescer
        _say_timer: QTimer
        _text_timer: Coalescer
        _refresh_timer: QTimer
        _clock: QTimer
        _context_task: int | None
        cancel_selected_action: QAction
        cancel_all_action: QAction
        retry_action: QAction
        retry_failed_action: QAction
        move_to_top_action: QAction
        pause_action: QAction
        clear_finished_action: QAction
        show_cleared_action: QAction
        open_source_action: QAction
        open_page_action: QAction
        copy_error_action: QAction
        enter_password_action: QAction
        # methods of the page and of the other parts
        say: Callable[..., None]
        selected_tasks: Callable[[], list[BackgroundTask]]
        selected_task_ids: Callable[[], list[int]]
        current_task: Callable[[], BackgroundTask | None]
        _request_refresh: Callable[[], None]
        _refresh_actions: Callable[[], None]
        _apply_text_filter: Callable[[], None]
        _apply_default_columns: Callable[[], None]
        save_state: Callable[[], None]
        _schedule_save: Callable[[], None]
        _forget_said: Callable[[], None]
        _target_task: Callable[[], BackgroundTask | None]
        _tick: Callable[[], None]
        _show_context_menu: Callable[[QPoint], None]
        _show_header_menu: Callable[[QPoint], None]
        set_status_filter: Callable[[StatusFilter], None]
        cancel_selected: Callable[[], None]
        cancel_all: Callable[[], None]
        retry_selected: Callable[[], None]
        retry_all_failed: Callable[[], None]
        move_to_top: Callable[[], None]
        toggle_paused: Callable[[], None]
        clear_finished: Callable[[], None]
        show_cleared: Callable[[], None]
        open_source: Callable[[], None]
        open_page: Callable[[], None]
        copy_error: Callable[[], None]
        enter_password: Callable[[], None]
