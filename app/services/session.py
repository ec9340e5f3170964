"""Opening a library to work on it: the same steps for the window, the CLI and the API."""

from __future__ import annotations

import logging
from pathlib import Path

from app.core.library import Library

log = logging.getLogger(__name__)


def open_for_work(folder: Path) -> Library:
    """Open a library folder to run its tasks: the database, the writer lock, the store sweep.

    Raises FolioError (CorruptLibraryError, LibraryLockedError…) with a sentence; the
    library is closed again when a step fails. The sweep runs only once this process
    holds the lock, so it never removes a file another Folio is adding.
    """
    library = Library(folder)
    try:
        library.acquire_writer_lock()
        removed = library.store.sweep(library.stored_hashes())
    except BaseException:
        library.close()
        raise
    if removed:
        log.info("startup sweep removed %d stray files from the store", len(removed))
    return library


def open_to_read(folder: Path) -> Library:
    """Open a library folder to read it beside a running Folio (no lock, no sweep)."""
    return Library(folder)
