"""Organising the library in the window: Delete and Undo, the Trash, collections in the sidebar."""

from __future__ import annotations

from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QItemSelectionModel, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.ui.library.sources_model import Column
from app.ui.shell.launcher import open_session
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sidebar import Section
from tests.conftest import SAMPLES
from tests.ui.searching import search_and_wait
from tests.ui.test_main_window import import_and_wait, source_named

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
OUTLINE = SAMPLES / "006-pdflatex-outline" / "pdflatex-outline.pdf"
KNOWN_WORD = "gubergren"  # on the one page of TRIVIAL
CTRL = Qt.KeyboardModifier.ControlModifier

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(ui_window: MainWindow) -> MainWindow:
    return ui_window


@pytest.fixture
def library(ui_library: Library) -> Library:
    return ui_library


def select_ids(window: MainWindow, ids: list[int]) -> None:
    """Select these documents' rows in the Library list, as ctrl-clicks would."""
    view = window.sources_view
    selection = view.view.selectionModel()
    selection.clearSelection()
    for source_id in ids:
        row = view.model.row_of(source_id)
        assert row is not None
        index = view.proxy.mapFromSource(view.model.index(row, Column.NAME))
        selection.select(
            index,
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    view.view.setFocus()


def shown_ids(window: MainWindow) -> set[int]:
    proxy = window.sources_view.proxy
    return {
        int(proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 1)) for r in range(proxy.rowCount())
    }


def row_centre(window: MainWindow, text: str) -> QPoint:
    sidebar = window.sidebar
    (item,) = [sidebar.item(r) for r in range(sidebar.count()) if sidebar.item(r).text() == text]
    return sidebar.visualItemRect(item).center()


def click_sidebar(qtbot: QtBot, window: MainWindow, text: str) -> None:
    qtbot.mouseClick(
        window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=row_centre(window, text)
    )


def drag_rows_onto(window: MainWindow, text: str) -> bool:
    """Drag the selected Library rows onto a sidebar row (the mime data the list makes)."""
    view = window.sources_view
    indexes = view.view.selectionModel().selectedRows(Column.NAME)
    mime = view.proxy.mimeData(indexes)
    assert view.proxy.flags(indexes[0]) & Qt.ItemFlag.ItemIsDragEnabled
    target = window.sidebar.viewport()
    pos = row_centre(window, text)
    copy = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    enter = QDragEnterEvent(pos, copy, mime, buttons, keys)
    QApplication.sendEvent(target, enter)
    move = QDragMoveEvent(pos, copy, mime, buttons, keys)
    QApplication.sendEvent(target, move)
    if not move.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), copy, mime, buttons, keys)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def sidebar_counts(window: MainWindow) -> dict[str, int]:
    from app.ui.shell.sidebar import COUNT_ROLE

    sidebar = window.sidebar
    return {
        sidebar.item(r).text(): int(sidebar.item(r).data(COUNT_ROLE) or 0)
        for r in range(sidebar.count())
        if sidebar.item(r).data(COUNT_ROLE) is not None
    }


def test_delete_then_ctrl_z_restores_exactly_those_rows(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    import_and_wait(qtbot, window, [TRIVIAL, FOUR_PAGES, OUTLINE])
    ids = {p.name: source_named(library, p.name) for p in (TRIVIAL, FOUR_PAGES, OUTLINE)}
    chosen = [ids[TRIVIAL.name], ids[OUTLINE.name]]
    select_ids(window, chosen)
    qtbot.keyClick(window.sources_view.view, Qt.Key.Key_Delete)

    assert shown_ids(window) == {ids[FOUR_PAGES.name]}
    assert window.sources_view.count_label.text() == "1 document"
    bar = window.message_bar
    assert bar.text() == "Moved 2 documents to the trash."
    assert bar.action_button.isVisible() and bar.action_button.text() == "Undo"
    qtbot.waitUntil(lambda: sidebar_counts(window).get("Trash") == 2)
    assert window.undo_action.isEnabled()
    assert window.undo_action.text() == "Undo Move 2 documents to the trash"
    # Not found by the window's search either.
    assert search_and_wait(qtbot, window.search_view, KNOWN_WORD) == []

    window.sources_view.view.setFocus()
    qtbot.keyClick(window.sources_view.view, Qt.Key.Key_Z, CTRL)
    assert shown_ids(window) == set(ids.values())
    assert sorted(window.sources_view.selected_ids()) == sorted(chosen)
    assert bar.text() == "Restored 2 documents from the trash."
    qtbot.waitUntil(lambda: sidebar_counts(window).get("Trash") == 0)
    assert [h.source_name for h in search_and_wait(qtbot, window.search_view, KNOWN_WORD)] == [
        TRIVIAL.name
    ]
    # Redo moves them to the trash again; the message's Undo brings them back as well.
    window.redo_action.trigger()
    assert shown_ids(window) == {ids[FOUR_PAGES.name]}
    window.show_sources()
    select_ids(window, [ids[FOUR_PAGES.name]])
    window.menus["edit"].actions()  # the same action is in Edit
    assert window.sources_view.delete_action in window.menus["edit"].actions()
    window.sources_view.delete_action.trigger()
    assert shown_ids(window) == set()
    bar.action_button.click()  # undoes the last step only
    assert shown_ids(window) == {ids[FOUR_PAGES.name]}
    assert library.trash_count() == 2


def test_trash_view_restores_and_empties_only_unshared_files(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    import_and_wait(qtbot, window, [TRIVIAL, FOUR_PAGES])
    trivial = library.source(source_named(library, TRIVIAL.name))
    four = library.source(source_named(library, FOUR_PAGES.name))
    assert trivial is not None and four is not None
    window.trash_sources([trivial.id, four.id])
    click_sidebar(qtbot, window, "Trash")
    assert window.stack.currentWidget() is window.trash_view
    trash = window.trash_view
    qtbot.waitUntil(lambda: trash.model.rowCount() == 2)
    assert trash.count_label.text() == "2 documents"

    # Restore (undoable too) puts one back in the Library.
    assert trash.select_source(four.id)
    trash.restore_button.click()
    qtbot.waitUntil(lambda: trash.model.rowCount() == 1)
    assert library.in_library(four.id)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: trash.model.rowCount() == 2)

    # The same file dropped again while in the trash brings its document back: its file
    # is used again, so emptying the trash must keep it.
    import_and_wait(qtbot, window, [TRIVIAL])
    qtbot.waitUntil(lambda: trash.model.rowCount() == 1)
    assert library.in_library(trivial.id)

    asked: list[str] = []
    trash.confirm = lambda question, informative: asked.append(question) is not None
    trash.empty_button.click()
    assert asked == ["Delete the 1 document in the trash for good?"]
    assert library.trash_count() == 1  # "Keep"
    trash.confirm = lambda question, informative: True
    trash.empty_button.click()
    qtbot.waitUntil(lambda: trash.model.rowCount() == 0)
    assert trash.stack.currentWidget() is trash.empty_label
    assert library.source(four.id) is None
    assert not library.store.path_for(four.sha256).exists()
    assert library.store.path_for(trivial.sha256).exists()
    qtbot.waitUntil(lambda: sidebar_counts(window).get("Trash") == 0)
    assert not window.undo_action.isEnabled()  # nothing can bring those back


def test_collections_made_filled_by_drag_and_menu_and_clicked(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    import_and_wait(qtbot, window, [TRIVIAL, FOUR_PAGES, OUTLINE])
    ids = {p.name: source_named(library, p.name) for p in (TRIVIAL, FOUR_PAGES, OUTLINE)}
    names = iter(["Work", "work", None])
    window.filing.ask_name = lambda title, label, text: next(names)
    click_sidebar(qtbot, window, "+ New collection…")
    assert window.sidebar.collection_names() == ["Work"]
    assert sidebar_counts(window)["Work"] == 0
    click_sidebar(qtbot, window, "+ New collection…")  # "work" is taken; then cancelled
    assert window.statusBar().currentMessage() == "There is already a collection named “Work”."
    assert window.sidebar.collection_names() == ["Work"]

    # Dragging rows onto it adds them.
    window.show_sources()
    select_ids(window, [ids[TRIVIAL.name], ids[OUTLINE.name]])
    assert not drag_rows_onto(window, "Search")  # only collections and the Trash take rows
    assert drag_rows_onto(window, "Work")
    qtbot.waitUntil(lambda: sidebar_counts(window).get("Work") == 2)
    assert window.statusBar().currentMessage() == "Added 2 documents to “Work”."

    # The context menu's "Add to collection ›": to Work, and to a new one (in several).
    select_ids(window, [ids[FOUR_PAGES.name]])
    view = window.sources_view
    menu = view.selection_menu()
    (add,) = [a.menu() for a in menu.actions() if a.text() == "Add to collection"]
    assert isinstance(add, QMenu)
    next(a for a in add.actions() if a.text() == "Work").trigger()
    qtbot.waitUntil(lambda: sidebar_counts(window).get("Work") == 3)
    window.filing.ask_name = lambda title, label, text: "Taxes"
    next(a for a in add.actions() if a.text() == "New collection…").trigger()
    qtbot.waitUntil(lambda: sidebar_counts(window).get("Taxes") == 1)
    assert window.sidebar.collection_names() == ["Taxes", "Work"]

    # A click shows the Library limited to it; the name filter still applies.
    click_sidebar(qtbot, window, "Taxes")
    assert window.sidebar.section() is Section.LIBRARY
    assert view.heading.text() == "Taxes"
    assert shown_ids(window) == {ids[FOUR_PAGES.name]}
    click_sidebar(qtbot, window, "Work")
    assert shown_ids(window) == set(ids.values())
    view.filter_edit.setText("minimal")
    assert shown_ids(window) == {ids[TRIVIAL.name]}
    assert view.count_label.text() == "1 of 3 documents shown"
    view.filter_edit.clear()

    # A document outside the collection shown (e.g. found by search) shows the whole Library.
    click_sidebar(qtbot, window, "Taxes")
    assert view.select_source(ids[OUTLINE.name])
    assert window.sidebar.collection_id() == 0 and view.heading.text() == "Library"
    click_sidebar(qtbot, window, "Work")

    # Taken out of Work, a document stays in the library.
    select_ids(window, [ids[OUTLINE.name]])
    assert view.remove_action.text() == "Remove from “Work”"
    view.remove_action.trigger()
    assert shown_ids(window) == {ids[TRIVIAL.name], ids[FOUR_PAGES.name]}
    qtbot.waitUntil(lambda: sidebar_counts(window).get("Work") == 2)
    # A document in the trash leaves the collection's count and list, not its membership.
    select_ids(window, [ids[TRIVIAL.name]])
    qtbot.keyClick(view.view, Qt.Key.Key_Delete)
    assert shown_ids(window) == {ids[FOUR_PAGES.name]}
    qtbot.waitUntil(lambda: sidebar_counts(window).get("Work") == 1)
    window.undo_action.trigger()
    assert shown_ids(window) == {ids[TRIVIAL.name], ids[FOUR_PAGES.name]}

    # Rename and delete from the sidebar's menu; deleting keeps the documents.
    window.filing.ask_name = lambda title, label, text: "Office"
    menu = window.sidebar.context_menu(row_centre(window, "Work"))
    next(a for a in menu.actions() if a.text() == "Rename…").trigger()
    qtbot.waitUntil(lambda: window.sidebar.collection_names() == ["Office", "Taxes"])
    assert view.heading.text() == "Office"
    window.filing.confirm = lambda question: question == "Delete the collection “Office”?"
    menu = window.sidebar.context_menu(row_centre(window, "Office"))
    next(a for a in menu.actions() if a.text() == "Delete collection…").trigger()
    qtbot.waitUntil(lambda: window.sidebar.collection_names() == ["Taxes"])
    assert view.heading.text() == "Library"  # back to the whole Library
    assert shown_ids(window) == set(ids.values())

    # From the keyboard: Enter on "+ New collection…".
    window.filing.ask_name = lambda title, label, text: "Keyed in"
    sidebar = window.sidebar
    sidebar.setFocus()
    sidebar.setCurrentRow(
        next(r for r in range(sidebar.count()) if "New" in sidebar.item(r).text())
    )
    qtbot.keyClick(sidebar, Qt.Key.Key_Return)
    assert sidebar.collection_names() == ["Keyed in", "Taxes"]


def test_trash_and_collections_survive_a_restart(
    qtbot: QtBot,
    ui_loop: qasync.QEventLoop,
    library: Library,
    ui_settings: QSettings,
    tmp_path: Path,
) -> None:
    first = open_session(library, ui_settings)
    try:
        first.window.show()
        import_and_wait(qtbot, first.window, [TRIVIAL, FOUR_PAGES])
        trivial = source_named(library, TRIVIAL.name)
        four = source_named(library, FOUR_PAGES.name)
        first.window.filing.ask_name = lambda title, label, text: "Kept"
        first.window.new_collection()
        select_ids(first.window, [four])
        assert drag_rows_onto(first.window, "Kept")
        first.window.trash_sources([trivial])
    finally:
        first.window.close()
        first.close()

    reopened = Library(library.folder)
    reopened.acquire_writer_lock()
    second = open_session(reopened, ui_settings)
    try:
        window = second.window
        window.show()
        qtbot.waitExposed(window)
        assert window.sidebar.collection_names() == ["Kept"]
        assert sidebar_counts(window) == {"Trash": 1, "Kept": 1}
        assert shown_ids(window) == {four}
        assert window.trash_view.model.source_ids() == [trivial]
        click_sidebar(qtbot, window, "Kept")
        assert shown_ids(window) == {four}
    finally:
        second.window.close()
        second.close()
