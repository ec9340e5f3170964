"""Disk and file faults: a clear sentence each, and nothing half-written."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from app.core.errors import FolioError
from app.core.filestore import FileStore
from tests.conftest import SAMPLES

GEOTOPO = SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf"


def leftovers(store: FileStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []


def test_disk_full_while_copying(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileStore(tmp_path / "files")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(FolioError, match="disk is full") as err:
        store.add(GEOTOPO)
    assert "GeoTopo-komprimiert.pdf" in str(err.value)
    assert leftovers(store) == []


def test_file_growing_while_copied(tmp_path: Path) -> None:
    source = tmp_path / "growing.pdf"
    shutil.copy(GEOTOPO, source)
    store = FileStore(tmp_path / "files")
    grown = False

    def append_once(_done: int, _total: int) -> None:
        nonlocal grown
        if not grown:
            with open(source, "ab") as fh:
                fh.write(b"%% more bytes arriving\n" * 1000)
            grown = True

    with pytest.raises(FolioError, match="changed while Folio was copying it"):
        store.add(source, append_once)
    assert leftovers(store) == []


def test_source_deleted_before_import(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    with pytest.raises(FolioError, match="does not exist"):
        store.add(tmp_path / "gone.pdf")
    assert leftovers(store) == []


def test_unreadable_source(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    source = tmp_path / "secret.pdf"
    shutil.copy(GEOTOPO, source)
    source.chmod(0)
    with pytest.raises(FolioError, match="permissions"):
        FileStore(tmp_path / "files").add(source)
