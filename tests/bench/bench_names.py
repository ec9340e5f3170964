"""The Library's name filter and search's names group on a library of many documents, a
tenth of them imported under a second name.

Builds the library with scale_library (cached in --work), gives every tenth document a
second imported name, then measures on the real SourcesModel and SourcesProxy:
loading the model (its sources and their other names), the filter as a word is typed
letter by letter (each keystroke filters every row; names are folded once and kept),
and the same typing with the filter that looked at the shown name only (before
documents had several names), as a ratio; and `sources_named` (search's names group),
with and without the imported names.

Run: python -m tests.bench.bench_names [--docs 100000] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from app.core.library import Library
from app.core.query import fold, name_matches, parse_query
from app.core.search import NamedDocument
from app.tasks.manager import ExtractionManager
from app.ui.common.rendering import PageRenderer
from app.ui.library.sources_model import Column, Role, SourcesModel
from app.ui.library.sources_proxy import SourcesProxy
from tests.bench.scale_library import build

SECOND_NAME = "Kopie von Résumé {doc:05d}.pdf"
MARKER = "bench-names.txt"


class ShownNameOnlyProxy(SourcesProxy):
    """The filter as it was: the shown name only (DisplayRole), for the ratio."""

    def filterAcceptsRow(self, source_row: int, source_parent: object) -> bool:  # type: ignore[override]
        if not self._folded_filter:
            return True
        model = self.sourceModel()
        name = str(model.index(source_row, Column.NAME, source_parent).data() or "")  # type: ignore[arg-type]
        return self._folded_filter in self._fold(name)


class DataRoleNamesProxy(SourcesProxy):
    """Every name, read through data(Role.NAMES) per row (one Qt call per row)."""

    def filterAcceptsRow(self, source_row: int, source_parent: object) -> bool:  # type: ignore[override]
        if not self._folded_filter:
            return True
        index = self.sourceModel().index(source_row, Column.NAME, source_parent)  # type: ignore[arg-type]
        return any(self._folded_filter in self._fold(n) for n in index.data(Role.NAMES))


def add_second_names(folder: Path, docs: int) -> int:
    marker = folder / MARKER
    if marker.exists():
        return int(marker.read_text())
    added = 0
    with Library(folder) as lib:
        lib.acquire_writer_lock()
        with lib.transaction() as db:
            rows = db.execute("SELECT id FROM sources WHERE id % 10 = 0").fetchall()
            for (source_id,) in rows:
                other = SECOND_NAME.format(doc=source_id)
                added += lib.add_source_name(db, source_id, other, f"/media/usb/{other}")
    marker.write_text(str(added))
    return added


def typing(proxy: SourcesProxy, word: str) -> list[float]:
    """Seconds per keystroke, typing `word` then clearing it."""
    times = []
    for end in range(1, len(word) + 1):
        t = time.perf_counter()
        proxy.set_name_filter(word[:end])
        times.append(time.perf_counter() - t)
    proxy.set_name_filter("")
    return times


def old_sources_named(lib: Library, text: str) -> list[NamedDocument]:
    parsed = parse_query(text)
    rows = lib._query("SELECT id, name, page_count FROM sources")
    return [NamedDocument(*row) for row in rows if name_matches(parsed, row[1])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/folio-names"))
    args = parser.parse_args()
    folder = args.work / f"library-{args.docs}"
    args.work.mkdir(parents=True, exist_ok=True)
    t = time.monotonic()
    build(folder, args.docs, args.docs, big_pages=1)
    second = add_second_names(folder, args.docs)
    print(
        f"library of {args.docs:,} documents ({second:,} with a second name) ready in "
        f"{time.monotonic() - t:.0f} s",
        flush=True,
    )
    app = QApplication([])
    lib = Library(folder)
    manager = ExtractionManager(lib)
    renderer = PageRenderer()
    t = time.perf_counter()
    names = lib.other_names()
    other_s = time.perf_counter() - t
    t = time.perf_counter()
    model = SourcesModel(lib, manager, renderer)
    load_s = time.perf_counter() - t
    rows = {}
    variants = (
        ("names", SourcesProxy()),
        ("names by data()", DataRoleNamesProxy()),
        ("shown name only", ShownNameOnlyProxy()),
    )
    for label, proxy in variants:
        proxy.setSourceModel(model)
        first = typing(proxy, "resume")  # folds every name once
        again = typing(proxy, "resume")
        proxy.set_name_filter("resume")
        rows[label] = (first, again, proxy.rowCount())
        proxy.set_name_filter("")
    print(f"  other_names() query           {other_s * 1000:8.1f} ms ({len(names):,} documents)")
    print(f"  SourcesModel load             {load_s * 1000:8.1f} ms")
    for label, (first, again, shown) in rows.items():
        print(
            f"  filter, {label:18}    first keystroke {first[0] * 1000:7.1f} ms, "
            f"then median {statistics.median(again) * 1000:6.1f} ms, "
            f"max {max(again) * 1000:6.1f} ms; 'resume' shows {shown:,}"
        )
    new_first, new_again, _ = rows["names"]
    old_first, old_again, _ = rows["shown name only"]
    print(
        f"  ratio names / shown name only: first keystroke {new_first[0] / old_first[0]:.2f}, "
        f"median {statistics.median(new_again) / statistics.median(old_again):.2f}"
    )
    for text in ("resume", "document 0004"):
        t = time.perf_counter()
        found = lib.sources_named(text)
        new_s = time.perf_counter() - t
        t = time.perf_counter()
        old = old_sources_named(lib, text)
        old_s = time.perf_counter() - t
        print(
            f"  sources_named({text!r}): {new_s * 1000:7.1f} ms ({len(found):,} found); "
            f"shown name only {old_s * 1000:7.1f} ms ({len(old):,}); "
            f"ratio {new_s / old_s:.2f}"
        )
    assert fold("Résumé") == "resume"
    renderer.shutdown()
    manager.shutdown()
    lib.close()
    del app


if __name__ == "__main__":
    main()
