"""A scanned page is read from its own image when it is just that, and drawn otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from app.core.models import OcrMode
from app.extraction.engine import PageEngine
from app.extraction.pdfpages import OpenPdf
from tests.conftest import SAMPLES

ORIGINAL = SAMPLES / "001-trivial" / "minimal-document.pdf"


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)}


def scan_pdf(folder: Path, dpi: int, name: str) -> Path:
    """The original's first page as an image-only PDF at `dpi` (JPEG, as scanners write)."""
    grey, _ = OpenPdf(ORIGINAL, ORIGINAL.name).grey_image(0)
    size = (round(grey.width * dpi / 300), round(grey.height * dpi / 300))
    out = folder / name
    grey.resize(size, Image.Resampling.LANCZOS).save(out, "PDF", resolution=dpi)
    return out


def read(path: Path, work: Path) -> str:
    engine = PageEngine(work)
    try:
        return engine.page(path, path.name, "pdf", 1, OcrMode.ALWAYS, "eng", lambda *_: None).text
    finally:
        engine.close()


def test_a_300_dpi_scan_is_read_from_its_own_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = scan_pdf(tmp_path, 300, "scan.pdf")
    image, dpi = OpenPdf(scan, scan.name).ocr_image(0)
    assert dpi == 300
    assert image.mode == "L"

    def not_drawn(*_: object) -> None:
        raise AssertionError("the page was drawn again")

    monkeypatch.setattr(OpenPdf, "grey_image", not_drawn)
    found = words(read(scan, tmp_path / "work"))
    expected = words(OpenPdf(ORIGINAL, ORIGINAL.name).text_layer(0)[0])
    assert len(expected) >= 10
    assert len(found & expected) >= 0.9 * len(expected), (found, expected)


def test_a_low_resolution_scan_is_drawn_at_300_dpi(tmp_path: Path) -> None:
    scan = scan_pdf(tmp_path, 150, "coarse.pdf")
    image, dpi = OpenPdf(scan, scan.name).ocr_image(0)
    assert dpi == 300
    assert image.width >= 2400


def test_a_page_with_more_than_its_image_is_drawn(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream

    scan = scan_pdf(tmp_path, 300, "scan.pdf")
    reader = PdfReader(scan)
    writer = PdfWriter()
    page = writer.add_page(reader.pages[0])
    content = page.get_contents()
    assert content is not None
    # A stamp drawn over the scan: the page is more than the image now.
    extra = ContentStream(None, writer)
    extra.set_data(content.get_data() + b"\nq 1 0 0 1 0 0 cm 0 0 50 50 re f Q\n")
    page.replace_contents(extra)
    stamped = tmp_path / "stamped.pdf"
    writer.write(stamped)
    drawn: list[int] = []
    real = OpenPdf.grey_image

    def counting(self: OpenPdf, index: int) -> tuple[Image.Image, int]:
        drawn.append(index)
        return real(self, index)

    pdf = OpenPdf(stamped, stamped.name)
    pdf.grey_image = counting.__get__(pdf)  # type: ignore[method-assign]
    _, dpi = pdf.ocr_image(0)
    assert drawn == [0]
    assert dpi == 300
