"""The Library's grid of thumbnails on 1,000 and 10,000 documents: what scrolling costs.

For each size, the real Library view (its model, proxy, grid and the window's renderer
with its worker processes) is shown as a grid, then scrolled a screen at a time:
- paint: milliseconds the GUI thread spends laying out and painting the grid after a
  scroll step (median and worst), and switching to the grid at all;
- drawn: render requests per step once the thumbnails on screen are in, and the
  requests a fast fling through 40 screens (no waiting) leaves behind.
Costs should follow what is on screen: the 10,000-document rows should read like the
1,000-document ones.

Run: .venv/bin/python -m tests.bench.bench_grid [--sizes 1000,10000] [--steps 30]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.core.library import Library
from app.tasks.manager import ExtractionManager
from app.ui.common.rendering import PageRenderer
from app.ui.library.sources_grid import LibraryView
from app.ui.library.sources_view import SourcesView
from tests.corpus import SAMPLES

SEED = SAMPLES / "001-trivial" / "minimal-document.pdf"


def build(folder: Path, count: int) -> Library:
    """`count` one-page PDFs, each of its own content, stored as an import stores them."""
    library = Library(folder)
    base = SEED.read_bytes()
    library.store.root.mkdir(parents=True, exist_ok=True)
    with library.transaction() as db:
        for n in range(count):
            data = base + f"\n% copy {n}\n".encode()
            sha = hashlib.sha256(data).hexdigest()
            path = library.store.path_for(sha)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            library.add_source(
                sha256=sha,
                name=f"Document {n:05}.pdf",
                original_path=f"/scans/Document {n:05}.pdf",
                kind="pdf",
                size=len(data),
                page_count=1,
                db=db,
            )
    return library


def wait(app: QApplication, condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("bench_grid: timed out")
        app.processEvents()
        time.sleep(0.002)


def measure(app: QApplication, size: int, steps: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="folio-bench-grid-") as tmp:
        library = build(Path(tmp) / "Library", size)
        library.acquire_writer_lock()
        manager = ExtractionManager(library)
        renderer = PageRenderer()
        settings = QSettings(str(Path(tmp) / "folio.ini"), QSettings.Format.IniFormat)
        view = SourcesView(library, manager, renderer, settings)
        view.resize(1280, 800)
        view.show()
        app.processEvents()
        grid, thumbs = view.grid, view.thumbnails
        started = time.perf_counter()
        view.view_toggle.buttons[LibraryView.GRID].click()
        grid.viewport().repaint()
        app.processEvents()
        switch_ms = (time.perf_counter() - started) * 1000
        wait(app, lambda: thumbs.requests > 0 and grid.drawn())
        bar = grid.verticalScrollBar()
        paints: list[float] = []
        per_step: list[int] = []
        for _ in range(steps):
            before = thumbs.requests
            started = time.perf_counter()
            bar.setValue(bar.value() + grid.viewport().height())
            grid.viewport().repaint()
            app.processEvents()
            paints.append((time.perf_counter() - started) * 1000)
            wait(app, grid.drawn)
            per_step.append(thumbs.requests - before)
        on_screen = len(grid.visible_rows())
        # A fling: 40 screens in a row without waiting for a single thumbnail.
        before = thumbs.requests
        for _ in range(40):
            bar.setValue(bar.value() + grid.viewport().height())
            grid.viewport().repaint()
            app.processEvents()
        wait(app, grid.drawn)
        fling = thumbs.requests - before
        view.hide()
        renderer.shutdown()
        manager.shutdown()
        view.deleteLater()
        app.processEvents()
        library.close()
    return {
        "switch_ms": switch_ms,
        "paint_median_ms": statistics.median(paints),
        "paint_max_ms": max(paints),
        "paints": paints,
        "requests_per_step": statistics.mean(per_step),
        "on_screen": on_screen,
        "fling_requests": fling,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[size] = measure(app, size, args.steps)
        r = results[size]
        print(
            f"{size:>6} documents: switch to grid {r['switch_ms']:.1f} ms; scroll a screen: "
            f"paint {r['paint_median_ms']:.1f} ms median, {r['paint_max_ms']:.1f} ms worst; "
            f"{r['requests_per_step']:.1f} thumbnails drawn per screen "
            f"({r['on_screen']:.0f} tiles on screen); a 40-screen fling drew "
            f"{r['fling_requests']:.0f}",
            flush=True,
        )
        if os.environ.get("FOLIO_BENCH_VERBOSE"):
            print("  paints (ms):", " ".join(f"{p:.0f}" for p in r["paints"]))
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        print(
            f"ratio {sizes[-1]} / {sizes[0]} documents: paint median "
            f"{large['paint_median_ms'] / small['paint_median_ms']:.2f}x, "
            f"switch {large['switch_ms'] / small['switch_ms']:.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
