"""Fixtures for the Qt tests: a locked library and a running manager that must end clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.library import Library
from app.tasks.manager import ExtractionManager


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
