"""The worker's probe reads what a document says of itself: title, author, page size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from app.extraction.engine import PageEngine
from app.extraction.protocol import ProbeReply, ProbeRequest, parse_reply
from tests.docs import pdf_with_metadata


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[PageEngine]:
    e = PageEngine(tmp_path / "work")
    yield e
    e.close()


def test_a_pdfs_title_author_and_first_page_size(engine: PageEngine, tmp_path: Path) -> None:
    pdf = pdf_with_metadata(
        tmp_path / "a.pdf", title="  Miete\n2024 ", author="Jörg Ö.", size=(841.89, 595.28)
    )
    probe = engine.probe(pdf, "a.pdf")
    assert probe == {
        "kind": "pdf",
        "pages": 1,
        "title": "Miete 2024",
        "author": "Jörg Ö.",
        "page_width": 841.89,
        "page_height": 595.28,
    }
    bare = pdf_with_metadata(tmp_path / "b.pdf", title=None, author=None)
    assert engine.probe(bare, "b.pdf") == {
        "kind": "pdf",
        "pages": 1,
        "page_width": 612,
        "page_height": 792,
    }


def test_an_images_page_size_comes_from_its_pixels_and_resolution(
    engine: PageEngine, tmp_path: Path
) -> None:
    png = tmp_path / "scan.png"
    text = PngInfo()
    text.add_text("Title", "Receipt")
    text.add_text("Author", "Scanner 3000")
    Image.new("L", (1240, 1754), 255).save(png, dpi=(150, 150), pnginfo=text)  # A4
    probe = engine.probe(png, "scan.png")
    assert (probe["title"], probe["author"]) == ("Receipt", "Scanner 3000")
    assert probe["page_width"] == pytest.approx(595.2, abs=0.1)
    assert probe["page_height"] == pytest.approx(841.9, abs=0.1)
    tiff = tmp_path / "fax.tiff"
    frames = [Image.new("1", (1728, 2200), 1) for _ in range(2)]
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(204, 196))
    probe = engine.probe(tiff, "fax.tiff")
    assert probe["pages"] == 2
    assert probe["page_width"] == pytest.approx(1728 * 72 / 204, abs=0.01)
    jpeg = tmp_path / "photo.jpg"
    Image.new("RGB", (640, 480)).save(jpeg)  # no resolution given: no page size
    assert engine.probe(jpeg, "photo.jpg") == {"kind": "jpeg", "pages": 1}


def test_probe_replies_carry_the_metadata_and_refuse_wrong_types() -> None:
    request = ProbeRequest("/x.pdf", "x.pdf")
    reply = parse_reply(
        request,
        {"kind": "pdf", "pages": 2, "title": "T", "author": None, "page_width": 612},
    )
    assert reply == ProbeReply("pdf", 2, None, "T", None, 612, None)
    with pytest.raises(ValueError, match="title is int"):
        parse_reply(request, {"kind": "pdf", "pages": 2, "title": 5})
    # An older worker that says nothing of them is still understood.
    assert parse_reply(request, {"kind": "pdf", "pages": 2}) == ProbeReply("pdf", 2)
