"""Workers die with Folio even while PDFium hangs, stop on runaway CPU, keep temp files private."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from PIL import Image, ImageDraw, ImageFont

from app.core.errors import FolioError
from app.extraction.client import PAGE_TIMEOUT, ReaderTimeout, WorkerPool, WorkerProcess
from app.extraction.protocol import PageRequest, PingRequest
from tests.conftest import REPO, SAMPLES

HANGS = SAMPLES / "017-unreadable-meta-data" / "unreadablemetadata.pdf"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux kernel")

#: Run by a short-lived "app": borrow a worker, print its pid, ask for page 2 of a
#: file on which PDFium loops holding the GIL, and wait for ever.
APP = """
import sys
from app.extraction.client import WorkerPool
from app.extraction.protocol import PageRequest
pool = WorkerPool()
with pool.worker() as worker:
    print(worker.pid, flush=True)
    worker.request(
        PageRequest(sys.argv[1], "x", sys.argv[2], int(sys.argv[3]), ocr=sys.argv[4]),
        3600,
        lambda fraction, message: print(message, flush=True),
    )
"""


def start_app(
    path: Path, kind: str, number: int, ocr: str = "auto", env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", APP, str(path), kind, str(number), ocr],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
    )


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def is_ocr(process: psutil.Process) -> bool:
    """Whether `process` is a Tesseract run reading a page (not a version query)."""
    try:
        return "tsv" in process.cmdline()
    except psutil.NoSuchProcess:
        return False


def gone_within(pids: list[int], seconds: float) -> list[int]:
    """The pids still running after `seconds` (killed then, so no test leaks them)."""
    deadline = time.monotonic() + seconds
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in pids if running(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@linux_only
def test_worker_hung_in_pdfium_dies_with_the_killed_app() -> None:
    app = start_app(HANGS, "pdf", 2)
    assert app.stdout is not None
    worker = int(app.stdout.readline())
    assert "Text layer, page 2" in app.stdout.readline()
    # Stuck inside PDFium: its CPU time keeps climbing while the app waits.
    time.sleep(1.5)
    before = psutil.Process(worker).cpu_times().user
    time.sleep(0.5)
    assert psutil.Process(worker).cpu_times().user > before + 0.2
    app.send_signal(signal.SIGKILL)
    app.wait()
    app.stdout.close()
    assert gone_within([worker], 5) == [], "the worker outlived the killed app"


def reads_in_process(pid: int) -> bool:
    """Whether worker `pid` has Tesseract loaded (tesserocr) and is on a processor."""
    try:
        worker = psutil.Process(pid)
        loaded = "libtesseract" in Path(f"/proc/{pid}/maps").read_text()
        return loaded and worker.status() == psutil.STATUS_RUNNING
    except (OSError, psutil.NoSuchProcess):
        return False


@linux_only
@pytest.mark.parametrize("way", ["in process", "program"])
def test_tesseract_dies_with_the_killed_app(way: str, tmp_path: Path) -> None:
    # A dense page Tesseract needs far longer than 5 s to read.
    scan = tmp_path / "scan.png"
    page = Image.new("L", (2400, 3600), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=24)
    words = "The quick brown fox jumps over the lazy dog 0123456789 " * 3
    for line in range(115):
        draw.text((60, 40 + line * 31), words, 0, font)
    page.save(scan, dpi=(300, 300))
    program = shutil.which("tesseract")
    if way == "program" and program is None:
        pytest.skip("the Tesseract program is missing")
    app = start_app(scan, "png", 1, env={"FOLIO_TESSERACT": program} if way == "program" else {})
    assert app.stdout is not None
    worker = int(app.stdout.readline())
    tesseract: list[int] = []
    deadline = time.monotonic() + 30
    while not tesseract and time.monotonic() < deadline:
        tesseract = [p.pid for p in psutil.Process(worker).children() if is_ocr(p)]
        # In process there is no program: the worker itself reads the page.
        if way == "in process" and reads_in_process(worker):
            tesseract = [worker]
        time.sleep(0.02)
    assert tesseract, "Tesseract never started"
    app.send_signal(signal.SIGKILL)
    app.wait()
    app.stdout.close()
    assert gone_within([worker, *tesseract], 5) == [], "the worker or Tesseract outlived the app"


@linux_only
def test_a_worker_outlives_the_thread_that_started_it() -> None:
    """The kernel's parent-death signal follows the starting thread, not the process.

    Pool threads come and go (Qt's expire after 30 s idle); their workers must stay.
    """
    pool = WorkerPool(keep_idle=1)
    pids: list[int] = []

    def borrow() -> None:
        with pool.worker() as worker:
            # Answering means the worker is past its start-up, parent-death signal set.
            pids.append(worker.request(PingRequest(), PAGE_TIMEOUT)["pid"])

    try:
        starter = threading.Thread(target=borrow)
        starter.start()
        starter.join()
        time.sleep(0.5)
        assert running(pids[0]), "the worker died when the thread that started it ended"
        with pool.worker() as worker:
            assert worker.request(PingRequest(), PAGE_TIMEOUT) == {"pid": pids[0]}
    finally:
        pool.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_cpu_backstop_stops_a_worker_looping_in_pdfium() -> None:
    """Even with a parent that would wait for ever, the kernel ends the loop."""
    pool = WorkerPool(keep_idle=1, cpu_seconds=2)
    try:
        started = time.monotonic()
        with pool.worker() as worker, pytest.raises(ReaderTimeout, match="processor time"):
            worker.request(PageRequest(str(HANGS), HANGS.name, "pdf", 2), 60)
        assert time.monotonic() - started < 30
    finally:
        pool.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_cpu_backstop_is_per_request_not_per_worker(tmp_path: Path) -> None:
    from tests.extraction.test_hostile_pages import huge_text_pdf

    path = huge_text_pdf(tmp_path / "dense.pdf")
    worker = WorkerProcess(cpu_seconds=2)
    try:
        used = 0.0
        while used < 4:  # twice the per-request allowance, in one worker
            result = worker.request(PageRequest(str(path), path.name, "pdf", 1), 60)
            assert "cut" in str(result["note"])
            times = psutil.Process(worker.pid).cpu_times()
            used = times.user + times.system
        assert worker.alive
    finally:
        worker.close()


@pytest.fixture
def shared_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary folder standing for /tmp, that no other test writes to."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setenv("TMPDIR", str(shared))
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    yield shared


def test_ocr_leaves_no_tesseract_file_in_the_shared_temp_folder(shared_temp: Path) -> None:
    image = SAMPLES / "018-base64-image" / "page-0-QuickPDFImd32aa1ab.png"
    seen: set[str] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            with os.scandir(shared_temp) as entries:
                seen.update(entry.name for entry in entries)
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    pool = WorkerPool(keep_idle=1)
    try:
        with pool.worker() as worker:
            work_dir = Path(worker.work_dir)
            assert work_dir.parent == shared_temp
            assert stat.S_IMODE(work_dir.stat().st_mode) == 0o700
            for number in range(3):
                result = worker.request(
                    PageRequest(str(image), image.name, "png", 1, ocr="always"), 120
                )
                assert result["method"] == "ocr", number
    finally:
        stop.set()
        watcher.join()
        pool.close()
    assert seen, "the watcher saw nothing at all"
    assert all(name.startswith("folio-work-") for name in seen), sorted(seen)


def test_a_reply_over_the_limit_fails_its_request_and_a_new_worker_follows() -> None:
    path = SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf"
    worker = WorkerProcess(max_reply_bytes=100)
    try:
        with pytest.raises(FolioError, match=r"GeoTopo-komprimiert\.pdf .*more than 100 bytes"):
            worker.request(PageRequest(str(path), path.name, "pdf", 1), 60)
        worker.proc.wait(timeout=5)
        assert not worker.alive
    finally:
        worker.close()
    pool = WorkerPool(keep_idle=1)
    try:
        with pool.worker() as fresh:
            assert "Geometrie" in str(
                fresh.request(PageRequest(str(path), path.name, "pdf", 1), 60)["text"]
            )
    finally:
        pool.close()
