"""What a user met in an hour of real use, driven on the real window offscreen: the View
menu and its shortcuts, the theme, the status bar through an import and a re-OCR, local
times in the task details."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from app.core.models import TaskStatus
from app.tasks.manager import ExtractionManager
from app.ui.shell.launcher import Session
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sidebar import Section
from tests.conftest import SAMPLES, fresh, wait_idle

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"

# The offscreen platform says so when a menu pops up or a window's size limits change.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"
)


# -- fixtures --------------------------------------------------------------------------------


# The window as the launcher builds it (tests/ui/conftest.py), under the names used here.


@pytest.fixture
def settings(ui_settings: QSettings) -> QSettings:
    return ui_settings


@pytest.fixture
def session(ui_session: Session) -> Session:
    return ui_session


@pytest.fixture
def window(ui_window: MainWindow) -> MainWindow:
    return ui_window


@pytest.fixture
def manager(ui_session: Session) -> ExtractionManager:
    return ui_session.manager


def choose_from_menu(qtbot: QtBot, menu: QMenu, text: str) -> None:
    """Open `menu` and click the entry `text` with the mouse, as a user does."""
    menu.popup(menu.parentWidget().mapToGlobal(QPoint(0, 0)) if menu.parentWidget() else QPoint())
    qtbot.waitExposed(menu)
    action = next(a for a in menu.actions() if a.text() == text)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=5000)


# -- 1. the View menu and the theme ----------------------------------------------------------


def test_ctrl_1_2_3_and_the_view_menu_open_the_section_named(
    qtbot: QtBot, window: MainWindow
) -> None:
    keys = {
        Section.LIBRARY: Qt.Key.Key_1,
        Section.SEARCH: Qt.Key.Key_2,
        Section.TASKS: Qt.Key.Key_3,
    }
    # From every page to every page, by the keyboard.
    for start in Section:
        for target, key in keys.items():
            window.show_section(start)
            window.sources_view.view.setFocus()
            QTest.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
            assert window.stack.currentIndex() == int(target), (start, target)
            assert window.sidebar.section() is target
    # And with the mouse through the View menu.
    for start in Section:
        for target, label in (
            (Section.SEARCH, "Search"),
            (Section.TASKS, "Tasks"),
            (Section.LIBRARY, "Library"),
        ):
            window.show_section(start)
            choose_from_menu(qtbot, window.menus["view"], label)
            assert window.stack.currentIndex() == int(target), (start, label)
            assert window.sidebar.section() is target


def test_appearance_dark_darkens_the_window_at_once_and_stores_the_name(
    qtbot: QtBot, window: MainWindow, settings: QSettings
) -> None:
    role = QPalette.ColorRole.Window
    light_before = QApplication.palette().color(role).lightness()
    appearance = next(a.menu() for a in window.menus["view"].actions() if a.text() == "Appearance")
    assert isinstance(appearance, QMenu)
    choose_from_menu(qtbot, appearance, "Dark")
    assert window.theme_actions["dark"].isChecked()
    assert QApplication.palette().color(role).lightness() < 60 < light_before
    # The window itself, and a table on a page not shown, follow within the event loop.
    qtbot.waitUntil(lambda: window.palette().color(role).lightness() < 60, timeout=2000)
    view = window.tasks_page.view
    qtbot.waitUntil(lambda: view.palette().color(QPalette.ColorRole.Base).lightness() < 60)
    settings.sync()
    assert settings.value("window/theme") == "dark"
    assert Path(settings.fileName()).read_text().count("theme=dark") == 1
    choose_from_menu(qtbot, appearance, "Light")
    assert QApplication.palette().color(role).lightness() > 180
    qtbot.waitUntil(lambda: window.palette().color(role).lightness() > 180, timeout=2000)
    settings.sync()
    assert "theme=light" in Path(settings.fileName()).read_text()


# -- 2. the status bar and the task details -----------------------------------------------------


def test_status_bar_follows_the_import_to_its_end(
    qtbot: QtBot, window: MainWindow, manager: ExtractionManager
) -> None:
    bar = window.statusBar()
    window.import_paths([str(TRIVIAL), str(FOUR_PAGES)])
    qtbot.waitUntil(lambda: "Importing 2 documents." in bar.currentMessage(), timeout=10_000)
    wait_idle(qtbot, manager, started=True)
    # Done: nothing says it is still importing, and the indicator says it is over.
    qtbot.waitUntil(lambda: "Importing" not in bar.currentMessage(), timeout=2000)
    assert window.indicator.text() != "Importing"
    assert "No tasks running" not in window.indicator.text() or not manager.tasks()


def test_status_bar_shows_a_re_ocr_while_it_runs(
    qtbot: QtBot, window: MainWindow, manager: ExtractionManager
) -> None:
    window.import_paths([str(FOUR_PAGES)])
    wait_idle(qtbot, manager, started=True)
    source = window.library.sources()[0]
    window.open_source(source.id)
    viewer = window.document_view.viewer
    qtbot.waitUntil(lambda: viewer.page is not None and viewer.rerun_button.isEnabled())
    viewer.choose_language = lambda current: "eng"
    qtbot.mouseClick(viewer.rerun_button, Qt.MouseButton.LeftButton)
    assert viewer.task is not None
    task = viewer.task
    # Every moment the page is waiting or being read, the status bar says work is on.
    while fresh(manager, task).status.is_active:
        assert window.indicator.text() != "No tasks running"
        assert window.indicator.spinner.is_spinning()
        qtbot.wait(10)
    assert fresh(manager, task).status is TaskStatus.COMPLETED
    wait_idle(qtbot, manager)
    qtbot.waitUntil(lambda: window.indicator.text().startswith("Finished: 1 page read"))
    assert not window.indicator.spinner.is_spinning()


@pytest.fixture
def berlin() -> Iterator[None]:
    """The process in Berlin's time zone (UTC+1 in winter, +2 in summer) for one test."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_task_details_show_times_in_the_local_time_zone(
    qtbot: QtBot, window: MainWindow, manager: ExtractionManager, berlin: None
) -> None:
    window.import_paths([str(TRIVIAL)])
    wait_idle(qtbot, manager, started=True)
    page = window.tasks_page
    window.section_actions[Section.TASKS].trigger()
    task = next(t for t in manager.tasks() if t.page_id is not None)
    assert task.started_at and task.started_at.endswith("+00:00")  # stored in UTC
    page.select_tasks([task.id])
    details = page.details.toPlainText()
    started = datetime.fromisoformat(task.started_at)
    berlin_hour = started.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
    utc_hour = started.astimezone(UTC).strftime("%H:%M")
    assert berlin_hour != utc_hour
    lines = details.splitlines()
    shown = lines[lines.index("Started") + 1]
    assert f"{berlin_hour}:" in shown, shown
    assert f"{utc_hour}:" not in shown and "UTC" not in shown, shown
