"""What keeping each word's position costs: time per page and bytes per page, with and
without word boxes, on a real text PDF and on real 300-dpi scans.

Each page is read by Folio's page engine (as in its worker) twice, alternately with and
without boxes, several rounds; the median of each is kept. Bytes: the page's stored
text (UTF-8) against its stored boxes (app.core.words' JSON).

Run: .venv/bin/python -m tests.bench.bench_words [--pages N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests.bench.common import SAMPLES

TEXT_PDF = SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf"
SCANNED_FROM = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"


def _time(read: object, rounds: int) -> tuple[float, float, object]:
    """Median seconds without and with boxes, and the last result with them."""
    plain, boxed, result = [], [], None
    for _ in range(rounds):
        for words, into in ((False, plain), (True, boxed)):
            start = time.perf_counter()
            out = read(words)  # type: ignore[operator]
            into.append(time.perf_counter() - start)
            if words:
                result = out
    return statistics.median(plain), statistics.median(boxed), result


def measure(label: str, pages: list[tuple[Path, int, str]], rounds: int, work: Path) -> None:
    from app.core.models import OcrMode
    from app.core.words import encode_words
    from app.extraction.engine import PageEngine

    engine = PageEngine(work)
    plain_s, boxed_s, text_b, words_b, counts, nwords = [], [], [], [], [], []
    try:
        for path, number, kind in pages:
            ocr = OcrMode.AUTO if kind == "pdf" else OcrMode.ALWAYS

            def read(  # type: ignore[no-untyped-def]
                words: bool, path: Path = path, number: int = number, kind: str = kind, ocr=ocr
            ):
                return engine.page(
                    path, path.name, kind, number, ocr, "eng", lambda *_: None, words=words
                )

            read(True)  # warm: the document open, the engines loaded
            plain, boxed, result = _time(read, rounds)
            if not result.text.strip():  # type: ignore[attr-defined]
                continue
            plain_s.append(plain)
            boxed_s.append(boxed)
            text_b.append(len(result.text.encode()))  # type: ignore[attr-defined]
            words_b.append(len(encode_words(result.words or [])))  # type: ignore[attr-defined]
            nwords.append(len(result.words or []))  # type: ignore[attr-defined]
            counts.append(nwords[-1] / max(1, len(result.text.split())))  # type: ignore[attr-defined]
    finally:
        engine.close()
    n = len(plain_s)
    mean = statistics.mean
    print(f"\n{label}: {n} pages, {rounds} rounds each (median per page)")
    print(
        f"  time per page   without boxes {mean(plain_s) * 1000:8.1f} ms   "
        f"with boxes {mean(boxed_s) * 1000:8.1f} ms   "
        f"(+{(mean(boxed_s) - mean(plain_s)) * 1000:.1f} ms, x{mean(boxed_s) / mean(plain_s):.2f})"
    )
    print(
        f"  bytes per page  text {mean(text_b):8.0f}   boxes {mean(words_b):8.0f}   "
        f"(the boxes {mean(words_b) / mean(text_b):.0%} of the text's bytes; "
        f"{sum(words_b) / max(1, sum(nwords)):.1f} B/word)"
    )
    print(f"  words with a box {mean(counts):.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=20, help="text PDF pages (default 20)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from PySide6.QtGui import QGuiApplication

    from tests.scans import draw_scan

    app = QGuiApplication.instance() or QGuiApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = [(TEXT_PDF, n, "pdf") for n in range(1, args.pages + 1)]
        measure(f"Text PDF ({TEXT_PDF.name})", pages, args.rounds, folder / "w1")
        scans = [(draw_scan(SCANNED_FROM, folder / f"scan-{i}.png", i), 1, "png") for i in range(2)]
        measure("300-dpi scans (OCR)", scans, max(1, args.rounds - 1), folder / "w2")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
