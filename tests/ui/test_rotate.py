"""The viewer's rotate buttons: the turn is kept, the page read again at it and shown turned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import Page, TextMethod
from app.tasks.manager import ExtractionManager
from app.ui.common.rendering import PageRenderer
from app.ui.library.page_viewer import PageViewer
from tests.conftest import wait_idle
from tests.extraction.test_orientation import PDFLATEX
from tests.scans import draw_scan, turn_scan

pytest.importorskip("tesserocr")


@pytest.fixture(scope="session")
def sideways_scan(tmp_path_factory: pytest.TempPathFactory, qapp: object) -> Path:
    """A real page at 300 dpi, scanned turned 90° left."""
    folder = tmp_path_factory.mktemp("sideways")
    upright = draw_scan(PDFLATEX, folder / "upright.png")
    return turn_scan(upright, 90, folder / "sideways.png")


@pytest.fixture
def viewer(
    qtbot: QtBot, library: Library, manager: ExtractionManager, tmp_path: Path
) -> Iterator[PageViewer]:
    renderer = PageRenderer(threads=1)
    settings = QSettings(str(tmp_path / "folio.ini"), QSettings.Format.IniFormat)
    view = PageViewer(library, manager, renderer, settings)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.close()
    renderer.shutdown()


def only_page(library: Library) -> Page:
    (source,) = library.sources()
    (page,) = library.pages(source.id)
    return page


def landscape(viewer: PageViewer) -> bool:
    image = viewer.image.shown()
    return not image.isNull() and image.width() > image.height()


def portrait(viewer: PageViewer) -> bool:
    image = viewer.image.shown()
    return not image.isNull() and image.width() < image.height()


def test_a_rotate_button_reads_the_page_again_at_the_turn_and_shows_it_turned(
    qtbot: QtBot,
    viewer: PageViewer,
    library: Library,
    manager: ExtractionManager,
    sideways_scan: Path,
) -> None:
    manager.import_files([sideways_scan])
    wait_idle(qtbot, manager, started=True)
    page = only_page(library)
    # Turned right by Folio before reading, and shown so: upright, as it was read.
    assert page.method is TextMethod.OCR and page.rotation == 90 and page.doubt is None
    source = library.source(page.source_id)
    assert source is not None
    viewer.show_page(source, page, None)
    qtbot.waitUntil(lambda: portrait(viewer), timeout=20_000)
    assert viewer.image.turn == 90

    # Turned back left by the user: kept as their choice of "as scanned" (360, not 0,
    # which would let Folio turn it again), shown at once, then read again at it.
    viewer.turn_buttons.buttons[270].click()
    assert library.user_rotation(page.id) == 360
    qtbot.waitUntil(lambda: landscape(viewer), timeout=20_000)
    wait_idle(qtbot, manager)
    sideways = only_page(library)
    assert sideways.rotation == 0 and sideways.doubt is not None  # read badly: to check
    viewer.update_page(sideways, None)
    assert landscape(viewer)

    viewer.turn_buttons.buttons[90].click()  # and right again
    assert library.user_rotation(page.id) == 90
    qtbot.waitUntil(lambda: portrait(viewer), timeout=20_000)
    wait_idle(qtbot, manager)
    again = only_page(library)
    assert again.rotation == 90 and again.doubt is None
    assert "information" in (again.text or "") and "information" not in (sideways.text or "")
    viewer.update_page(again, None)
    assert viewer.image.turn == 90 and portrait(viewer)

    # The turn is kept: a later re-run of the whole document reads the page at it.
    manager.reextract_source(page.source_id)
    wait_idle(qtbot, manager)
    assert only_page(library).rotation == 90
    assert viewer.turn_buttons.buttons[180].toolTip().startswith("Turn the page upside down")
