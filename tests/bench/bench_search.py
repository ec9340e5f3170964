"""Search over a library of at least 1,000,000 pages: first results, full count, the window.

Builds (or reuses) a generated library with scale_library (20,000 documents, about
1,045,000 pages of made-up text), then for a common word, a very common word, a
rare word and a phrase prints, through SearchTable:

- first results: what the Search section asks first (every matching document,
  grouped and ranked, and the snippets of the first 50), and the best 50 pages;
- full count: pages and documents that match.

Then, unless --no-window, the real window (offscreen) searches the same queries while
a 5,000-page PDF is being read, and prints the time from Enter to the first results
shown and to the count, and the longest GUI stall meanwhile (a 10 ms timer's
lateness, as in bench_scale).

Run: python -m tests.bench.bench_search [--work DIR] [--no-window]
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
from tests.bench.scale_library import RARE_WORD, build, pdf_with_pages

DOCS = 20_000
PAGES = 1_050_000
QUERIES = {
    "common word": "invoice",  # on about one page in five
    "very common word": "the",  # on nearly every page
    "rare word": RARE_WORD,  # on 3 pages
    "phrase": '"total amount"',
}
FIRST_BATCH = 50


def timed(work: object) -> tuple[float, object]:
    t = time.monotonic()
    result = work()  # type: ignore[operator]
    return time.monotonic() - t, result


def measure_table(folder: Path) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    with Library(folder, readonly=True) as lib:
        for label, query in QUERIES.items():
            row: dict[str, object] = {"query": query}
            for run in ("cold", "warm"):  # cold: first time this query runs (page cache warm)

                def first(query: str = query) -> int:
                    docs = lib.search_documents(query)
                    lib.snippets(query, [d.best_page_id for d in docs[:FIRST_BATCH]])
                    return len(docs)

                seconds, documents = timed(first)
                row[f"first_results_{run}_s"] = round(seconds, 3)
            seconds, _ = timed(lambda query=query: lib.search(query, FIRST_BATCH))
            row["best_50_pages_s"] = round(seconds, 3)
            seconds, count = timed(lambda query=query: lib.search_count(query))
            row["count_s"] = round(seconds, 3)
            row["pages"] = count.pages  # type: ignore[attr-defined]
            row["documents"] = documents
            out[label] = row
            print(f"  {label:18} {json.dumps(row)}", flush=True)
    return out


def window_run(folder: Path, new_pdf: Path) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_search",
            "--in-window",
            str(folder),
            str(new_pdf),
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


def in_window(folder: Path, new_pdf: Path) -> None:
    """Inside the window's process: search while a long PDF is read; print one JSON line."""
    import asyncio
    import tempfile

    import qasync
    from PySide6.QtCore import QSettings

    from app.ui.shell.launcher import make_application, open_library, open_session
    from tests.bench.scale_window import Lateness, say, until

    app = make_application(["folio"])
    library = open_library(folder)
    if library is None:
        raise SystemExit("could not open the library")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    out: dict[str, object] = {}

    async def script(session: object) -> None:
        window = session.window  # type: ignore[attr-defined]
        manager = session.manager  # type: ignore[attr-defined]
        await asyncio.sleep(0.5)
        added: list[int] = []
        manager.sourceAdded.connect(lambda source: added.append(source.id))
        window.import_paths([str(new_pdf)])
        await until(lambda: bool(added), 60)
        await until(lambda: library.source_state(added[0]).completed > 20, 60)
        say("import running; searching")
        window.show_search()
        view = window.search_view
        monitor = Lateness()
        for label, query in QUERIES.items():
            shown: list[float] = []
            view.model.modelReset.connect(lambda shown=shown: shown.append(time.monotonic()))
            monitor.start()
            t = time.monotonic()
            view.search(query)
            await until(lambda: not view.busy(), 600)
            done = time.monotonic()
            view.model.modelReset.disconnect()
            # Let a refresh (new text of the import) not count as this query.
            stalls = monitor.report()
            out[label] = {
                "query": query,
                "first_results_s": round(shown[0] - t, 3) if shown else None,
                "count_and_results_s": round(done - t, 3),
                "count_line": view.count_label.text(),
                "longest_stall_ms": stalls["longest_stall_ms"],
                "stalls_over_100ms": stalls["stalls_over_100ms"],
            }
            say(f"{label}: {out[label]}")
        state = library.source_state(added[0])
        out["pages_read_meanwhile"] = state.completed if state else 0
        manager.cancel_all()
        await until(lambda: manager.is_idle(), 60)
        for source_id in added:  # the library as it was, for the next run
            manager.delete_source(source_id)
        await asyncio.sleep(0.5)
        window.confirm_quit = lambda active: True
        window.close()

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "folio.ini"), QSettings.Format.IniFormat)
        session = open_session(library, settings)
        session.window.confirm_quit = lambda active: True
        session.window.show()
        with loop:
            loop.run_until_complete(script(session))
        session.close()
    print(json.dumps(out), flush=True)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--in-window":
        in_window(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("/tmp/folio-bench-search"))
    parser.add_argument("--no-window", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    folder = args.work / "library-1m"
    t = time.monotonic()
    build(folder, DOCS, PAGES)
    with Library(folder) as lib:  # brought up to this schema if an older Folio built it
        built = {
            "docs": len(lib.sources()),
            "pages": lib._query("SELECT count(*) FROM pages")[0][0],
        }
    print(
        f"== {built['docs']:,} documents, {built['pages']:,} pages "
        f"(ready in {time.monotonic() - t:.0f} s)",
        flush=True,
    )
    print("SearchTable (this process, read-only connection):", flush=True)
    table = measure_table(folder)
    result: dict[str, object] = {"pages": built["pages"], "table": table}
    if not args.no_window:
        new_pdf = args.work / "new 5000 pages.pdf"
        if not new_pdf.exists():
            new_pdf.write_bytes(pdf_with_pages(5000) + b"\n% search bench\n")
        print("The window, while a 5,000-page PDF is read:", flush=True)
        window = window_run(folder, new_pdf)
        for key, value in window.items():
            print(f"  {key:18} {json.dumps(value)}", flush=True)
        result["window"] = window
    print(json.dumps(result))


if __name__ == "__main__":
    main()
