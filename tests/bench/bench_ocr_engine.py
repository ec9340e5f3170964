"""OCR of a multi-page 300-dpi scan on one core: Tesseract in the worker vs the program.

Folio's worker reads every page of an image-only PDF (drawn at 300 dpi, OCR always,
one language), once with Tesseract loaded in process (tesserocr) and once starting the
Tesseract program per page (FOLIO_TESSERACT). The peers, in the same run on the same
core: OCRmyPDF (`-j 1`, when installed) and the Tesseract program run directly on
each page's PNG. Prints seconds, ratios (peer time / ours, so > 1 means Folio is
faster), word agreement, and the worker's memory with eng and eng+deu loaded.

Run: .venv/bin/python -m tests.bench.bench_ocr_engine [--pages N] [--lang eng]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.bench.common import SAMPLES, agreement, words

#: Text-dense pages of real corpus documents (file, 0-based page index).
SOURCES = [
    (SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf", index) for index in (4, 5, 6, 7)
] + [
    (SAMPLES / "026-latex-multicolumn" / "multicolumn.pdf", 0),
    (SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf", 0),
]


def make_scan(folder: Path, pages: int) -> tuple[Path, list[Path]]:
    """An image-only PDF of `pages` greyscale 300-dpi pages, and each page as a PNG."""
    from PIL import Image
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage
    from PySide6.QtPdf import QPdfDocument

    from app.extraction.pdfpages import on_white

    pngs: list[Path] = []
    for i in range(pages):
        source, index = SOURCES[i % len(SOURCES)]
        doc = QPdfDocument(None)
        doc.load(str(source))
        size = doc.pagePointSize(index)
        drawn = doc.render(
            index, QSize(round(size.width() / 72 * 300), round(size.height() / 72 * 300))
        )
        page = on_white(drawn, QImage.Format.Format_Grayscale8)
        doc.close()
        raw = folder / f"raw-{i + 1}.png"
        page.save(str(raw))
        png = folder / f"page-{i + 1}.png"
        with Image.open(raw) as img:
            img.save(png, dpi=(300, 300))
        raw.unlink()
        pngs.append(png)
    images = [Image.open(p) for p in pngs]
    pdf = folder / "scan.pdf"
    images[0].save(pdf, "PDF", resolution=300, save_all=True, append_images=images[1:])
    for img in images:
        img.close()
    return pdf, pngs


def folio_worker(pdf: Path, pages: int, lang: str, program: str | None) -> tuple[float, list[str]]:
    """Seconds for one fresh worker to OCR every page (its start and model load included)."""
    from app.extraction.client import PAGE_TIMEOUT, WorkerPool
    from app.extraction.protocol import PageRequest

    saved = os.environ.get("FOLIO_TESSERACT")
    if program:
        os.environ["FOLIO_TESSERACT"] = program
    else:
        os.environ.pop("FOLIO_TESSERACT", None)
    pool = WorkerPool(keep_idle=1)
    try:
        start = time.perf_counter()
        texts: list[str] = []
        with pool.worker() as w:
            for n in range(1, pages + 1):
                req = PageRequest(str(pdf), pdf.name, "pdf", n, ocr="always", lang=lang)
                texts.append(str(w.request(req, PAGE_TIMEOUT)["text"]))
        return time.perf_counter() - start, texts
    finally:
        pool.close()
        if saved is None:
            os.environ.pop("FOLIO_TESSERACT", None)
        else:
            os.environ["FOLIO_TESSERACT"] = saved


def program_direct(pngs: list[Path], lang: str, tesseract: str) -> tuple[float, list[str]]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    start = time.perf_counter()
    texts = [
        subprocess.run(
            [tesseract, str(p), "-", "-l", lang], capture_output=True, text=True, env=env
        ).stdout
        for p in pngs
    ]
    return time.perf_counter() - start, texts


def ocrmypdf(pdf: Path, lang: str, folder: Path) -> tuple[float, list[str]] | None:
    # Installed with the bench extras, into the same environment as Folio.
    exe = shutil.which("ocrmypdf") or shutil.which(
        "ocrmypdf", path=str(Path(sys.executable).parent)
    )
    if exe is None:
        return None
    sidecar = folder / "sidecar.txt"
    args = [exe, "-j", "1", "-l", lang, "--force-ocr", "--output-type", "none"]
    start = time.perf_counter()
    done = subprocess.run(
        [*args, "--sidecar", str(sidecar), str(pdf), "-"], capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(f"  ocrmypdf failed: {done.stderr.strip()[-200:]}")
        return None
    return seconds, sidecar.read_text("utf-8").split("\f")


def worker_memory(pdf: Path) -> list[tuple[str, float, float]]:
    """(state, RSS MB, data segment MB) of one in-process worker as languages load."""
    import psutil

    from app.extraction.client import PAGE_TIMEOUT, WorkerPool
    from app.extraction.protocol import PageRequest, PingRequest

    os.environ.pop("FOLIO_TESSERACT", None)
    pool = WorkerPool(keep_idle=1)
    out: list[tuple[str, float, float]] = []
    try:
        with pool.worker() as w:
            proc = psutil.Process(w.pid)

            def note(state: str) -> None:
                info = proc.memory_info()
                out.append((state, info.rss / 2**20, getattr(info, "data", 0) / 2**20))

            w.request(PingRequest(), PAGE_TIMEOUT)
            note("started, no OCR yet")
            for lang in ("eng", "eng+deu"):
                request = PageRequest(str(pdf), pdf.name, "pdf", 1, "always", lang)
                w.request(request, PAGE_TIMEOUT)
                note(f"after a page with {lang}")
    finally:
        pool.close()
    return out


def children_cpu() -> float:
    """Processor seconds of every finished child (and theirs) of this process so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--lang", default="eng")
    parser.add_argument("--rounds", type=int, default=2, help="each way once per round; best")
    args = parser.parse_args()
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise SystemExit("The Tesseract program is needed as the peer and the fallback.")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # children inherit it
    with tempfile.TemporaryDirectory(prefix="folio-bench-ocr-") as tmp:
        folder = Path(tmp)
        pdf, pngs = make_scan(folder, args.pages)
        ours = "Folio, Tesseract in the worker (tesserocr)"
        ways: dict[str, Callable[[], tuple[float, list[str]] | None]] = {
            ours: lambda: folio_worker(pdf, args.pages, args.lang, None),
            "Folio, the Tesseract program per page": lambda: folio_worker(
                pdf, args.pages, args.lang, tesseract
            ),
            "peer: the Tesseract program on each PNG": lambda: program_direct(
                pngs, args.lang, tesseract
            ),
            "peer: OCRmyPDF -j 1 --output-type none": lambda: ocrmypdf(pdf, args.lang, folder),
        }
        best: dict[str, tuple[float, float, list[str]]] = {}
        # Round by round, so a busy moment of the machine falls on every way alike.
        for _ in range(args.rounds):
            for name, way in ways.items():
                cpu = children_cpu()
                got = way()
                if got is None:
                    continue
                spent = children_cpu() - cpu
                if name not in best or got[0] < best[name][0]:
                    best[name] = (got[0], spent, got[1])
        print(
            f"{args.pages} pages at 300 dpi, lang {args.lang}, one core, "
            f"best of {args.rounds} rounds (wall; processor time of all processes)"
        )
        if "peer: OCRmyPDF -j 1 --output-type none" not in best:
            print("  (OCRmyPDF is not installed: pip install -e '.[bench]')")
        ours_t, ours_cpu, ours_texts = best[ours]
        ours_words: Counter[str] = words("\n".join(ours_texts))
        for name, (seconds, cpu, texts) in best.items():
            bag = words("\n".join(texts))
            print(
                f"  {name:42s} {seconds:6.2f} s ({seconds / args.pages:4.2f} s/page, "
                f"cpu {cpu:6.2f} s)  ratio {seconds / ours_t:4.2f}x (cpu {cpu / ours_cpu:4.2f}x)"
                f"  words {sum(bag.values()):5d}  agreement {agreement(bag, ours_words):.3f}"
            )
        print("  (ratio: that way's time / Folio in process; above 1 Folio is faster)")
        print("Worker memory (RSS; data segment, what RLIMIT_DATA counts; engines stay loaded):")
        for state, rss, data in worker_memory(pdf):
            print(f"  {state:30s} RSS {rss:6.1f} MB  data {data:6.1f} MB")


if __name__ == "__main__":
    main()
