"""Pages read on a Dask cluster against the same pages read locally, on this machine.

Starts a real `dask scheduler` and two `dask worker` processes (2 threads each) on
127.0.0.1, then times `folio extract --json` three ways over the same files: locally
(`--jobs 4`), on the cluster with each document's bytes sent to it, and on the cluster
reading the files from the path both sides see. It checks the text is identical and
prints the overhead per page the cluster adds, for text-layer pages and for OCR pages —
the figures an estimate for many machines starts from.

Run: python -m tests.bench.bench_cluster [--copies 30] [--scan-copies 2] [--rounds 2]
Needs the cluster extra: pip install -e ".[cluster]".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from tests.bench.bench_scheduling import make_scan
from tests.bench.common import SAMPLES, copies, folio_cmd
from tests.cluster.conftest import _env, start_dask, stop_dask

TEXT_PDF = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"


def extract(files: list[str], *extra: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Seconds `folio extract --json` takes over `files`, and its text."""
    started = time.perf_counter()
    done = subprocess.run(
        [*folio_cmd(), "extract", *files, "--json", *extra],
        capture_output=True,
        text=True,
        env={**_env(), "OMP_THREAD_LIMIT": "1", **(env or {})},
        check=False,
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"folio extract failed: {done.stderr.strip()[-500:]}")
    files_out = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    texts = [(f["file"], page["number"], page["text"]) for f in files_out for page in f["pages"]]
    return took, json.dumps(texts)


def best(
    rounds: int, files: list[str], *extra: str, env: dict[str, str] | None = None
) -> tuple[float, str]:
    runs = [extract(files, *extra, env=env) for _ in range(rounds)]
    return min(t for t, _ in runs), runs[0][1]


def compare(label: str, files: list[str], pages: int, address: str, rounds: int, ocr: str) -> None:
    local, text = best(rounds, files, "--jobs", "4", "--ocr", ocr)
    sent, sent_text = best(
        rounds, files, "--cluster", address, "--ocr", ocr, env={"FOLIO_CLUSTER_SEND_FILES": "1"}
    )
    shared, shared_text = best(rounds, files, "--cluster", address, "--ocr", ocr)
    same = text == sent_text == shared_text
    print(f"\n{label}: {len(files)} files, {pages} pages; text identical: {same}")
    for name, seconds in (
        ("local, 4 jobs", local),
        ("cluster, bytes sent", sent),
        ("cluster, shared path", shared),
    ):
        print(
            f"  {name:<22} {seconds:7.2f} s  {seconds / pages * 1000:7.1f} ms/page  "
            f"{seconds / local:5.2f}x local"
        )
    print(
        f"  cluster overhead per page: {(sent - local) / pages * 1000:+.1f} ms (bytes sent), "
        f"{(shared - local) / pages * 1000:+.1f} ms (shared path)"
    )
    if not same:
        raise SystemExit("the cluster's text differs from the local text")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=30, help="copies of a 4-page PDF")
    parser.add_argument("--scan-copies", type=int, default=2, help="copies of a 6-page scan")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folio-bench-cluster-") as tmp:
        work = Path(tmp)
        text_files = copies([TEXT_PDF], args.copies, work / "text")
        (work / "scan").mkdir()
        scan, _pngs = make_scan(work / "scan")
        scan_files = copies([scan], args.scan_copies, work / "scans")
        print(f"cores: {os.cpu_count()}; cluster: 2 workers x 2 threads on 127.0.0.1")
        cluster = start_dask(work / "dask")
        try:
            compare(
                "text layer", text_files, 4 * len(text_files), cluster.address, args.rounds, "never"
            )
            compare("OCR", scan_files, 6 * len(scan_files), cluster.address, args.rounds, "always")
        finally:
            stop_dask(cluster)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
