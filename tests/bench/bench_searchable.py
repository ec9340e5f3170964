"""Searchable PDFs: Folio's `searchable-pdf` against OCRmyPDF on the same 300-dpi scans.

The scans are text-dense pages of real corpus documents drawn at 300 dpi into an
image-only PDF (greyscale JPEG pages, as scanners write them; see bench_ocr_engine).
Both tools run on 2 processes: Folio `--jobs 2`, OCRmyPDF `-j 2 --force-ocr
--output-type pdf`. For each: seconds (best of `--runs`), word recall of the text read
back with pdftotext against the original documents' own text, whether `pdfimages -list`
is identical to the input's (whole, and without the object-number column), and the
output's size against the input's.

Run: .venv/bin/python -m tests.bench.bench_searchable [--pages 8] [--runs 1] [--lang eng]
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
from pathlib import Path

from tests.bench.bench_ocr_engine import SOURCES, make_scan
from tests.bench.common import REPO, pdftotext_pages, recall, words


def truth(pages: int) -> Counter[str]:
    total: Counter[str] = Counter()
    for i in range(pages):
        source, index = SOURCES[i % len(SOURCES)]
        total += words(pdftotext_pages(source)[index])
    return total


def image_list(path: Path) -> list[list[str]]:
    out = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [line.split() for line in out.splitlines()[2:]]


def without_object_numbers(rows: list[list[str]]) -> list[list[str]]:
    return [row[:10] + row[12:] for row in rows]


def timed(command: list[str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
        best = min(best, time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{command[0]} failed: {done.stderr.strip()[-300:]}")
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--lang", default="eng")
    args = parser.parse_args()
    ocrmypdf = shutil.which("ocrmypdf", path=str(Path(sys.executable).parent)) or shutil.which(
        "ocrmypdf"
    )
    with tempfile.TemporaryDirectory(prefix="bench-searchable-") as tmp:
        folder = Path(tmp)
        scan, _pngs = make_scan(folder, args.pages)
        reference = truth(args.pages)
        size = scan.stat().st_size
        print(
            f"{args.pages} pages at 300 dpi, {size / 1e6:.1f} MB, "
            f"{sum(reference.values())} words; {os.cpu_count()} cores"
        )
        tools = {
            "Folio searchable-pdf --jobs 2": lambda out: [
                sys.executable,
                "-m",
                "app",
                "searchable-pdf",
                str(scan),
                str(out),
                "--lang",
                args.lang,
                "--jobs",
                "2",
                "--quiet",
            ],
        }
        if ocrmypdf:
            tools["OCRmyPDF -j 2 --force-ocr --output-type pdf"] = lambda out: [
                str(ocrmypdf),
                "-j",
                "2",
                "--force-ocr",
                "--output-type",
                "pdf",
                "-l",
                args.lang,
                "-q",
                str(scan),
                str(out),
            ]
        else:
            print("OCRmyPDF is not installed: Folio alone")
        seconds: dict[str, float] = {}
        recalls: dict[str, float] = {}
        for name, command in tools.items():
            out = folder / f"{len(seconds)}.pdf"
            seconds[name] = timed(command(out), args.runs)
            recalls[name] = recall(reference, words("\n".join(pdftotext_pages(out))))
            listed, original = image_list(out), image_list(scan)
            same = "identical" if listed == original else "differs"
            if listed != original and without_object_numbers(listed) == without_object_numbers(
                original
            ):
                same = "identical but for object numbers"
            print(
                f"{name:<46} {seconds[name]:6.2f} s  recall {recalls[name]:.3f}  "
                f"pdfimages {same}  size {out.stat().st_size / size:.3f}x"
            )
        if len(seconds) == 2:
            folio, peer = seconds.values()
            first, second = recalls.values()
            gap = first - second
            print(f"Folio is {peer / folio:.2f}x as fast; recall difference {gap:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
