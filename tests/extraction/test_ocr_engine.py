"""Tesseract in the worker process (tesserocr) and the program fallback read alike."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from PIL import Image

from app.core.errors import FolioError
from app.core.models import OcrMode
from app.extraction import engine as engine_module
from app.extraction import tesseract
from app.extraction.client import WorkerPool
from app.extraction.engine import PageEngine, PageResult
from app.extraction.filetype import sniff
from app.extraction.protocol import PageRequest
from tests.conftest import SAMPLES

pytest.importorskip("tesserocr")
PROGRAM = shutil.which("tesseract")
needs_program = pytest.mark.skipif(PROGRAM is None, reason="the Tesseract program is missing")
TICKET = SAMPLES / "018-base64-image" / "page-0-QuickPDFImd32aa1ab.png"


@pytest.fixture(autouse=True)
def fresh_info() -> Iterator[None]:
    """Each test finds Tesseract anew (the answer is cached per process)."""
    tesseract.tesseract_info.cache_clear()
    yield
    tesseract.tesseract_info.cache_clear()


def read(path: Path, work: Path, lang: str = "eng") -> PageResult:
    engine = PageEngine(work)
    try:
        kind = sniff(path).value
        return engine.page(path, path.name, kind, 1, OcrMode.ALWAYS, lang, lambda *_: None)
    finally:
        engine.close()


def words(text: str) -> list[str]:
    """The real words of a text (two letters or more), as Tesseract's noise is not."""
    return [w.lower() for w in re.findall(r"[^\W\d_]{2,}", text)]


def overlap(ours: list[str], theirs: list[str]) -> float:
    """The share of the longer list's words that the other has too (as a multiset)."""
    left = list(theirs)
    same = 0
    for word in ours:
        if word in left:
            left.remove(word)
            same += 1
    return same / max(len(ours), len(theirs), 1)


def both_ways(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[PageResult, PageResult]:
    assert tesseract.tesseract_info().in_process
    inside = read(path, tmp_path / "in")
    monkeypatch.setenv(tesseract.ENV_OVERRIDE, str(PROGRAM))
    tesseract.tesseract_info.cache_clear()
    assert not tesseract.tesseract_info().in_process
    outside = read(path, tmp_path / "out")
    return inside, outside


@pytest.fixture(scope="module")
def scanned_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dense two-column page as a 300-dpi greyscale image file (what a scanner writes)."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument(None)
    doc.load(str(SAMPLES / "026-latex-multicolumn" / "multicolumn.pdf"))
    size = doc.pagePointSize(0)
    drawn = doc.render(0, QSize(int(size.width() / 72 * 300), int(size.height() / 72 * 300)))
    page = engine_module.on_white(drawn, QImage.Format.Format_Grayscale8)
    doc.close()
    out = tmp_path_factory.mktemp("scan") / "page.png"
    raw = tmp_path_factory.mktemp("raw") / "raw.png"
    page.save(str(raw))
    with Image.open(raw) as img:
        img.save(out, dpi=(300, 300))
    return out


@needs_program
@pytest.mark.parametrize("which", ["scanned_pdf", "scanned_png"])
def test_in_process_and_program_read_a_scan_alike(
    which: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = request.getfixturevalue(which)
    inside, outside = both_ways(path, tmp_path, monkeypatch)
    assert inside.to_json().keys() == outside.to_json().keys()
    assert inside.method == outside.method
    ours, theirs = words(inside.text), words(outside.text)
    assert len(ours) >= 10
    assert overlap(ours, theirs) >= 0.9, (inside.text, outside.text)
    for result in (inside, outside):
        assert result.confidence is not None and 0 <= result.confidence <= 100


@needs_program
def test_both_ways_give_the_same_columns(
    scanned_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Image.open(scanned_pdf.with_name("page.png")) as img:
        page = img.convert("L")
    inside = tesseract.InProcessOcr()
    try:
        ours = inside.read(page, "eng", 300)
    finally:
        inside.close()
    png = tmp_path / "page.png"
    page.save(png)
    monkeypatch.setenv(tesseract.ENV_OVERRIDE, str(PROGRAM))
    tesseract.tesseract_info.cache_clear()
    theirs = tesseract.run_tsv(png, "eng", tesseract.program_options(300), tmp_path)
    assert list(ours) == list(theirs)
    assert set(ours["level"]) == set(theirs["level"]) == {"1", "2", "3", "4", "5"}
    # Words (level 5) come with boxes and a confidence, as from the program.
    boxes = [int(ours["width"][i]) for i, level in enumerate(ours["level"]) if level == "5"]
    assert boxes and all(width > 0 for width in boxes)


@needs_program
def test_in_process_lists_the_languages_the_program_has(monkeypatch: pytest.MonkeyPatch) -> None:
    inside = tesseract.tesseract_info()
    monkeypatch.setenv(tesseract.ENV_OVERRIDE, str(PROGRAM))
    tesseract.tesseract_info.cache_clear()
    program = tesseract.tesseract_info()
    assert inside.in_process and not program.in_process
    assert inside.languages == program.languages
    assert "eng" in inside.languages and "osd" not in inside.languages
    assert inside.tessdata and Path(inside.tessdata).is_dir()


def test_tessdata_prefix_is_honoured_and_an_empty_folder_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = tesseract.tesseract_info().tessdata
    assert found is not None
    mine = tmp_path / "tessdata"
    mine.mkdir()
    shutil.copy(Path(found) / "eng.traineddata", mine / "eng.traineddata")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # its parent works too
    tesseract.tesseract_info.cache_clear()
    info = tesseract.tesseract_info()
    assert info.tessdata == str(mine) + "/" and info.languages == ("eng",)
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "empty"))
    tesseract.tesseract_info.cache_clear()
    assert tesseract.tesseract_info().tessdata == found


def test_no_png_is_written_and_the_engine_is_kept(
    scanned_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_file(*_: object, **__: object) -> None:
        raise AssertionError("a page image was written for in-process OCR")

    monkeypatch.setattr(engine_module, "save_png", no_file)
    monkeypatch.setattr(Image.Image, "save", no_file)
    made: list[str] = []
    real = tesseract.InProcessOcr._engine

    def counting(self: tesseract.InProcessOcr, lang: str) -> object:
        before = dict(self._engines)
        got = real(self, lang)
        if lang not in before:
            made.append(lang)
        return got

    monkeypatch.setattr(tesseract.InProcessOcr, "_engine", counting)
    engine = PageEngine(tmp_path / "work")
    try:
        for _ in range(2):
            for path in (scanned_pdf, TICKET):
                result = engine.page(
                    path, path.name, sniff(path).value, 1, OcrMode.ALWAYS, "eng", lambda *_: None
                )
                assert len(words(result.text)) >= 5
        assert not any((tmp_path / "work").iterdir())
    finally:
        engine.close()
    assert made == ["eng"]  # one engine for four pages


def test_engines_are_kept_per_language_set_and_the_oldest_let_go() -> None:
    ocr = tesseract.InProcessOcr(keep=2)
    page = Image.new("L", (200, 100), 255)
    try:
        first = ocr._engine("eng")
        ocr.read(page, "eng+deu", None)
        assert ocr._engine("eng") is first
        ocr.read(page, "deu", None)  # a third set: the least recently used goes
        assert list(ocr._engines) == ["eng", "deu"]
    finally:
        ocr.close()
    assert not ocr._engines


def test_a_damaged_language_file_is_a_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = tesseract.tesseract_info().tessdata
    assert found is not None
    shutil.copy(Path(found) / "eng.traineddata", tmp_path / "eng.traineddata")
    (tmp_path / "bad.traineddata").write_bytes(b"\0" * 1000)
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    tesseract.tesseract_info.cache_clear()
    assert "bad" in tesseract.tesseract_info().languages
    with pytest.raises(FolioError, match="language bad could not be loaded"):
        read(TICKET, tmp_path / "work", lang="bad")
    with pytest.raises(FolioError, match="language xyz is not installed"):
        read(TICKET, tmp_path / "work", lang="xyz")


def _maps_tesseract(pid: int) -> bool:
    return any("libtesseract" in m.path for m in psutil.Process(pid).memory_maps())


@pytest.mark.parametrize("program", [False, True])
def test_the_worker_reads_in_process_unless_a_program_is_named(
    program: bool, scanned_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if program:
        if PROGRAM is None:
            pytest.skip("the Tesseract program is missing")
        monkeypatch.setenv(tesseract.ENV_OVERRIDE, PROGRAM)
    pool = WorkerPool()
    try:
        with pool.worker() as w:
            reply = w.request(
                PageRequest(str(scanned_pdf), scanned_pdf.name, "pdf", 1, ocr="always"), 120
            )
            assert len(words(str(reply["text"]))) >= 10
            assert _maps_tesseract(w.pid) is not program
    finally:
        pool.close()


def test_two_languages_fit_well_inside_a_workers_memory_limit(scanned_pdf: Path) -> None:
    # The default limit is 1536 MB; eng and eng+deu kept loaded took about 112 MB of data.
    pool = WorkerPool(memory_mb=400)
    try:
        with pool.worker() as w:
            for lang in ("eng", "eng+deu"):
                request = PageRequest(str(scanned_pdf), "scan.pdf", "pdf", 1, "always", lang)
                assert len(words(str(w.request(request, 120)["text"]))) >= 10
            data = getattr(psutil.Process(w.pid).memory_info(), "data", 0)
            assert data < 300 * 2**20
    finally:
        pool.close()
