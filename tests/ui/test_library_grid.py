"""The Library as a grid of first pages, in the real window: the same selection as the list,
thumbnails drawn only for the tiles on screen, Enter and double-click open a document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.ui.library.sources_grid import SETTINGS_VIEW, LibraryView, SourcesGrid, ViewToggle
from app.ui.library.sources_model import Column
from app.ui.library.sources_view import SourcesView
from app.ui.shell.main_window import MainWindow
from tests.conftest import SAMPLES

PDF = SAMPLES / "001-trivial" / "minimal-document.pdf"


def add_pdfs(library: Library, folder: Path, count: int) -> None:
    """`count` real one-page PDFs in the library, each of its own content."""
    folder.mkdir(parents=True, exist_ok=True)
    base = PDF.read_bytes()
    for n in range(count):
        path = folder / f"document {n:03}.pdf"
        path.write_bytes(base + f"\n% copy {n}\n".encode())
        stored = library.store.add(path)
        with library.transaction() as db:
            library.add_source(
                sha256=stored.sha256,
                name=path.name,
                original_path=str(path),
                kind="pdf",
                size=stored.size,
                page_count=1,
                db=db,
            )


@pytest.fixture
def documents(ui_library: Library, tmp_path: Path) -> int:
    add_pdfs(ui_library, tmp_path / "docs", 120)
    return 120


def grid_of(window: MainWindow) -> SourcesGrid:
    return window.sources_view.grid


def show_grid(qtbot: QtBot, view: SourcesView) -> SourcesGrid:
    view.view_toggle.buttons[LibraryView.GRID].click()
    qtbot.waitUntil(view.grid.isVisible)
    return view.grid


def selected_names(view: SourcesView) -> set[str]:
    return {s.name for i in view.selected_ids() if (s := view.model.source(i)) is not None}


def test_switching_views_keeps_the_selection_and_is_remembered(
    qtbot: QtBot, documents: int, ui_window: MainWindow, ui_settings: QSettings
) -> None:
    view = ui_window.sources_view
    assert view.views.currentWidget() is view.view  # the list, at first
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (1, 3):
        view.view.selectionModel().select(view.proxy.index(row, Column.NAME), flags)
    chosen = selected_names(view)
    assert len(chosen) == 2
    grid = show_grid(qtbot, view)
    assert not view.view.isVisible()
    assert ui_settings.value(SETTINGS_VIEW) == "grid"
    assert {grid.source_at(i).name for i in grid.selectedIndexes()} == chosen  # type: ignore[union-attr]
    # Chosen in the grid, seen in the list.
    qtbot.mouseClick(
        grid.viewport(),
        Qt.MouseButton.LeftButton,
        pos=grid.visualRect(view.proxy.index(5, Column.NAME)).center(),
    )
    picked = selected_names(view)
    assert len(picked) == 1 and picked != chosen
    view.view_toggle.buttons[LibraryView.LIST].click()
    assert view.view.isVisible() and selected_names(view) == picked
    # The filter is the list's too.
    view.view_toggle.buttons[LibraryView.GRID].click()
    view.filter_edit.setText("document 01")
    assert grid.model().rowCount() == 10
    view.filter_edit.clear()
    # Remembered: the next window opens on the grid.
    assert ViewToggle(ui_settings).view() is LibraryView.GRID


def test_thumbnails_are_drawn_for_the_tiles_on_screen_only(
    qtbot: QtBot, documents: int, ui_window: MainWindow
) -> None:
    view = ui_window.sources_view
    renderer = ui_window.renderer
    asked: list[Any] = []
    original = renderer.request

    def counting(key: Any, request: Any, **kwargs: Any) -> Any:
        if isinstance(key, tuple) and key[0] == "grid":
            asked.append(key[1])
        return original(key, request, **kwargs)

    renderer.request = counting  # type: ignore[method-assign]
    grid = show_grid(qtbot, view)
    on_screen = [grid.source_at(view.proxy.index(r, 0)) for r in grid.visible_rows()]
    shas = {s.sha256 for s in on_screen if s is not None}
    assert 4 <= len(shas) < documents / 3
    # A placeholder first, then every tile on screen gets its page.
    qtbot.waitUntil(lambda: all(grid.thumbnails.pixmap(s) for s in shas), timeout=30_000)
    assert not any(grid.thumbnails.failed(s) for s in shas)
    assert set(asked) == shas and len(asked) == len(shas)  # each once, none off screen
    # Scrolled to the end: the tiles there are drawn, those scrolled past never were.
    grid.scrollToBottom()
    qtbot.waitUntil(lambda: grid.visible_rows()[-1] == documents - 1)
    last = {s.sha256 for r in grid.visible_rows() if (s := grid.source_at(view.proxy.index(r, 0)))}
    qtbot.waitUntil(lambda: all(grid.thumbnails.pixmap(s) for s in last), timeout=30_000)
    assert set(asked) == shas | last
    assert len(asked) < documents / 2
    qtbot.waitUntil(lambda: grid.thumbnails.pending() == 0)


def test_enter_and_double_click_open_a_document_from_the_grid(
    qtbot: QtBot, documents: int, ui_window: MainWindow
) -> None:
    view = ui_window.sources_view
    grid = show_grid(qtbot, view)
    index = view.proxy.index(2, Column.NAME)
    wanted = grid.source_at(index)
    assert wanted is not None
    qtbot.mouseClick(
        grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(index).center()
    )
    grid.setFocus()
    with qtbot.waitSignal(view.openSourceRequested) as opened:
        qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert opened.args == [wanted.id]
    qtbot.waitUntil(lambda: ui_window.library_stack.currentWidget() is ui_window.document_view)
    assert ui_window.document_view.source is not None
    assert ui_window.document_view.source.id == wanted.id
    # Back to the library: the grid again, with the document still chosen.
    ui_window.close_document()
    assert grid.isVisible() and view.selected_ids() == [wanted.id]
    other = view.proxy.index(7, Column.NAME)
    target = grid.source_at(other)
    assert target is not None
    spot = grid.visualRect(other).center()
    with qtbot.waitSignal(view.openSourceRequested) as again:
        # A double-click as the platform delivers it: a click, then the second press.
        qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=spot)
        qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert again.args == [target.id]


# The offscreen platform says so when a menu pops up.
@pytest.mark.qt_log_ignore(
    "This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"
)
def test_a_tile_has_the_lists_context_menu_and_drags_like_a_row(
    qtbot: QtBot, documents: int, ui_window: MainWindow
) -> None:
    view = ui_window.sources_view
    grid = show_grid(qtbot, view)
    assert grid.dragEnabled() and grid.model() is view.view.model()
    index = view.proxy.index(4, Column.NAME)
    spot = grid.visualRect(index).center()
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    grid.customContextMenuRequested.emit(spot)
    menus = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]
    assert len(menus) == 1
    texts = [a.text() for a in menus[0].actions() if a.text()]
    assert texts[0] == "Open" and view.open_action in menus[0].actions()
    menus[0].close()
    # Nothing under the pointer: no menu.
    grid.customContextMenuRequested.emit(QPoint(grid.viewport().width() - 2, 2))
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]
