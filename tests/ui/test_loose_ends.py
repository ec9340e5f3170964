"""What the window shows of a drop it could not take whole, of a page too large to draw,
and of a library it cannot open: real files, real widgets offscreen, real workers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.core.backup import make_backup
from app.core.errors import FolioError
from app.core.library import Library
from app.extraction.client import WorkerPool
from app.services.walk import MAX_DEPTH
from app.ui.common.message_bar import MessageKind
from app.ui.common.rendering import RenderRequest, read_page_image, render_page
from app.ui.shell.launcher import Session, offer_backup, show_error
from tests.conftest import SAMPLES, wait_idle

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
#: A path a library may well have, that rich text would read as markup.
TAGGED = "<b>x</b>"

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def session(ui_session: Session) -> Session:
    """The window as the launcher builds it (tests/ui/conftest.py)."""
    return ui_session


def drop(target: QWidget, paths: list[Path]) -> None:
    """Drag files over `target` and drop them, as the platform would deliver it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPoint(target.width() // 2, target.height() // 2)
    actions = Qt.DropAction.CopyAction
    no_keys = Qt.KeyboardModifier(0)
    enter = QDragEnterEvent(pos, actions, mime, Qt.MouseButton.LeftButton, no_keys)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    dropped = QDropEvent(QPointF(pos), actions, mime, Qt.MouseButton.LeftButton, no_keys)
    QApplication.sendEvent(target, dropped)
    assert dropped.isAccepted()


def answer_next_box(
    seen: list[tuple[str, Qt.TextFormat]], button: QMessageBox.StandardButton
) -> None:
    """Note the text and format of the next modal message box, then press `button` on it.

    The box is always answered, whatever it holds, so a failing check cannot leave the
    test waiting on it.
    """

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append((box.text(), box.textFormat()))
        pressed = box.button(button)
        if pressed is not None:
            pressed.click()
        else:
            box.done(int(button))

    QTimer.singleShot(0, answer)


# -- a page image larger than the window ever draws ------------------------------------------


def test_a_page_image_too_large_to_show_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    png = tmp_path / "rendered.png"
    # 60 × 1,000,000: a few kilobytes on disk, 240 MB as the window's image.
    Image.new("1", (60, 1_000_000), 1).save(png)
    request = RenderRequest(tmp_path / "ab12", "png", 0, 60, name="tall scan.png")
    with pytest.raises(FolioError) as caught:
        read_page_image(png, request)
    assert caught.value.message == (
        "Page 1 of tall scan.png is too large to show; re-save it smaller and import it again."
    )
    assert not png.exists(), "the worker's image was left behind"


def test_a_page_image_of_ordinary_size_is_shown(tmp_path: Path) -> None:
    png = tmp_path / "rendered.png"
    Image.new("L", (600, 800), 255).save(png)
    image = read_page_image(png, RenderRequest(tmp_path / "ab12", "png", 2, 600, name="p.png"))
    assert (image.width(), image.height()) == (600, 800)
    assert not png.exists()


def test_a_page_drawn_by_a_worker_still_arrives(qapp: QApplication) -> None:
    workers = WorkerPool(keep_idle=1)
    try:
        image = render_page(RenderRequest(TRIVIAL, "pdf", 0, 300, name="trivial.pdf"), workers)
    finally:
        workers.close()
    assert image.width() == 300 and not image.isNull()


# -- a drop with a folder too deep and a named pipe ------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_drop_says_which_folder_and_which_pipe_it_left_out(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    window, library = session.window, session.library
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(TRIVIAL, inbox / "good.pdf")
    pipe = inbox / "pipe.pdf"
    os.mkfifo(pipe)
    deep = inbox / "deep"
    for _ in range(MAX_DEPTH + 6):
        deep = deep / "d"
    deep.mkdir(parents=True)
    shutil.copy(TRIVIAL, deep / "bottom.pdf")
    skipped = inbox / "deep" / Path(*["d"] * MAX_DEPTH)

    with qtbot.waitSignal(window.importer.collected, timeout=20_000):
        drop(window.centralWidget(), [inbox])
    text = window.message_bar.text()
    assert "Importing 1 document." in text
    assert f"{pipe} is a named pipe, not a document file" in text, text
    assert f"Skipped the folder {skipped}:" in text, text
    assert f"more than {MAX_DEPTH} folders deep" in text, text
    assert window.message_bar.isVisible() and window.message_bar.kind is MessageKind.WARNING
    qtbot.waitUntil(lambda: [s.name for s in library.sources()] == ["good.pdf"], timeout=30_000)
    wait_idle(qtbot, session.manager)


# -- the launcher's dialogs show paths as they are -------------------------------------------


def exec_answering(
    call: Callable[[], object], button: QMessageBox.StandardButton
) -> tuple[object, list[tuple[str, Qt.TextFormat]]]:
    seen: list[tuple[str, Qt.TextFormat]] = []
    answer_next_box(seen, button)
    return call(), seen


def test_an_error_quoting_a_tag_like_path_shows_it_literally(
    qapp: QApplication, tmp_path: Path
) -> None:
    folder = tmp_path / TAGGED / "Library"
    problem = f"The library at {folder} is in use by another Folio."
    _, seen = exec_answering(
        lambda: show_error("The library is in use", problem), QMessageBox.StandardButton.Ok
    )
    assert seen == [(problem, Qt.TextFormat.PlainText)]


@pytest.mark.parametrize(
    ("button", "restored"),
    [(QMessageBox.StandardButton.No, False), (QMessageBox.StandardButton.Yes, True)],
)
def test_the_backup_offer_shows_the_path_literally_and_keeps_its_answer(
    qapp: QApplication, tmp_path: Path, button: QMessageBox.StandardButton, restored: bool
) -> None:
    folder = tmp_path / TAGGED / "Library"
    library = Library(folder)
    library.close()
    db = folder / "library.sqlite3"
    make_backup(db, "daily")
    problem = f"The database {db} is damaged."
    result, seen = exec_answering(lambda: offer_backup(folder, problem), button)
    assert result is restored
    [(text, fmt)] = seen
    assert fmt == Qt.TextFormat.PlainText
    assert text.startswith(f"{problem}\n\nRestore the backup from ")
    assert any(p.name.startswith("library.sqlite3.before-restore-") for p in folder.iterdir()) is (
        restored
    )
