"""The window at 900 px wide, in each section, and the focus outline in the dark
palette, checked on the real widgets offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QHeaderView, QWidget
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.ui.common.focus_ring import focus_ring_widget
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sidebar import Section
from app.ui.tasks.filter import StatusFilter
from tests.conftest import SAMPLES
from tests.ui.searching import search_and_wait
from tests.ui.test_main_window import import_and_wait, source_named

FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def cut_buttons(window: QWidget) -> list[str]:
    """Visible buttons narrower than their text needs."""
    cut = []
    for button in window.findChildren(QAbstractButton):
        if button.isVisible() and button.text() and button.width() < button.sizeHint().width():
            cut.append(f"{button.text()!r} {button.width()} < {button.sizeHint().width()}")
    return cut


def columns_off_screen(header: QHeaderView) -> list[str]:
    width = header.viewport().width() if header.viewport() else header.width()
    off = []
    for logical in range(header.count()):
        if header.isSectionHidden(logical):
            continue
        left = header.sectionViewportPosition(logical)
        right = left + header.sectionSize(logical)
        last = header.visualIndex(logical) == header.count() - 1
        # Every column whole on screen; the last, which stretches, at least 40 px of it.
        if (right > width + 1 and not last) or left > width - 40:
            name = header.model().headerData(logical, Qt.Orientation.Horizontal)
            off.append(f"{name} ends at {right} > {width}")
    return off


def check_width(qtbot: QtBot, window: MainWindow, width: int) -> None:
    window.resize(width, 700)
    qtbot.waitUntil(lambda: window.width() == width, timeout=3000)
    for section in (Section.LIBRARY, Section.SEARCH, Section.TASKS):
        window.show_section(section)
        QTest.qWait(50)
        assert window.width() == width, section
        assert cut_buttons(window) == [], section
    if width < 900:
        # Narrower, the tables scroll sideways; the buttons stay whole, names readable.
        window.show_sources()
        names = window.sources_view.view.header().sectionSize(0)
        assert names >= window.sources_view.view.viewport().width() / 3
        return
    window.show_section(Section.TASKS)
    assert columns_off_screen(window.tasks_page.view.horizontalHeader()) == []
    window.show_sources()
    assert columns_off_screen(window.sources_view.view.header()) == []


def test_at_900_px_nothing_is_cut_at_700_buttons_whole_and_a_document_never_widens_it(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library
) -> None:
    import_and_wait(qtbot, ui_window, [FOUR_PAGES, TRIVIAL])
    ui_window.tasks_page.set_status_filter(StatusFilter.NEEDS_ATTENTION)
    search_and_wait(qtbot, ui_window.search_view, "gubergren")
    ui_window.show_sources()
    for width in (900, 700):
        check_width(qtbot, ui_window, width)
        ui_window.open_source(source_named(ui_library, FOUR_PAGES.name))
        QTest.qWait(50)
        assert ui_window.width() == width, "opening a document widened the window"
        assert cut_buttons(ui_window) == [], width
        ui_window.show_sources()
    chip = ui_window.tasks_page.filter_chips[StatusFilter.NEEDS_ATTENTION]
    assert chip.text().startswith("Needs attention")


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        channels = [
            v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
            for v in (c.redF(), c.greenF(), c.blueF())
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_focus_outline_is_clear_in_the_dark_palette(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library
) -> None:
    import_and_wait(qtbot, ui_window, [TRIVIAL])
    ui_window.open_source(source_named(ui_library, TRIVIAL.name))
    ui_window.set_theme("dark")
    button = ui_window.document_view.export_button
    ui_window.activateWindow()
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: focus_ring_widget() is button, timeout=3000)
    QTest.keyClick(button, Qt.Key.Key_Tab)  # it follows the keyboard
    qtbot.waitUntil(lambda: focus_ring_widget() is not button, timeout=3000)
    button.setFocus(Qt.FocusReason.BacktabFocusReason)
    qtbot.waitUntil(lambda: focus_ring_widget() is button, timeout=3000)
    QTest.qWait(50)
    image = ui_window.grab().toImage()
    # Just outside the button's left edge, halfway down: the ring, against the window.
    corner = button.mapTo(ui_window, QPoint(0, button.height() // 2))
    ring = image.pixelColor(corner.x() - 1, corner.y())
    window_colour = ui_window.palette().color(ui_window.backgroundRole())
    assert contrast(ring, window_colour) >= 3.0, ring.name()
    ui_window.set_theme("light")
    qtbot.waitUntil(lambda: focus_ring_widget() is None, timeout=3000)
