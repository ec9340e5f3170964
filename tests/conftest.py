"""Shared fixtures: the corpus, a scratch library, and a guard against leaked processes."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from app.core.library import Library
from app.tasks.manager import ExtractionManager
from tests.corpus import CORPUS, HOSTILE, REPO, SAMPLES, hostile_files, sample_pdfs

__all__ = ["CORPUS", "HOSTILE", "REPO", "SAMPLES", "hostile_files", "sample_pdfs"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def live_children(exclude: frozenset[int] | set[int] = frozenset()) -> list[psutil.Process]:
    """This process's running descendants (zombies and ones gone meanwhile left out)."""
    alive = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.pid not in exclude and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.fixture(autouse=True)
def no_leaked_processes() -> object:
    """Fail a test that leaves worker or Tesseract processes running."""
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    yield
    deadline = time.monotonic() + 5
    leaked: list[psutil.Process] = []
    while time.monotonic() < deadline:
        leaked = live_children(exclude=before)
        if not leaked:
            break
        time.sleep(0.05)
    names = []
    for p in leaked:
        try:
            names.append(p.cmdline())
            p.kill()
        except psutil.NoSuchProcess:
            pass
    assert not leaked, f"test left processes running: {names}"


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    return tmp_path / "Library"


@pytest.fixture(scope="session")
def scanned_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An image-only PDF: page 1 of a real corpus document, rendered at 300 dpi."""
    from PIL import Image

    from tests.scans import draw_scan

    folder = tmp_path_factory.mktemp("scan")
    png = draw_scan(SAMPLES / "001-trivial" / "minimal-document.pdf", folder / "page.png")
    out = folder / "scanned document.pdf"
    with Image.open(png) as img:
        img.save(out, "PDF", resolution=300)
    return out


@pytest.fixture(scope="session")
def long_scan(scanned_pdf: Path) -> Path:
    """An image-only PDF of 12 pages: seconds of OCR on two cores."""
    from PIL import Image

    out = scanned_pdf.with_name("long scan.pdf")
    with Image.open(scanned_pdf.with_name("page.png")) as img:
        img.save(out, "PDF", resolution=300, save_all=True, append_images=[img] * 11)
    return out


def fresh(manager: Any, task: Any) -> Any:
    """The task as the manager has it now (what it hands out are snapshots)."""
    now = manager.get(task.id)
    assert now is not None, f"task {task.id} is gone"
    return now


def wait_idle(qtbot: Any, manager: Any, timeout: int = 60_000, *, started: bool = False) -> None:
    """Wait until the manager has nothing pending or running, then flush its signals.

    `started`: first wait for work to arrive at all (a drop walks its folders off the
    GUI thread, so its tasks come a moment after the drop).
    """
    if started:
        qtbot.waitUntil(lambda: bool(manager.tasks()), timeout=timeout)
    qtbot.waitUntil(manager.is_idle, timeout=timeout)
    manager.flush_now()


# -- a locked library and a running manager (the manager must end clean) --------------


@pytest.fixture
def library(library_dir: Path) -> Iterator[Library]:
    lib = Library(library_dir)
    lib.acquire_writer_lock()
    yield lib
    lib.close()


@pytest.fixture
def manager(library: Library, qapp: object) -> Iterator[ExtractionManager]:
    m = ExtractionManager(library)
    m.start()
    yield m
    m.shutdown()
    assert m.pool.activeThreadCount() == 0, "pool work left running"


def add_document(library: Library, name: str, texts: list[str], sha: str) -> None:
    """A document whose pages hold `texts`, as if read from their text layer."""
    from app.core.models import TextMethod

    with library.transaction() as db:
        _source, pages = library.add_source(
            sha256=sha * (64 // len(sha)),
            name=name,
            original_path=f"/docs/{name}",
            kind="pdf",
            size=10,
            page_count=len(texts),
            db=db,
        )
        for page, text in zip(pages, texts, strict=True):
            library.save_page_text(db, page.id, text, TextMethod.TEXT_LAYER, None)


@contextlib.contextmanager
def window_owning(library_dir: Path) -> Iterator[tuple[ExtractionManager, Any]]:
    """A library held as a running window holds it: its manager and its instance server
    (which the command line reaches instead of opening the library itself)."""
    from app.tasks.instance import InstanceServer

    library = Library(library_dir)
    library.acquire_writer_lock()
    manager = ExtractionManager(library)
    manager.start()
    server = InstanceServer(library_dir, manager)
    assert server.listen()
    try:
        yield manager, server
    finally:
        server.close()
        manager.shutdown()
        library.close()
