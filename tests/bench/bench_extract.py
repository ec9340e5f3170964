"""`folio extract --ocr never` against pdftotext on the same real PDFs: pages/s and agreement.

Run: bash dev.sh bench   (or .venv/bin/python tests/bench/bench_extract.py [--repeat N])
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.bench.common import (
    agreement,
    copies,
    folio_cmd,
    pdftotext_pages,
    sample_pdfs,
    words,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=4, help="passes over the corpus")
    args = parser.parse_args()
    if shutil.which("pdftotext") is None:
        raise SystemExit("pdftotext (poppler-utils) is needed as the baseline.")
    # Folio reads a path once: the passes are copies under other names.
    scratch = tempfile.TemporaryDirectory(prefix="folio-bench-extract-")
    files = [Path(f) for f in copies(sample_pdfs(), args.repeat, Path(scratch.name) / "copies")]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    start = time.perf_counter()
    for f in files:
        subprocess.run(["pdftotext", str(f), "/dev/null"], capture_output=True, check=False)
    t_pdftotext = time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(os.cpu_count() or 1) as ex:
        list(
            ex.map(
                lambda f: subprocess.run(
                    ["pdftotext", str(f), "/dev/null"], capture_output=True, check=False
                ),
                files,
            )
        )
    t_pdftotext_par = time.perf_counter() - start

    start = time.perf_counter()
    proc = subprocess.run(
        [*folio_cmd(), "extract", "--ocr", "never", "--json", *map(str, files)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    t_folio = time.perf_counter() - start
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    pages = sum(len(r["pages"]) for r in results)

    # Word-level agreement with pdftotext, per page, for Folio and for pypdf alone.
    from pypdf import PdfReader

    folio_scores: list[float] = []
    pypdf_scores: list[float] = []
    for r, original in zip(results, sample_pdfs(), strict=False):
        ref_pages = pdftotext_pages(original)
        reader = PdfReader(original)
        for page in r["pages"]:
            n = page["number"]
            if n > len(ref_pages):
                continue
            ref = words(ref_pages[n - 1])
            if not ref:
                continue
            folio_scores.append(agreement(ref, words(page["text"] or "")))
            try:
                alt = reader.pages[n - 1].extract_text() or ""
            except Exception:  # noqa: BLE001 - pypdf failing counts as no text
                alt = ""
            pypdf_scores.append(agreement(ref, words(alt)))

    rate_p = pages / t_pdftotext
    rate_pp = pages / t_pdftotext_par
    rate_f = pages / t_folio
    print(f"corpus: {len(sample_pdfs())} PDFs x {args.repeat} = {len(files)} files, {pages} pages")
    print(f"pdftotext, one file at a time : {rate_p:8.1f} pages/s")
    print(f"pdftotext, {os.cpu_count()} at once         : {rate_pp:8.1f} pages/s")
    print(f"folio extract --ocr never     : {rate_f:8.1f} pages/s  (exit {proc.returncode})")
    print(f"ratio folio / pdftotext       : {rate_f / rate_p:8.2f}x  (target >= 1.0x)")
    print(f"ratio folio / pdftotext x{os.cpu_count()}    : {rate_f / rate_pp:8.2f}x")
    mean_f = sum(folio_scores) / len(folio_scores)
    mean_p = sum(pypdf_scores) / len(pypdf_scores)
    print(f"word agreement with pdftotext (F1, {len(folio_scores)} pages):")
    print(f"  folio (PDFium, pypdf fallback): {mean_f:.3f}")
    print(f"  pypdf alone                   : {mean_p:.3f}")


if __name__ == "__main__":
    main()
