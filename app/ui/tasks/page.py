"""The Tasks page: every background task, live, with the controls to steer them."""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRectF,
    QSettings,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QHideEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
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
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QSystemTrayIcon,
    QTableView,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.models import BackgroundTask, TaskStatus, TaskType
from app.tasks.manager import ExtractionManager
from app.tasks.progress import AggregateProgress
from app.ui.tasks.model import (
    STATUS_FILTER_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    Column,
    Role,
    StatusFilter,
    TasksFilterProxyModel,
    TasksTableModel,
    elapsed_text,
    filter_count,
    local_time,
    source_label,
    task_seconds,
)
from app.ui.tasks.status_chip import StatusChipDelegate, chip_colours

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex

SETTINGS_STATUS_FILTER = "tasks/statusFilter"
SETTINGS_TEXT_FILTER = "tasks/textFilter"
SETTINGS_HEADER = "tasks/header"
SETTINGS_SPLITTER = "tasks/splitter"

#: Space left of a link's text; the delegate paints it there and the view hit-tests it.
_LINK_MARGIN = 6
#: The page text shown in the details pane is cut here (the page view shows all of it).
_MAX_PAGE_TEXT = 20_000

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


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


# -- delegates -----------------------------------------------------------------------------


class SelectionCheckDelegate(QStyledItemDelegate):
    """Paints the check column: a check box that shows whether the row is selected.

    Drawn here rather than by the style: some styles outline an unchecked box in
    nearly the colour of a dark palette's base, and the box must show on a
    selected (highlighted) row too.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        palette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        side = min(14, opt.rect.height() - 4)
        box = QRectF(0, 0, side, side)
        box.moveCenter(QRectF(opt.rect).center())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected:
            mark = palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.HighlightedText))
            painter.drawRoundedRect(box, 3, 3)
            pen = QPen(mark, 2)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            left, top = box.left(), box.top()
            painter.drawPolyline(
                [
                    QPointF(left + side * 0.22, top + side * 0.52),
                    QPointF(left + side * 0.42, top + side * 0.72),
                    QPointF(left + side * 0.78, top + side * 0.30),
                ]
            )
        else:
            border = QColor(palette.color(QPalette.ColorRole.Text))
            border.setAlphaF(0.55)
            painter.setPen(QPen(border, 1.2))
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(28, option.fontMetrics.height() + 12)


class LinkDelegate(QStyledItemDelegate):
    """Paints a cell whose Role.LINK is set as an underlined link; others as plain text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        if index.data(Role.LINK) is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Link
        font = QFont(opt.font)
        font.setUnderline(True)
        rect = opt.rect.adjusted(_LINK_MARGIN, 0, -_LINK_MARGIN, 0)
        painter.save()
        painter.setFont(font)
        painter.setPen(opt.palette.color(role))
        elided = opt.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
        painter.restore()


# -- the view ------------------------------------------------------------------------------


class TasksView(QTableView):
    """The tasks table.

    A click in the check column adds the row to the selection or takes it out,
    keeping the rest; a plain click on a link's text opens what it names.

    Signals:
        linkActivated(int, int): the column (Source or Page) and the id it links to.
    """

    linkActivated = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self._pressed_link: tuple[int, int] | None = None

    def link_at(self, pos: QPoint) -> tuple[int, int] | None:
        """(column, id) of the link whose text is under `pos` (viewport coordinates)."""
        index = self.indexAt(pos)
        if not index.isValid() or index.column() not in (Column.SOURCE, Column.PAGE):
            return None
        target = index.data(Role.LINK)
        if target is None:
            return None
        rect = self.visualRect(index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = min(self.fontMetrics().horizontalAdvance(text), rect.width() - 2 * _LINK_MARGIN)
        left = rect.left() + _LINK_MARGIN
        if left <= pos.x() <= left + width:
            return index.column(), int(target)
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier
        left = event.button() == Qt.MouseButton.LeftButton
        self._pressed_link = self.link_at(pos) if plain and left else None
        if index.isValid() and index.column() == Column.SELECT and left and plain:
            flags = (
                QItemSelectionModel.SelectionFlag.Toggle | QItemSelectionModel.SelectionFlag.Rows
            )
            self.selectionModel().setCurrentIndex(index, flags)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pressed, self._pressed_link = self._pressed_link, None
        super().mouseReleaseEvent(event)
        if pressed is not None and pressed == self.link_at(event.position().toPoint()):
            self.linkActivated.emit(*pressed)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:
            if self.link_at(event.position().toPoint()) is not None:
                self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                self.viewport().unsetCursor()

    def visible_rows(self) -> range:
        """The view rows on screen now."""
        count = self.model().rowCount() if self.model() is not None else 0
        if count == 0:
            return range(0)
        top = self.rowAt(0)
        bottom = self.rowAt(self.viewport().height() - 1)
        top = 0 if top < 0 else top
        bottom = count - 1 if bottom < 0 else bottom
        return range(top, bottom + 1)


# -- notifications -------------------------------------------------------------------------


def batch_message(progress: AggregateProgress, *, on_page: bool = False) -> tuple[str, str]:
    """The title and text of the "batch finished" notification, failures counted.

    `on_page`: for the Tasks page itself, where "open Tasks" would be odd.
    """
    finished = progress.done + progress.failed + progress.cancelled
    title = "Folio finished its tasks"
    if progress.failed:
        title += f": {progress.failed} failed"
    parts = [f"{progress.done} completed"]
    if progress.failed:
        parts.append(f"{progress.failed} failed")
    if progress.cancelled:
        parts.append(f"{progress.cancelled} cancelled")
    text = f"{plural(finished, 'task')}: {', '.join(parts)}."
    if progress.pages_done:
        text += f" {plural(progress.pages_done, 'page')} read."
    if progress.failed:
        text += (
            " Select a failed task to see why, or retry them all."
            if on_page
            else " Open Tasks to see why and retry."
        )
    return title, text


class BatchNotifier(QObject):
    """Tells the user, through the system tray, that a batch of tasks has finished.

    Signals:
        notified(str, str): the title and text of each notification.
    """

    notified = Signal(str, str)

    def __init__(self, parent: QObject | None = None, tray: QSystemTrayIcon | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._own_tray: QSystemTrayIcon | None = None

    def set_tray(self, tray: QSystemTrayIcon | None) -> None:
        """Use the application's tray icon (the main window may own one)."""
        self._tray = tray

    def tray(self) -> QSystemTrayIcon | None:
        if self._tray is not None:
            return self._tray
        if self._own_tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            icon = QGuiApplication.windowIcon()
            if icon.isNull():
                return None  # a tray icon without an image is not shown anyway
            self._own_tray = QSystemTrayIcon(icon, self)
            self._own_tray.setToolTip("Folio")
            self._own_tray.show()
        return self._own_tray

    @Slot(object)
    def batch_finished(self, progress: AggregateProgress) -> None:
        if progress.total == 0:
            return
        title, text = batch_message(progress)
        self.notified.emit(title, text)
        tray = self.tray()
        if tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Warning
                if progress.failed
                else QSystemTrayIcon.MessageIcon.Information
            )
            tray.showMessage(title, text, icon, 10_000)


# -- details ------------------------------------------------------------------------------


def task_details_html(
    task: BackgroundTask,
    page_text: str | None,
    palette: QPalette,
    now: float,
    selected: int = 1,
) -> str:
    """The details pane for one task: full error, times, attempts, the page's text."""
    esc = html.escape
    name = source_label(task) or "an unnamed document"
    if task.task_type is TaskType.IMPORT:
        heading = f"Import of {esc(name)}"
    elif task.page_number is not None:
        heading = f"Page {task.page_number} of {esc(name)}"
    else:
        heading = f"{TYPE_LABELS[task.task_type]} ({esc(name)})"
    chip = chip_colours(task.status, palette)
    status = (
        f"<span style='background:{chip.background}; color:{chip.text}'>"
        f"&nbsp;{esc(STATUS_LABELS[task.status])}&nbsp;</span>"
    )
    if task.message and task.message != STATUS_LABELS[task.status]:
        status += f"&nbsp; {esc(task.message)}"
    facts = [f"<h3 style='margin:0'>{heading}</h3>"]
    if selected > 1:
        facts.append(f"<p><i>{selected} tasks selected; this is the current one.</i></p>")
    facts.append(f"<p>{status}</p>")
    if task.error:
        error_colour = chip_colours(TaskStatus.FAILED, palette).text
        facts.append(
            f"<p style='color:{error_colour}'><b>Error:</b> "
            f"{esc(task.error).replace(chr(10), '<br>')}</p>"
        )
    rows: list[tuple[str, str]] = [("Task", f"#{task.id} · {TYPE_LABELS[task.task_type]}")]
    if task.source_id is not None:
        rows.append(("Source", f"<a href='folio:source/{task.source_id}'>{esc(name)}</a>"))
    elif name:
        rows.append(("File", esc(str(task.payload.get("path") or name))))
    if task.page_id is not None:
        rows.append(
            ("Page", f"<a href='folio:page/{task.page_id}'>Page {task.page_number or '?'}</a>")
        )
    rows.append(("Scheduled", esc(local_time(task.scheduled_at))))
    if task.started_at:
        rows.append(("Started", esc(local_time(task.started_at))))
    if task.finished_at:
        rows.append(("Finished", esc(local_time(task.finished_at))))
    seconds = task_seconds(task, now)
    if seconds is not None:
        rows.append(("Duration", esc(elapsed_text(seconds))))
    attempt = f"{task.attempt}"
    if task.retry_of is not None:
        attempt += f" (retry of task #{task.retry_of})"
    rows.append(("Attempt", attempt))
    if task.status is TaskStatus.PENDING:
        rows.append(("Priority", f"{task.priority} (higher runs first)"))
    facts.append("<table cellspacing='0' cellpadding='2'>")
    for label, value in rows:
        facts.append(f"<tr><td style='padding-right:12px'><b>{label}</b></td><td>{value}</td></tr>")
    facts.append("</table>")
    if page_text is None:
        return "\n".join(facts)
    shown = page_text[:_MAX_PAGE_TEXT]
    more = "…" if len(page_text) > len(shown) else ""
    if shown.strip():
        text = f"<pre style='white-space:pre-wrap'>{esc(shown)}{more}</pre>"
    else:
        text = "<p><i>No text was found on this page.</i></p>"
    # Facts on the left, the page's text beside them.
    return (
        "<table width='100%' cellspacing='0' cellpadding='0'><tr>"
        f"<td width='48%' valign='top' style='padding-right:16px'>{''.join(facts)}</td>"
        f"<td valign='top'><h4 style='margin-top:0'>Page text</h4>{text}</td>"
        "</tr></table>"
    )


# -- the page ------------------------------------------------------------------------------


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
