"""`folio extract` as one scheduler sees it: many small PDFs, and one scan on two workers.

Two measurements, each against a peer timed in the same run (best of --rounds, the
sides interleaved so a busy machine slows both alike):

1. `folio extract --ocr never` against `pdftotext` one file at a time, over the
   sample PDFs (--repeat copies; a 117-page document among small ones: "mixed") and
   over at least 80 copies of the one-page sample PDFs ("small").
2. A 6-page scan (sample pages drawn at 300 dpi, kept only as images) read by
   `folio extract --ocr always --jobs 2` against the Tesseract program, one process
   per page, two at once (`ocrmypdf -j 2` when it is installed).

`--baseline DIR` adds a third side: another checkout of Folio (e.g. the previous
scheduler) run the same way, so its figures and the ratio to it print too.

Run: .venv/bin/python -m tests.bench.bench_scheduling [--repeat N] [--rounds N]
     [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.bench.common import REPO, SAMPLES, copies, folio_cmd, sample_pdfs, words

#: The scan is made of these pages: real typeset text, as a scanner would see it.
SCAN_SOURCE = SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf"
SCAN_PAGES = range(2, 8)


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def folio(tree: Path, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """`folio ARGS` from the checkout `tree` (its own `app` package and workers)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(tree)}
    return subprocess.run(
        [*folio_cmd(), *args], cwd=tree, capture_output=True, text=True, env=env, check=False
    )


def make_scan(folder: Path) -> tuple[Path, list[Path]]:
    """A PDF of page images only (no text layer), and the same pages as PNG files."""
    from PIL import Image

    first, last = SCAN_PAGES[0], SCAN_PAGES[-1]
    subprocess.run(
        [
            *("pdftoppm", "-r", "300", "-gray", "-png", "-f", str(first), "-l", str(last)),
            *(str(SCAN_SOURCE), str(folder / "page")),
        ],
        check=True,
    )
    pngs = sorted(folder.glob("page-*.png"))
    images = [Image.open(p) for p in pngs]
    pdf = folder / "scan-6-pages.pdf"
    images[0].save(pdf, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return pdf, pngs


def tesseract_pages(pngs: Sequence[Path], jobs: int) -> list[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(png: Path) -> str:
        return subprocess.run(
            ["tesseract", str(png), "-", "--dpi", "300"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        ).stdout

    with ThreadPoolExecutor(jobs) as ex:
        return list(ex.map(one, pngs))


def ocrmypdf_program() -> str | None:
    """OCRmyPDF on PATH, or in this Python's own bin folder (`dev.sh bench` puts it there)."""
    here = Path(sys.executable).parent / "ocrmypdf"
    return shutil.which("ocrmypdf") or (str(here) if here.exists() else None)


def ocrmypdf(pdf: Path, out: Path) -> None:
    program = ocrmypdf_program() or "ocrmypdf"
    options = ["-j", "2", "--force-ocr", "--output-type", "none", "--sidecar", str(out)]
    subprocess.run(
        [program, *options, str(pdf), "-"],
        capture_output=True,
        check=False,
    )


def pages_of(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False)
    for line in info.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


def small_files(args: argparse.Namespace, trees: dict[str, Path]) -> None:
    pdfs = sample_pdfs()
    small = [p for p in pdfs if pages_of(p) == 1]
    with tempfile.TemporaryDirectory(prefix="folio-bench-small-") as tmp:
        sets = {
            "mixed": copies(pdfs, args.repeat, Path(tmp) / "mixed"),
            "small": copies(small, max(1, -(-80 // len(small))), Path(tmp) / "small"),
        }
        for label, files in sets.items():
            compare_text_layer(args, trees, label, files)


def compare_text_layer(
    args: argparse.Namespace, trees: dict[str, Path], label: str, files: list[str]
) -> None:
    def pdftotext() -> None:
        for f in files:
            subprocess.run(["pdftotext", f, "/dev/null"], capture_output=True, check=False)

    command = ["extract", "--ocr", "never", "--json", *files]
    runs: dict[str, Callable[[], object]] = {"pdftotext, one file at a time": pdftotext}
    for name, tree in trees.items():
        runs[f"{name} extract --ocr never"] = lambda tree=tree: folio(tree, command)
    times = {name: float("inf") for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            times[name] = min(times[name], timed(run))
    results = [json.loads(line) for line in folio(trees["folio"], command).stdout.splitlines()]
    pages = sum(len(r["pages"]) for r in results)
    print(f"{label}: {len(files)} PDFs ({len(results)} read), {pages} pages")
    peer = times["pdftotext, one file at a time"]
    for name, t in times.items():
        print(f"   {name:36} {t:7.2f} s   {peer / t:5.2f}x pdftotext")


def scan(args: argparse.Namespace, trees: dict[str, Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="folio-bench-scan-") as tmp:
        pdf, pngs = make_scan(Path(tmp))
        command = ["extract", "--ocr", "always", "--jobs", "2", "--json", str(pdf)]
        runs: dict[str, Callable[[], object]] = {}
        if ocrmypdf_program():
            peer_name = "ocrmypdf -j 2"
            runs[peer_name] = lambda: ocrmypdf(pdf, Path(tmp) / "sidecar.txt")
        else:
            peer_name = "tesseract program, 2 pages at once"
            runs[peer_name] = lambda: tesseract_pages(pngs, 2)
        for name, tree in trees.items():
            runs[f"{name} --jobs 2"] = lambda tree=tree: folio(tree, command)
        runs["folio --jobs 1"] = lambda: folio(
            trees["folio"], ["extract", "--ocr", "always", "--jobs", "1", "--json", str(pdf)]
        )
        times = {name: float("inf") for name in runs}
        for _ in range(args.rounds):
            for name, run in runs.items():
                times[name] = min(times[name], timed(run))
        result = json.loads(folio(trees["folio"], command).stdout.splitlines()[0])
        reference = words("\n".join(tesseract_pages(pngs, 2)))
        found = words("\n".join(p["text"] or "" for p in result["pages"]))
        common = sum((reference & found).values())
        print(f"scan: a {len(pngs)}-page 300-dpi scan, --ocr always")
        peer = times[peer_name]
        for name, t in times.items():
            print(f"   {name:36} {t:7.2f} s   {peer / t:5.2f}x {peer_name}")
        print(
            f"   words: folio {sum(found.values())}, tesseract program "
            f"{sum(reference.values())}, in common {common}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="passes over the sample PDFs")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side; best kept")
    parser.add_argument("--baseline", type=Path, help="another Folio checkout to compare with")
    parser.add_argument("--only", choices=["small", "scan"], help="run one measurement")
    args = parser.parse_args()
    for tool in ("pdftotext", "pdfinfo", "pdftoppm", "tesseract"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (poppler-utils, tesseract-ocr).")
    trees = {"folio": REPO}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    if args.only != "scan":
        small_files(args, trees)
    if args.only != "small":
        scan(args, trees)


if __name__ == "__main__":
    main()
