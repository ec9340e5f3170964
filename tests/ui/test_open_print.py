"""A document's original, from the window: opened in the default viewer (the original while
it is there, else a copy of Folio's own under the document's name) and printed, a page or
all of it, through the print dialog into a PDF read back with pypdf."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.ui.shell.main_window import MainWindow
from tests.conftest import SAMPLES
from tests.ui.test_main_window import import_and_wait, source_named

FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


class UrlCatcher(QObject):
    """Stands for the desktop's default viewer: QDesktopServices hands it every file URL."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def viewer_app() -> object:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open_url")
    yield catcher
    QDesktopServices.unsetUrlHandler("file")


def open_document(qtbot: QtBot, window: MainWindow, library: Library, path: Path) -> int:
    import_and_wait(qtbot, window, [path])
    source_id = source_named(library, path.name)
    window.open_page(library.pages(source_id)[1].id)  # page 2 shown
    assert window.document_view.viewer.page is not None
    return source_id


def test_open_shows_the_original_in_the_default_viewer_then_a_named_copy_once_it_is_gone(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library, tmp_path: Path, viewer_app: UrlCatcher
) -> None:
    original = tmp_path / "Annual report.pdf"
    shutil.copyfile(FOUR_PAGES, original)
    open_document(qtbot, ui_window, ui_library, original)
    button = ui_window.document_view.original_button
    assert button.isVisible() and button.text() == "Open"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    qtbot.waitUntil(lambda: len(viewer_app.urls) == 1, timeout=5000)
    assert Path(viewer_app.urls[0].toLocalFile()) == original

    original.unlink()  # moved away: Folio's copy opens, under the document's own name
    ui_window.open_original_action.trigger()
    qtbot.waitUntil(lambda: len(viewer_app.urls) == 2, timeout=5000)
    opened = Path(viewer_app.urls[1].toLocalFile())
    assert opened.name == "Annual report.pdf" and opened != original
    assert opened.read_bytes() == FOUR_PAGES.read_bytes()
    assert "default viewer" in ui_window.statusBar().currentMessage()


def print_into(out: Path, page_range: tuple[int, int] | None = None):
    """The print dialog's answer: print to a PDF file, optionally a range of pages."""
    seen: list[QPrintDialog] = []

    def run(dialog: QPrintDialog) -> int:
        seen.append(dialog)
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        if page_range is not None:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*page_range)
        return 1

    return run, seen


def printed_pages(qtbot: QtBot, window: MainWindow, out: Path) -> list[str]:
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Sent"), timeout=60_000)
    reader = pypdf.PdfReader(str(out))
    return [page.extract_text() for page in reader.pages]


def test_print_the_page_shown_the_whole_document_or_a_range_to_a_pdf(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library, tmp_path: Path
) -> None:
    source_id = open_document(qtbot, ui_window, ui_library, FOUR_PAGES)
    view = ui_window.document_view

    out = tmp_path / "page.pdf"
    ui_window.run_print_dialog, seen = print_into(out)
    view.print_page_action.trigger()  # from the Open button's menu
    assert seen and seen[0].printRange() == QPrintDialog.PrintRange.CurrentPage
    assert seen[0].minPage() == 1 and seen[0].maxPage() == 4
    pages = printed_pages(qtbot, ui_window, out)
    assert len(pages) == 1
    ui_window.statusBar().clearMessage()

    out = tmp_path / "all.pdf"
    ui_window.run_print_dialog, seen = print_into(out)
    QTest.keyClick(ui_window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # File › Print…
    assert seen and seen[0].printRange() == QPrintDialog.PrintRange.AllPages
    pages = printed_pages(qtbot, ui_window, out)
    assert len(pages) == 4
    assert "4 pages of pdflatex-4-pages.pdf" in ui_window.statusBar().currentMessage()
    ui_window.statusBar().clearMessage()

    out = tmp_path / "range.pdf"
    ui_window.run_print_dialog, _ = print_into(out, (2, 3))
    ui_window.print_source(source_id)
    assert len(printed_pages(qtbot, ui_window, out)) == 2
    # Each page is the page drawn, not a blank sheet: a PDF of images has no text layer,
    # so the page's pixels are checked instead.
    reader = pypdf.PdfReader(str(out))
    assert all(page.images for page in reader.pages)


def test_print_cancelled_prints_nothing(
    qtbot: QtBot, ui_window: MainWindow, ui_library: Library, tmp_path: Path
) -> None:
    open_document(qtbot, ui_window, ui_library, FOUR_PAGES)
    ui_window.run_print_dialog = lambda dialog: 0
    ui_window.print_action.trigger()
    QTest.qWait(300)
    assert not ui_window.statusBar().currentMessage().startswith(("Sent", "Printing"))
