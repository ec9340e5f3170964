"""Nothing in a library is readable by other users, new or made by an older Folio."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.core.backup import make_backup
from app.core.errors import FolioError
from app.core.library import Library
from app.core.models import TextMethod
from tests.conftest import SAMPLES
from tests.core.test_library import add_pdf

PDF = SAMPLES / "001-trivial" / "minimal-document.pdf"


def open_to_others(folder: Path) -> list[str]:
    """Entries under `folder` (itself included) that group or others may use."""
    found = []
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files, "."]:
            path = Path(root) / name
            if stat.S_IMODE(path.lstat().st_mode) & 0o077:
                found.append(f"{path} {oct(stat.S_IMODE(path.lstat().st_mode))}")
    return found


def fill(lib: Library) -> Path:
    stored = lib.store.add(PDF)
    with lib.transaction() as db:
        _, pages = add_pdf(lib, db, "a.pdf", 2, "ab")
        lib.save_page_text(db, pages[0].id, "private words", TextMethod.TEXT_LAYER, None)
    make_backup(lib.db_path, "manual")
    return stored.path


def test_a_new_library_is_private(library_dir: Path) -> None:
    old = os.umask(0o022)  # the usual umask: files 0644, folders 0755 unless Folio says
    try:
        with Library(library_dir) as lib:
            stored = fill(lib)
            assert (library_dir / "library.sqlite3-wal").exists()
            assert open_to_others(library_dir) == []
        assert stat.S_IMODE(stored.stat().st_mode) == 0o400
    finally:
        os.umask(old)


def test_a_library_made_readable_by_an_older_folio_is_repaired(library_dir: Path) -> None:
    with Library(library_dir) as lib:
        stored = fill(lib)
    for root, dirs, files in os.walk(library_dir):
        for name in dirs:
            os.chmod(Path(root) / name, 0o755)
        for name in files:
            os.chmod(Path(root) / name, 0o644)
    os.chmod(library_dir, 0o755)
    # Something of the user's own, kept in the same folder: Folio leaves it as it is.
    notes = library_dir / "my notes.txt"
    notes.write_text("mine")
    os.chmod(notes, 0o644)
    assert open_to_others(library_dir)
    with Library(library_dir):
        pass
    assert open_to_others(library_dir) == [f"{notes} 0o644"]
    assert stat.S_IMODE(stored.stat().st_mode) == 0o400


def test_a_folder_of_the_users_own_files_is_not_adopted(tmp_path: Path) -> None:
    documents = tmp_path / "Documents"
    (documents / "files").mkdir(parents=True)
    letter = documents / "letter.odt"
    letter.write_text("dear")
    photo = documents / "files" / "holiday.jpg"
    photo.write_text("sun")
    os.chmod(documents, 0o755)
    with pytest.raises(FolioError) as refused:
        Library(documents)
    assert str(documents) in refused.value.message
    assert "not a Folio library" in refused.value.message
    assert sorted(p.name for p in documents.rglob("*")) == ["files", "holiday.jpg", "letter.odt"]
    assert stat.S_IMODE(documents.stat().st_mode) == 0o755
    assert letter.read_text() == "dear" and photo.read_text() == "sun"
