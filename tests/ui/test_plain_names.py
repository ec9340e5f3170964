"""Names, paths and sentences from documents are shown as they are, never read as rich text.

A file named like an HTML image tag must show those characters; if any widget read the
name as rich text, Qt would load and draw the image it names (here a magenta square,
looked for in the pixels), and a name could dress up the delete confirmation.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QStyleOptionViewItem, QWidget
from pytestqt.qtbot import QtBot

from app.core.models import OcrMode, TaskStatus, TaskType
from app.ui.common.message_bar import MessageBar
from app.ui.library.sources_model import Column as SourceColumn
from app.ui.search.search_view import HtmlDelegate
from app.ui.shell.launcher import Session
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sidebar import Section
from app.ui.tasks.cells import Column as TaskColumn
from tests.conftest import SAMPLES, wait_idle
from tests.ui.searching import search_and_wait

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
KNOWN_WORD = "gubergren"  # on the one page of TRIVIAL
TOOLTIP = Qt.ItemDataRole.ToolTipRole

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def session(ui_session: Session) -> Session:
    """The window as the launcher builds it (tests/ui/conftest.py), large enough for names."""
    ui_session.window.resize(1280, 820)
    return ui_session


@pytest.fixture
def magenta(tmp_path: Path) -> Path:
    """A small image file that no widget has any business reading."""
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("#ff00ff"))
    path = tmp_path / "pictures" / "magenta.png"
    path.parent.mkdir()
    assert image.save(str(path))
    return path


def image_tag(image: Path, tail: str) -> str:
    """A file name that is an image tag naming `image` (its slashes written as entities)."""
    return f'<img src="{str(image).replace("/", "&#47;")}" width="64" height="64">{tail}'


# -- what the user sees ----------------------------------------------------------------------


def has_magenta(widget: QWidget) -> bool:
    """Whether the widget, as drawn now, shows any of the magenta image."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    for y in range(image.height()):
        for x in range(0, image.width(), 2):
            colour = image.pixelColor(x, y)
            if colour.red() > 230 and colour.green() < 40 and colour.blue() > 230:
                return True
    return False


def label_shows(label: QLabel, literal: str) -> None:
    """The label holds `literal` and draws it as plain text (Qt's own rule for AutoText)."""
    assert literal in label.text()
    fmt = label.textFormat()
    plain = fmt == Qt.TextFormat.PlainText or (
        fmt == Qt.TextFormat.AutoText and not QtGui.Qt.mightBeRichText(label.text())
    )
    assert plain, f"{label.objectName() or label} would read {label.text()!r} as rich text"


def rendered(html: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc


def images_in(doc: QTextDocument) -> list[str]:
    found = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                found.append(QTextImageFormat(fmt).name())
            it += 1
        block = block.next()
    return found


def tooltip_shows(tip: object, literal: str) -> None:
    """A tooltip, read the way QToolTip reads it, shows `literal` and loads no image."""
    assert isinstance(tip, str), tip
    if QtGui.Qt.mightBeRichText(tip):
        doc = rendered(tip)
        assert not images_in(doc), tip
        visible = doc.toPlainText()
    else:
        visible = tip
    assert literal in visible, (tip, visible)


def drop(target: QWidget, paths: list[Path]) -> None:
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


def answer_next_box(seen: list[QMessageBox], button: str) -> None:
    """Look at the next modal message box, then press `button` on it."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        box.show()
        seen.append(box)
        for label in box.findChildren(QLabel):
            label.setProperty("magenta", has_magenta(label))
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, answer)


# -- the test --------------------------------------------------------------------------------


def test_names_paths_and_errors_are_shown_as_plain_text(
    qtbot: QtBot, session: Session, tmp_path: Path, magenta: Path
) -> None:
    window: MainWindow = session.window
    manager, library = session.manager, session.library
    folder = tmp_path / "incoming"
    folder.mkdir()
    img_name = image_tag(magenta, ".pdf")
    bold_name = "<b>bold &amp; <i>two  spaces.pdf"
    img_pdf = folder / img_name
    bold_pdf = folder / bold_name
    shutil.copyfile(TRIVIAL, img_pdf)
    bold_pdf.write_bytes(TRIVIAL.read_bytes() + b"\n% another file\n")
    notes_name = image_tag(magenta, " notes.txt")
    notes = folder / notes_name
    notes.write_text("not a document\n")

    drop(window.sources_view.view.viewport(), [img_pdf, bold_pdf, notes])
    qtbot.waitUntil(lambda: window.sources_view.model.rowCount() == 2, timeout=30_000)
    wait_idle(qtbot, manager, started=True)
    sources = {s.name: s for s in library.sources()}
    assert set(sources) == {img_name, bold_name}
    img, bold = sources[img_name], sources[bold_name]

    # The banner names the file it skipped, as it is.
    bar: MessageBar = window.message_bar
    assert bar.isVisible()
    label_shows(bar.label, f"not a PDF or an image: {notes_name}.")
    assert not has_magenta(bar)

    # The Library list: names are painted as text; their tooltips say them as they are.
    model = window.sources_view.model
    for name, source in sources.items():
        row = model.row_of(source.id)
        assert row is not None
        index = model.index(row, SourceColumn.NAME)
        assert index.data() == name
        tooltip_shows(index.data(TOOLTIP), name)
        tooltip_shows(index.data(TOOLTIP), source.original_path)
    assert not has_magenta(window.sources_view)

    # The document view: its title, the title's tooltip (the original path), the viewer.
    for name, source in sources.items():
        window.open_source(source.id)
        view = window.document_view
        qtbot.waitUntil(lambda: window.document_view.viewer.page is not None)
        label_shows(view.title, name)
        tooltip_shows(view.title.toolTip(), source.original_path)
        assert not has_magenta(view.title)
        assert KNOWN_WORD in view.viewer.text.toPlainText()

    # Search: each result's heading is the name, drawn by the delegate as it is.
    search = window.search_view
    window.show_search()
    hits = search_and_wait(qtbot, search, KNOWN_WORD)
    assert {h.source_name for h in hits} == {img_name, bold_name}
    delegate = search.results.itemDelegate()
    assert isinstance(delegate, HtmlDelegate)
    option = QStyleOptionViewItem()
    option.rect = search.results.viewport().rect()
    option.font = search.results.font()
    for row, hit in enumerate(hits):
        doc = delegate._document(option, search.model.index(row))
        assert not images_in(doc)
        assert doc.toPlainText().startswith(f"{hit.source_name} — page 1")
    assert not has_magenta(search.results)
    search_and_wait(qtbot, search, img_name)
    label_shows(search.count_label, img_name)
    assert not has_magenta(search.count_label)

    # The Tasks page: the Source column's tooltip, and the details of each import.
    tasks = window.tasks_page
    window.show_section(Section.TASKS)
    imports = {t.source_name: t for t in manager.tasks() if t.task_type is TaskType.IMPORT}
    for name in (img_name, bold_name):
        task = imports[name]
        row = tasks.model.row_of(task.id)
        assert row is not None
        tooltip_shows(tasks.model.index(row, TaskColumn.SOURCE).data(TOOLTIP), name)
        tasks.select_tasks([task.id])
        qtbot.waitUntil(lambda task=task: tasks.current_task() is not None)  # type: ignore[misc]
        details = tasks.details.document()
        assert not images_in(details)
        assert f"Import of {name}" in details.toPlainText()
        assert str(Path(task.payload["path"]).name) in details.toPlainText()
    assert not has_magenta(tasks)

    # A page whose stored copy is gone fails with a sentence that names the document:
    # the viewer, the pages list, the Tasks page and the drawing of the page say it as it is.
    (page,) = library.pages(img.id)
    library.store.path_for(img.sha256).unlink()
    failed = manager.reextract_page(page.id, ocr=OcrMode.NEVER)
    assert failed is not None
    wait_idle(qtbot, manager)
    failed = manager.get(failed.id)
    assert failed is not None and failed.status is TaskStatus.FAILED
    assert failed.error is not None and img_name in failed.error
    row = tasks.model.row_of(failed.id)
    assert row is not None
    tooltip_shows(tasks.model.index(row, TaskColumn.PROGRESS).data(TOOLTIP), failed.error)
    window.open_source(bold.id)  # then the failed page, drawn afresh
    window.open_page(page.id)
    pages_model = window.document_view.model
    qtbot.waitUntil(lambda: pages_model.index(0).data(TOOLTIP) is not None)
    tooltip_shows(pages_model.index(0).data(TOOLTIP), failed.error)
    # The page keeps its earlier text; as a page without any, the viewer says why it failed.
    viewer = window.document_view.viewer
    viewer.show_page(img, replace(page, text=None), failed)
    assert viewer.error_label.isVisible()
    label_shows(viewer.error_label, failed.error)
    assert not has_magenta(viewer.error_label)
    # Where the page's image cannot be drawn, a sentence naming the document stands in its
    # place (a worker that still holds the file open may yet draw it, so it is said here).
    sentence = f"Page 1 of {img_name} cannot be drawn; its text may still be readable."
    viewer.image.show_text(sentence)
    label_shows(viewer.image.label, sentence)
    assert not has_magenta(viewer.image)

    # Deleting for good (from the Trash) asks with the literal name; Keep keeps the document.
    window.show_sources()
    sources_view = window.sources_view
    for source in (bold, img):
        assert sources_view.select_source(source.id)
        sources_view.delete_selected()
    trash = window.trash_view
    trash.confirm = None
    trash.reload()
    assert trash.select_source(bold.id)
    seen: list[QMessageBox] = []
    answer_next_box(seen, "Keep")
    trash.delete_selected()
    (box,) = seen
    assert box.text() == f"Delete “{bold_name}” for good?"
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert library.source(bold.id) is not None

    assert trash.select_source(img.id)
    seen.clear()
    answer_next_box(seen, "Keep")
    trash.delete_selected()
    (box,) = seen
    assert box.text() == f"Delete “{img_name}” for good?"
    for label in box.findChildren(QLabel):
        if label.text():
            label_shows(label, label.text())
        assert not label.property("magenta")
    # In the trash, the names show as they are too.
    for row in range(trash.model.rowCount()):
        assert trash.model.index(row, 0).data() in (bold_name, img_name)

    # Export to a folder with a tag for a name: the status bar says the path as it is.
    out = tmp_path / "<i>exports &amp; more" / "text.txt"
    out.parent.mkdir()
    window.export_source(bold.id, str(out))
    qtbot.waitUntil(lambda: out.exists() and bool(window.statusBar().currentMessage()))
    assert window.statusBar().currentMessage() == f"Saved the text to {out}"


def test_dialogs_quote_names_and_paths_as_they_are(
    qtbot: QtBot, tmp_path: Path, magenta: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.dialogs import help as guide
    from app.ui.dialogs.language import LanguageDialog

    name = image_tag(magenta, ".pdf")
    dialog = LanguageDialog(("eng",), "eng", what=f"all 3 pages of {name}")
    qtbot.addWidget(dialog)
    dialog.show()
    (label,) = [w for w in dialog.findChildren(QLabel) if "Tesseract" in w.text()]
    label_shows(label, f"Read all 3 pages of {name} again")
    assert not has_magenta(label)

    # The guide cannot be read from a folder named like a tag: the sentence names it as it is.
    missing = tmp_path / image_tag(magenta, " resources")
    monkeypatch.setattr(guide, "resources_dir", lambda: missing)
    window = guide.UserGuideDialog()
    qtbot.addWidget(window)
    window.show()
    doc = window.browser.document()
    assert not images_in(doc)
    assert str(missing / guide.GUIDE) in doc.toPlainText()
    assert not has_magenta(window.browser)
