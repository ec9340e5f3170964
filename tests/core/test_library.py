"""The SQLite library and the content-addressed file store, on real files."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from app.core.errors import FolioError, LibraryLockedError
from app.core.library import SCHEMA_VERSION, Library
from app.core.models import (
    BackgroundTask,
    Page,
    Source,
    TaskStatus,
    TaskType,
    TextMethod,
    now_iso,
)
from tests.conftest import SAMPLES

PDF = SAMPLES / "001-trivial" / "minimal-document.pdf"


def test_new_library_is_wal_and_versioned(library_dir: Path) -> None:
    with Library(library_dir):
        pass
    db = sqlite3.connect(library_dir / "library.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_store_copies_under_hash_and_never_touches_original(library_dir: Path) -> None:
    before = PDF.read_bytes()
    with Library(library_dir) as lib:
        stored = lib.store.add(PDF)
        again = lib.store.add(PDF)
    assert stored.sha256 == hashlib.sha256(before).hexdigest()
    assert stored.path.read_bytes() == before
    assert not stored.existed and again.existed and again.path == stored.path
    assert PDF.read_bytes() == before


def test_sweep_removes_unnamed_and_temporary_files(library_dir: Path) -> None:
    with Library(library_dir) as lib:
        kept = lib.store.add(PDF)
        orphan = lib.store.add(SAMPLES / "007-imagemagick-images" / "smile.png")
        stray = lib.store.root / ".incoming-abc"
        stray.write_bytes(b"half")
        removed = lib.store.sweep({kept.sha256})
    assert set(removed) == {orphan.path, stray}
    assert kept.path.exists() and not orphan.path.exists()


def add_pdf(
    lib: Library, db: sqlite3.Connection, name: str, pages: int, sha: str
) -> tuple[Source, list[Page]]:
    """A PDF source with its pages, in the caller's transaction."""
    return lib.add_source(
        sha256=sha * 32,
        name=name,
        original_path=f"/x/{name}",
        kind="pdf",
        size=10,
        page_count=pages,
        db=db,
    )


def test_source_pages_text_and_search(library_dir: Path) -> None:
    with Library(library_dir) as lib:
        with lib.transaction() as db:
            _source, pages = add_pdf(lib, db, "Notes.pdf", 2, "ab")
            lib.save_page_text(db, pages[1].id, "We ﬁnd the ﬂow here", TextMethod.OCR, 91.5)
        hits = lib.search("find")
        assert [(h.source_name, h.page_number) for h in hits] == [("Notes.pdf", 2)]
        assert "\x02find\x03" in hits[0].snippet
        assert lib.search('"unbalanced') == []  # FTS syntax in the input is never an error
        assert lib.search("AND OR NOT") == []
        page = lib.page(pages[1].id)
        assert page is not None and page.method is TextMethod.OCR and page.confidence == 91.5
        assert lib.sources()[0].page_count == 2


def test_task_history_survives_reopen(library_dir: Path) -> None:
    with Library(library_dir) as lib:
        task = BackgroundTask(0, TaskType.IMPORT, TaskStatus.PENDING, now_iso(), payload={"a": 1})
        with lib.transaction() as db:
            lib.insert_tasks([task], db)
        task.status = TaskStatus.IN_PROGRESS
        lib.update_task(task, ["status"])
    with Library(library_dir) as lib:
        resumed = lib.recover_interrupted()
        assert [t.id for t in resumed] == [task.id]
        again = lib.task(task.id)
        assert again is not None
        assert again.status is TaskStatus.PENDING and again.attempt == 2 and again.interrupted == 1
        assert again.payload == {"a": 1}
        assert again.to_json()["scheduledAt"].endswith("+00:00")


def test_repeatedly_interrupted_task_fails_with_a_sentence(library_dir: Path) -> None:
    with Library(library_dir) as lib:
        task = BackgroundTask(0, TaskType.IMPORT, TaskStatus.IN_PROGRESS, now_iso())
        with lib.transaction() as db:
            lib.insert_tasks([task], db)
        for _ in range(3):
            lib.recover_interrupted()
            t = lib.task(task.id)
            assert t is not None
            if t.status is TaskStatus.PENDING:
                t.status = TaskStatus.IN_PROGRESS
                lib.update_task(t, ["status"])
        final = lib.task(task.id)
        assert final is not None and final.status is TaskStatus.FAILED
        assert final.error and "3 times" in final.error


def test_second_writer_is_refused(library_dir: Path) -> None:
    with Library(library_dir) as first, Library(library_dir) as second:
        first.acquire_writer_lock()
        with pytest.raises(LibraryLockedError, match="Another Folio"):
            second.acquire_writer_lock()


def test_unwritable_library_folder_is_a_sentence(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        target = blocker / "Library"
    else:
        tmp_path.chmod(0o500)
        target = tmp_path / "Library"
    with pytest.raises(FolioError, match="Library"):
        Library(target)


def test_corrupt_database_is_reported(library_dir: Path) -> None:
    library_dir.mkdir()
    (library_dir / "library.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(FolioError, match="cannot be read"):
        Library(library_dir)


def test_backup_then_restore_after_corruption(library_dir: Path) -> None:
    import subprocess
    import sys

    from app.core.backup import backups
    from app.core.errors import CorruptLibraryError

    with Library(library_dir) as lib:
        with lib.transaction() as db:
            add_pdf(lib, db, "Kept.pdf", 3, "cd")
        lib.backup("manual")
    db_file = library_dir / "library.sqlite3"
    for side in ("-wal", "-shm"):
        (library_dir / f"library.sqlite3{side}").unlink(missing_ok=True)
    db_file.write_bytes(b"\x00garbage" * 4096)
    with pytest.raises(CorruptLibraryError, match="folio restore"):
        Library(library_dir)
    assert [b.reason for b in backups(library_dir)] == ["manual"]
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--library", str(library_dir), "restore"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Restored" in proc.stdout
    with Library(library_dir) as lib:
        assert [s.name for s in lib.sources()] == ["Kept.pdf"]
        assert lib.integrity_check() == "ok"
    assert list(library_dir.glob("library.sqlite3.before-restore-*"))


def test_pages_whose_reading_was_cancelled_are_counted(library_dir: Path) -> None:
    from app.ui.common.formatting import source_state_text

    with Library(library_dir) as lib:
        with lib.transaction() as db:
            source, pages = add_pdf(lib, db, "Scan.pdf", 3, "ef")
            lib.save_page_text(db, pages[0].id, "read", TextMethod.OCR, 90.0)
            lib.insert_tasks(
                [
                    BackgroundTask(
                        0,
                        TaskType.TEXT_EXTRACTION,
                        status,
                        now_iso(),
                        source_id=source.id,
                        page_id=page.id,
                    )
                    for page, status in zip(
                        pages,
                        [TaskStatus.COMPLETED, TaskStatus.CANCELLED, TaskStatus.FAILED],
                        strict=True,
                    )
                ],
                db,
            )
        state = lib.source_states()[source.id]
        assert (state.completed, state.failed, state.cancelled) == (1, 1, 1)
        assert source_state_text(state, 3) == "1/3 pages · 1 failed · 1 cancelled"


def test_sweep_leaves_files_the_store_did_not_create(library_dir: Path) -> None:
    with Library(library_dir) as lib:
        kept = lib.store.add(PDF)
        mine = [
            lib.store.root / "notes.txt",
            lib.store.root / "ab" / "holiday.jpg",
            lib.store.root / "zz" / ("f" * 64),  # a hash-like name, but not where we put it
        ]
        for path in mine:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("the user's own")
        orphan = lib.store.path_for("a" * 64)
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_text("left by an import that was undone")
        removed = lib.store.sweep({kept.sha256})
    assert removed == [orphan]
    assert all(path.read_text() == "the user's own" for path in mine)
    assert kept.path.exists()


def test_a_version_3_library_keeps_its_documents_and_their_names(library_dir: Path) -> None:
    """Opening a library made before names, words, trash and collections migrates it."""
    from app.core.schema import MIGRATIONS, split_sql

    library_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(library_dir / "library.sqlite3")
    for script in MIGRATIONS[:3]:
        for statement in split_sql(script):
            db.execute(statement)
    db.execute(
        "INSERT INTO sources(sha256, name, original_path, kind, size, page_count, added_at) "
        "VALUES ('ab', 'report.pdf', '/home/u/report.pdf', 'pdf', 10, 0, ?)",
        (now_iso(),),
    )
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    with Library(library_dir) as lib:
        source = lib.source_by_sha("ab")
        assert source is not None and source.name == "report.pdf"
        names = lib._query(
            "SELECT name, original_path FROM source_names WHERE source_id = ?", (source.id,)
        )
    assert names == [("report.pdf", "/home/u/report.pdf")]
