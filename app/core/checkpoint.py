"""Copying the write-ahead log back into the database, on a thread of its own.

SQLite's automatic checkpoint runs inside whichever commit crosses the threshold,
which in the window is the GUI thread: measured on a library of 200,000 pages, one
commit in a thousand took 60-180 ms instead of a tenth of one. The writer turns the
automatic checkpoint off and this thread does the copying (a passive checkpoint
never waits for, nor blocks, the writer).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

#: Checkpoint once the log is this large (SQLite's own default is ~4 MB too).
THRESHOLD = 4 * 2**20
EVERY_S = 0.5


class WalCheckpointer:
    """Checkpoints `db_path`'s WAL whenever it passes THRESHOLD, until stopped."""

    def __init__(self, db_path: Path, threshold: int = THRESHOLD, every: float = EVERY_S) -> None:
        self.db_path = db_path
        self.wal = db_path.with_name(db_path.name + "-wal")
        self.threshold = threshold
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        db: sqlite3.Connection | None = None
        try:
            while not self._stop.wait(self.every):
                try:
                    if self.wal.stat().st_size < self.threshold:
                        continue
                except OSError:
                    continue
                try:
                    if db is None:
                        db = sqlite3.connect(self.db_path, timeout=5, isolation_level=None)
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as exc:
                    log.debug("checkpoint of %s skipped: %s", self.db_path, exc)
        finally:
            if db is not None:
                db.close()
