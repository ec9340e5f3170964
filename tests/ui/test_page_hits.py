"""Search hits on the page image: marked where the words are drawn, the first scrolled to,
F3 / Shift+F3 through the document; words selected on the image copy as text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import Source
from app.core.words import WordBox
from app.tasks.manager import ExtractionManager
from app.ui.common.rendering import PageRenderer
from app.ui.library.page_hits import canvas_rect
from app.ui.library.pages_view import DocumentView
from app.ui.shell.main_window import MainWindow
from tests.conftest import add_document, wait_idle
from tests.extraction.test_orientation import PDFLATEX
from tests.scans import draw_scan, turn_scan
from tests.ui.searching import search_and_wait
from tests.ui.test_main_window import import_and_wait

PHRASE = '"Huardest gefburn"'


@pytest.fixture
def view(
    qtbot: QtBot, library: Library, manager: ExtractionManager, tmp_path: Path
) -> Iterator[DocumentView]:
    renderer = PageRenderer(threads=1)
    settings = QSettings(str(tmp_path / "folio.ini"), QSettings.Format.IniFormat)
    shown = DocumentView(library, manager, renderer, settings)
    shown.resize(1300, 900)
    shown.show()
    qtbot.waitExposed(shown)
    yield shown
    shown.close()
    renderer.shutdown()


@pytest.fixture(scope="module")
def sideways_scan(tmp_path_factory: pytest.TempPathFactory, qapp: object) -> Path:
    """Page 1 of a real PDF, scanned at 300 dpi turned 90° left."""
    folder = tmp_path_factory.mktemp("sideways")
    return turn_scan(draw_scan(PDFLATEX, folder / "upright.png"), 90, folder / "left.png")


def imported(qtbot: QtBot, library: Library, manager: ExtractionManager, path: Path) -> Source:
    manager.import_files([path])
    wait_idle(qtbot, manager, started=True)
    (source,) = library.sources()
    return source


def open_at(qtbot: QtBot, view: DocumentView, source: Source, query: str, number: int = 1) -> None:
    page = view.library.pages(source.id)[number - 1]
    view.show_source(source, page.id, query)
    qtbot.waitUntil(lambda: not view.viewer.image.label.pixmap().isNull(), timeout=20_000)
    qtbot.wait(50)  # the scroll to the hit waits for the page's size


def rect_of(view: DocumentView, box: WordBox) -> QRect:
    canvas = view.viewer.image.label
    return canvas_rect(box, canvas.page_rect(), view.viewer.image.shown_turn).toRect()


def tinted(image: QImage, rect: QRect) -> float:
    """The share of pixels in `rect` coloured like a marker (yellow or orange over paper
    or ink: clearly less blue than red)."""
    inside = rect.intersected(image.rect())
    total = hits = 0
    for y in range(inside.top(), inside.bottom() + 1, 2):
        for x in range(inside.left(), inside.right() + 1, 2):
            colour = image.pixelColor(x, y)
            total += 1
            hits += colour.red() - colour.blue() > 60
    return hits / max(total, 1)


def inked(image: QImage, rect: QRect) -> bool:
    """Whether something dark (a word's letters) is drawn in `rect`."""
    inside = rect.intersected(image.rect())
    return any(
        image.pixelColor(x, y).lightness() < 110
        for y in range(inside.top(), inside.bottom() + 1)
        for x in range(inside.left(), inside.right() + 1)
    )


def visible(view: DocumentView, rect: QRect) -> bool:
    image = view.viewer.image
    shown = QRect(
        image.horizontalScrollBar().value(),
        image.verticalScrollBar().value(),
        image.viewport().width(),
        image.viewport().height(),
    )
    return shown.contains(rect.center())


def test_a_pdf_pages_hits_are_marked_where_the_words_are_drawn_and_nowhere_else(
    qtbot: QtBot, view: DocumentView, library: Library, manager: ExtractionManager
) -> None:
    source = imported(qtbot, library, manager, PDFLATEX)
    open_at(qtbot, view, source, PHRASE)
    hits = view.hits
    assert len(hits.spans) == 6 and hits.current == 0
    grab = view.viewer.image.label.grab().toImage()
    for marks in hits.hits:
        (mark,) = marks  # a phrase on one line is one mark
        assert tinted(grab, rect_of(view, mark)) > 0.6
        assert inked(grab, rect_of(view, mark))
    # A word that is not a hit, and the margin, keep the page's own colours.
    boxes = hits.boxes or []
    other = next(b for b in boxes if hits.text[b.start : b.end] == "Hello,")
    assert tinted(grab, rect_of(view, other)) == 0
    margin = view.viewer.image.label.page_rect().adjusted(5, 5, -5, -5).toRect()
    margin.setWidth(40)
    assert tinted(grab, margin) == 0


def test_f3_and_shift_f3_step_through_the_hits_and_the_pages_scrolling_each_into_view(
    qtbot: QtBot, view: DocumentView, library: Library, manager: ExtractionManager
) -> None:
    source = imported(qtbot, library, manager, PDFLATEX)
    open_at(qtbot, view, source, PHRASE)
    viewer, hits = view.viewer, view.hits
    viewer.set_zoom(3.0)  # the page far taller than the window
    qtbot.waitUntil(lambda: viewer.image.label.pixmap().width() > 2000, timeout=20_000)
    scroll = viewer.image.verticalScrollBar()
    seen = []
    for expected in range(1, 6):
        qtbot.keyClick(viewer.image, Qt.Key.Key_F3)
        assert hits.current == expected and viewer.page is not None and viewer.page.number == 1
        assert visible(view, rect_of(view, hits.current_boxes()[0]))
        seen.append(scroll.value())
    assert seen == sorted(seen) and seen[0] < seen[-1]  # down the page, hit by hit
    # Past the page's last hit: the next page's first, scrolled into view once drawn.
    qtbot.keyClick(viewer.image, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: viewer.page is not None and viewer.page.number == 2)
    qtbot.waitUntil(lambda: not viewer.image.label.pixmap().isNull(), timeout=20_000)
    qtbot.waitUntil(lambda: visible(view, rect_of(view, hits.current_boxes()[0])))
    assert hits.current == 0
    # And back: the previous page's last hit.
    qtbot.keyClick(viewer.image, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: viewer.page is not None and viewer.page.number == 1)
    assert hits.current == 5
    qtbot.waitUntil(lambda: not viewer.image.label.pixmap().isNull(), timeout=20_000)
    qtbot.waitUntil(lambda: visible(view, rect_of(view, hits.current_boxes()[0])))
    # The current hit stands out from the others on the image.
    grab = viewer.image.label.grab().toImage()
    mark = rect_of(view, hits.current_boxes()[0])
    edge = grab.pixelColor(mark.left(), mark.center().y())
    assert edge.red() > 150 and edge.green() < 120  # its orange outline


def test_words_dragged_over_on_the_image_copy_in_reading_order(
    qtbot: QtBot, view: DocumentView, library: Library, manager: ExtractionManager
) -> None:
    source = imported(qtbot, library, manager, PDFLATEX)
    open_at(qtbot, view, source, "")
    hits, canvas = view.hits, view.viewer.image.label
    boxes = hits.boxes or []
    first, third = boxes[0], boxes[2]
    assert hits.text[first.start : third.end] == "Hello, here is"
    start = rect_of(view, first).topLeft() - QPoint(3, 3)
    end = rect_of(view, third).center()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, start + QPoint(10, 2))
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    assert view.selection.selected_text() == "Hello, here is"
    assert tinted(canvas.grab().toImage(), rect_of(view, first)) == 0  # blue, not a hit
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view.viewer.image, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "Hello, here is"
    # The context menu copies too; a click elsewhere ends the selection.
    (copy, _select_all) = view.selection.menu().actions()
    assert copy.text() == "Copy" and copy.isEnabled()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    assert view.selection.selected == [] and not view.selection.menu().actions()[0].isEnabled()
    # Two lines: each line's words in order, the page's line break between them.
    line2 = next(b for b in boxes if hits.text[b.start : b.end] == "will")
    both = QRectF(rect_of(view, boxes[0]).center(), rect_of(view, line2).center())
    view.selection.select_rect(both.normalized())
    assert view.selection.selected_text().startswith("Hello,")
    assert "\nwill" in view.selection.selected_text()


@pytest.mark.parametrize("turned", [False, True])
def test_a_scanned_pages_hit_is_marked_over_the_word_as_shown(
    qtbot: QtBot,
    view: DocumentView,
    library: Library,
    manager: ExtractionManager,
    tmp_path: Path,
    sideways_scan: Path,
    turned: bool,
) -> None:
    pytest.importorskip("tesserocr")
    scan = sideways_scan if turned else draw_scan(PDFLATEX, tmp_path / "scan.png")
    source = imported(qtbot, library, manager, scan)
    open_at(qtbot, view, source, "Kjift")
    page = view.viewer.page
    assert page is not None and page.rotation == (90 if turned else 0)
    assert view.viewer.image.shown_turn == page.rotation  # shown upright, as read
    hits = view.hits
    assert len(hits.hits) >= 5 and all(hits.hits)
    grab = view.viewer.image.label.grab().toImage()
    for marks in hits.hits:
        assert tinted(grab, rect_of(view, marks[0])) > 0.5
        assert inked(grab, rect_of(view, marks[0]))


def test_boxes_are_replaced_when_the_page_is_read_again_at_a_new_turn(
    qtbot: QtBot,
    view: DocumentView,
    library: Library,
    manager: ExtractionManager,
    sideways_scan: Path,
) -> None:
    pytest.importorskip("tesserocr")
    source = imported(qtbot, library, manager, sideways_scan)
    open_at(qtbot, view, source, "Kjift")
    page = view.viewer.page
    assert page is not None and page.rotation == 90
    before = library.page_words(page.id)
    assert before
    # Turned over by the user: read again upside down, its boxes those of that read.
    view.viewer.turn_page(180)
    wait_idle(qtbot, manager)
    again = library.page(page.id)
    assert again is not None and again.rotation == 270 and again.text is not None
    after = library.page_words(page.id)
    assert after is not None and after != before
    assert all(0 <= b.start < b.end <= len(again.text) for b in after)
    # Back the right way: the words' boxes are where they were.
    view.viewer.turn_page(180)
    wait_idle(qtbot, manager)
    final = library.page(page.id)
    assert final is not None and final.rotation == 90 and final.text is not None
    words = library.page_words(page.id) or []

    def first(text: str, boxes: list[WordBox]) -> WordBox:
        return next(b for b in boxes if text[b.start : b.end].startswith("Kjift"))

    old, new = first(page.text or "", before), first(final.text, words)
    assert abs(old.x0 - new.x0) < 0.003 and abs(old.y0 - new.y0) < 0.003
    qtbot.waitUntil(lambda: bool(view.hits.hits) and view.viewer.image.shown_turn == 90)


def test_a_page_read_before_boxes_were_kept_still_shows_and_steps_through_its_hits(
    qtbot: QtBot, view: DocumentView, library: Library
) -> None:
    add_document(library, "old.pdf", ["a fox here\nand a fox there", "no match"], "b")
    (source,) = library.sources()
    page = library.pages(source.id)[0]
    assert library.page_words(page.id) is None
    view.show_source(source, page.id, "fox")
    hits, text = view.hits, view.viewer.text
    assert len(hits.spans) == 2 and hits.hits == [[], []]
    assert len(text.extraSelections()) == 2
    qtbot.keyClick(view.viewer.image, Qt.Key.Key_F3)
    assert hits.current == 1
    second = "a fox here\nand a fox there".index("fox there")
    assert second <= text.textCursor().position() <= second + 3  # the text panel went there
    view.selection.select_all()
    assert view.selection.selected == [] and not view.selection.menu().actions()[1].isEnabled()


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_in_the_window_a_search_result_opens_on_its_hit_and_ctrl_c_copies_the_image_words(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library
) -> None:
    import_and_wait(qtbot, ui_window, [PDFLATEX])
    ui_window.show_search()
    search_and_wait(qtbot, ui_window.search_view, PHRASE)
    ui_window.search_view.open_result(0)
    view = ui_window.document_view
    qtbot.waitUntil(lambda: view.viewer.page is not None and bool(view.hits.hits))
    qtbot.waitUntil(lambda: not view.viewer.image.label.pixmap().isNull(), timeout=20_000)
    assert view.hits.current == 0 and view.viewer.highlight == PHRASE
    qtbot.waitUntil(lambda: visible(view, rect_of(view, view.hits.current_boxes()[0])))
    # Words selected on the image: Ctrl+C copies them, not the window's whole page.
    (first,) = view.hits.current_boxes()
    view.viewer.image.setFocus()
    area = QRectF(rect_of(view, first)).adjusted(2, 2, -2, -2)
    assert view.selection.select_rect(area)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view.viewer.image, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "“Huardest gefburn”?"
    # With nothing selected there, Ctrl+C copies the page's text, as it always did.
    view.selection.clear()
    qtbot.keyClick(view.viewer.image, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == view.viewer.text.toPlainText()
