"""The extraction manager walks real tasks through every transition (real files, Tesseract)."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import BackgroundTask, OcrMode, TaskChange, TaskStatus, TaskType, now_iso
from app.tasks.manager import ExtractionManager
from tests.conftest import SAMPLES, fresh, wait_idle

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
GEOTOPO = SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf"


def _has_tesseract_loaded(p: psutil.Process) -> bool:
    try:
        maps = Path(f"/proc/{p.pid}/maps").read_text()
    except OSError:
        maps = "\n".join(m.path for m in p.memory_maps())
    return "libtesseract" in maps


def ocr_pids() -> list[int]:
    """The processes reading a page with Tesseract right now: the Tesseract program, or a
    worker running it in process (the library loaded and the worker on a processor)."""
    pids = []
    for p in psutil.Process().children(recursive=True):
        try:
            if "tesseract" in p.name() or (
                p.status() == psutil.STATUS_RUNNING and _has_tesseract_loaded(p)
            ):
                pids.append(p.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass  # it ended while we looked
    return pids


def test_import_walks_every_transition(qtbot: QtBot, manager: ExtractionManager) -> None:
    seen: dict[int, list[TaskStatus]] = {}

    def record(changes: dict[int, TaskChange]) -> None:
        for task_id, change in changes.items():
            if "status" in change.fields:
                seen.setdefault(task_id, []).append(change.task.status)

    manager.tasksChanged.connect(record)
    with qtbot.waitSignal(manager.sourceAdded, timeout=30_000) as added:
        (imp,) = manager.import_files([FOUR_PAGES])
    wait_idle(qtbot, manager)
    source = added.args[0]
    assert source.page_count == 4 and source.name == FOUR_PAGES.name
    imp = fresh(manager, imp)
    assert imp.status is TaskStatus.COMPLETED and imp.source_id == source.id
    pages = manager.library.pages(source.id)
    texts = [p for p in pages if p.text]
    assert len(texts) == 4
    page_tasks = [t for t in manager.tasks() if t.task_type is TaskType.TEXT_EXTRACTION]
    assert {t.page_id for t in page_tasks} == {p.id for p in pages}
    assert all(t.status is TaskStatus.COMPLETED for t in page_tasks)
    assert all(t.started_at and t.finished_at and t.progress == 1.0 for t in page_tasks)
    assert seen[imp.id][-1] is TaskStatus.COMPLETED
    # History survives: a fresh reader of the same file sees the same states.
    stored = Library(manager.library.folder, readonly=True)
    try:
        assert {t.id: t.status for t in stored.tasks()} == {t.id: t.status for t in manager.tasks()}
    finally:
        stored.close()


def test_same_content_twice_is_one_source(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    copy = tmp_path / "renamed copy.pdf"
    copy.write_bytes(TRIVIAL.read_bytes())
    manager.import_files([TRIVIAL])
    wait_idle(qtbot, manager)
    (again,) = manager.import_files([copy])
    wait_idle(qtbot, manager)
    assert len(manager.library.sources()) == 1
    again = fresh(manager, again)
    assert again.status is TaskStatus.COMPLETED
    assert again.message == f"Already in the library as {TRIVIAL.name}"


def test_cancel_pending_leaves_queue_at_once(qtbot: QtBot, manager: ExtractionManager) -> None:
    manager.pause()
    (task,) = manager.import_files([TRIVIAL])
    outcome = manager.cancel(task.id)
    assert outcome.cancelled == [task.id]
    task = fresh(manager, task)
    assert task.status is TaskStatus.CANCELLED and not task.can_cancel
    manager.resume()
    wait_idle(qtbot, manager)
    assert fresh(manager, task).started_at is None
    assert manager.library.sources() == []
    again = manager.cancel(task.id)
    assert again.cancelled == [] and again.skipped == {task.id: "already cancelled"}


def test_cancel_while_ocr_runs_kills_tesseract(
    qtbot: QtBot, manager: ExtractionManager, scanned_pdf: Path
) -> None:
    manager.import_files([scanned_pdf])

    def reading() -> bool:
        return any(
            t.status is TaskStatus.IN_PROGRESS and (t.message or "").startswith("OCR")
            for t in manager.tasks()
        ) and bool(ocr_pids())

    qtbot.waitUntil(reading, timeout=60_000)
    running = [t for t in manager.tasks() if t.status is TaskStatus.IN_PROGRESS]
    (task,) = [t for t in running if t.task_type is TaskType.TEXT_EXTRACTION]
    # In process, the worker is the process reading the page: it is what gets killed.
    pids = ocr_pids()
    manager.cancel(task.id)
    assert fresh(manager, task).status is TaskStatus.CANCELLED

    def gone() -> bool:
        alive = 0
        for pid in pids:
            with contextlib.suppress(psutil.NoSuchProcess):
                alive += psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        return alive == 0

    qtbot.waitUntil(gone, timeout=500)
    wait_idle(qtbot, manager)
    assert task.page_id is not None
    page = manager.library.page(task.page_id)
    assert page is not None and page.text is None  # no partial text kept
    assert manager.get(task.id).status is TaskStatus.CANCELLED  # type: ignore[union-attr]


def _page_tasks(manager: ExtractionManager, count: int) -> list[BackgroundTask]:
    library = manager.library
    with library.transaction() as db:
        source, pages = library.add_source(
            sha256="0" * 64,
            name="many.pdf",
            original_path="/nowhere/many.pdf",
            kind="pdf",
            size=1,
            page_count=count,
            db=db,
        )
    stamp = now_iso()
    return [
        BackgroundTask(
            0,
            TaskType.TEXT_EXTRACTION,
            TaskStatus.PENDING,
            stamp,
            source_id=source.id,
            page_id=p.id,
        )
        for p in pages
    ]


def test_cancel_all_with_a_thousand_pending(qtbot: QtBot, manager: ExtractionManager) -> None:
    manager.pause()
    tasks = manager.register(_page_tasks(manager, 1000))
    manager.flush_now()
    with qtbot.waitSignal(manager.tasksChanged, timeout=5000) as changed:
        outcome = manager.cancel_all()
    assert len(outcome.cancelled) == 1000
    # A thousand changes arrive coalesced, as one signal.
    assert len(changed.args[0]) == 1000
    assert all(fresh(manager, t).status is TaskStatus.CANCELLED for t in tasks)
    # What the signal carried is each task as it is now, not a shared object.
    assert all(c.task.status is TaskStatus.CANCELLED for c in changed.args[0].values())
    assert all(t.status is TaskStatus.PENDING for t in tasks)  # snapshots stay as they were
    counts = manager.library.status_counts()
    assert counts.get(TaskStatus.PENDING, 0) == 0 and counts[TaskStatus.CANCELLED] == 1000


def test_failed_import_has_a_sentence_and_retry_points_back(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    fake = tmp_path / "notes.png"
    fake.write_text("/etc/passwd\n")
    (task,) = manager.import_files([fake])
    wait_idle(qtbot, manager)
    task = fresh(manager, task)
    assert task.status is TaskStatus.FAILED
    assert task.error is not None and "notes.png is not a PDF or an image" in task.error
    (retry,) = manager.retry([task.id])
    assert retry.retry_of == task.id and retry.attempt == 2
    wait_idle(qtbot, manager)
    assert fresh(manager, retry).status is TaskStatus.FAILED
    assert manager.retry([task.id]) == []  # already retried once
    assert [t.retry_of for t in manager.retry_failed()] == [retry.id]
    wait_idle(qtbot, manager)


def test_pause_survives_restart_and_resume_runs(
    qtbot: QtBot, library: Library, qapp: object
) -> None:
    first = ExtractionManager(library)
    first.start()
    first.pause()
    (task,) = first.import_files([TRIVIAL])
    first.shutdown()
    second = ExtractionManager(library)
    try:
        second.start()
        assert second.paused
        assert second.get(task.id).status is TaskStatus.PENDING  # type: ignore[union-attr]
        assert second.running_count() == 0
        second.resume()
        wait_idle(qtbot, second)
        assert second.get(task.id).status is TaskStatus.COMPLETED  # type: ignore[union-attr]
    finally:
        second.shutdown()


def record_starts(manager: ExtractionManager, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the tasks the manager starts, in the order it starts them."""
    started: list[int] = []
    real_start = manager._start

    def record(task: BackgroundTask) -> None:
        started.append(task.id)
        real_start(task)

    monkeypatch.setattr(manager, "_start", record)
    return started


def test_priority_then_age(
    qtbot: QtBot, manager: ExtractionManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager.set_concurrency(1)
    manager.pause()
    # Pages whose stored file is missing: each task fails at once, which is all
    # this test needs to see the order in which they start.
    tasks = manager.register(_page_tasks(manager, 5))
    started = record_starts(manager, monkeypatch)
    manager.prioritise([tasks[4].id])  # e.g. the user opened page 5
    manager.resume()
    wait_idle(qtbot, manager)
    assert started == [tasks[4].id, tasks[0].id, tasks[1].id, tasks[2].id, tasks[3].id]
    assert all("stored copy" in (fresh(manager, t).error or "") for t in tasks)


def test_a_new_import_runs_before_the_pages_already_waiting(
    qtbot: QtBot, manager: ExtractionManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dropped document appears at once, even behind a long queue of pages to read."""
    manager.set_concurrency(1)
    manager.pause()
    waiting = manager.register(_page_tasks(manager, 3))
    (new_import,) = manager.import_files([TRIVIAL])
    started = record_starts(manager, monkeypatch)
    manager.resume()
    wait_idle(qtbot, manager)
    assert started[0] == new_import.id
    assert [i for i in started if i in {t.id for t in waiting}] == [t.id for t in waiting]


OCR_IMAGES = [
    SAMPLES / "018-base64-image" / "page-0-QuickPDFImd32aa1ab.png",
    SAMPLES / "025-attachment" / "image.png",
    SAMPLES / "019-grayscale-image" / "page-0-X0.png",
    SAMPLES / "003-pdflatex-image" / "image.jpg",
    SAMPLES / "007-imagemagick-images" / "smile.png",
]


@pytest.mark.parametrize("limit", [1, 2])
def test_concurrency_limit_is_respected(
    qtbot: QtBot, manager: ExtractionManager, limit: int
) -> None:
    manager.set_concurrency(limit)
    peak_tasks = peak_tesseracts = 0

    def sample() -> bool:
        nonlocal peak_tasks, peak_tesseracts
        in_progress = sum(1 for t in manager.tasks() if t.status is TaskStatus.IN_PROGRESS)
        peak_tasks = max(peak_tasks, in_progress, manager.running_count())
        peak_tesseracts = max(peak_tesseracts, len(ocr_pids()))
        return manager.is_idle()

    manager.import_files(OCR_IMAGES)
    qtbot.waitUntil(sample, timeout=120_000)
    assert peak_tasks == limit  # reached, never exceeded
    assert 1 <= peak_tesseracts <= limit
    assert all(t.status is TaskStatus.COMPLETED for t in manager.tasks())


def test_aggregate_counts_pages(qtbot: QtBot, manager: ExtractionManager) -> None:
    finals = []
    manager.batchFinished.connect(finals.append)
    manager.import_files([FOUR_PAGES])
    wait_idle(qtbot, manager)
    qtbot.waitUntil(lambda: bool(finals), timeout=5000)
    final = finals[-1]
    assert final.pages_total == 4 and final.pages_done == 4 and final.failed == 0
    assert final.summary().startswith("Extracting 4 of 4 pages")


def test_cancelled_pages_leave_the_page_count(qtbot: QtBot, manager: ExtractionManager) -> None:
    manager.set_concurrency(1)
    manager.pause()
    tasks = manager.register(_page_tasks(manager, 5))
    assert manager.aggregate().summary().startswith("Extracting 0 of 5 pages")
    manager.cancel_many([t.id for t in tasks[:3]])
    assert manager.aggregate().summary().startswith("Extracting 0 of 2 pages")
    manager.resume()
    wait_idle(qtbot, manager)


def test_reextract_with_ocr_language(qtbot: QtBot, manager: ExtractionManager) -> None:
    manager.import_files([TRIVIAL])
    wait_idle(qtbot, manager)
    (source,) = manager.library.sources()
    (page,) = manager.library.pages(source.id)
    assert page.method is not None and page.method.value == "text-layer"
    task = manager.reextract_page(page.id, ocr=OcrMode.ALWAYS, lang="deu")
    assert task is not None
    wait_idle(qtbot, manager, timeout=120_000)
    task = fresh(manager, task)
    assert task.status is TaskStatus.COMPLETED, task.error
    again = manager.library.page(page.id)
    assert again is not None and again.method is not None and again.method.value == "ocr"
    assert "Lorem" in (again.text or "")


def _run_import_process(library_dir: Path, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "--library", str(library_dir), "import", str(path), "--wait"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def _completed_pages(db_path: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute("SELECT COUNT(*) FROM page_text").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_kill_9_during_import_then_resume(qtbot: QtBot, library_dir: Path, qapp: object) -> None:
    proc = _run_import_process(library_dir, GEOTOPO)
    db_path = library_dir / "library.sqlite3"
    qtbot.waitUntil(lambda: _completed_pages(db_path) >= 5, timeout=60_000)
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Worker processes notice their parent is gone and exit with it.

    def all_gone() -> bool:
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                if child.status() != psutil.STATUS_ZOMBIE:
                    return False
        return True

    qtbot.waitUntil(all_gone, timeout=5000)
    lib = Library(library_dir)
    try:
        assert lib.integrity_check() == "ok"
        lib.acquire_writer_lock()
        manager = ExtractionManager(lib)
        resumed = manager.start()
        try:
            assert resumed, "the killed run left running tasks to resume"
            assert all(t.status is TaskStatus.PENDING and t.interrupted == 1 for t in resumed)
            wait_idle(qtbot, manager, timeout=120_000)
            (source,) = lib.sources()
            assert source.page_count == 117
            assert all(p.text for p in lib.pages(source.id))
            assert lib.status_counts().get(TaskStatus.IN_PROGRESS, 0) == 0
        finally:
            manager.shutdown()
    finally:
        lib.close()


def test_a_long_history_loads_only_its_newest_finished_tasks(
    qtbot: QtBot, library: Library, qapp: object
) -> None:
    finished = [
        BackgroundTask(0, TaskType.IMPORT, status, now_iso(), finished_at=now_iso())
        for status in [TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED] * 10
    ]
    with library.transaction() as db:
        library.insert_tasks(finished, db)
    manager = ExtractionManager(library, finished_in_view=10)
    try:
        manager.start()
        manager.flush_now()
        newest = sorted(t.id for t in finished)[-10:]
        assert [t.id for t in manager.tasks()] == newest
        assert manager.cleared_count == 20
        assert len(manager.history()) == 30  # the library keeps every one
        with qtbot.waitSignal(manager.tasksAdded, timeout=5000) as added:
            assert len(manager.show_cleared()) == 20
        assert len(added.args[0]) == 20
        assert len(manager.tasks()) == 30 and manager.cleared_count == 0
    finally:
        manager.shutdown()


@pytest.mark.slow
def test_a_long_document_gets_its_page_tasks_in_batches_and_after_a_crash(
    qtbot: QtBot, library_dir: Path, qapp: object, tmp_path: Path
) -> None:
    from pypdf import PdfReader, PdfWriter

    from app.tasks.results import PAGE_TASK_BATCH

    pages = PAGE_TASK_BATCH * 2 + 7
    long_pdf = tmp_path / "long.pdf"
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_page(PdfReader(TRIVIAL).pages[0])
    writer.write(long_pdf)
    lib = Library(library_dir)
    lib.acquire_writer_lock()
    manager = ExtractionManager(lib)
    manager.start()
    made: list[int] = []

    def count() -> None:  # on every turn of the event loop
        made.append(
            lib._db.execute("SELECT COUNT(*) FROM pages WHERE task_id IS NOT NULL").fetchone()[0]
        )

    turn = QTimer()
    turn.timeout.connect(count)
    turn.start(0)
    manager.import_files([long_pdf])
    qtbot.waitUntil(lambda: bool(made) and made[-1] == pages, timeout=60_000)
    turn.stop()
    # Never all at once: between two turns of the event loop, at most one batch.
    steps = [b - a for a, b in itertools.pairwise(made)]
    assert max(steps) <= PAGE_TASK_BATCH, steps
    assert PAGE_TASK_BATCH in made, made
    (source,) = lib.sources()
    manager.shutdown()
    state = lib.source_state(source.id)
    assert state is not None and state.total == pages and state.completed < pages
    # As if Folio had died half-way through making them: the last third has none.
    with lib.transaction() as db:
        lost = "SELECT id FROM pages WHERE source_id = ? AND number > ?"
        where = (source.id, pages - pages // 3)
        db.execute(f"DELETE FROM tasks WHERE page_id IN ({lost})", where)
        db.execute(
            f"UPDATE pages SET task_id = NULL, task_status = NULL WHERE id IN ({lost})", where
        )
    manager = ExtractionManager(lib)
    manager.start()
    wait_idle(qtbot, manager, timeout=300_000)
    state = lib.source_state(source.id)
    assert state is not None and (state.completed, state.active) == (pages, 0)
    manager.shutdown()
    lib.close()
