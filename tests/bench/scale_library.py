"""Build a large library with Folio's own Library API, as real imports leave it.

Each document has its file in the store, a completed import task, its pages with
text (made-up but real-looking: a Zipf mix of common words and a long tail) and one
completed text task per page. One document has `big_pages` pages (a real PDF of that
many pages); the rest share the remaining pages.

Run alone: python -m tests.bench.scale_library DIR --docs 1000 --pages 20000
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import time
from itertools import accumulate
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from app.core.library import Library
from app.core.models import BackgroundTask, TaskStatus, TaskType, TextMethod, now_iso
from tests.corpus import SAMPLES

COMMON_TEXT = (
    "the of and to in a is that for it as was with be by on not he i this are or his from at "
    "which but have an they you were her she there been one all we their has would when if "
    "so no will more can who what said about than into them some could time only other new "
    "page report invoice account total amount date number year letter contract section"
)
COMMON = COMMON_TEXT.split()
#: In exactly RARE_PAGES pages of the library.
RARE_WORD = "quetzalcoatlus"
RARE_PAGES = 3
#: About 1 KB of text a page: with the search index, ~3 KB a page in the database.
WORDS_PER_PAGE = 150
SEED_PDF = SAMPLES / "026-latex-multicolumn" / "multicolumn.pdf"
MARKER = "scale-library.txt"


def vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    syllables = ["ka", "lo", "mi", "ver", "sta", "dun", "pre", "tion", "al", "ex", "gor", "quin"]
    tail = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    words = COMMON + sorted(tail - set(COMMON))
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(words))]
    return words, list(accumulate(weights))


def pdf_with_pages(pages: int) -> bytes:
    """A real PDF of `pages` pages (one text page repeated; PDFium reads each)."""
    reader = PdfReader(SEED_PDF)
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_page(reader.pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build(
    folder: Path, docs: int, pages: int, big_pages: int = 5000, seed: int = 1
) -> dict[str, int]:
    """Build the library in `folder` (reused when it was built with the same sizes)."""
    marker = folder / MARKER
    wanted = f"{docs} {pages} {big_pages} {seed}"
    if marker.exists() and marker.read_text() == wanted:
        return {"docs": docs, "pages": pages}
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} holds another library; remove it or choose another folder.")
    rng = random.Random(seed)
    words, cumulative = vocabulary(rng)
    rare = set(rng.sample(range(pages - big_pages), RARE_PAGES))
    seed_bytes = SEED_PDF.read_bytes()
    big_bytes = pdf_with_pages(big_pages)
    per_doc = max(1, (pages - big_pages) // max(1, docs - 1))
    started = time.monotonic()
    page_no = 0
    with Library(folder) as lib:
        lib.acquire_writer_lock()
        for doc in range(docs):
            count = big_pages if doc == 0 else per_doc
            # Distinct bytes per document: the store is content-addressed.
            data = big_bytes if doc == 0 else seed_bytes + f"\n%{doc}\n".encode()
            sha = hashlib.sha256(data).hexdigest()
            path = lib.store.path_for(sha)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            stamp = now_iso()
            with lib.transaction() as db:
                source, created = lib.add_source(
                    sha256=sha,
                    name=f"document {doc:05d}.pdf" if doc else "the big one.pdf",
                    original_path=f"/home/user/archive/document {doc:05d}.pdf",
                    kind="pdf",
                    size=len(data),
                    page_count=count,
                    db=db,
                )
                tasks = [
                    BackgroundTask(
                        0,
                        TaskType.IMPORT,
                        TaskStatus.COMPLETED,
                        stamp,
                        source_id=source.id,
                        finished_at=stamp,
                        message="Imported",
                        payload={"path": source.original_path, "name": source.name},
                    )
                ]
                for page in created:
                    tasks.append(
                        BackgroundTask(
                            0,
                            TaskType.TEXT_EXTRACTION,
                            TaskStatus.COMPLETED,
                            stamp,
                            source_id=source.id,
                            page_id=page.id,
                            finished_at=stamp,
                            progress=1.0,
                            message="Text layer",
                        )
                    )
                    text = rng.choices(words, cum_weights=cumulative, k=WORDS_PER_PAGE)
                    if doc and page_no in rare:
                        text[rng.randrange(len(text))] = RARE_WORD
                    lib.save_page_text(db, page.id, " ".join(text), TextMethod.TEXT_LAYER, None)
                    if doc:
                        page_no += 1
                lib.insert_tasks(tasks, db)
            if doc and doc % 1000 == 0:
                print(
                    f"  {doc:,} documents, {page_no + big_pages:,} pages "
                    f"({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
    marker.write_text(wanted)
    return {"docs": docs, "pages": page_no + big_pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--big-pages", type=int, default=5000)
    args = parser.parse_args()
    t0 = time.monotonic()
    built = build(args.folder, args.docs, args.pages, args.big_pages)
    print(f"{built} in {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
