"""Pages scanned turned or skewed: word recall with and without Folio's turning, and its cost.

Real text pages of the corpus are drawn at 300 dpi in grey (as a scanner gives them),
then turned 90°, 180°, 270° (counter-clockwise) and skewed by ±3° with PIL. Each is read
by Folio's page engine in this process (Tesseract loaded, one core), once as Folio reads
(orientation detection, turn, straighten) and once as it read before (as the page comes).
Recall = the share of the upright page's words (read as it comes) found in the read.
Prints recall per turn, the turn recorded, and the time per page, with the cost of
orientation detection and skew finding on upright pages (ratio with / without).

Run: OMP_THREAD_LIMIT=1 .venv/bin/python -m tests.bench.bench_orientation [--pages N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.common import SAMPLES, words
from tests.scans import draw_scan, turn_scan

SOURCES = [
    (SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf", 0),
    (SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf", 4),
    (SAMPLES / "026-latex-multicolumn" / "multicolumn.pdf", 0),
    (SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf", 6),
]
TURNS: list[tuple[str, float]] = [
    ("upright", 0),
    ("90°", 90),
    ("180°", 180),
    ("270°", 270),
    ("+3°", 3),
    ("-3°", -3),
]


def as_it_comes() -> Any:
    """Folio's engine reading pages as they come (no detection, no turn, no straightening)."""
    from app.extraction import orientation

    saved = (orientation.read_upright, orientation.straightened)

    def read_as_is(read: Any, confidence: Any, detect: Any, chosen: int = 0) -> Any:
        return read(chosen % 360)

    orientation.read_upright = read_as_is  # type: ignore[assignment]
    orientation.straightened = lambda image: (image, 0.0)  # type: ignore[assignment]

    def restore() -> None:
        orientation.read_upright, orientation.straightened = saved  # type: ignore[assignment]

    return restore


def recall(text: str, reference: set[str]) -> float:
    return len(set(words(text)) & reference) / max(len(reference), 1)


def main() -> None:
    from PySide6.QtGui import QGuiApplication

    from app.core.models import OcrMode
    from app.extraction import orientation
    from app.extraction.engine import PageEngine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=len(SOURCES))
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp(prefix="folio-bench-turn-"))
    engine = PageEngine(folder / "work")

    def read(path: Path) -> tuple[float, Any]:
        start = time.perf_counter()
        result = engine.page(path, path.name, "png", 1, OcrMode.ALWAYS, "eng", lambda *_: None)
        return time.perf_counter() - start, result

    rows: dict[str, dict[str, list[Any]]] = {name: {"folio": [], "before": []} for name, _ in TURNS}
    detect_s: list[float] = []
    skew_s: list[float] = []
    for number, (pdf, index) in enumerate(SOURCES[: args.pages], 1):
        upright = draw_scan(pdf, folder / f"page-{number}.png", index)
        scans = {
            name: turn_scan(upright, deg, folder / f"page-{number}-{i}.png")
            for i, (name, deg) in enumerate(TURNS)
        }
        restore = as_it_comes()
        try:
            before = {name: read(path) for name, path in scans.items()}
        finally:
            restore()
        reference = set(words(before["upright"][1].text))
        folio = {name: read(path) for name, path in scans.items()}
        for name, _ in TURNS:
            for key, runs in (("before", before), ("folio", folio)):
                seconds, result = runs[name]
                rows[name][key].append((recall(result.text, reference), seconds, result.rotation))
        from PIL import Image

        with Image.open(upright) as img:
            img.load()
            start = time.perf_counter()
            engine._osd.detect(img, 300)
            detect_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            orientation.skew_angle(img)
            skew_s.append(time.perf_counter() - start)
        print(f"page {number}: {pdf.name} p{index + 1}, {len(reference)} words upright", flush=True)
    engine.close()

    print(
        f"\n{'scan':8} {'recall before':>14} {'recall Folio':>13} {'× upright':>10} "
        f"{'turn recorded':>14} {'s/page before':>14} {'s/page Folio':>13}"
    )
    up = statistics.mean(r[0] for r in rows["upright"]["folio"])
    for name, _ in TURNS:
        b, f = rows[name]["before"], rows[name]["folio"]
        rec_b = statistics.mean(r[0] for r in b)
        rec_f = statistics.mean(r[0] for r in f)
        turns = "/".join(sorted({str(r[2]) for r in f}))
        print(
            f"{name:8} {rec_b:14.2f} {rec_f:13.2f} {rec_f / up:10.2f} {turns:>14} "
            f"{statistics.mean(r[1] for r in b):14.2f} {statistics.mean(r[1] for r in f):13.2f}"
        )
    plain = statistics.mean(r[1] for r in rows["upright"]["before"])
    ours = statistics.mean(r[1] for r in rows["upright"]["folio"])
    print(
        f"\nupright pages: {plain:.2f} s/page as they come, {ours:.2f} s/page with Folio's "
        f"turning: ratio {ours / plain:.2f}"
    )
    print(
        f"orientation detection alone: {statistics.mean(detect_s):.2f} s/page "
        f"({statistics.mean(detect_s) / plain:.0%} of a page's OCR); skew finding "
        f"{statistics.mean(skew_s):.2f} s/page"
    )


if __name__ == "__main__":
    main()
