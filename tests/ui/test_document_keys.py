"""The keyboard in the window, driven with real key presses offscreen: the page viewer's
keys and go-to-page box, zoom kept per document, Escape and Alt+Left back to where a
document was opened from, the sidebar's Library, the shortcuts dialog, joined lines."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.ui.dialogs.shortcuts import ShortcutsDialog
from app.ui.library.text_flow import join_lines
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sidebar import Section
from tests.conftest import SAMPLES
from tests.ui.searching import search_and_wait
from tests.ui.test_main_window import import_and_wait, source_named

FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def shown(window: MainWindow) -> int:
    page = window.document_view.viewer.page
    assert page is not None
    return page.number


def open_four(qtbot: QtBot, window: MainWindow, library: Library) -> int:
    import_and_wait(qtbot, window, [FOUR_PAGES, TRIVIAL])
    source_id = source_named(library, FOUR_PAGES.name)
    window.open_source(source_id)
    viewer = window.document_view.viewer
    qtbot.waitUntil(lambda: not viewer.image.label.pixmap().isNull(), timeout=10_000)
    return source_id


def test_page_keys_and_the_go_to_page_box(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library
) -> None:
    open_four(qtbot, ui_window, ui_library)
    view, viewer = ui_window.document_view, ui_window.document_view.viewer
    viewer.set_zoom(2.0)  # taller than the window: there is somewhere to scroll
    bar = viewer.image.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=10_000)
    viewer.image.setFocus()

    QTest.keyClick(viewer.image, Qt.Key.Key_End)
    assert bar.value() == bar.maximum() and shown(ui_window) == 1
    QTest.keyClick(viewer.image, Qt.Key.Key_Home)
    assert bar.value() == 0 and shown(ui_window) == 1
    QTest.keyClick(viewer.image, Qt.Key.Key_Space)  # a screen down, same page
    assert bar.value() > 0 and shown(ui_window) == 1
    while shown(ui_window) == 1:  # Space, Space… on to page 2, at its top
        QTest.keyClick(viewer.image, Qt.Key.Key_Space)
    assert shown(ui_window) == 2 and bar.value() == 0
    QTest.keyClick(viewer.image, Qt.Key.Key_Space, SHIFT)  # back onto page 1, at its bottom
    assert shown(ui_window) == 1
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=10_000)
    QTest.keyClick(viewer.image, Qt.Key.Key_End, CTRL)
    assert shown(ui_window) == 4
    QTest.keyClick(viewer.image, Qt.Key.Key_Home, CTRL)
    assert shown(ui_window) == 1
    QTest.keyClick(viewer.image, Qt.Key.Key_PageDown)
    assert shown(ui_window) == 2

    # In the page list, Home and End go to the first and last page.
    view.pages.setFocus()
    QTest.keyClick(view.pages, Qt.Key.Key_End)
    assert shown(ui_window) == 4
    QTest.keyClick(view.pages, Qt.Key.Key_Home)
    assert shown(ui_window) == 1

    # Ctrl+G, a number, Enter.
    QTest.keyClick(view.pages, Qt.Key.Key_G, CTRL)
    box = view.keys.goto
    assert box.hasFocus() and box.text() == "Page 1 of 4"
    QTest.keyClicks(box, "3")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert shown(ui_window) == 3
    assert box.text() == "Page 3 of 4"
    view.step_page(1)
    assert box.value() == 4

    # In the page's text, Home and End are the text's own.
    viewer.text.setFocus()
    cursor = viewer.text.textCursor()
    cursor.setPosition(5)
    viewer.text.setTextCursor(cursor)
    QTest.keyClick(viewer.text, Qt.Key.Key_End, CTRL)
    assert viewer.text.textCursor().position() == len(viewer.text.toPlainText())
    assert shown(ui_window) == 4


def test_zoom_belongs_to_the_document(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library
) -> None:
    four = open_four(qtbot, ui_window, ui_library)
    viewer = ui_window.document_view.viewer
    viewer.set_zoom(3.0)
    assert viewer.zoom_text() == "300%"
    ui_window.open_source(source_named(ui_library, TRIVIAL.name))
    assert viewer.zoom_text() == "Fit width"
    assert viewer.zoom_box.currentText() == "Fit width"
    ui_window.open_source(four)  # back to the first: its own 300 %
    assert viewer.zoom_text() == "300%"


def test_escape_and_alt_left_close_the_document_back_to_where_it_was_opened(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library
) -> None:
    open_four(qtbot, ui_window, ui_library)
    view = ui_window.document_view
    view.viewer.image.setFocus()
    QTest.keyClick(view.viewer.image, Qt.Key.Key_Escape)
    assert ui_window.library_stack.currentWidget() is ui_window.sources_view
    assert ui_window.sources_view.view.hasFocus()

    # From the search results: Down from the box into the results, Enter opens the hit,
    # Alt+Left returns to the results with the hit still current.
    ui_window.show_search()
    search = ui_window.search_view
    search_and_wait(qtbot, search, "gubergren")
    search.field.setFocus()
    QTest.keyClick(search.field, Qt.Key.Key_Down)
    assert search.results.hasFocus() and search.results.currentIndex().isValid()
    hit = search.results.currentIndex()
    ui_window.activateWindow()
    QTest.keyClick(search.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ui_window.library_stack.currentWidget() is view, timeout=5000)
    assert ui_window.sidebar.section() is Section.LIBRARY
    assert view.back_button.text() == "‹ Results"
    view.viewer.text.setFocus()
    QTest.keyClick(view.viewer.text, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert ui_window.sidebar.section() is Section.SEARCH
    assert search.results.hasFocus() and search.results.currentIndex() == hit


def test_clicking_library_in_the_sidebar_closes_the_open_document(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library
) -> None:
    open_four(qtbot, ui_window, ui_library)
    sidebar = ui_window.sidebar
    rect = sidebar.visualItemRect(sidebar.item(int(Section.LIBRARY)))
    QTest.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert ui_window.library_stack.currentWidget() is ui_window.sources_view


def test_the_shortcuts_dialog_lists_every_key_the_window_has(
    qtbot: QtBot, ui_window: MainWindow
) -> None:
    ui_window.activateWindow()
    QTest.keyClick(ui_window, Qt.Key.Key_Slash, CTRL)
    dialog = ui_window.shortcuts_dialog
    assert isinstance(dialog, ShortcutsDialog)
    qtbot.waitExposed(dialog)
    rows = dialog.rows()
    listed = {(what, keys) for _, what, keys in rows}
    native = QKeySequence.SequenceFormat.NativeText
    for action in ui_window.findChildren(QAction):
        for key in action.shortcuts():
            if action.text():
                assert any(
                    what == action.text().replace("&", "").rstrip("…").strip()
                    and key.toString(native) in keys
                    for what, keys in listed
                ), (action.text(), key.toString(native))
    groups = {group for group, _, _ in rows}
    assert {"Everywhere", "An open document", "Tasks"} <= groups
    for what, key in (
        ("Print", "Ctrl+P"),
        ("Go to page…", "Ctrl+G"),
        ("Close the document", "Esc"),
        ("First page", "Ctrl+Home"),
        ("Keyboard shortcuts", "Ctrl+/"),
    ):
        assert (what, key) in listed, (what, key)
    dialog.close()

    # Built from the window's actions each time, so a new action cannot be missing.
    extra = QAction("Frobnicate", ui_window)
    extra.setShortcut(QKeySequence("Ctrl+Shift+F12"))
    ui_window.addAction(extra)
    ui_window.shortcuts_action.trigger()
    assert ("Frobnicate", "Ctrl+Shift+F12") in {
        (w, k) for _, w, k in ui_window.shortcuts_dialog.rows()
    }
    ui_window.shortcuts_dialog.close()


HARD_WRAPPED = """The quick brown fox jumps over the lazy dog and keeps on run-
ning through the field until the evening comes and the light
goes.
- first item that is
  wrapped
- second item

A new paragraph after an empty line."""


def test_join_lines_makes_paragraphs() -> None:
    assert join_lines(HARD_WRAPPED) == (
        "The quick brown fox jumps over the lazy dog and keeps on running through the"
        " field until the evening comes and the light goes.\n"
        "- first item that is wrapped\n"
        "- second item\n\n"
        "A new paragraph after an empty line."
    )


def test_join_lines_toggle_in_the_text_panel(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library
) -> None:
    open_four(qtbot, ui_window, ui_library)
    viewer = ui_window.document_view.viewer
    raw = viewer.page.text or ""
    assert raw.count("\n") > 5  # the page's lines, as the PDF breaks them
    toggle = ui_window.document_view.join_lines.button
    assert toggle.isVisible() and not toggle.isChecked()
    QTest.mouseClick(toggle, Qt.MouseButton.LeftButton)
    joined = viewer.text.toPlainText()
    assert joined == join_lines(raw) and joined.count("\n") < raw.count("\n") / 2
    viewer.text.setFocus()
    ui_window.copy_action.trigger()  # nothing selected: the whole page, as shown
    assert QGuiApplication.clipboard().text() == joined
    ui_window.document_view.step_page(1)  # the next page is joined too
    assert viewer.text.toPlainText() == join_lines(viewer.page.text or "")
    QTest.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert viewer.text.toPlainText() == (viewer.page.text or "")
    assert QApplication.focusWidget() is not None
