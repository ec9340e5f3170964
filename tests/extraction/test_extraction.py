"""The page-text engine through real worker processes, on real documents."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import FolioError
from app.extraction.client import PAGE_TIMEOUT, PROBE_TIMEOUT, WorkerPool
from app.extraction.protocol import PageRequest, ProbeRequest
from tests.conftest import SAMPLES, sample_pdfs


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    p = WorkerPool(keep_idle=2)
    yield p
    p.close()


def probe(pool: WorkerPool, path: Path) -> dict[str, object]:
    with pool.worker() as w:
        return w.request(ProbeRequest(str(path), path.name), PROBE_TIMEOUT)


def page(pool: WorkerPool, path: Path, number: int = 1, **opts: str) -> dict[str, object]:
    info = probe(pool, path)
    with pool.worker() as w:
        return w.request(
            PageRequest(str(path), path.name, str(info["kind"]), number, **opts), PAGE_TIMEOUT
        )


def test_every_sample_pdf_gives_its_listed_page_count(pool: WorkerPool) -> None:
    checked = 0
    for entry in sample_pdfs():
        path = SAMPLES / str(entry["path"])
        if entry["encrypted"]:
            continue
        assert probe(pool, path)["pages"] == entry["pages"], entry["path"]
        checked += 1
    assert checked >= 25


@pytest.mark.parametrize(
    ("rel", "number", "words"),
    [
        ("001-trivial/minimal-document.pdf", 1, ["Lorem", "ipsum", "takimata"]),
        ("004-pdflatex-4-pages/pdflatex-4-pages.pdf", 4, ["original language", "special content"]),
        ("009-pdflatex-geotopo/GeoTopo-komprimiert.pdf", 1, ["Geometrie", "Topologie"]),
        ("011-google-doc-document/google-doc-document.pdf", 1, ["Beautiful is better than ugly"]),
        ("021-pdfa/crazyones-pdfa.pdf", 1, ["misfits", "troublemakers"]),
        ("022-pdfkit/pdfkit.pdf", 1, ["Header"]),
    ],
)
def test_text_layer_of_known_pages(
    pool: WorkerPool, rel: str, number: int, words: list[str]
) -> None:
    result = page(pool, SAMPLES / rel, number)
    assert result["method"] == "text-layer"
    for word in words:
        assert word in str(result["text"])


def test_image_is_ocrd_into_its_words(pool: WorkerPool) -> None:
    result = page(pool, SAMPLES / "018-base64-image" / "page-0-QuickPDFImd32aa1ab.png")
    assert result["method"] == "ocr"
    text = str(result["text"])
    for word in ("open", "ticket", "assign", "yourself", "issue"):
        assert word in text
    assert isinstance(result["confidence"], float)


def test_scanned_pdf_page_is_ocrd(pool: WorkerPool, scanned_pdf: Path) -> None:
    result = page(pool, scanned_pdf)
    assert result["method"] == "ocr"
    text = str(result["text"])
    for word in ("Lorem", "ipsum", "dolor", "consetetur", "sadipscing"):
        assert word in text
    assert float(result["confidence"]) > 60  # type: ignore[arg-type]


def test_ocr_never_on_a_scan_is_a_clear_failure(pool: WorkerPool, scanned_pdf: Path) -> None:
    with pytest.raises(FolioError, match="has no text layer, and OCR is switched off"):
        page(pool, scanned_pdf, ocr="never")


def test_tiff_frames_are_pages(pool: WorkerPool, tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "two.tiff"
    frames = [Image.new("L", (200, 100), c) for c in (255, 200)]
    frames[0].save(out, save_all=True, append_images=frames[1:])
    assert probe(pool, out).items() >= {"kind": "tiff", "pages": 2}.items()
    assert page(pool, out, 2)["method"] == "ocr"
    with pytest.raises(FolioError, match=r"two\.tiff has no page 3 \(it has 2\)\."):
        page(pool, out, 3)


def test_an_image_has_one_page(pool: WorkerPool, tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "one.png"
    Image.new("L", (200, 100), 255).save(out)
    with pytest.raises(FolioError, match=r"one\.png has no page 5 \(it has 1\)\."):
        page(pool, out, 5)


def test_encrypted_pdf_needs_a_password(pool: WorkerPool) -> None:
    path = SAMPLES / "005-libreoffice-writer-password" / "libreoffice-writer-password.pdf"
    with pytest.raises(FolioError, match="password is required"):
        probe(pool, path)


def test_text_file_named_png_never_reaches_tesseract(pool: WorkerPool, tmp_path: Path) -> None:
    fake = tmp_path / "scan.png"
    fake.write_text(str(SAMPLES / "007-imagemagick-images" / "smile.png") + "\n")
    with pytest.raises(FolioError, match=r"scan\.png is not a PDF or an image"):
        probe(pool, fake)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_50000_square_image_is_refused(pool: WorkerPool, tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png_header_only(50_000, 50_000))
    with pytest.raises(FolioError, match=r"huge\.png is too large"):
        page(pool, huge)


def test_400_megapixel_image_is_refused(pool: WorkerPool, tmp_path: Path) -> None:
    from PIL import Image

    big = tmp_path / "big.png"
    Image.new("1", (20_000, 20_000), 1).save(big)
    with pytest.raises(FolioError, match=r"big\.png is too large"):
        page(pool, big)


def test_truncated_png_is_damaged(pool: WorkerPool, tmp_path: Path) -> None:
    data = (SAMPLES / "018-base64-image" / "page-0-QuickPDFImd32aa1ab.png").read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(FolioError, match=r"cut\.png is damaged"):
        page(pool, cut)


def test_missing_language_is_named(pool: WorkerPool) -> None:
    with pytest.raises(FolioError, match="language xyz is not installed"):
        page(pool, SAMPLES / "007-imagemagick-images" / "smile.png", lang="xyz")


def test_missing_tesseract_is_a_sentence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FOLIO_TESSERACT", str(tmp_path / "no-tesseract"))
    pool = WorkerPool()
    try:
        with pytest.raises(FolioError, match="Tesseract is not installed"):
            page(pool, SAMPLES / "007-imagemagick-images" / "smile.png")
        # The text layer still works without it.
        assert page(pool, SAMPLES / "001-trivial" / "minimal-document.pdf")["method"] == (
            "text-layer"
        )
    finally:
        pool.close()


@pytest.mark.slow
def test_hung_reader_is_killed_and_reported(pool: WorkerPool) -> None:
    # PDFium never returns on page 2 of this damaged file; the worker is killed.
    path = SAMPLES / "017-unreadable-meta-data" / "unreadablemetadata.pdf"
    with pytest.raises(FolioError, match="took longer than"):
        page(pool, path, 2)
    assert "Industrial" in str(page(pool, path, 1)["text"])


def test_closing_a_worker_twice_leaves_other_files_open(tmp_path: Path) -> None:
    """A pool closed while a page is read closes that worker again when the read ends.

    The second close must not close a descriptor number that another thread
    has been given since (it made the window's shutdown fail in CI).
    """
    from app.extraction.client import WorkerProcess

    worker = WorkerProcess()
    worker.close()
    reused = [os.open(tmp_path, os.O_RDONLY) for _ in range(8)]
    try:
        worker.close()
        for fd in reused:
            os.fstat(fd)  # raises EBADF if the second close took it
    finally:
        for fd in reused:
            os.close(fd)


def test_pool_closed_while_workers_start_leaves_no_worker(tmp_path: Path) -> None:
    from tests.conftest import live_children

    pool = WorkerPool()
    pool.warm(2)
    pool.close()
    assert live_children() == [], "a worker started by warm() outlived the closed pool"
