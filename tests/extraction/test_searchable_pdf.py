"""Searchable PDFs with real Tesseract on real files: text read back, images untouched."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject

from app.cli import run
from app.core.errors import FolioError
from app.extraction.client import WorkerCancelled, WorkerPool
from app.extraction.searchable import SearchableBuilder
from tests.conftest import SAMPLES

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"

pytestmark = pytest.mark.slow


def text_of(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def words(text: str) -> set[str]:
    return {w.strip(".,;:()").lower() for w in text.split() if len(w.strip(".,;:()")) > 3}


def images(path: Path) -> list[str]:
    """`pdfimages -list`, whole: page, size, colour, coding, object number, bytes."""
    return subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()


def plain(obj: object, depth: int = 0) -> object:
    """A PDF object as plain data, its references as object numbers (not followed)."""
    if isinstance(obj, IndirectObject):
        return ("ref", obj.idnum)
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items() if k != "/Parent"}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    return str(obj)


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(keep_idle=2)
    yield workers
    workers.close()


def test_the_command_makes_a_scan_searchable_keeping_its_images(
    scanned_pdf: Path, tmp_path: Path
) -> None:
    out = tmp_path / "searchable.pdf"
    assert text_of(scanned_pdf).strip() == ""
    assert run(["searchable-pdf", str(scanned_pdf), str(out), "--lang", "eng"]) == 0
    expected = words(text_of(TRIVIAL))
    found = words(text_of(out))
    assert len(expected & found) >= 0.9 * len(expected), expected - found
    assert images(out) == images(scanned_pdf)
    assert out.stat().st_size <= 1.25 * scanned_pdf.stat().st_size
    # The input's bytes are the output's first bytes: nothing of it was rewritten.
    assert out.read_bytes().startswith(scanned_pdf.read_bytes())


def test_a_page_with_a_text_layer_is_left_as_it_is(
    scanned_pdf: Path, tmp_path: Path, pool: WorkerPool
) -> None:
    mixed = tmp_path / "mixed.pdf"
    writer = PdfWriter()
    writer.append(str(TRIVIAL))
    writer.append(str(scanned_pdf))
    writer.write(mixed)
    out = tmp_path / "mixed searchable.pdf"
    result = SearchableBuilder(pool, mixed, out, lang="eng", jobs=2).run()
    assert (result.pages, result.ocr_pages, result.kept_pages) == (2, 1, 1)
    before, after = PdfReader(mixed).pages[0], PdfReader(out).pages[0]
    assert plain(after) == plain(before)
    pages = text_of(out).split("\f")
    assert pages[0] == text_of(mixed).split("\f")[0]
    assert "gubergren" in pages[1].lower()


def test_a_turned_page_gets_its_text_where_the_words_are(
    scanned_pdf: Path, tmp_path: Path, pool: WorkerPool
) -> None:
    """The image stored on its side and /Rotate 90 showing it upright, as scanners do."""
    turned = tmp_path / "turned.pdf"
    with Image.open(scanned_pdf.with_name("page.png")) as img:
        img.rotate(90, expand=True).save(turned, "PDF", resolution=300)
    writer = PdfWriter(clone_from=str(turned))
    writer.pages[0].rotate(90)
    writer.write(turned)
    out = tmp_path / "turned searchable.pdf"
    SearchableBuilder(pool, turned, out, lang="eng").run()
    assert "gubergren" in text_of(out).lower()
    box = subprocess.run(
        ["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The first words sit near the top of the page as shown (pdftotext turns it too).
    first = next(line for line in box.splitlines() if "<word" in line)
    y_min = float(first.split('yMin="')[1].split('"')[0])
    assert y_min < 200
    assert images(out) == images(turned)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tiff"])
def test_an_image_becomes_a_searchable_page_without_re_encoding(
    scanned_pdf: Path, tmp_path: Path, pool: WorkerPool, suffix: str
) -> None:
    image = tmp_path / f"scan{suffix}"
    with Image.open(scanned_pdf.with_name("page.png")) as img:
        img.save(image, dpi=(300, 300))
        size = [str(img.width), str(img.height)]
    out = tmp_path / "image.pdf"
    SearchableBuilder(pool, image, out, lang="eng").run()
    assert "gubergren" in text_of(out).lower()
    listed = images(out)[2].split()
    assert listed[3:5] == size and listed[5] == "gray"
    if suffix == ".jpg":
        assert listed[8] == "jpeg"
        # The JPEG's bytes are in the PDF as they are.
        assert image.read_bytes() in out.read_bytes()
    extracted = tmp_path / "back"
    subprocess.run(["pdfimages", "-png", str(out), str(extracted)], check=True)
    with Image.open(image) as original, Image.open(f"{extracted}-000.png") as back:
        assert back.convert("L").tobytes() == original.convert("L").tobytes()


def test_cancelling_leaves_no_output(long_scan: Path, tmp_path: Path, pool: WorkerPool) -> None:
    out = tmp_path / "cancelled.pdf"
    started = threading.Event()
    builder = SearchableBuilder(
        pool, long_scan, out, lang="eng", jobs=2, progress=lambda f, m: started.set()
    )
    timer = threading.Timer(0.0, lambda: started.wait(30) and builder.cancel())
    timer.start()
    with pytest.raises(WorkerCancelled):
        builder.run()
    timer.join()
    assert list(tmp_path.iterdir()) == []


def test_the_input_is_never_overwritten_and_failures_name_the_file(
    scanned_pdf: Path, tmp_path: Path, pool: WorkerPool, capsys: pytest.CaptureFixture[str]
) -> None:
    before = scanned_pdf.read_bytes()
    assert run(["searchable-pdf", str(scanned_pdf), str(scanned_pdf)]) == 1
    assert "would overwrite the original" in capsys.readouterr().err
    assert scanned_pdf.read_bytes() == before
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 100)
    with pytest.raises(FolioError, match=r"damaged\.pdf"):
        SearchableBuilder(pool, damaged, tmp_path / "out.pdf", lang="eng").run()
    assert not (tmp_path / "out.pdf").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["damaged.pdf"]
