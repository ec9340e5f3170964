"""Watched folders through the real manager and worker: what appears is imported once,
complete; partial downloads wait; nothing is imported twice; a vanished folder is said."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import ALREADY_IN_LIBRARY, BackgroundTask, TaskStatus, TaskType
from app.services.watch import FolderWatcher, WatchImports
from app.services.watched import (
    SETTING_SEEN,
    WatchedFolder,
    is_partial,
    load_watched,
    overlaps_library,
)
from app.tasks.manager import ExtractionManager
from tests.conftest import SAMPLES, wait_idle

PDF = SAMPLES / "001-trivial" / "minimal-document.pdf"
OTHER_PDF = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
PNG = SAMPLES / "007-imagemagick-images" / "smile.png"


class Clock:
    """The watcher's idea of time, stepped by the test (a slow write without sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "Scans"
    path.mkdir()
    return path


@pytest.fixture
def watcher(manager: ExtractionManager) -> Iterator[FolderWatcher]:
    w = FolderWatcher(manager, settle=0.2)
    yield w
    w.stop()
    assert w.pool.activeThreadCount() == 0, "a look at a folder was left running"


def imports(manager: ExtractionManager) -> list[BackgroundTask]:
    return [t for t in manager.tasks() if t.task_type is TaskType.IMPORT]


def look(qtbot: QtBot, watcher: FolderWatcher, folder: Path) -> None:
    """One complete look at `folder` (started now, after any running one)."""
    with qtbot.waitSignal(watcher.scanned, timeout=10_000, check_params_cb=lambda k: True):
        watcher.scan(str(folder))
    # A look already running when asked finishes first; the one asked for follows.
    qtbot.waitUntil(lambda: not watcher._watches[str(folder)].busy, timeout=10_000)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_partial_names() -> None:
    for name in ("report.pdf.part", "x.crdownload", "Unconfirmed 1.CRDOWNLOAD", "~$draft.pdf"):
        assert is_partial(name), name
    for name in ("report.pdf", "partial.pdf", "scan.tiff"):
        assert not is_partial(name), name


def test_a_file_written_slowly_is_imported_once_when_complete(
    qtbot: QtBot, manager: ExtractionManager, library: Library, folder: Path
) -> None:
    clock = Clock()
    watcher = FolderWatcher(manager, settle=2.0, clock=clock)
    try:
        watcher.watch([WatchedFolder(folder)])
        qtbot.waitUntil(lambda: watcher.has_looked(folder), timeout=10_000)
        data = OTHER_PDF.read_bytes()
        target = folder / "arriving.pdf"
        # The scanner writes a third, then another: each look sees it still changing.
        for end in (len(data) // 3, 2 * len(data) // 3, len(data)):
            with target.open("ab") as out:
                out.write(data[target.stat().st_size if target.exists() else 0 : end])
            clock.now += 1.5  # less than the 2 s it must stay unchanged
            look(qtbot, watcher, folder)
            assert imports(manager) == [], "a file still being written was taken"
        # Complete, and unchanged for long enough: taken at the next look, once.
        clock.now += 2.5
        with qtbot.waitSignal(watcher.importsStarted, timeout=10_000) as started:
            watcher.scan(str(folder))
        made: WatchImports = started.args[0]
        assert [Path(t.payload["path"]) for t in made.tasks] == [target]
        wait_idle(qtbot, manager)
        for _ in range(2):
            clock.now += 5
            look(qtbot, watcher, folder)
        assert len(imports(manager)) == 1
        (source,) = library.sources()
        assert source.sha256 == hashlib.sha256(data).hexdigest()  # the whole file
        assert source.page_count == 4
    finally:
        watcher.stop()


def test_a_copied_file_is_imported_and_a_partial_download_is_not(
    qtbot: QtBot, manager: ExtractionManager, library: Library, watcher: FolderWatcher, folder: Path
) -> None:
    (folder / "sub").mkdir()
    watcher.watch([WatchedFolder(folder, "eng")])
    qtbot.waitUntil(lambda: watcher.has_looked(folder), timeout=10_000)
    shutil.copy(PNG, folder / "sub" / "download.png.part")  # complete bytes, partial name
    shutil.copy(PDF, folder / "sub" / "letter.pdf")
    (folder / ".hidden.pdf").write_bytes(OTHER_PDF.read_bytes())
    (folder / "empty.pdf").touch()  # a download about to start
    # No look is asked for: the change notice and the settle time bring the import.
    qtbot.waitUntil(lambda: len(library.sources()) == 1, timeout=20_000)
    wait_idle(qtbot, manager)
    (task,) = imports(manager)
    assert task.payload["path"] == str(folder / "sub" / "letter.pdf")
    assert task.payload["lang"] == "eng"  # the folder's languages
    for _ in range(3):
        look(qtbot, watcher, folder)
    assert len(imports(manager)) == 1, "a partial download, a hidden or empty file was taken"
    # The download completes (renamed to its real name): now it is imported.
    (folder / "sub" / "download.png.part").rename(folder / "sub" / "download.png")
    qtbot.waitUntil(lambda: len(library.sources()) == 2, timeout=20_000)
    wait_idle(qtbot, manager)
    assert {s.name for s in library.sources()} == {"letter.pdf", "download.png"}


def test_content_already_in_the_library_is_not_duplicated_nor_imported_twice(
    qtbot: QtBot, manager: ExtractionManager, library: Library, folder: Path
) -> None:
    manager.import_files([PDF])
    wait_idle(qtbot, manager, started=True)
    assert len(library.sources()) == 1
    shutil.copy(PDF, folder / "same content, other name.pdf")
    first = FolderWatcher(manager, settle=0.2)
    try:
        first.watch([WatchedFolder(folder)])
        qtbot.waitUntil(lambda: len(imports(manager)) == 2, timeout=20_000)
        wait_idle(qtbot, manager)
    finally:
        first.stop()
    task = imports(manager)[-1]
    assert task.status is TaskStatus.COMPLETED
    assert task.payload.get(ALREADY_IN_LIBRARY) is True
    assert len(library.sources()) == 1
    # Watching again later (a restart): a file seen before is not handed over again.
    assert library.setting(SETTING_SEEN + str(folder))
    again = FolderWatcher(manager, settle=0.2)
    try:
        again.watch([WatchedFolder(folder)])
        for _ in range(3):
            look(qtbot, again, folder)
    finally:
        again.stop()
    assert len(imports(manager)) == 2


def test_files_added_while_not_running_are_found_at_the_next_start(
    qtbot: QtBot, manager: ExtractionManager, library: Library, folder: Path
) -> None:
    shutil.copy(PDF, folder / "before.pdf")
    first = FolderWatcher(manager, settle=0.2)
    try:
        first.set_folders([WatchedFolder(folder, "deu")])
        qtbot.waitUntil(lambda: len(library.sources()) == 1, timeout=20_000)
    finally:
        first.stop()
    wait_idle(qtbot, manager)
    # Folio is closed: a document arrives.
    shutil.copy(OTHER_PDF, folder / "while closed.pdf")
    later = FolderWatcher(manager, settle=0.2)
    try:
        later.start()  # the folders kept in the library's settings
        assert load_watched(library) == [WatchedFolder(folder, "deu")]
        qtbot.waitUntil(lambda: len(library.sources()) == 2, timeout=20_000)
        wait_idle(qtbot, manager)
        for _ in range(2):
            look(qtbot, later, folder)
    finally:
        later.stop()
    assert [Path(t.payload["path"]).name for t in imports(manager)] == [
        "before.pdf",
        "while closed.pdf",
    ]


def test_a_folder_that_vanishes_is_one_sentence_and_watched_again_when_back(
    qtbot: QtBot, manager: ExtractionManager, library: Library, watcher: FolderWatcher, folder: Path
) -> None:
    watcher.watch([WatchedFolder(folder)])
    qtbot.waitUntil(lambda: watcher.has_looked(folder), timeout=10_000)
    assert watcher.problem(folder) is None
    shutil.rmtree(folder)
    with qtbot.waitSignal(watcher.problemChanged, timeout=10_000) as said:
        watcher.scan(str(folder))
    path, sentence = said.args
    assert path == str(folder)
    assert sentence == watcher.problem(folder)
    assert str(folder) in sentence and sentence.endswith(".") and sentence.count(". ") == 0
    look(qtbot, watcher, folder)  # said once, not at every look
    folder.mkdir()
    shutil.copy(PDF, folder / "back.pdf")
    with qtbot.waitSignal(watcher.problemChanged, timeout=10_000) as back:
        watcher.scan(str(folder))
    assert back.args == [str(folder), ""]
    qtbot.waitUntil(lambda: len(library.sources()) == 1, timeout=20_000)
    wait_idle(qtbot, manager)


def test_an_unreadable_folder_is_said(
    qtbot: QtBot, manager: ExtractionManager, watcher: FolderWatcher, folder: Path
) -> None:
    import os

    if os.geteuid() == 0:
        # root reads every folder: a file in the folder's place stands for one it cannot read.
        shutil.rmtree(folder)
        folder.write_text("not a folder")
    else:
        folder.chmod(0)
    try:
        with qtbot.waitSignal(watcher.problemChanged, timeout=10_000) as said:
            watcher.watch([WatchedFolder(folder)])
    finally:
        if folder.is_dir():
            folder.chmod(0o700)
    assert str(folder) in said.args[1]


def test_the_library_itself_is_never_watched(tmp_path: Path) -> None:
    library = tmp_path / "home" / ".local" / "share" / "Folio" / "Library"
    assert overlaps_library(library, library) is not None
    assert overlaps_library(library / "files", library) is not None
    assert overlaps_library(tmp_path / "home" / ".local" / "share", library) is not None
    # The library lies in a hidden folder of home, which no walk enters.
    assert overlaps_library(tmp_path / "home", library) is None
    assert overlaps_library(tmp_path / "elsewhere", library) is None
