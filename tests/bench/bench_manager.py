"""The extraction manager against its peers, measured in the same run.

1. text-layer import of the sample corpus through the manager, pages/s, vs pdftotext;
2. OCR of a scanned PDF (image-only pages at 300 dpi) through the manager, pages/min,
   vs OCRmyPDF doing the same work, with word recall against the original text;
3. time from "cancel" to the Tesseract process gone, for a running OCR task.

Run: bash dev.sh bench   (or .venv/bin/python -m tests.bench.bench_manager)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from tests.bench.common import SAMPLES, folio_cmd, pdftotext_pages, recall, sample_pdfs, words

GEOTOPO = SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf"
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def make_scan(first: int, count: int, out: Path) -> list[str]:
    """Render pages of a real PDF at 300 dpi into an image-only PDF; return their true text."""
    from PIL import Image
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    doc.load(str(GEOTOPO))
    images = []
    for index in range(first, first + count):
        size = doc.pagePointSize(index)
        rendered = doc.render(
            index, QSize(int(size.width() / 72 * 300), int(size.height() / 72 * 300))
        )
        page = QImage(rendered.size(), QImage.Format.Format_Grayscale8)
        page.fill(QColor("white"))
        painter = QPainter(page)
        painter.drawImage(0, 0, rendered)
        painter.end()
        png = out.parent / f"scan-{index}.png"
        page.save(str(png))
        images.append(Image.open(png))
    images[0].save(out, "PDF", resolution=300, save_all=True, append_images=images[1:])
    truth = pdftotext_pages(GEOTOPO)
    return truth[first : first + count]


def library_texts(library: Path) -> list[str]:
    db = sqlite3.connect(library / "library.sqlite3")
    rows = db.execute(
        "SELECT t.text FROM page_text t JOIN pages p ON p.id = t.page_id ORDER BY p.number"
    ).fetchall()
    db.close()
    return [r[0] for r in rows]


def folio_import(paths: list[Path], library: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [*folio_cmd(), "--library", str(library), "import", *map(str, paths), "--wait"],
        capture_output=True,
        env=ENV,
        check=False,
    )
    return time.perf_counter() - start


def _in_process_import(paths: list[Path], library_dir: Path) -> tuple[float, int]:
    """Import through a running manager (as when files are dropped on an open window)."""
    from PySide6.QtCore import QCoreApplication

    from app.core.library import Library
    from app.core.models import OcrMode
    from app.tasks.manager import ExtractionManager

    app = QCoreApplication.instance() or QCoreApplication([])
    library = Library(library_dir)
    manager = ExtractionManager(library)
    manager.set_ocr(OcrMode.NEVER, "eng")  # the text layer only, as pdftotext reads it
    manager.start()
    manager.workers.warm(manager.concurrency)
    deadline = time.monotonic() + 30
    while len(manager.worker_pids()) < manager.concurrency and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(1.0)  # let the warm workers finish importing their libraries
    manager.idle.connect(app.quit)
    start = time.perf_counter()
    manager.import_files(paths)
    app.exec()
    took = time.perf_counter() - start
    manager.shutdown()
    done = sum(s.page_count for s in library.sources())
    library.close()
    return took, done


def bench_text_layer(work: Path) -> None:
    files = sample_pdfs()
    start = time.perf_counter()
    pages = 0
    for f in files:
        pages += len(pdftotext_pages(f))
    t_pdftotext = time.perf_counter() - start
    from app.core.library import Library
    from app.tasks.queue import SETTING_OCR_MODE

    with Library(work / "text-lib") as lib:
        lib.set_setting(SETTING_OCR_MODE, "never")
    t_cli = folio_import(files, work / "text-lib")
    t_app, done = _in_process_import(files, work / "text-lib-2")
    rate_p = pages / t_pdftotext
    print("1. text-layer import of the sample corpus through the manager")
    print(f"   pdftotext (a process per file): {rate_p:7.1f} pages/s ({pages} pages)")
    print(
        f"   running Folio (drop on window): {done / t_app:7.1f} pages/s "
        f"({done} pages; image-only ones fail fast with OCR off), "
        f"ratio {(done / t_app) / rate_p:.2f}x "
        "(target >= 1.0x)"
    )
    print(
        f"   folio import --wait (cold CLI): {done / t_cli:7.1f} pages/s, "
        f"ratio {(done / t_cli) / rate_p:.2f}x (includes starting Python, Qt and workers)"
    )


def bench_ocr(work: Path, count: int) -> None:
    scan = work / "scan.pdf"
    truth = make_scan(1, count, scan)
    ref = words("\n".join(truth))
    t_folio = folio_import([scan], work / "ocr-lib")
    folio_words = words("\n".join(library_texts(work / "ocr-lib")))
    print(f"2. OCR of a scanned PDF ({count} image-only pages, 300 dpi)")
    rate_f = count / t_folio * 60
    print(
        f"   folio import     : {rate_f:7.1f} pages/min, word recall {recall(ref, folio_words):.3f}"
    )
    peer = shutil.which(
        "ocrmypdf", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    )
    if peer is None:
        print("   OCRmyPDF is not installed (pip install ocrmypdf); no peer figure")
        return
    sidecar = work / "sidecar.txt"
    start = time.perf_counter()
    subprocess.run(
        [
            peer,
            "-j",
            str(os.cpu_count() or 1),
            "--force-ocr",
            "--output-type",
            "none",
            "--sidecar",
            str(sidecar),
            str(scan),
            "-",
        ],
        capture_output=True,
        check=False,
    )
    t_peer = time.perf_counter() - start
    peer_words = words(sidecar.read_text() if sidecar.exists() else "")
    rate_p = count / t_peer * 60
    peer_recall = recall(ref, peer_words)
    print(
        f"   OCRmyPDF -j {os.cpu_count()}    : {rate_p:7.1f} pages/min, "
        f"word recall {peer_recall:.3f}"
    )
    print(f"   ratio            : {rate_f / rate_p:7.2f}x (target >= 1.2x)")


def _is_reader(process: psutil.Process) -> bool:
    try:
        return "app.extraction.worker" in " ".join(process.cmdline())
    except psutil.Error:
        return False


def bench_cancel(work: Path, rounds: int) -> None:
    from PySide6.QtCore import QCoreApplication

    from app.core.library import Library
    from app.core.models import OcrMode, TaskStatus
    from app.tasks.manager import ExtractionManager

    app = QCoreApplication.instance() or QCoreApplication([])
    library = Library(work / "cancel-lib")
    manager = ExtractionManager(library)
    manager.start()
    manager.set_ocr(OcrMode.ALWAYS, "eng")
    manager.import_files([GEOTOPO])
    manager.set_concurrency(1)
    me = psutil.Process()
    latencies: list[float] = []
    deadline = time.monotonic() + 300
    while len(latencies) < rounds and time.monotonic() < deadline:
        app.processEvents()
        # Tesseract runs inside the worker (or as the program it starts): a page in OCR
        # is stopped when that worker and everything it started are gone.
        running = [
            t
            for t in manager.tasks()
            if t.status is TaskStatus.IN_PROGRESS
            and t.page_id is not None
            and (t.message or "").startswith("OCR")
        ]
        readers = [p for p in me.children(recursive=True) if _is_reader(p)]
        if not running or len(readers) != 1:
            time.sleep(0.005)
            continue
        doomed = [readers[0], *readers[0].children(recursive=True)]
        start = time.perf_counter()
        manager.cancel(running[0].id)
        while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in doomed):
            time.sleep(0.001)
        latencies.append(time.perf_counter() - start)
    manager.cancel_all()
    manager.shutdown()
    library.close()
    print(f"3. cancel -> OCR'ing worker gone, {len(latencies)} running OCR tasks")
    print(
        f"   median {statistics.median(latencies) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms (target < 500 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ocr-pages", type=int, default=12)
    parser.add_argument("--cancel-rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bench_text_layer(work)
        bench_ocr(work, args.ocr_pages)
        bench_cancel(work, args.cancel_rounds)


if __name__ == "__main__":
    main()
