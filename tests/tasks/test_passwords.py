"""Tasks whose document needs a password wait for it; given, every page is read (real workers)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.locked import NEEDS_PASSWORD, WRONG_PASSWORD
from app.core.models import TaskStatus, TaskType
from app.tasks.manager import ExtractionManager
from app.tasks.unlocking import CheckOutcome, LockedDocument, PasswordCheck
from tests.conftest import fresh, wait_idle, window_owning
from tests.locked import PASSWORD, make_locked, starts_right


@pytest.fixture(params=["AES-256", "RC4-128"])
def locked(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return make_locked(tmp_path / "locked.pdf", algorithm=str(request.param))


def page_texts(manager: ExtractionManager, source_id: int) -> list[str | None]:
    return [p.text for p in manager.library.pages(source_id)]


def check(
    qtbot: QtBot, manager: ExtractionManager, document: LockedDocument, pw: str
) -> PasswordCheck:
    with qtbot.waitSignal(manager.passwordChecked, timeout=30_000) as answered:
        manager.check_password(document, pw)
    result = answered.args[0]
    assert isinstance(result, PasswordCheck)
    return result


def test_an_import_waits_for_the_password_then_reads_every_page(
    qtbot: QtBot, manager: ExtractionManager, locked: Path
) -> None:
    with qtbot.waitSignal(manager.passwordNeeded, timeout=30_000) as needed:
        (imp,) = manager.import_files([locked])
    wait_idle(qtbot, manager)
    document = needed.args[0]
    assert isinstance(document, LockedDocument)
    assert document.name == "locked.pdf" and not document.wrong
    assert document.sentence == (
        "locked.pdf is protected by a password — enter it to read the document."
    )
    imp = fresh(manager, imp)
    # Waiting, told by a field (never by the wording): "Needs password".
    assert imp.status is TaskStatus.FAILED and imp.payload.get(NEEDS_PASSWORD)
    assert imp.message == "Needs password" and imp.error == document.sentence
    assert manager.library.sources() == []  # no half-kept copy
    assert [t.id for t in manager.waiting_for_password()] == [imp.id]
    assert manager.locked_documents() == [document]

    wrong = check(qtbot, manager, document, "not the password")
    assert wrong.outcome is CheckOutcome.WRONG
    assert wrong.sentence == "That password does not open locked.pdf — try again."
    assert [t.id for t in manager.waiting_for_password()] == [imp.id]  # still waiting

    right = check(qtbot, manager, document, PASSWORD)
    assert right.outcome is CheckOutcome.OPENS and len(right.retried) == 1
    wait_idle(qtbot, manager)
    (source,) = manager.library.sources()
    assert source.page_count == 4
    assert starts_right(page_texts(manager, source.id))
    retry = fresh(manager, manager.get(right.retried[0]))
    assert retry.status is TaskStatus.COMPLETED and retry.retry_of == imp.id
    assert NEEDS_PASSWORD not in retry.payload
    assert manager.waiting_for_password() == []


def test_pages_left_after_a_restart_ask_again(
    qtbot: QtBot, manager: ExtractionManager, locked: Path
) -> None:
    """The password lives in memory only: pages read after it is gone wait for it again."""
    manager.passwords.remember_file(locked, PASSWORD)
    manager.import_files([locked])
    wait_idle(qtbot, manager)
    (source,) = manager.library.sources()
    assert starts_right(page_texts(manager, source.id))
    manager.passwords.clear()  # as after a restart
    with qtbot.waitSignal(manager.passwordNeeded, timeout=30_000) as needed:
        manager.reextract_source(source.id)
    wait_idle(qtbot, manager)
    document = needed.args[0]
    assert document.key == f"source:{source.id}" and document.sha256 == source.sha256
    waiting = manager.waiting_for_password(document.key)
    assert len(waiting) == 4 and all(t.task_type is TaskType.TEXT_EXTRACTION for t in waiting)
    assert manager.locked_documents() == [manager.locked_document(waiting[0])]
    right = check(qtbot, manager, document, PASSWORD)
    assert len(right.retried) == 4
    wait_idle(qtbot, manager)
    assert manager.waiting_for_password() == []
    assert starts_right(page_texts(manager, source.id))


def test_a_kept_password_that_fails_is_dropped_and_said_wrong(
    qtbot: QtBot, manager: ExtractionManager, locked: Path
) -> None:
    manager.passwords.remember_file(locked, "typed wrong")
    with qtbot.waitSignal(manager.passwordNeeded, timeout=30_000) as needed:
        (imp,) = manager.import_files([locked])
    wait_idle(qtbot, manager)
    assert needed.args[0].wrong
    assert fresh(manager, imp).payload.get(WRONG_PASSWORD)
    assert manager.passwords.for_file(locked) is None
    # Retry without a password waits again (it does not pretend to work).
    with qtbot.waitSignal(manager.passwordNeeded, timeout=30_000):
        (again,) = manager.retry([imp.id])
    wait_idle(qtbot, manager)
    again = fresh(manager, again)
    assert again.status is TaskStatus.FAILED and not again.payload.get(WRONG_PASSWORD)
    assert again.payload.get(NEEDS_PASSWORD)


def test_owner_password_only_imports_without_asking(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    restricted = make_locked(tmp_path / "restricted.pdf", user="")
    asked: list[object] = []
    manager.passwordNeeded.connect(asked.append)
    manager.import_files([restricted])
    wait_idle(qtbot, manager)
    (source,) = manager.library.sources()
    assert starts_right(page_texts(manager, source.id))
    assert asked == []


def test_the_password_never_reaches_the_library_file_or_the_logs(
    qtbot: QtBot,
    manager: ExtractionManager,
    locked: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with qtbot.waitSignal(manager.passwordNeeded, timeout=30_000) as needed:
        manager.import_files([locked])
    wait_idle(qtbot, manager)
    check(qtbot, manager, needed.args[0], "wrong-" + PASSWORD)
    check(qtbot, manager, needed.args[0], PASSWORD)
    wait_idle(qtbot, manager)
    (source,) = manager.library.sources()
    assert starts_right(page_texts(manager, source.id))
    folder = manager.library.folder
    for path in folder.rglob("*"):
        if path.is_file() and path.stat().st_mode & 0o400:
            data = path.read_bytes()
            assert PASSWORD.encode() not in data, path
            assert PASSWORD.encode("utf-16-le") not in data, path
    assert PASSWORD not in caplog.text
    assert PASSWORD not in repr(manager.passwords)


def test_import_password_through_the_window_is_kept_in_its_memory(
    qtbot: QtBot, library_dir: Path, qapp: object, locked: Path
) -> None:
    """`folio import FILE --password PW` while a window owns the library: the window opens
    it with the password, which it keeps in memory only."""
    from tests.tasks.test_instance import run_cli

    with window_owning(library_dir) as (manager, _server):
        proc = run_cli(
            qtbot, "--library", library_dir, "import", locked, "--password", PASSWORD, "--wait"
        )
        assert proc.returncode == 0, proc.stderr
        wait_idle(qtbot, manager)
        (source,) = manager.library.sources()
        assert starts_right(page_texts(manager, source.id))
        assert manager.passwords.get(source.sha256) == PASSWORD
