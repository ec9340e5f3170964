"""The trash and collections at scale: the Library's first page and search, with and without
a collection, in a library of 100,000 documents (200,000 pages), with documents in the trash.

Builds the library once with Folio's own Library API (cached in --work; no stored files:
lists and search never read them), then prints, each the median of --repeat runs:
- `sources(limit=100)`: the first page of the list as the CLI and the API ask for it;
- `sources()`: every document, as the window's Library model loads them;
- the window's Library: SourcesView built (model and first rows) and a collection chosen;
- search: count, the first 50 hits and the documents ranked, for a common and a rare word;
- the sidebar's counts (trash and every collection);
each over the whole library, a small collection (1,000 documents) and a large one (50,000),
and the common word's search again with the trash emptied (its clause is then left out).

Run: python -m tests.bench.bench_organise [--docs 100000] [--work DIR] [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from app.core.library import Library
from app.core.models import TextMethod
from tests.bench.scale_library import RARE_WORD, WORDS_PER_PAGE, vocabulary

PAGES_PER_DOC = 2
BATCH = 2000
COMMON_WORD = "the"
MARKER = "bench-organise.txt"


def build(folder: Path, docs: int, seed: int = 7) -> None:
    """A library of `docs` documents of PAGES_PER_DOC pages, two collections, a trash."""
    wanted = f"{docs} {PAGES_PER_DOC} {seed}"
    marker = folder / MARKER
    if marker.exists() and marker.read_text() == wanted:
        return
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} holds another library; remove it or choose another folder.")
    rng = random.Random(seed)
    words, cumulative = vocabulary(rng)
    rare = set(rng.sample(range(docs * PAGES_PER_DOC), 30))
    started = time.monotonic()
    page_no = 0
    with Library(folder) as lib:
        lib.acquire_writer_lock()
        for first in range(0, docs, BATCH):
            with lib.transaction() as db:
                for doc in range(first, min(first + BATCH, docs)):
                    _source, pages = lib.add_source(
                        sha256=hashlib.sha256(f"document {doc}".encode()).hexdigest(),
                        name=f"document {doc:06d}.pdf",
                        original_path=f"/home/user/archive/document {doc:06d}.pdf",
                        kind="pdf",
                        size=1000,
                        page_count=PAGES_PER_DOC,
                        db=db,
                    )
                    for page in pages:
                        text = rng.choices(words, cum_weights=cumulative, k=WORDS_PER_PAGE)
                        if page_no in rare:
                            text[0] = RARE_WORD
                        page_no += 1
                        lib.save_page_text(db, page.id, " ".join(text), TextMethod.TEXT_LAYER, None)
            print(f"  {min(first + BATCH, docs):,} documents ({time.monotonic() - started:.0f} s)")
        ids = [s.id for s in lib.sources()]
        small = lib.create_collection("Small")
        lib.add_to_collection(small.id, rng.sample(ids, 1000))
        large = lib.create_collection("Large")
        lib.add_to_collection(large.id, rng.sample(ids, docs // 2))
        lib.trash_sources(rng.sample(ids, 1000))
        lib._db.execute("ANALYZE")
    marker.write_text(wanted)


def median_ms(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000, 1)


def window_times(folder: Path, scopes: dict[str, int | None], repeat: int) -> dict[str, float]:
    """The Library section as the window builds it, and a collection chosen in it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.tasks.manager import ExtractionManager
    from app.ui.common.rendering import PageRenderer
    from app.ui.library.sources_view import SourcesView

    app = QApplication.instance() or QApplication([])
    out: dict[str, float] = {}
    with Library(folder) as lib:
        manager = ExtractionManager(lib)
        renderer = PageRenderer()
        settings = QSettings(str(folder.parent / "bench-organise.ini"), QSettings.Format.IniFormat)
        views: list[SourcesView] = []

        def build_view() -> None:
            views.append(SourcesView(lib, manager, renderer, settings))
            app.processEvents()

        out["window_library_ms"] = median_ms(build_view, repeat)
        view = views[-1]
        for name, scope in scopes.items():
            if scope is not None:
                out[f"window_choose_{name}_ms"] = median_ms(
                    lambda s=scope: (view.show_collection(s), view.show_collection(None)), repeat
                )
        for made in views:
            made.deleteLater()
        app.processEvents()
        manager.shutdown()
        renderer.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/folio-organise"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = args.work / f"library-{args.docs}"
    folder.parent.mkdir(parents=True, exist_ok=True)
    t = time.monotonic()
    build(folder, args.docs)
    print(
        f"== {args.docs:,} documents, {args.docs * PAGES_PER_DOC:,} pages, 1,000 in the trash "
        f"(ready in {time.monotonic() - t:.0f} s)"
    )
    rows: dict[str, float | int] = {"docs": args.docs, "pages": args.docs * PAGES_PER_DOC}
    with Library(folder, readonly=True) as lib:
        small = lib.collection_named("Small")
        large = lib.collection_named("Large")
        assert small is not None and large is not None
        scopes: dict[str, int | None] = {"all": None, "small": small.id, "large": large.id}
        for name, scope in scopes.items():
            r = args.repeat
            rows[f"first_page_{name}_ms"] = median_ms(
                lambda s=scope: lib.sources(100, collection_id=s), r
            )
            rows[f"every_source_{name}_ms"] = median_ms(
                lambda s=scope: lib.sources(collection_id=s), r
            )
            for label, word in (("common", COMMON_WORD), ("rare", RARE_WORD)):
                rows[f"search_{label}_{name}_count_ms"] = median_ms(
                    lambda s=scope, w=word: lib.search_count(w, collection_id=s), r
                )
                rows[f"search_{label}_{name}_first50_ms"] = median_ms(
                    lambda s=scope, w=word: lib.search(w, 50, collection_id=s), r
                )
                rows[f"search_{label}_{name}_documents_ms"] = median_ms(
                    lambda s=scope, w=word: lib.search_documents(w, collection_id=s), r
                )
        rows["sidebar_counts_ms"] = median_ms(lib.sidebar_counts, args.repeat)
        trashed = [t.source.id for t in lib.trashed_sources()]
        rows["common_hits_all"] = lib.search_count(COMMON_WORD).pages
        rows["common_hits_small"] = lib.search_count(COMMON_WORD, collection_id=small.id).pages
    # The same search with the trash empty: what the trash's clause costs while it is not.
    with Library(folder) as lib:
        lib.restore_sources(trashed)
        try:
            for key, call in (
                ("count", lambda: lib.search_count(COMMON_WORD)),
                ("first50", lambda: lib.search(COMMON_WORD, 50)),
                ("documents", lambda: lib.search_documents(COMMON_WORD)),
            ):
                rows[f"search_common_all_{key}_trash_empty_ms"] = median_ms(call, args.repeat)
        finally:
            lib.trash_sources(trashed)
    rows.update(window_times(folder, scopes, max(1, args.repeat // 2)))
    for key, value in rows.items():
        print(f"  {key:40} {value}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
