"""The manager's trash: waiting pages are cancelled, restoring reads them, emptying deletes."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.core.models import BackgroundTask, TaskStatus, TaskType
from app.tasks.manager import ExtractionManager
from app.tasks.trash import TRASHED_MESSAGE
from tests.conftest import SAMPLES, wait_idle

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"


def page_tasks(manager: ExtractionManager, source_id: int) -> list[BackgroundTask]:
    return [
        t
        for t in manager.tasks()
        if t.source_id == source_id and t.task_type is TaskType.TEXT_EXTRACTION
    ]


def test_trash_cancels_waiting_pages_and_restoring_reads_them(
    qtbot: QtBot, manager: ExtractionManager
) -> None:
    manager.set_concurrency(1)
    # Paused once the document is in: its page tasks wait.
    manager.sourceAdded.connect(lambda source: manager.pause())
    manager.import_files([FOUR_PAGES])
    qtbot.waitUntil(lambda: len(page_tasks(manager, 1)) == 4, timeout=30_000)
    (source,) = manager.library.sources()
    qtbot.waitUntil(lambda: not manager.running_count(), timeout=30_000)

    with qtbot.waitSignal(manager.sourcesTrashed) as trashed:
        assert manager.trash_sources([source.id, source.id]) == [source.id]
    assert trashed.args == [[source.id]]
    waiting = [t for t in page_tasks(manager, source.id) if t.status is TaskStatus.CANCELLED]
    assert waiting and all(t.message == TRASHED_MESSAGE for t in waiting)
    assert not [t for t in page_tasks(manager, source.id) if t.status.is_active]
    manager.resume()
    wait_idle(qtbot, manager)
    state = manager.library.source_state(source.id)
    assert state is not None and state.completed < 4  # nothing was read in the trash

    with qtbot.waitSignal(manager.sourcesRestored):
        assert [s.id for s in manager.restore_sources([source.id])] == [source.id]
    wait_idle(qtbot, manager, started=True)
    state = manager.library.source_state(source.id)
    assert state is not None and state.completed == 4  # the unread pages were read after all
    assert [s.id for s in manager.library.sources()] == [source.id]


def test_the_same_file_imported_from_the_trash_comes_back_and_keeps_its_file(
    qtbot: QtBot, manager: ExtractionManager
) -> None:
    manager.import_files([TRIVIAL, FOUR_PAGES])
    wait_idle(qtbot, manager, started=True)
    by_name = {s.name: s for s in manager.library.sources()}
    trivial, four = by_name[TRIVIAL.name], by_name[FOUR_PAGES.name]
    store = manager.library.store
    manager.trash_sources([trivial.id, four.id])
    assert store.path_for(trivial.sha256).exists()  # kept while in the trash

    # The same content dropped again while its document is in the trash: the document
    # comes back (one document, its history and collections kept), using the same file.
    with qtbot.waitSignal(manager.sourcesRestored, timeout=30_000):
        (again,) = manager.import_files([TRIVIAL])
    wait_idle(qtbot, manager)
    done = manager.get(again.id)
    assert done is not None and done.source_id == trivial.id
    assert done.message == f"Restored {trivial.name} from the trash"
    assert [s.id for s in manager.library.sources()] == [trivial.id]

    # Emptying deletes what is left there, and only the file that nothing uses now.
    removed: list[int] = []
    manager.sourceRemoved.connect(removed.append)
    assert manager.empty_trash() == [four.id]
    assert removed == [four.id]
    assert not store.path_for(four.sha256).exists()
    assert store.path_for(trivial.sha256).exists()
    assert manager.library.trash_count() == 0
    # delete_forever never touches a document that is not in the trash.
    assert manager.delete_forever([trivial.id]) == []
    assert manager.library.source(trivial.id) is not None


def test_a_running_window_answers_delete_restore_and_empty(
    qtbot: QtBot, manager: ExtractionManager
) -> None:
    """What `folio delete` / `folio trash …` send to the window that owns the library."""
    from app.tasks.instance import InstanceServer

    manager.import_files([TRIVIAL, FOUR_PAGES])
    wait_idle(qtbot, manager, started=True)
    ids = sorted(s.id for s in manager.library.sources())
    server = InstanceServer(manager.library.folder, manager)
    assert server.handle({"op": "trash", "ids": [*ids, 999]}) == {"ok": True, "ids": ids}
    assert manager.library.sources() == []
    assert server.handle({"op": "restore", "ids": ids[:1]}) == {"ok": True, "ids": ids[:1]}
    assert server.handle({"op": "empty_trash"}) == {"ok": True, "ids": ids[1:]}
    assert [s.id for s in manager.library.sources()] == ids[:1]
    server.close()


def test_the_same_content_under_a_new_name_from_the_trash_comes_back_with_that_name(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    manager.import_files([TRIVIAL])
    wait_idle(qtbot, manager, started=True)
    (source,) = manager.library.sources()
    manager.trash_sources([source.id])
    copy = tmp_path / "usb" / "annual copy.pdf"
    copy.parent.mkdir()
    shutil.copyfile(TRIVIAL, copy)

    changed: list[int] = []
    manager.sourceChanged.connect(changed.append)
    with qtbot.waitSignal(manager.sourcesRestored, timeout=30_000) as restored:
        (again,) = manager.import_files([copy])
    wait_idle(qtbot, manager)
    assert [s.id for s in restored.args[0]] == [source.id]
    assert changed == [source.id]  # after the restore: the Library re-reads its names
    done = manager.get(again.id)
    assert done is not None and done.source_id == source.id
    assert done.source_name == "annual copy.pdf"  # the file given, as for any import
    assert done.message == f"Restored {source.name} from the trash"
    library = manager.library
    assert [s.id for s in library.sources()] == [source.id]
    assert [(n.name, n.original_path) for n in library.source_names(source.id)] == [
        (TRIVIAL.name, str(TRIVIAL)),
        ("annual copy.pdf", str(copy)),
    ]
    assert [d.source_id for d in library.sources_named("annual copy")] == [source.id]
