"""Where each word is: a PDF's text layer and a real OCR'd scan put a known word where it is
drawn, on the page as the file draws it, whatever turn or skew the scan was read at."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument

from app.core.models import OcrMode, TextMethod
from app.core.words import WordBox, turn_box
from app.extraction.engine import PageEngine, PageResult
from app.extraction.filetype import sniff
from app.extraction.protocol import PageReply, PageRequest, parse_reply
from tests.scans import draw_scan, turn_scan

from .test_orientation import PDFLATEX, needs_osd

#: A word that stands once per few lines of the page, the first of them checked.
WORD = "Kjift"


def read(path: Path, work: Path, ocr: OcrMode = OcrMode.ALWAYS, rotation: int = 0) -> PageResult:
    engine = PageEngine(work)
    try:
        kind = sniff(path).value
        return engine.page(path, path.name, kind, 1, ocr, "eng", lambda *_: None, rotation)
    finally:
        engine.close()


def first_box(result: PageResult, word: str = WORD) -> WordBox:
    assert result.words is not None
    return next(b for b in result.words if result.text[b.start : b.end].startswith(word))


def centre(box: WordBox) -> tuple[float, float]:
    return (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2


def assert_same_place(found: WordBox, expected: WordBox, within: float = 0.006) -> None:
    """Centres within `within` of the page, sizes within a third of each other."""
    (fx, fy), (ex, ey) = centre(found), centre(expected)
    assert abs(fx - ex) < within and abs(fy - ey) < within, (found, expected)
    for have, want in ((found.x1 - found.x0, expected.x1 - expected.x0),
                       (found.y1 - found.y0, expected.y1 - expected.y0)):  # fmt: skip
        assert abs(have - want) < max(want / 3, 0.004), (found, expected)


@pytest.fixture(scope="module")
def text_layer_box(tmp_path_factory: pytest.TempPathFactory, qapp: object) -> WordBox:
    """The known word's box from the PDF's own text layer (page 1)."""
    result = read(PDFLATEX, tmp_path_factory.mktemp("work"), OcrMode.AUTO)
    assert result.method is TextMethod.TEXT_LAYER
    return first_box(result)


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory, qapp: object) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scans")
    up = draw_scan(PDFLATEX, folder / "upright.png")
    return {
        "upright": up,
        "90": turn_scan(up, 90, folder / "left.png"),
        "+3": turn_scan(up, 3, folder / "skewed.png"),
    }


def test_the_text_layers_box_of_a_word_is_where_qtpdf_selects_it(
    text_layer_box: WordBox,
) -> None:
    doc = QPdfDocument(None)
    doc.load(str(PDFLATEX))
    raw = doc.getAllText(0).text()
    at = raw.index(WORD)
    rect = doc.getSelectionAtIndex(0, at, len(WORD)).boundingRectangle()
    size = doc.pagePointSize(0)
    expected = WordBox(
        rect.left() / size.width(),
        rect.top() / size.height(),
        rect.right() / size.width(),
        rect.bottom() / size.height(),
        0,
        0,
    )
    # QtPdf rounds to whole points (1/595 of the page's width).
    assert_same_place(text_layer_box, expected, within=0.003)
    assert 0.005 < text_layer_box.x1 - text_layer_box.x0 < 0.1


def test_a_text_layer_page_has_a_box_for_nearly_every_word(tmp_path: Path) -> None:
    result = read(PDFLATEX, tmp_path / "first", OcrMode.AUTO)
    assert result.words is not None
    assert len(result.words) >= 0.98 * len(result.text.split())
    assert all(result.text[b.start : b.end].strip() for b in result.words)
    # Not asked for (folio extract): none found.
    engine = PageEngine(tmp_path / "work")
    try:
        plain = engine.page(
            PDFLATEX, "x.pdf", "pdf", 1, OcrMode.AUTO, "eng", lambda *_: None, words=False
        )
    finally:
        engine.close()
    assert plain.words is None and "words" not in plain.to_json()


def test_an_ocrd_scans_box_of_a_word_covers_where_the_word_is_drawn(
    scans: dict[str, Path], text_layer_box: WordBox, tmp_path: Path
) -> None:
    pytest.importorskip("tesserocr")
    result = read(scans["upright"], tmp_path)
    assert result.method is TextMethod.OCR and result.rotation == 0
    assert_same_place(first_box(result), text_layer_box)
    assert result.words is not None and len(result.words) >= 0.95 * len(result.text.split())


@needs_osd
def test_a_scan_read_turned_keeps_its_boxes_on_the_page_as_scanned(
    scans: dict[str, Path], text_layer_box: WordBox, tmp_path: Path
) -> None:
    pytest.importorskip("tesserocr")
    result = read(scans["90"], tmp_path)
    assert result.rotation == 90  # read turned right, as it was scanned turned left
    # On the sideways scan, the word is where the upright page's word goes turned left.
    assert_same_place(first_box(result), turn_box(text_layer_box, 270))


def test_a_skewed_scan_straightened_for_reading_keeps_its_boxes_on_the_skewed_page(
    scans: dict[str, Path], text_layer_box: WordBox, tmp_path: Path
) -> None:
    pytest.importorskip("tesserocr")
    result = read(scans["+3"], tmp_path)
    # Where the upright word's centre went when the page was turned 3° to the left.
    from PIL import Image

    with Image.open(scans["upright"]) as up, Image.open(scans["+3"]) as skewed:
        (w, h), (sw, sh) = up.size, skewed.size
    cx, cy = centre(text_layer_box)
    dx, dy = cx * w - w / 2, cy * h - h / 2
    a = math.radians(3)
    x = sw / 2 + dx * math.cos(a) + dy * math.sin(a)
    y = sh / 2 - dx * math.sin(a) + dy * math.cos(a)
    fx, fy = centre(first_box(result))
    assert abs(fx - x / sw) < 0.006 and abs(fy - y / sh) < 0.006


def test_a_reply_with_a_bad_word_box_keeps_its_text_without_boxes() -> None:
    request = PageRequest("/x", "x", "pdf", 1)
    good = [0.1, 0.2, 0.3, 0.25, 0, 5]
    page = parse_reply(request, {"text": "hello", "method": "ocr", "words": [good]})
    assert isinstance(page, PageReply) and page.words == [good]
    for bad in ([0.1, 0.2, 0.3, 0.25, 0, 9], [0.1, 0.2, 7.0, 0.25, 0, 5], [0.1, True, 0, 0, 0, 1]):
        page = parse_reply(request, {"text": "hello", "method": "ocr", "words": [good, bad]})
        assert isinstance(page, PageReply) and page.text == "hello" and page.words is None
    with pytest.raises(ValueError, match="words is str"):
        parse_reply(request, {"text": "hello", "method": "ocr", "words": "all"})
