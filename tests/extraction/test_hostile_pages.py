"""Documents made to flood Folio: lying page counts, pages of endless text, tall images."""

from __future__ import annotations

import errno
import json
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from app.core.errors import FolioError
from app.extraction.client import MAX_REPLY_BYTES, PAGE_TIMEOUT, PROBE_TIMEOUT, WorkerPool
from app.extraction.protocol import PageRequest, ProbeRequest, RenderRequest

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_file(objects: list[bytes], xref: bool = True) -> bytes:
    """A PDF of `objects` (numbered from 1; object 1 is the catalogue)."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if not xref:
        return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    return out + trailer % (len(objects) + 1, start)


def stream(data: bytes, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


def one_page_pdf(content: bytes, declared: int = 1, compress: bool = False) -> bytes:
    return pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % declared,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            stream(content, compress),
            HELVETICA,
        ]
    )


def huge_text_pdf(path: Path, characters: int = 20_000_000) -> Path:
    """One page holding about `characters` characters of text (in a ~80 KB file)."""
    line = b"(" + b"lorem ipsum dolor sit amet " * 37 + b") Tj T*\n"
    content = b"BT /F1 1 Tf 1 TL 0 700 Td\n" + line * (characters // 999) + b"ET"
    path.write_bytes(one_page_pdf(content, compress=True))
    return path


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    p = WorkerPool(keep_idle=2)
    yield p
    p.close()


def probe(pool: WorkerPool, path: Path) -> dict[str, object]:
    with pool.worker() as w:
        return w.request(ProbeRequest(str(path), path.name), PROBE_TIMEOUT)


def read(
    pool: WorkerPool, path: Path, kind: str, number: int, ocr: str = "auto"
) -> dict[str, object]:
    with pool.worker() as w:
        return w.request(PageRequest(str(path), path.name, kind, number, ocr=ocr), PAGE_TIMEOUT)


def drawn_size(pool: WorkerPool, path: Path, kind: str, index: int, width: int) -> tuple[int, int]:
    with pool.worker() as w:
        result = w.request(RenderRequest(str(path), path.name, kind, index, width), PAGE_TIMEOUT)
    png = Path(str(result["png"]))
    with Image.open(png) as image:  # reads the header only
        size = image.size
    png.unlink()
    return size


# -- page counts -------------------------------------------------------------------------


@pytest.mark.parametrize("xref", [True, False])
def test_a_pdf_lying_about_its_page_count_has_its_real_pages(
    pool: WorkerPool, tmp_path: Path, xref: bool
) -> None:
    content = b"BT /F1 12 Tf 72 720 Td (Hello from the only page) Tj ET"
    data = one_page_pdf(content, declared=1_000_000)
    if not xref:
        data = data[: data.index(b"xref")] + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    liar = tmp_path / "liar.pdf"
    liar.write_bytes(data)
    assert len(data) < 700
    assert probe(pool, liar).items() >= {"kind": "pdf", "pages": 1}.items()
    assert "only page" in str(read(pool, liar, "pdf", 1)["text"])
    with pytest.raises(FolioError, match=r"liar\.pdf has no page 2"):
        read(pool, liar, "pdf", 2)


def test_a_small_count_backed_by_stray_page_objects_still_names_the_missing_pages(
    pool: WorkerPool, tmp_path: Path
) -> None:
    # Three page objects in the file, three declared, one in the page tree: the count
    # passes the quick check, and the pages that are not there say so when read.
    content = b"BT /F1 12 Tf 72 720 Td (The one real page) Tj ET"
    page = b"<< /Type /Page /MediaBox [0 0 612 792] /Contents 4 0 R >>"
    data = pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 3 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            stream(content),
            HELVETICA,
            page,
            page,
        ]
    )
    stray = tmp_path / "stray.pdf"
    stray.write_bytes(data)
    pages = int(str(probe(pool, stray)["pages"]))
    assert pages in (1, 3)
    assert "one real page" in str(read(pool, stray, "pdf", 1)["text"])
    for number in range(2, pages + 1):
        with pytest.raises(FolioError, match=rf"stray\.pdf has no page {number} \(it has 1\)"):
            read(pool, stray, "pdf", number)


def test_a_pdf_over_the_page_cap_is_read_up_to_it_with_a_sentence(
    pool: WorkerPool, tmp_path: Path
) -> None:
    pages = 10_001
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        stream(b"BT /F1 12 Tf 72 720 Td (A page among many) Tj ET"),
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>"
    objects += [page] * pages
    long_pdf = tmp_path / "long.pdf"
    long_pdf.write_bytes(pdf_file(objects))
    info = probe(pool, long_pdf)
    assert info["pages"] == 10_000
    assert "long.pdf has more than 10,000 pages" in str(info["note"])


# -- text ---------------------------------------------------------------------------------


def test_a_page_of_20_mb_of_text_is_cut_with_a_note(pool: WorkerPool, tmp_path: Path) -> None:
    path = huge_text_pdf(tmp_path / "flood.pdf")
    assert path.stat().st_size < 200_000
    result = read(pool, path, "pdf", 1)
    text = str(result["text"])
    assert 500_000 < len(text) <= 1_000_000
    assert text.startswith("lorem ipsum")
    assert result["note"] == f"The page's text was cut at {len(text):,} characters."
    assert len(json.dumps(result)) < MAX_REPLY_BYTES


# -- images -------------------------------------------------------------------------------


def test_a_60_by_1000000_image_is_drawn_small(pool: WorkerPool, tmp_path: Path) -> None:
    tall = tmp_path / "tall.png"
    Image.new("L", (60, 1_000_000), 200).save(tall, compress_level=1)
    width, height = drawn_size(pool, tall, "png", 0, 800)
    assert max(width, height) <= 6000
    assert width * height <= 16_000_000


def test_every_frame_of_a_tiff_is_checked(pool: WorkerPool, tmp_path: Path) -> None:
    tiff = tmp_path / "frames.tiff"
    small = Image.new("L", (100, 100), 255)
    tall = Image.new("L", (60, 1_000_000), 200)
    small.save(tiff, save_all=True, append_images=[tall], compression="tiff_deflate")
    assert probe(pool, tiff).items() >= {"kind": "tiff", "pages": 2}.items()
    width, height = drawn_size(pool, tiff, "tiff", 1, 800)
    assert max(width, height) <= 6000
    with pytest.raises(FolioError, match=r"Page 2 of frames\.tiff is too long and narrow"):
        read(pool, tiff, "tiff", 2)


def tiff_with_a_huge_second_frame(path: Path, side: int) -> Path:
    """Two frames: 8 × 8, then one declaring `side` × `side` pixels (its data left out)."""

    def ifd(width: int, height: int, data_at: int, count: int, next_at: int) -> bytes:
        tags = [
            (256, 4, width),  # width
            (257, 4, height),  # height
            (258, 3, 8),  # bits per sample
            (259, 3, 1),  # no compression
            (262, 3, 1),  # black is zero
            (273, 4, data_at),  # strip offset
            (277, 3, 1),  # samples per pixel
            (278, 4, height),  # rows per strip
            (279, 4, count),  # strip byte count
        ]
        body = struct.pack("<H", len(tags))
        body += b"".join(struct.pack("<HHII", tag, kind, 1, value) for tag, kind, value in tags)
        return body + struct.pack("<I", next_at)

    size = 2 + 9 * 12 + 4
    first_at, second_at, data_at = 8, 8 + size, 8 + 2 * size
    data = b"II*\x00" + struct.pack("<I", first_at)
    data += ifd(8, 8, data_at, 64, second_at)
    data += ifd(side, side, data_at, side * side, 0)
    data += b"\x80" * 64
    path.write_bytes(data)
    return path


def test_a_tiff_frame_over_the_pixel_limit_is_refused_after_seeking(
    pool: WorkerPool, tmp_path: Path
) -> None:
    tiff = tiff_with_a_huge_second_frame(tmp_path / "bomb.tiff", 20_000)
    assert probe(pool, tiff)["pages"] == 2
    with pytest.raises(FolioError, match=r"Page 2 of bomb\.tiff is too large to read"):
        drawn_size(pool, tiff, "tiff", 1, 800)
    with pytest.raises(FolioError, match=r"Page 2 of bomb\.tiff is too large to read"):
        read(pool, tiff, "tiff", 2)


# -- damaged pages ------------------------------------------------------------------------


def test_a_page_of_impossible_size_is_called_damaged_not_a_full_disk(
    pool: WorkerPool, tmp_path: Path
) -> None:
    # A hand-broken file: a page 2,147,483,647 points tall, a bad generation number,
    # no cross-reference table and a page count it does not have.
    data = (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 99999999 >>\nendobj\n"
        b"3 99999999999999999999 obj\n<< /Type /Page /Parent 2 0 R "
        b"/MediaBox [0 0 595 2147483647] /Contents 4 0 R >>\nendobj\n"
        b"4 12345 obj\n<< >>\nstream\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(data)
    assert probe(pool, broken)["pages"] == 1
    with pytest.raises(FolioError) as failed:
        read(pool, broken, "pdf", 1)
    assert "broken.pdf" in failed.value.message
    assert "damaged" in failed.value.message
    assert "disk" not in failed.value.message


def test_a_full_disk_is_still_called_a_full_disk(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from app.extraction.pdfpages import save_png

    image = QImage(64, 64, QImage.Format.Format_Grayscale8)
    image.fill(255)
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("no /dev/full here")
    with pytest.raises(FolioError, match=r"scan\.pdf because the disk is full") as failed:
        save_png(image, full, "Page 1", "scan.pdf")
    assert isinstance(failed.value.__cause__, OSError)
    assert failed.value.__cause__.errno == errno.ENOSPC
