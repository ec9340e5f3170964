"""Every hostile file, in one batch, through the real manager: each ends with text or a sentence."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import TaskStatus
from app.extraction.engine import OCR_BUDGET
from app.tasks.manager import ExtractionManager
from tests.conftest import SAMPLES, hostile_files

MEMORY_MB = 768


@pytest.fixture
def manager(library_dir: Path, qapp: object) -> Iterator[ExtractionManager]:
    lib = Library(library_dir)
    lib.acquire_writer_lock()
    m = ExtractionManager(lib, memory_mb=MEMORY_MB)
    m.start()
    yield m
    m.shutdown()
    lib.close()


@pytest.mark.slow
def test_hostile_corpus_through_the_manager(qtbot: QtBot, manager: ExtractionManager) -> None:
    files = hostile_files()
    assert len(files) >= 100
    me = psutil.Process()
    rss_start = me.memory_info().rss
    peak_app = rss_start
    peak_worker = 0

    def sample() -> bool:
        nonlocal peak_app, peak_worker
        peak_app = max(peak_app, me.memory_info().rss)
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                peak_worker = max(peak_worker, child.memory_info().rss)
        return manager.is_idle()

    manager.import_files(files)
    qtbot.waitUntil(sample, timeout=int(len(files) * OCR_BUDGET * 1000))
    manager.flush_now()
    tasks = manager.tasks()
    assert all(t.status.is_terminal for t in tasks)
    failed = [t for t in tasks if t.status is TaskStatus.FAILED]
    assert failed, "the hostile corpus has files that must fail"
    for task in failed:
        assert task.error and task.error.endswith("."), task.error
        # The sentence names the file it is about.
        name = task.source_name or str(task.payload.get("name", ""))
        assert name and name in task.error, (name, task.error)
    imported = [
        t for t in tasks if t.task_type.value == "import" and t.status is TaskStatus.COMPLETED
    ]
    assert imported, "damaged but readable files still import"
    assert peak_worker < MEMORY_MB * 1024 * 1024 * 1.1
    # The app's own memory stays flat: parsing happens in the workers.
    assert peak_app - rss_start < 300 * 1024 * 1024


def _png_header_only(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_ocr_faults_fail_alone_and_the_batch_completes(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    from PIL import Image

    good = SAMPLES / "018-base64-image" / "page-0-QuickPDFImd32aa1ab.png"
    Image.new("1", (20_000, 20_000), 1).save(tmp_path / "poster 400MP.png")
    (tmp_path / "huge.png").write_bytes(_png_header_only(50_000, 50_000))
    (tmp_path / "cut.png").write_bytes(good.read_bytes()[:20_000])
    (tmp_path / "list.png").write_text(f"{good}\n{good}\n")
    expected = {
        "poster 400MP.png": "too large",
        "huge.png": "too large",
        "cut.png": "damaged",
        "list.png": "is not a PDF or an image",
    }
    manager.import_files([good, *(tmp_path / n for n in expected)])
    qtbot.waitUntil(manager.is_idle, timeout=120_000)
    manager.flush_now()
    by_name: dict[str, list[str]] = {}
    for t in manager.tasks():
        name = t.source_name or str(t.payload.get("name"))
        by_name.setdefault(name, []).append(f"{t.status.value}: {t.error or t.message}")
    for name, words in expected.items():
        assert any(words in line and line.startswith("failed") for line in by_name[name]), by_name
    assert any("ticket" in line or "words" in line for line in by_name[good.name])
    assert all(line.startswith("completed") for line in by_name[good.name])


def test_missing_tesseract_fails_ocr_pages_only(
    qtbot: QtBot, library_dir: Path, qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.setenv("FOLIO_TESSERACT", str(library_dir / "no-such-tesseract"))
    lib = Library(library_dir)
    manager = ExtractionManager(lib)
    manager.start()
    try:
        manager.import_files(
            [SAMPLES / "007-imagemagick-images/smile.png", SAMPLES / "021-pdfa/crazyones-pdfa.pdf"]
        )
        qtbot.waitUntil(manager.is_idle, timeout=60_000)
        pages = [t for t in manager.tasks() if t.task_type.value == "text_extraction"]
        by_name = {t.source_name: t for t in pages}
        assert by_name["smile.png"].status is TaskStatus.FAILED
        assert "Tesseract is not installed" in (by_name["smile.png"].error or "")
        assert by_name["crazyones-pdfa.pdf"].status is TaskStatus.COMPLETED
    finally:
        manager.shutdown()
        lib.close()
