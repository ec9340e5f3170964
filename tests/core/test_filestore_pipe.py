"""The copy into the library reads only a regular file of bounded size, and never waits.

The import checks a file before copying it, but the file may be swapped between the
check and the copy: a named pipe in its place must fail the import at once, not hang it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from app.core.errors import FolioError
from app.core.filestore import FileStore
from app.core.limits import MAX_FILE_BYTES
from app.extraction import filetype

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")


def add_within(store: FileStore, source: Path, seconds: float) -> FolioError | None:
    """What `store.add(source)` raised, run on a thread that must end within `seconds`."""
    outcome: list[FolioError | None] = []

    def run() -> None:
        try:
            store.add(source, cancelled=lambda: True)
            outcome.append(None)
        except FolioError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        # Give the waiting open a writer, so the thread ends before the test does.
        if source.exists() and not source.is_file():
            os.close(os.open(source, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"adding {source.name} to the store was still waiting after {seconds} s")
    assert outcome, "adding raised something other than a sentence (see the thread's error)"
    return outcome[0]


def test_a_named_pipe_in_place_of_the_document_fails_at_once(tmp_path: Path) -> None:
    pipe = tmp_path / "scan.pdf"
    os.mkfifo(pipe)
    store = FileStore(tmp_path / "files")
    error = add_within(store, pipe, 5)
    assert isinstance(error, FolioError)
    assert error.message == (
        f"{pipe} changed into something that is not a document file while it was imported;"
        " import it again."
    )
    assert not any(p.is_file() for p in store.root.rglob("*")), "a temporary copy was left"


def test_a_file_above_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: no real disk space used
    error = add_within(FileStore(tmp_path / "files"), big, 5)
    assert isinstance(error, FolioError)
    assert error.message.startswith(f"{big} is larger than 2 GiB, the most Folio reads;")


def test_the_size_cap_is_one_number_for_the_sniffer_and_the_store() -> None:
    assert filetype.MAX_FILE_BYTES == MAX_FILE_BYTES == 2 * 1024**3
