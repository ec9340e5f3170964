"""The Tasks page with real imports: chips, real buttons, exact ids, filters, links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
import shiboken6
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, QObject, QPoint, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from app.core.models import BackgroundTask, TaskChange, TaskStatus, TaskType
from app.tasks.manager import ExtractionManager
from app.ui.tasks.cells import Column, Role
from app.ui.tasks.filter import StatusFilter
from app.ui.tasks.model import TasksTableModel
from app.ui.tasks.page import TasksPage
from app.ui.tasks.status_chip import chip_colours
from tests.conftest import SAMPLES, fresh, wait_idle

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
GEOTOPO = SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf"
PDFS = [
    TRIVIAL,
    FOUR_PAGES,
    SAMPLES / "002-trivial-libre-office-writer" / "002-trivial-libre-office-writer.pdf",
    SAMPLES / "003-pdflatex-image" / "pdflatex-image.pdf",
    SAMPLES / "006-pdflatex-outline" / "pdflatex-outline.pdf",
    SAMPLES / "010-pdflatex-forms" / "pdflatex-forms.pdf",
    SAMPLES / "011-google-doc-document" / "google-doc-document.pdf",
    SAMPLES / "012-libreoffice-form" / "libreoffice-form.pdf",
]

# The offscreen platform says so whenever a top-level window's size limits change.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


# -- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "folio.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def page(qtbot: QtBot, manager: ExtractionManager, settings: QSettings) -> Iterator[TasksPage]:
    widget = TasksPage(manager, settings=settings)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    close(widget)


def close(widget: QWidget) -> None:
    """Delete a top-level widget now, on this thread.

    Left to Python's cycle collector, it could be deleted later on whichever
    thread happens to run the collection, e.g. a worker of the next test.
    """
    widget.close()
    shiboken6.delete(widget)


@pytest.fixture
def not_a_pdf(tmp_path: Path) -> Path:
    """A file whose import fails at once with a sentence."""
    fake = tmp_path / "notes.png"
    fake.write_text("these are notes, not an image\n")
    return fake


def wait_rows(qtbot: QtBot, page: TasksPage, count: int) -> None:
    page.manager.flush_now()
    qtbot.waitUntil(lambda: page.model.rowCount() == count, timeout=5000)


def button(page: TasksPage, action: object) -> QToolButton:
    widget = page.toolbar.widgetForAction(action)  # type: ignore[arg-type]
    assert isinstance(widget, QToolButton)
    return widget


def click(qtbot: QtBot, widget: QToolButton) -> None:
    assert widget.isEnabled(), f"{widget.text()!r} is disabled: {widget.toolTip()}"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def shown_ids(page: TasksPage) -> list[int]:
    """Task ids in the order the table shows them."""
    proxy = page.proxy
    return [int(proxy.index(row, 0).data(Role.TASK_ID)) for row in range(proxy.rowCount())]


def shown_column(page: TasksPage, column: Column) -> list[str]:
    proxy = page.proxy
    return [str(proxy.index(r, column).data() or "") for r in range(proxy.rowCount())]


def cell(page: TasksPage, task_id: int, column: Column) -> QModelIndex:
    row = page.model.row_of(task_id)
    assert row is not None
    index = page.proxy.mapFromSource(page.model.index(row, column))
    assert index.isValid(), f"task {task_id} is filtered out"
    return index


def click_cell(
    qtbot: QtBot,
    page: TasksPage,
    task_id: int,
    column: Column = Column.TYPE,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    pos: QPoint | None = None,
) -> None:
    index = cell(page, task_id, column)
    page.view.scrollTo(index)
    rect = page.view.visualRect(index)
    qtbot.mouseClick(
        page.view.viewport(), Qt.MouseButton.LeftButton, modifier, pos or rect.center()
    )


def chip_text(page: TasksPage, which: StatusFilter) -> str:
    return page.filter_chips[which].text()


def chip_pixel(page: TasksPage, task_id: int) -> QColor:
    """The colour inside the status chip of a task, as painted on screen."""
    index = cell(page, task_id, Column.STATUS)
    page.view.scrollTo(index)
    rect = page.view.visualRect(index)
    image = page.view.viewport().grab().toImage()
    return image.pixelColor(rect.left() + 12, rect.center().y())


def same_colour(seen: QColor, expected: str) -> bool:
    want = QColor(expected)
    return all(
        abs(a - b) <= 3
        for a, b in zip(
            (seen.red(), seen.green(), seen.blue()),
            (want.red(), want.green(), want.blue()),
            strict=True,
        )
    )


def by_name(tasks: list[BackgroundTask]) -> dict[str, int]:
    return {str(t.payload["name"]): t.id for t in tasks}


# -- the model -------------------------------------------------------------------------------


def test_model_passes_the_model_tester_while_a_real_import_runs(
    qtbot: QtBot,
    qtmodeltester: object,
    manager: ExtractionManager,
    page: TasksPage,
    not_a_pdf: Path,
) -> None:
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    qtmodeltester.check(page.proxy)  # type: ignore[attr-defined]
    manager.import_files([FOUR_PAGES, not_a_pdf, TRIVIAL])
    qtbot.waitUntil(lambda: page.model.rowCount() >= 3)
    # Sorting and filtering while tasks are added and change.
    page.view.sortByColumn(Column.STATUS, Qt.SortOrder.DescendingOrder)
    page.set_status_filter(StatusFilter.ACTIVE)
    wait_idle(qtbot, manager)
    page.set_status_filter(StatusFilter.ALL)
    page.view.sortByColumn(Column.PROGRESS, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: page.model.rowCount() == len(manager.tasks()))
    assert {t.id for t in page.model.tasks()} == {t.id for t in manager.tasks()}
    assert len(page.model.tasks()) == 3 + 4 + 1
    click(qtbot, button(page, page.clear_finished_action))
    # The failed import still needs attention: it stays; the rest goes.
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    (left,) = page.model.tasks()
    assert left.status is TaskStatus.FAILED and left.payload["name"] == not_a_pdf.name
    assert not button(page, page.clear_finished_action).isEnabled()
    assert "Failures stay until they are retried" in page.clear_finished_action.toolTip()


def test_changes_reach_the_view_as_few_narrow_data_changed_calls(
    qtbot: QtBot, manager: ExtractionManager
) -> None:
    manager.pause()
    tasks = manager.import_files(PDFS[:4])
    manager.flush_now()
    model = TasksTableModel(manager)
    calls: list[tuple[int, int, int, int, list[int]]] = []

    def record(top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        calls.append((top.row(), bottom.row(), top.column(), bottom.column(), list(roles)))

    model.dataChanged.connect(record)
    # What the manager sends when three adjacent tasks report progress.
    manager.tasksChanged.emit(
        {t.id: TaskChange(fresh(manager, t), ("message", "progress")) for t in tasks[:3]}
    )
    assert sorted(calls) == sorted(
        [
            (
                0,
                2,
                Column.STATUS,
                Column.STATUS,
                sorted([Qt.ItemDataRole.DisplayRole, Role.PROGRESS]),
            ),
            (
                0,
                2,
                Column.PROGRESS,
                Column.PROGRESS,
                sorted(
                    [
                        Qt.ItemDataRole.DisplayRole,
                        Qt.ItemDataRole.ToolTipRole,
                        Role.PROGRESS,
                        Role.SORT,
                    ]
                ),
            ),
        ]
    )
    calls.clear()
    manager.tasksChanged.emit(
        {t.id: TaskChange(fresh(manager, t), ("progress",)) for t in (tasks[0], tasks[3])}
    )
    assert {(c[0], c[1]) for c in calls} == {(0, 0), (3, 3)}  # two runs, not rows 0-3
    assert all(c[2] == c[3] for c in calls)  # one column per call


class FakeManager(QObject):
    """Just the manager's signals and task list, for the model's order property."""

    tasksAdded = Signal(object)
    tasksChanged = Signal(object)
    tasksRemoved = Signal(object)

    def __init__(self, tasks: list[BackgroundTask]) -> None:
        super().__init__()
        self._tasks = tasks

    def tasks(self) -> list[BackgroundTask]:
        return list(self._tasks)


change = st.tuples(
    st.integers(0, 39),
    st.sampled_from(list(TaskStatus)),
    st.floats(0, 1),
    st.sampled_from(["a.pdf", "B.pdf", "c.pdf"]),
)


@examples(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 40),
    column=st.sampled_from([-1, *Column]),
    descending=st.booleans(),
    changes=st.lists(st.lists(change, min_size=1, max_size=12), max_size=6),
    removed=st.sets(st.integers(0, 39), max_size=8),
    throttled=st.booleans(),
)
def test_rows_stay_sorted_and_findable_through_changes(
    qapp: QApplication,
    count: int,
    column: int,
    descending: bool,
    changes: list[list[tuple[int, TaskStatus, float, str]]],
    removed: set[int],
    throttled: bool,
) -> None:
    stamp = "2026-01-01T00:00:00.000+00:00"
    tasks = [
        BackgroundTask(i + 1, TaskType.TEXT_EXTRACTION, TaskStatus.PENDING, stamp, page_number=i)
        for i in range(count)
    ]
    fake = FakeManager(tasks[: count // 2])
    model = TasksTableModel(cast(ExtractionManager, fake))
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    model.sort(column, order)
    if throttled:  # as if moving rows one by one were dear: they wait for a re-sort
        model._move_cost = 1.0
    fake.tasksAdded.emit(tasks[count // 2 :])

    def check() -> None:
        assert sorted(t.id for t in model.tasks()) == [t.id for t in tasks if t.id in present]
        for row, task in enumerate(model.tasks()):
            assert model.row_of(task.id) == row
        assert sum(model.counts().values()) == len(present)
        for status in TaskStatus:
            assert model.counts()[status] == sum(
                1 for t in tasks if t.id in present and t.status is status
            )

    present = {t.id for t in tasks}
    check()
    for burst in changes:
        sent: dict[int, TaskChange] = {}
        for index, status, progress, name in burst:
            task = tasks[index % count]
            task.status, task.progress, task.source_name = status, progress, name
            sent[task.id] = TaskChange(task.snapshot(), ("progress", "source_name", "status"))
        fake.tasksChanged.emit(sent)
        check()
    gone = sorted({tasks[i % count].id for i in removed})
    fake.tasksRemoved.emit(gone)
    present -= set(gone)
    check()
    model._resort()  # what the throttled re-sort does: the real keys, in order
    keys = [model._key(t) for t in model.tasks()]
    assert keys == sorted(keys, reverse=descending and column >= 0)
    shiboken6.delete(model)


# -- chips -------------------------------------------------------------------------------


def test_chips_show_the_right_status_as_a_real_import_runs(
    qtbot: QtBot,
    manager: ExtractionManager,
    page: TasksPage,
    scanned_pdf: Path,
    not_a_pdf: Path,
) -> None:
    palette = page.view.palette()
    (scan,) = manager.import_files([scanned_pdf])
    # The scan has no text layer: its page is read by OCR, which takes a moment.
    qtbot.waitUntil(
        lambda: any(
            t.task_type is TaskType.TEXT_EXTRACTION and t.status is TaskStatus.IN_PROGRESS
            for t in page.model.tasks()
        ),
        timeout=30_000,
    )
    (ocr,) = [t for t in page.model.tasks() if t.task_type is TaskType.TEXT_EXTRACTION]
    manager.flush_now()
    assert cell(page, ocr.id, Column.STATUS).data().startswith("In progress")
    blue = chip_colours(TaskStatus.IN_PROGRESS, palette)
    pixel = chip_pixel(page, ocr.id)
    assert same_colour(pixel, blue.background) or same_colour(pixel, blue.fill), pixel.name()
    assert cell(page, scan.id, Column.STATUS).data() == "Completed"
    assert same_colour(
        chip_pixel(page, scan.id), chip_colours(TaskStatus.COMPLETED, palette).background
    )

    (bad,) = manager.import_files([not_a_pdf])
    wait_idle(qtbot, manager)
    qtbot.waitUntil(lambda: cell(page, ocr.id, Column.STATUS).data() == "Completed")
    green = chip_colours(TaskStatus.COMPLETED, palette).background
    assert same_colour(chip_pixel(page, ocr.id), green)
    assert cell(page, bad.id, Column.STATUS).data() == "Failed"
    assert same_colour(
        chip_pixel(page, bad.id), chip_colours(TaskStatus.FAILED, palette).background
    )
    assert "not a PDF or an image" in cell(page, bad.id, Column.PROGRESS).data()


# -- selection and cancelling ----------------------------------------------------------------


def test_cancel_selected_cancels_exactly_those_ids_after_sorting_and_filtering(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    manager.pause()
    tasks = manager.import_files(PDFS)
    names = by_name(tasks)
    wait_rows(qtbot, page, len(PDFS))
    # Sort by source, descending, with the header like a user.
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(Column.SOURCE) + 10
    for _ in range(2):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert header.sortIndicatorSection() == Column.SOURCE
    assert shown_column(page, Column.SOURCE) == sorted(names, key=str.casefold, reverse=True)
    # Filter to the pdflatex documents.
    qtbot.keyClicks(page.text_filter, "PDFLATEX")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 4)
    shown = shown_column(page, Column.SOURCE)
    assert all("pdflatex" in name for name in shown)
    # Select the first and third row shown (ctrl-click), then cancel through the button.
    first, third = names[shown[0]], names[shown[2]]
    click_cell(qtbot, page, first)
    click_cell(qtbot, page, third, modifier=Qt.KeyboardModifier.ControlModifier)
    assert sorted(page.selected_task_ids()) == sorted([first, third])
    cancel = button(page, page.cancel_selected_action)
    assert cancel.text() == "Cancel selected (2)"
    click(qtbot, cancel)
    cancelled = {t.id for t in manager.tasks() if t.status is TaskStatus.CANCELLED}
    assert cancelled == {first, third}
    assert all(t.status is TaskStatus.PENDING for t in manager.tasks() if t.id not in cancelled)
    assert page.status_line.text() == "Cancelled 2 tasks."

    # A selection mixing a cancelled task with a pending one: the button says what it can do.
    second = names[shown[1]]
    click_cell(qtbot, page, first)
    click_cell(qtbot, page, second, modifier=Qt.KeyboardModifier.ControlModifier)
    assert cancel.text() == "Cancel selected (1)"
    assert "1 of the selected have already finished" in cancel.toolTip()
    click(qtbot, cancel)
    assert manager.get(second).status is TaskStatus.CANCELLED  # type: ignore[union-attr]
    assert page.status_line.text() == (
        "Cancelled 1 task; 1 could not be cancelled (1 already cancelled)."
    )
    # Sorting again keeps the selection on the same tasks (ids, not rows).
    page.view.sortByColumn(Column.SCHEDULED, Qt.SortOrder.AscendingOrder)
    assert sorted(page.selected_task_ids()) == sorted([first, second])


def test_selected_tasks_stay_selected_when_they_move_in_a_sorted_view(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    manager.pause()
    tasks = manager.import_files(PDFS[:5])
    wait_rows(qtbot, page, 5)
    page.view.sortByColumn(Column.STATUS, Qt.SortOrder.DescendingOrder)
    chosen = [tasks[1].id, tasks[3].id]
    click_cell(qtbot, page, chosen[0])
    click_cell(qtbot, page, chosen[1], modifier=Qt.KeyboardModifier.ControlModifier)
    click(qtbot, button(page, page.cancel_selected_action))
    manager.flush_now()
    # Cancelled sorts before pending when descending: both moved to the top rows...
    assert shown_ids(page)[:2] == sorted(chosen, reverse=True)
    # ...and are still the selection (and the current task keeps its details).
    assert sorted(page.selected_task_ids()) == sorted(chosen)
    current = page.current_task()
    assert current is not None and current.id == chosen[1]
    assert "Cancelled" in page.details.toPlainText()


def test_check_column_adds_and_removes_rows_and_ctrl_a_selects_all(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    manager.pause()
    tasks = manager.import_files(PDFS[:4])
    wait_rows(qtbot, page, 4)
    ids = [t.id for t in tasks]
    click_cell(qtbot, page, ids[0], Column.SELECT)
    click_cell(qtbot, page, ids[2], Column.SELECT)
    assert page.selected_task_ids() == [ids[0], ids[2]]
    click_cell(qtbot, page, ids[0], Column.SELECT)
    assert page.selected_task_ids() == [ids[2]]
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert page.selected_task_ids() == ids
    assert button(page, page.cancel_selected_action).text() == "Cancel selected (4)"


def test_delete_key_cancels_the_selection(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    manager.pause()
    tasks = manager.import_files(PDFS[:3])
    wait_rows(qtbot, page, 3)
    click_cell(qtbot, page, tasks[1].id)
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    assert [fresh(manager, t).status for t in tasks] == [
        TaskStatus.PENDING,
        TaskStatus.CANCELLED,
        TaskStatus.PENDING,
    ]


def test_cancel_all_after_confirming_leaves_no_active_task(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    manager.set_concurrency(2)
    manager.import_files([GEOTOPO, FOUR_PAGES, *PDFS[2:5]])
    qtbot.waitUntil(lambda: page.model.counts()[TaskStatus.IN_PROGRESS] > 0, timeout=30_000)
    asked: list[tuple[str, int]] = []

    def decline(question: str) -> bool:
        asked.append((question, page.model.active_count))
        return False

    page.confirm = decline
    click(qtbot, button(page, page.cancel_all_action))
    question, active = asked[0]
    assert question == f"Cancel all {active} active tasks?"
    assert not any(t.status is TaskStatus.CANCELLED for t in manager.tasks())

    # Now the real dialog, answered with its "Cancel tasks" button.
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        (yes,) = [b for b in box.buttons() if b.text() == "Cancel tasks"]
        yes.click()

    page.confirm = None  # the standard dialog
    QTimer.singleShot(0, answer)
    click(qtbot, button(page, page.cancel_all_action))
    assert seen and re.fullmatch(r"Cancel all \d+ active tasks\?", seen[0])
    assert not [t for t in manager.tasks() if t.status.is_active]
    wait_idle(qtbot, manager)
    assert not [t for t in manager.tasks() if t.status.is_active]
    qtbot.waitUntil(lambda: chip_text(page, StatusFilter.ACTIVE) == "Active (0)")
    assert not button(page, page.cancel_all_action).isEnabled()
    assert button(page, page.cancel_all_action).toolTip() == "No task is pending or in progress."


def test_buttons_say_why_they_are_disabled(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    for action in (
        page.cancel_selected_action,
        page.retry_action,
        page.move_to_top_action,
        page.retry_failed_action,
        page.cancel_all_action,
        page.clear_finished_action,
    ):
        assert not button(page, action).isEnabled()
        assert button(page, action).toolTip()
    assert button(page, page.cancel_selected_action).toolTip() == (
        "Select pending or in-progress tasks to cancel them."
    )
    (task,) = manager.import_files([TRIVIAL])
    wait_idle(qtbot, manager)
    click_cell(qtbot, page, task.id)
    cancel = button(page, page.cancel_selected_action)
    assert not cancel.isEnabled()
    assert "have finished" in cancel.toolTip()
    assert "only failed or cancelled" in button(page, page.retry_action).toolTip()
    assert button(page, page.clear_finished_action).isEnabled()


# -- filters -------------------------------------------------------------------------------


def test_filter_chips_count_right_and_filter(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage, not_a_pdf: Path
) -> None:
    done, bad = manager.import_files([TRIVIAL, not_a_pdf])
    wait_idle(qtbot, manager)
    manager.pause()
    waiting, dropped = manager.import_files(PDFS[1:3])
    manager.cancel(dropped.id)
    wait_rows(qtbot, page, 5)  # two imports, a page task, two more imports
    expected = {
        StatusFilter.ALL: "All (5)",
        StatusFilter.ACTIVE: "Active (1)",
        StatusFilter.NEEDS_ATTENTION: "Needs attention (1)",
        StatusFilter.COMPLETED: "Completed (2)",
        StatusFilter.CANCELLED: "Cancelled (1)",
    }
    qtbot.waitUntil(lambda: {w: chip_text(page, w) for w in StatusFilter} == expected)
    page_task = next(t for t in manager.tasks() if t.task_type is TaskType.TEXT_EXTRACTION)

    def show(which: StatusFilter) -> set[int]:
        click(qtbot, page.filter_chips[which])
        return set(shown_ids(page))

    assert show(StatusFilter.NEEDS_ATTENTION) == {bad.id}
    assert show(StatusFilter.ACTIVE) == {waiting.id}
    assert show(StatusFilter.COMPLETED) == {done.id, page_task.id}
    assert show(StatusFilter.CANCELLED) == {dropped.id}
    assert show(StatusFilter.ALL) == {done.id, bad.id, waiting.id, dropped.id, page_task.id}
    # The text filter looks at source names and errors.
    qtbot.keyClicks(page.text_filter, "minimal")
    qtbot.waitUntil(lambda: set(shown_ids(page)) == {done.id, page_task.id})
    page.text_filter.clear()
    qtbot.keyClicks(page.text_filter, "not a pdf or an image")
    qtbot.waitUntil(lambda: set(shown_ids(page)) == {bad.id})
    page.text_filter.clear()
    qtbot.waitUntil(lambda: len(shown_ids(page)) == 5)
    # A task changing status moves between the counts (and out of a filtered view).
    click(qtbot, page.filter_chips[StatusFilter.ACTIVE])
    manager.cancel(waiting.id)
    manager.flush_now()
    assert chip_text(page, StatusFilter.ACTIVE) == "Active (0)"
    assert chip_text(page, StatusFilter.CANCELLED) == "Cancelled (2)"
    assert shown_ids(page) == []


def test_sorting_works_on_every_column(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage, not_a_pdf: Path
) -> None:
    manager.import_files([FOUR_PAGES, not_a_pdf, TRIVIAL])
    wait_idle(qtbot, manager)
    wait_rows(qtbot, page, len(manager.tasks()))
    for column in Column:
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            page.view.sortByColumn(column, order)
            proxy = page.proxy
            keys = [proxy.index(r, column).data(Role.SORT) for r in range(proxy.rowCount())]
            assert keys == sorted(keys, reverse=order is Qt.SortOrder.DescendingOrder), column
    page.view.sortByColumn(Column.PAGE, Qt.SortOrder.DescendingOrder)
    assert shown_column(page, Column.PAGE)[:4] == ["Page 4", "Page 3", "Page 2", "Page 1"]


def test_remembers_filter_and_column_layout(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage, settings: QSettings
) -> None:
    click(qtbot, page.filter_chips[StatusFilter.COMPLETED])
    qtbot.keyClicks(page.text_filter, "report")
    header = page.view.horizontalHeader()
    header.setSectionHidden(Column.SCHEDULED, True)
    header.resizeSection(Column.SOURCE, 333)
    page.view.sortByColumn(Column.STATUS, Qt.SortOrder.DescendingOrder)
    page.close()

    again = TasksPage(manager, settings=settings)
    assert again.filter_chips[StatusFilter.COMPLETED].isChecked()
    assert again.proxy.status_filter is StatusFilter.COMPLETED
    assert again.text_filter.text() == "report"
    header = again.view.horizontalHeader()
    assert header.isSectionHidden(Column.SCHEDULED)
    assert header.sectionSize(Column.SOURCE) == 333
    assert header.sortIndicatorSection() == Column.STATUS
    assert header.sortIndicatorOrder() is Qt.SortOrder.DescendingOrder
    close(again)


# -- more control --------------------------------------------------------------------------


def test_retry_selected_and_retry_all_failed(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage, not_a_pdf: Path, tmp_path: Path
) -> None:
    other = tmp_path / "scan.jpg"
    other.write_text("not a JPEG either\n")
    first, second = manager.import_files([not_a_pdf, other])
    wait_idle(qtbot, manager)
    qtbot.waitUntil(lambda: chip_text(page, StatusFilter.NEEDS_ATTENTION) == "Needs attention (2)")
    click_cell(qtbot, page, first.id)
    retry = button(page, page.retry_action)
    assert retry.text() == "Retry (1)"
    click(qtbot, retry)
    (again,) = [t for t in manager.tasks() if t.retry_of == first.id]
    assert again.attempt == 2
    wait_idle(qtbot, manager)
    wait_rows(qtbot, page, 3)
    # The first failure was retried: what needs attention now is its retry and the second.
    assert chip_text(page, StatusFilter.NEEDS_ATTENTION) == "Needs attention (2)"
    click(qtbot, page.filter_chips[StatusFilter.NEEDS_ATTENTION])
    assert set(shown_ids(page)) == {again.id, second.id}
    retry_all = button(page, page.retry_failed_action)
    assert retry_all.text() == "Retry all failed (2)"
    click(qtbot, retry_all)
    retried = {t.retry_of for t in manager.tasks() if t.retry_of is not None}
    assert retried == {first.id, again.id, second.id}
    wait_idle(qtbot, manager)
    assert page.status_line.text().startswith("Folio finished its tasks: 2 failed.")
    # New work makes "finished" untrue: the line goes.
    manager.import_files([TRIVIAL])
    manager.flush_now()
    assert page.status_line.text() == ""
    wait_idle(qtbot, manager)


def test_move_to_top_runs_the_task_next(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    manager.set_concurrency(1)
    manager.pause()
    tasks = manager.import_files(PDFS[:4])
    wait_rows(qtbot, page, 4)
    last = tasks[-1]
    click_cell(qtbot, page, last.id)
    click(qtbot, button(page, page.move_to_top_action))
    assert page.status_line.text() == "Moved 1 task to the front of the queue."
    pause = button(page, page.pause_action)
    assert pause.text() == "Resume"
    click(qtbot, pause)
    assert pause.text() == "Pause"
    wait_idle(qtbot, manager)
    imports = sorted((fresh(manager, t) for t in tasks), key=lambda t: t.started_at or "")
    assert imports[0].id == last.id


def test_pause_and_tasks_at_once(qtbot: QtBot, manager: ExtractionManager, page: TasksPage) -> None:
    pause = button(page, page.pause_action)
    click(qtbot, pause)
    assert manager.paused and pause.text() == "Resume"
    assert "Paused" in page.summary_label.text()
    spin = page.concurrency_spin
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "3")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert manager.concurrency == 3
    manager.set_concurrency(2)  # e.g. from the settings dialog
    assert spin.value() == 2
    click(qtbot, pause)
    assert not manager.paused and pause.text() == "Pause"


def test_clear_finished_keeps_the_history(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage
) -> None:
    manager.import_files([TRIVIAL])
    wait_idle(qtbot, manager)
    wait_rows(qtbot, page, 2)
    click(qtbot, button(page, page.clear_finished_action))
    wait_rows(qtbot, page, 0)
    assert chip_text(page, StatusFilter.ALL) == "All (0)"
    assert "the library keeps their history" in page.status_line.text()
    assert len(manager.history()) == 2
    # The cleared ones can come back, also after a restart (the library counts them).
    assert manager.library.hidden_task_count() == 2
    show = button(page, page.show_cleared_action)
    assert show.text() == "Show cleared (2)"
    click(qtbot, show)
    wait_rows(qtbot, page, 2)
    assert {t.status for t in page.model.tasks()} == {TaskStatus.COMPLETED}
    assert not show.isEnabled() and show.text() == "Show cleared"
    assert manager.library.hidden_task_count() == 0
    assert "Showing 2 cleared tasks again" in page.status_line.text()


def test_details_show_the_full_error_times_and_the_page_text(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage, not_a_pdf: Path
) -> None:
    bad, _ = manager.import_files([not_a_pdf, TRIVIAL])
    wait_idle(qtbot, manager)
    wait_rows(qtbot, page, 3)
    bad = fresh(manager, bad)
    click_cell(qtbot, page, bad.id)
    text = page.details.toPlainText()
    assert bad.error is not None and bad.error in text
    assert "Attempt" in text and "Started" in text and "Finished" in text
    assert re.search(r"Duration\s+(< 0\.1 s|\d+\.\d s)", text), text
    (page_task,) = [t for t in manager.tasks() if t.task_type is TaskType.TEXT_EXTRACTION]
    click_cell(qtbot, page, page_task.id)
    stored = manager.library.page(page_task.page_id or 0)
    assert stored is not None and stored.text
    words = " ".join(stored.text.split()[:4])
    assert words in " ".join(page.details.toPlainText().split())
    # Copy error puts the full sentence on the clipboard.
    click_cell(qtbot, page, bad.id)
    page.copy_error_action.trigger()
    assert QGuiApplication.clipboard().text() == bad.error


def test_links_navigate(qtbot: QtBot, manager: ExtractionManager, page: TasksPage) -> None:
    (imp,) = manager.import_files([TRIVIAL])
    wait_idle(qtbot, manager)
    wait_rows(qtbot, page, 2)
    imp = fresh(manager, imp)
    (text_task,) = [t for t in manager.tasks() if t.task_type is TaskType.TEXT_EXTRACTION]
    assert text_task.source_id is not None and text_task.page_id is not None

    def link_pos(task_id: int, column: Column) -> QPoint:
        rect = page.view.visualRect(cell(page, task_id, column))
        return QPoint(rect.left() + 10, rect.center().y())

    with qtbot.waitSignal(page.openSourceRequested) as source:
        click_cell(
            qtbot, page, text_task.id, Column.SOURCE, pos=link_pos(text_task.id, Column.SOURCE)
        )
    assert source.args == [text_task.source_id]
    with qtbot.waitSignal(page.openPageRequested) as opened:
        click_cell(qtbot, page, text_task.id, Column.PAGE, pos=link_pos(text_task.id, Column.PAGE))
    assert opened.args == [text_task.page_id]
    with qtbot.waitSignal(page.openSourceRequested) as source:
        click_cell(qtbot, page, imp.id, Column.SOURCE, pos=link_pos(imp.id, Column.SOURCE))
    assert source.args == [imp.source_id]
    # The context menu and the details pane offer the same.
    menu = page.context_menu(text_task.id)
    with qtbot.waitSignal(page.openPageRequested) as opened:
        page.open_page_action.trigger()
    assert opened.args == [text_task.page_id]
    menu.close()
    with qtbot.waitSignal(page.openSourceRequested) as source:
        page.details.anchorClicked.emit(QUrl(f"folio:source/{text_task.source_id}"))
    assert source.args == [text_task.source_id]


# -- at a glance ---------------------------------------------------------------------------


class RecordingTray(QSystemTrayIcon):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, text: str, *args: object) -> None:  # type: ignore[override]
        self.messages.append((title, text))


def test_badge_and_batch_notification_count_failures(
    qtbot: QtBot, manager: ExtractionManager, page: TasksPage, not_a_pdf: Path
) -> None:
    badges: list[tuple[int, int]] = []
    page.badgeChanged.connect(lambda active, failed: badges.append((active, failed)))
    tray = RecordingTray()
    page.notifier.set_tray(tray)
    manager.pause()
    manager.import_files([TRIVIAL, not_a_pdf])
    qtbot.waitUntil(lambda: badges[-1:] == [(2, 0)])
    with qtbot.waitSignal(page.notifier.notified, timeout=30_000) as note:
        manager.resume()
    title, text = note.args
    assert title == "Folio finished its tasks: 1 failed"
    assert text == "3 tasks: 2 completed, 1 failed. 1 page read. Open Tasks to see why and retry."
    assert tray.messages == [(title, text)]
    qtbot.waitUntil(lambda: badges[-1] == (0, 1))  # the last changes arrive just after
    assert page.badge_counts() == (0, 1)
