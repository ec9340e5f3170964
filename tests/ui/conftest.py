"""The window as the launcher builds it, for the ui tests that share it (names start `ui_`,
so the modules with fixtures of their own keep them)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.ui.common.theme import apply_theme
from app.ui.shell.launcher import Session, open_session
from app.ui.shell.main_window import MainWindow


@pytest.fixture(scope="session")
def ui_session_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop attached to pytest-qt's Qt event loop, closed at the end of the session."""
    event_loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    event_loop.stop()
    event_loop.close()  # joins the threads of asyncio.to_thread
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def ui_loop(ui_session_loop: qasync.QEventLoop) -> Iterator[qasync.QEventLoop]:
    asyncio.set_event_loop(ui_session_loop)
    asyncio.events._set_running_loop(ui_session_loop)
    yield ui_session_loop
    for task in asyncio.all_tasks(ui_session_loop):
        task.cancel()


@pytest.fixture
def ui_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "folio.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def ui_library(library_dir: Path) -> Library:
    library = Library(library_dir)
    library.acquire_writer_lock()
    return library


@pytest.fixture
def ui_session(
    qtbot: QtBot, ui_loop: qasync.QEventLoop, ui_library: Library, ui_settings: QSettings
) -> Iterator[Session]:
    s = open_session(ui_library, ui_settings)
    s.window.confirm_quit = lambda active: True
    s.window.show()
    qtbot.waitExposed(s.window)
    s.window.activateWindow()
    yield s
    s.window.close()
    s.close()
    apply_theme(QApplication.instance(), "system")  # type: ignore[arg-type]
    assert s.manager.pool.activeThreadCount() == 0, "pool work left running"
    assert s.window.renderer.pool.activeThreadCount() == 0, "rendering left running"


@pytest.fixture
def ui_window(ui_session: Session) -> MainWindow:
    return ui_session.window
