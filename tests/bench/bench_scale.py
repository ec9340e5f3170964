"""Libraries of 1,000 / 10,000 / 20,000 documents: start, open, read, import, list, search.

Builds each library with Folio's own Library API (cached in --work between runs),
then per size prints: start to window shown (cold when the page cache can be
dropped, then warm), opening the 5,000-page document, the longest GUI stall and the
share of time stalled while a new 5,000-page PDF is read with that document open,
`folio import` of a small PDF (return time, time after its own work, longest
stall), `folio sources`, `folio search` for a common and a rare word, and memory.
The goal at 10,000 documents: window under 2 s, no stall over 100 ms while pages are
read, `folio import` back within 1 s of its own work, memory flat with size.

Run: python -m tests.bench.bench_scale [--sizes 1000,10000,20000] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from app.core.library import Library
from tests.bench.common import SAMPLES, folio_cmd
from tests.bench.scale_library import RARE_WORD, build, pdf_with_pages

PAGES_FOR = {1000: 20_000, 10_000: 200_000, 20_000: 1_000_000}
SMALL_PDF = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"


def drop_caches() -> bool:
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def timed(cmd: list[str]) -> float:
    t = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.monotonic() - t


def window_run(
    library: Path, big: int, new_pdf: Path, read_seconds: float, mode: str = "all"
) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FOLIO_BENCH_T0": str(time.time())}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.scale_window",
            f"library={library}",
            f"big_source={big}",
            f"new_pdf={new_pdf}",
            f"small_pdf={SMALL_PDF}",
            f"read_seconds={read_seconds}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=1800,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        raise SystemExit(f"the window run failed:\n{proc.stderr[-3000:]}")
    result: dict[str, object] = json.loads(lines[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="documents per library")
    parser.add_argument("--work", type=Path, default=Path("/tmp/folio-scale"))
    parser.add_argument("--read-seconds", type=float, default=20.0)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    new_pdf = args.work / "new 5000 pages.pdf"
    if not new_pdf.exists():
        # Other bytes than the library's own 5,000-page document (not a duplicate).
        new_pdf.write_bytes(pdf_with_pages(5000) + b"\n% new\n")
    rows = []
    for docs in (int(s) for s in args.sizes.split(",")):
        pages = PAGES_FOR.get(docs, docs * 20)
        folder = args.work / f"library-{docs}"
        t = time.monotonic()
        built = build(folder, docs, pages)
        print(
            f"== {docs:,} documents, {built['pages']:,} pages "
            f"(ready in {time.monotonic() - t:.0f} s)",
            flush=True,
        )
        with Library(folder, readonly=True) as lib:
            big = next(s.id for s in lib.sources() if s.page_count == 5000)
        db_mb = (folder / "library.sqlite3").stat().st_size / 2**20
        # The first start after building does once what a used library has done long
        # ago (clearing old finished tasks from view); it is not measured.
        window_run(folder, big, new_pdf, args.read_seconds, mode="start")
        cold = drop_caches()
        first = window_run(folder, big, new_pdf, args.read_seconds, mode="start")
        warm = window_run(folder, big, new_pdf, args.read_seconds)
        cli = [*folio_cmd(), "--library", str(folder)]
        sources_s = timed([*cli, "sources", "--json"])
        common_s = timed([*cli, "search", "the"])
        rare_s = timed([*cli, "search", RARE_WORD])
        row = {
            "docs": docs,
            "pages": built["pages"],
            "db_mb": round(db_mb),
            "window_cold_s" if cold else "window_first_s": first["window_shown_s"],
            "window_warm_s": warm["window_shown_s"],
            # Opening runs on the GUI thread in one go: all of it is a stall.
            "open_5000_s": warm["open_big_document_s"],
            "reading_longest_stall_ms": warm["while_reading"]["longest_stall_ms"],
            "reading_stalled_share": warm["while_reading"]["stalled_share"],
            "reading_pages_per_s": warm["pages_per_s"],
            "import_return_s": warm["folio_import"]["return_s"],
            "import_after_own_work_s": warm["folio_import"]["after_own_work_s"],
            "import_longest_stall_ms": warm["folio_import"]["longest_stall_ms"],
            "sources_cli_s": round(sources_s, 2),
            "search_common_s": round(common_s, 2),
            "search_rare_s": round(rare_s, 2),
            "window_rss_mb": warm["rss_mb"],
        }
        rows.append(row)
        for key, value in row.items():
            print(f"  {key:28} {value}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
