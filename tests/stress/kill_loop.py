"""Crash safety: SIGKILL an importing Folio at random moments, restart, check the library.

Run: .venv/bin/python -m tests.stress.kill_loop [--rounds 30] [--seed N]
A short version (3 rounds) runs in the test suite (tests/tasks/test_crash.py). Among the
documents is one on which PDFium hangs: kills that land while it hangs must leave no
worker behind either.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

from tests.corpus import REPO, SAMPLES

#: PDFium loops for ever on some of its pages, holding the GIL: a kill then must still take
#: the worker reading it along (the lifeline cannot run), and the page must end in a
#: sentence saying it took too long, never a hung task.
HANGS = SAMPLES / "017-unreadable-meta-data" / "unreadablemetadata.pdf"

DOCS = [
    HANGS,
    SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf",
    SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf",
    SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf",
    SAMPLES / "018-base64-image" / "page-0-QuickPDFImd32aa1ab.png",
    SAMPLES / "021-pdfa" / "crazyones-pdfa.pdf",
    SAMPLES / "026-latex-multicolumn" / "multicolumn.pdf",
]


#: The worker reading the hanging page is stopped by its deadline or its processor-time cap.
_STOPPED = ("took longer than", "of processor time")


def fresh_copies(folder: Path, round_no: int) -> list[Path]:
    """Copies with a few bytes appended (still valid files), so each round has new work."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, doc in enumerate(DOCS):
        copy = folder / f"r{round_no}-{i}-{doc.name}"
        data = doc.read_bytes()
        # The hanging document stays the same file, so its pages are read (and hang) once
        # across all rounds, not once a round; a longer copy would not hang anyway: it is
        # linearized, its length written inside, and PDFium calls such a copy damaged.
        copy.write_bytes(data if doc == HANGS else data + f"\n% round {round_no}\n".encode())
        out.append(copy)
    return out


def start(library: Path, files: list[Path]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "--library",
            str(library),
            "import",
            *map(str, files),
            "--wait",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=REPO,
    )


def check(library: Path) -> dict[str, int]:
    """The invariants after a crash and the startup sweep; raises AssertionError."""
    from app.core.library import Library

    lib = Library(library)
    try:
        assert lib.integrity_check() == "ok", "integrity_check failed"
        lib.store.sweep(lib.stored_hashes())
        named = lib.stored_hashes()
        for sha in named:
            assert lib.store.path_for(sha).exists(), f"source names a missing file {sha}"
        stored = (
            {p.name for p in lib.store.root.rglob("*") if p.is_file()}
            if lib.store.root.exists()
            else set()
        )
        assert stored <= named, f"unnamed store files after the sweep: {stored - named}"
        counts = Counter(t.status.value for t in lib.tasks())
        return dict(counts)
    finally:
        lib.close()


def survivors(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def run(rounds: int, seed: int, library: Path, log: bool = True) -> dict[str, int]:
    rng = random.Random(seed)
    kills = 0
    for i in range(rounds):
        proc = start(library, fresh_copies(library.parent / "incoming", i))
        # Up to 4 s: long enough for some kills to land while PDFium hangs on a page.
        delay = rng.uniform(0.2, 4.0)
        deadline = time.monotonic() + delay
        children: set[int] = set()
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                children |= {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
            except psutil.NoSuchProcess:
                break
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        # Workers and Tesseract notice their parent is gone and die with it.
        give_up = time.monotonic() + 5
        while survivors(list(children)) and time.monotonic() < give_up:
            time.sleep(0.05)
        left = survivors(list(children))
        assert not left, f"round {i}: processes outlived the killed app: {left}"
        counts = check(library)
        if log:
            print(f"round {i + 1:2}: killed after {delay:.2f}s, {len(children)} children, {counts}")
    # A last run without a kill: everything interrupted resumes and finishes.
    final = start(library, fresh_copies(library.parent / "incoming", rounds))
    final.wait(timeout=600)
    counts = check(library)
    assert counts.get("in_progress", 0) == 0 and counts.get("pending", 0) == 0, counts
    interrupted = (
        sqlite3.connect(library / "library.sqlite3")
        .execute("SELECT COUNT(*), SUM(status = 'completed') FROM tasks WHERE interrupted > 0")
        .fetchone()
    )
    failed = [
        (row[0], row[1] > 0)
        for row in sqlite3.connect(library / "library.sqlite3").execute(
            "SELECT error, interrupted FROM tasks WHERE status = 'failed'"
        )
    ]
    # A task interrupted three times while running gives up with a sentence (by design);
    # the page PDFium hangs on is stopped with one; nothing else fails.
    given_up = [e for e, _ in failed if "times while this task ran" in e]
    hung = [(e, was) for e, was in failed if HANGS.name in e and any(s in e for s in _STOPPED)]
    assert len(given_up) + len(hung) == len(failed), failed
    assert interrupted[0] == (interrupted[1] or 0) + len(given_up) + sum(w for _, w in hung), (
        "an interrupted task hung"
    )
    db = sqlite3.connect(library / "library.sqlite3")
    pages, texts = db.execute(
        "SELECT (SELECT COUNT(*) FROM pages), (SELECT COUNT(*) FROM page_text)"
    ).fetchone()
    # Kills that landed while a page of the hanging document was being read.
    hang_kills = db.execute(
        "SELECT COALESCE(SUM(t.interrupted), 0) FROM tasks t JOIN sources s"
        " ON s.id = t.source_id WHERE t.page_id IS NOT NULL AND s.name LIKE ?",
        (f"%{HANGS.name}",),
    ).fetchone()[0]
    db.close()
    if log:
        print(
            f"after {kills} kills: {counts}; {texts} of {pages} pages have text; "
            f"{interrupted[0]} interrupted tasks: {interrupted[1]} resumed and completed, "
            f"{len(given_up)} gave up after 3 interruptions; {hang_kills} kills while a page"
            f" of {HANGS.name} was read, {len(hung)} of its pages stopped with a sentence"
        )
    return {
        "kills": kills,
        "pages": pages,
        "texts": texts,
        "interrupted": interrupted[0],
        "hang_kills": hang_kills,
        **counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(args.rounds, args.seed, Path(tmp) / "Library")


if __name__ == "__main__":
    main()
