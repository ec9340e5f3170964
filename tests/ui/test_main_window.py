"""The main window driven offscreen: real drops, real extraction, search, viewer, settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QFileOpenEvent,
    QGuiApplication,
    QImage,
    QPalette,
)
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import OcrMode, TaskStatus, TextMethod
from app.extraction import tesseract
from app.tasks.manager import ExtractionManager
from app.ui.common.message_bar import MessageKind
from app.ui.common.theme import apply_theme
from app.ui.library.sources_model import THUMB_SIZE
from app.ui.library.sources_model import Column as SourceColumn
from app.ui.search.search_view import SearchRole
from app.ui.shell.file_open import FileOpenReceiver
from app.ui.shell.launcher import Session, open_session, parse_args
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sidebar import Section
from app.ui.tasks.cells import Role as TaskRole
from app.ui.tasks.filter import StatusFilter
from tests.conftest import HOSTILE, SAMPLES, fresh, wait_idle
from tests.ui.searching import search_and_wait

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
KNOWN_WORD = "gubergren"  # on the one page of TRIVIAL
NO_MODIFIER = Qt.KeyboardModifier(0)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


# -- fixtures and helpers --------------------------------------------------------------------


# The window as the launcher builds it (tests/ui/conftest.py), under the names the window
# tests use (other modules import these names from here).


@pytest.fixture(scope="session")
def session_loop(ui_session_loop: qasync.QEventLoop) -> qasync.QEventLoop:
    return ui_session_loop


@pytest.fixture
def loop(ui_loop: qasync.QEventLoop) -> qasync.QEventLoop:
    return ui_loop


@pytest.fixture
def settings(ui_settings: QSettings) -> QSettings:
    return ui_settings


@pytest.fixture
def library(ui_library: Library) -> Library:
    return ui_library


@pytest.fixture
def session(ui_session: Session) -> Session:
    return ui_session


@pytest.fixture
def window(session: Session) -> MainWindow:
    return session.window


@pytest.fixture
def manager(session: Session) -> ExtractionManager:
    return session.manager


def drop(target: QWidget, paths: list[Path]) -> bool:
    """Drag files over `target` and drop them, as the platform would deliver it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPoint(target.width() // 2, target.height() // 2)
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0))
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    dropped = QDropEvent(
        QPointF(pos), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    )
    QApplication.sendEvent(target, dropped)
    return dropped.isAccepted()


def source_named(library: Library, name: str) -> int:
    return next(s.id for s in library.sources() if s.name == name)


def import_and_wait(qtbot: QtBot, window: MainWindow, paths: list[Path]) -> None:
    assert drop(window.sources_view.view.viewport(), paths)
    qtbot.waitUntil(lambda: window.sources_view.model.rowCount() >= len(paths), timeout=30_000)
    wait_idle(qtbot, window.manager, started=True)


def contrast(a: QPalette.ColorRole, b: QPalette.ColorRole, palette: QPalette) -> float:
    def luminance(role: QPalette.ColorRole) -> float:
        c = palette.color(role)
        channels = []
        for v in (c.redF(), c.greenF(), c.blueF()):
            channels.append(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4)
        r, g, bl = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# -- tests -------------------------------------------------------------------------------------


def test_command_line_takes_library_files_and_api(tmp_path: Path) -> None:
    options = parse_args(["--library", str(tmp_path / "lib"), "--api", "a.pdf"])
    assert options.library == (tmp_path / "lib").absolute()
    assert options.files == [str(Path("a.pdf").absolute())]
    assert options.api


def test_empty_window_has_title_sections_menus_and_invites_a_drop(window: MainWindow) -> None:
    assert window.windowTitle() == "Folio — Library"
    labels = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert labels == ["Library", "Search", "Tasks", "Trash", "COLLECTIONS", "+ New collection…"]
    menus = {m: [a.text() for a in menu.actions() if a.text()] for m, menu in window.menus.items()}
    assert {"Import files…", "Import folder…", "Quit"} <= set(menus["file"])
    assert {"Copy text", "Select all"} <= set(menus["edit"])
    assert "About Folio" in menus["help"]
    assert window.sources_view.stack.currentWidget() is window.sources_view.empty
    assert window.sources_view.empty.isVisible()
    assert window.indicator.text() == "No tasks running"
    assert not window.indicator.spinner.is_spinning()


def test_view_menu_opens_each_section_and_sets_the_theme(
    window: MainWindow, settings: QSettings
) -> None:
    for section in (Section.SEARCH, Section.TASKS, Section.LIBRARY):
        window.section_actions[section].trigger()  # triggered(checked=False) as from a menu
        assert window.stack.currentIndex() == int(section), section
    window.theme_actions["dark"].trigger()
    assert settings.value("window/theme") == "dark"
    assert window.theme_actions["dark"].isChecked()
    window.theme_actions["system"].trigger()
    assert settings.value("window/theme") == "system"


def test_help_menu_shows_the_user_guide(qtbot: QtBot, window: MainWindow) -> None:
    assert "User guide" in [a.text() for a in window.menus["help"].actions()]
    window.guide_action.trigger()
    dialog = window.guide_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    text = dialog.browser.toPlainText()
    for heading in ("Importing documents", "The Tasks page", "Search", "Keyboard shortcuts"):
        assert heading in text
    assert "Ctrl+Shift+O" in text
    dialog.close()


def test_drop_imports_sources_extracts_text_and_search_opens_the_page(
    qtbot: QtBot, window: MainWindow, manager: ExtractionManager, library: Library
) -> None:
    seen: list[tuple[str, bool]] = []
    manager.aggregateChanged.connect(
        lambda _p: seen.append((window.indicator.text(), window.indicator.spinner.is_spinning()))
    )
    assert drop(window.sources_view.view.viewport(), [TRIVIAL, FOUR_PAGES])
    qtbot.waitUntil(lambda: window.sources_view.model.rowCount() == 2, timeout=30_000)
    wait_idle(qtbot, manager, started=True)
    # The status bar showed the batch with a spinner while it ran, and stops after.
    assert any(spinning for _text, spinning in seen), seen
    assert any(text.startswith("Extracting ") for text, _spinning in seen), seen
    qtbot.waitUntil(lambda: not window.indicator.spinner.is_spinning())
    model = window.sources_view.model
    states = {
        model.source_at(r).name: model.data(model.index(r, 3)) for r in range(model.rowCount())
    }
    qtbot.waitUntil(
        lambda: (
            {
                model.source_at(r).name: model.data(model.index(r, 3))
                for r in range(model.rowCount())
            }
            == {"minimal-document.pdf": "1/1 pages", "pdflatex-4-pages.pdf": "4/4 pages"}
        ),
        timeout=5_000,
    )
    assert states  # read once before the refresh too: never empty
    assert model.data(model.index(0, 1)) in ("1", "4")

    window.show_search()
    assert window.stack.currentWidget() is window.search_view
    hits = search_and_wait(qtbot, window.search_view, KNOWN_WORD)
    assert [h.source_name for h in hits] == ["minimal-document.pdf"]
    html = window.search_view.model.data(window.search_view.model.index(0), SearchRole.HTML)
    assert "<b>gubergren</b>" in html

    window.search_view.open_result(0)
    viewer = window.document_view.viewer
    assert window.library_stack.currentWidget() is window.document_view
    assert viewer.page is not None and viewer.page.id == hits[0].page_id
    assert KNOWN_WORD in viewer.text.toPlainText()
    marked = viewer.text.extraSelections()
    assert marked and marked[0].cursor.selectedText().lower() == KNOWN_WORD
    assert viewer.state_text() == "From the PDF's text layer"


def test_dropping_the_same_document_again_shows_the_existing_source(
    qtbot: QtBot, window: MainWindow, manager: ExtractionManager, library: Library
) -> None:
    import_and_wait(qtbot, window, [TRIVIAL])
    with qtbot.waitSignal(window.importer.existingSourceFound, timeout=30_000) as found:
        assert drop(window.search_view.field, [TRIVIAL])  # a text field: still an import
    assert found.args[0] == source_named(library, "minimal-document.pdf")
    assert len(library.sources()) == 1
    assert window.sidebar.section() is Section.LIBRARY
    assert window.sources_view.selected_ids() == [found.args[0]]
    assert "Already in the library as minimal-document.pdf" in window.message_bar.text()
    assert window.search_view.field.text() == ""


def test_files_the_platform_asks_to_open_are_imported(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, library: Library
) -> None:
    """ "Open with Folio" on macOS: file-open events, the first before the window exists."""
    receiver = FileOpenReceiver()
    qapp.installEventFilter(receiver)
    try:
        QApplication.sendEvent(qapp, QFileOpenEvent(str(TRIVIAL)))  # before the window
        assert library.sources() == []
        receiver.deliver_to(window.import_paths)
        QApplication.sendEvent(qapp, QFileOpenEvent(QUrl.fromLocalFile(str(FOUR_PAGES))))
        qtbot.waitUntil(lambda: len(library.sources()) == 2, timeout=30_000)
    finally:
        qapp.removeEventFilter(receiver)
    assert sorted(s.name for s in library.sources()) == [
        "minimal-document.pdf",
        "pdflatex-4-pages.pdf",
    ]
    wait_idle(qtbot, window.manager, started=True)


def test_several_files_already_there_give_one_summary_and_no_jump(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    import_and_wait(qtbot, window, [TRIVIAL, FOUR_PAGES])
    window.show_section(Section.TASKS)
    with qtbot.waitSignal(window.importer.duplicatesFound, timeout=30_000):
        window.import_paths([str(TRIVIAL), str(FOUR_PAGES)])
    assert window.message_bar.text() == (
        "2 files were already in the library, so they were not added again: "
        "minimal-document.pdf, pdflatex-4-pages.pdf."
    )
    assert window.sidebar.section() is Section.TASKS
    assert len(library.sources()) == 2


def test_folder_drop_imports_supported_files_and_reports_the_rest(
    qtbot: QtBot, window: MainWindow, library: Library, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(TRIVIAL, folder / "sub" / "trivial.pdf")
    (folder / "notes.txt").write_text("not a document")
    with qtbot.waitSignal(window.importer.collected, timeout=10_000):
        assert drop(window.centralWidget(), [folder])
    assert "Importing 1 document." in window.message_bar.text()
    assert "Skipped 1 file that is not a PDF or an image: notes.txt." in window.message_bar.text()
    qtbot.waitUntil(lambda: [s.name for s in library.sources()] == ["trivial.pdf"], timeout=30_000)


def test_summaries_go_by_themselves_warnings_stay(qtbot: QtBot, window: MainWindow) -> None:
    bar = window.message_bar
    bar.info_timeout_ms = 200
    bar.show_message("Importing 3 documents.", MessageKind.INFO)
    assert bar.isVisible()
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=5_000)
    assert bar.text() == ""
    bar.show_message("Tesseract is missing.", MessageKind.WARNING)
    assert bar.isVisible() and not bar.auto_hide.isActive()
    bar.dismiss()
    assert not bar.isVisible()


def test_drag_shows_the_overlay_until_the_drop(qtbot: QtBot, window: MainWindow) -> None:
    target = window.sources_view.view.viewport()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(TRIVIAL))])
    enter = QDragEnterEvent(
        QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, NO_MODIFIER
    )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    assert window.overlay.isVisible()
    assert window.overlay.geometry() == window.centralWidget().rect()
    QApplication.sendEvent(target, QDragLeaveEvent())
    assert not window.overlay.isVisible()


def test_viewer_zooms_copies_text_and_exports_the_source(
    qtbot: QtBot, window: MainWindow, library: Library, tmp_path: Path
) -> None:
    import_and_wait(qtbot, window, [FOUR_PAGES])
    source_id = source_named(library, "pdflatex-4-pages.pdf")
    page_id = library.pages(source_id)[1].id
    window.open_page(page_id)
    viewer = window.document_view.viewer
    assert viewer.page_label.text() == "Page 2 of 4"
    qtbot.waitUntil(lambda: not viewer.image.label.pixmap().isNull(), timeout=10_000)
    fit_width = viewer.image.label.pixmap().width()
    assert viewer.zoom_text() == "Fit width"
    viewer.zoom_in()
    assert viewer.zoom_text().endswith("%") and viewer.zoom_text() != "Fit width"
    qtbot.waitUntil(lambda: viewer.image.label.pixmap().width() != fit_width, timeout=10_000)
    viewer.set_fit_width()

    def fits() -> bool:  # as wide as the page area (less its margin), whatever scrollbars show
        return viewer.image.label.pixmap().width() == viewer.image.viewport().width() - 24

    qtbot.waitUntil(fits, timeout=10_000)

    viewer.text.setFocus()
    window.copy_action.trigger()  # nothing selected: the whole page
    assert QGuiApplication.clipboard().text() == library.page(page_id).text
    window.select_all_action.trigger()
    assert viewer.text.textCursor().selectedText()
    assert window.document_view.model.rowCount() == 4
    window.document_view.step_page(1)
    assert viewer.page_label.text() == "Page 3 of 4"

    out = tmp_path / "export.txt"
    window.export_source(source_id, str(out))
    qtbot.waitUntil(out.exists, timeout=10_000)
    text = out.read_text()
    for n in range(1, 5):
        assert f"===== Page {n} of 4 =====" in text
    assert "Huardest gefburn" in text


def test_rerun_ocr_with_a_chosen_language(
    qtbot: QtBot,
    window: MainWindow,
    library: Library,
    manager: ExtractionManager,
    scanned_pdf: Path,
) -> None:
    import_and_wait(qtbot, window, [scanned_pdf])
    page = library.pages(source_named(library, scanned_pdf.name))[0]
    assert page.method is TextMethod.OCR  # no text layer: read with Tesseract
    window.open_page(page.id)
    viewer = window.document_view.viewer
    assert viewer.state_text().startswith("Read by OCR, ") and "% confidence" in viewer.state_text()
    qtbot.waitUntil(lambda: viewer.ocr_available and "deu" in viewer.languages, timeout=10_000)
    viewer.choose_language = lambda current: "deu"
    viewer.rerun_ocr()
    task = viewer.task
    assert task is not None and task.payload == {"ocr": "always", "lang": "deu"}
    qtbot.waitUntil(lambda: fresh(manager, task).status is TaskStatus.COMPLETED, timeout=60_000)
    qtbot.waitUntil(lambda: viewer.state_text().startswith("Read by OCR"), timeout=5_000)
    assert "Lorem" in viewer.text.toPlainText()


@pytest.mark.slow
def test_ocr_all_pages_reads_every_page_again(
    qtbot: QtBot, window: MainWindow, library: Library, manager: ExtractionManager
) -> None:
    import_and_wait(qtbot, window, [FOUR_PAGES])
    source_id = source_named(library, FOUR_PAGES.name)
    pages = library.pages(source_id)
    assert {p.method for p in pages} == {TextMethod.TEXT_LAYER}
    window.open_page(pages[0].id)
    view = window.document_view
    qtbot.waitUntil(view.ocr_all_button.isEnabled, timeout=10_000)
    view.viewer.choose_language = lambda current: "eng"
    before = {t.id for t in manager.tasks()}
    qtbot.mouseClick(view.ocr_all_button, Qt.MouseButton.LeftButton)
    queued = [t for t in manager.tasks() if t.id not in before]
    assert sorted(t.page_number or 0 for t in queued) == [1, 2, 3, 4]
    assert all(t.payload == {"ocr": "always", "lang": "eng"} for t in queued)
    assert all(t.source_name == FOUR_PAGES.name for t in queued)
    # The page shown follows its new task (it may have started already).
    assert view.viewer.state_text().startswith(("Waiting to be extracted", "Extracting now"))
    qtbot.waitUntil(
        lambda: all(fresh(manager, t).status is TaskStatus.COMPLETED for t in queued),
        timeout=120_000,
    )
    again = library.pages(source_id)
    assert {p.method for p in again} == {TextMethod.OCR}
    assert all(p.text and len(p.text.split()) > 50 for p in again)
    qtbot.waitUntil(lambda: view.viewer.state_text().startswith("Read by OCR"), timeout=5_000)


def test_settings_dialog_changes_ocr_and_concurrency(
    qtbot: QtBot, window: MainWindow, manager: ExtractionManager, library: Library
) -> None:
    qtbot.waitUntil(lambda: window.tesseract is not None, timeout=10_000)
    dialog = window.settings_dialog()
    assert dialog.folder.text() == str(library.folder)
    codes = [dialog.languages.item(i).text() for i in range(dialog.languages.count())]
    assert "English (eng)" in codes and "German (deu)" in codes
    dialog.languages.set_value("eng+deu")
    dialog.mode.setCurrentIndex(dialog.mode.findData("never"))
    dialog.concurrency.setValue(2)
    dialog.accept()
    assert set(manager.ocr_lang.split("+")) == {"eng", "deu"}
    assert manager.ocr_mode is OcrMode.NEVER
    assert manager.concurrency == 2
    # No language ticked cannot be saved.
    again = window.settings_dialog()
    again.languages.set_value("")
    again.languages.itemChanged.emit(again.languages.item(0))
    assert not again.buttons.button(again.buttons.StandardButton.Ok).isEnabled()
    again.reject()


def test_status_indicator_and_badge_lead_to_tasks(
    qtbot: QtBot, window: MainWindow, manager: ExtractionManager
) -> None:
    manager.pause()
    window.import_paths([str(TRIVIAL)])
    qtbot.waitUntil(lambda: window.sidebar.task_badge()[0] == 1, timeout=10_000)
    qtbot.mouseClick(window.indicator, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.tasks_page
    assert window.sidebar.section() is Section.TASKS
    manager.resume()
    wait_idle(qtbot, manager, started=True)
    qtbot.waitUntil(lambda: window.sidebar.task_badge() == (0, 0), timeout=10_000)


def test_quitting_while_tasks_run_asks_first(
    qtbot: QtBot, window: MainWindow, manager: ExtractionManager
) -> None:
    manager.pause()
    window.import_paths([str(TRIVIAL)])
    qtbot.waitUntil(lambda: bool(manager.active_tasks()), timeout=10_000)
    asked: list[int] = []

    def keep_running(active: int) -> bool:
        asked.append(active)
        return False

    window.confirm_quit = keep_running
    assert not window.close()
    assert asked == [1] and window.isVisible()
    window.confirm_quit = lambda active: True
    assert window.close()


def test_delete_moves_to_the_trash_and_deleting_forever_asks_and_removes_the_file(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    import_and_wait(qtbot, window, [TRIVIAL])
    source = library.sources()[0]
    stored = library.store.path_for(source.sha256)
    assert stored.exists()
    view = window.sources_view
    view.select_source(source.id)
    view.delete_action.trigger()  # no question: Undo brings it back
    assert library.sources() == [] and library.is_trashed(source.id)
    assert stored.exists()
    assert view.stack.currentWidget() is view.empty
    trash = window.trash_view
    trash.reload()
    trash.view.selectAll()
    trash.confirm = lambda question, informative: False
    trash.delete_action.trigger()
    assert library.is_trashed(source.id) and stored.exists()
    asked: list[str] = []
    trash.confirm = lambda question, informative: asked.append(question) is None
    trash.delete_action.trigger()
    assert asked == [f"Delete “{TRIVIAL.name}” for good?"]
    assert library.source(source.id) is None
    assert not stored.exists()
    # The history still names what its tasks worked on (e.g. for `folio tasks --all`).
    named = {(t.task_type.value, t.source_name, t.page_number) for t in library.tasks()}
    assert named == {("import", TRIVIAL.name, None), ("text_extraction", TRIVIAL.name, 1)}


def test_filter_by_name_and_sort(qtbot: QtBot, window: MainWindow) -> None:
    import_and_wait(qtbot, window, [TRIVIAL, FOUR_PAGES])
    view = window.sources_view
    view.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # pages
    first = view.proxy.index(0, 0).data()
    assert first == "pdflatex-4-pages.pdf"
    view.filter_edit.setText("MINIMAL")
    assert view.proxy.rowCount() == 1
    assert view.count_label.text() == "1 of 2 documents shown"
    view.filter_edit.setText("nothing like it")
    assert view.stack.currentWidget() is view.no_match


def test_thumbnails_show_the_first_page_and_line_up(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from PIL import Image, ImageDraw

    wide = tmp_path / "wide.png"
    image = Image.new("L", (1200, 400), 255)
    ImageDraw.Draw(image).rectangle((100, 100, 1100, 300), fill=0)
    image.save(wide)
    import_and_wait(qtbot, window, [TRIVIAL, wide])
    model = window.sources_view.model

    def thumbs() -> list[QImage]:
        icons = [model.index(r, 0).data(Qt.ItemDataRole.DecorationRole) for r in range(2)]
        return [icon.toImage() for icon in icons]

    def drawn(image: QImage) -> bool:  # the placeholder is empty
        return image.pixelColor(image.width() // 2, image.height() // 2).alpha() > 0

    qtbot.waitUntil(lambda: all(drawn(t) for t in thumbs()), timeout=30_000)
    assert {t.size().toTuple() for t in thumbs()} == {THUMB_SIZE.toTuple()}
    # The wide image sits in the middle of its thumbnail, its black bar in the centre.
    centre = [t for t in thumbs() if t.pixelColor(t.width() // 2, t.height() // 2).value() < 80]
    assert len(centre) == 1


def test_page_thumbnails_come_back_when_a_document_is_opened_again(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    import_and_wait(qtbot, window, [TRIVIAL, FOUR_PAGES])
    pages = window.document_view.model

    def first_thumb_drawn() -> bool:
        icon = pages.index(0).data(Qt.ItemDataRole.DecorationRole).toImage()
        return icon.pixelColor(icon.width() // 2, icon.height() // 2).alpha() > 0

    for name in (TRIVIAL.name, FOUR_PAGES.name, TRIVIAL.name):
        window.open_source(source_named(library, name))
        qtbot.waitUntil(first_thumb_drawn, timeout=30_000)


def test_a_page_that_cannot_be_drawn_says_so_by_name(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    damaged = HOSTILE / "qpdf-fuzz" / "69977e.fuzz"  # opens, but PDFium cannot draw it
    import_and_wait(qtbot, window, [damaged])
    window.open_page(library.pages(source_named(library, damaged.name))[0].id)
    label = window.document_view.viewer.image.label
    qtbot.waitUntil(lambda: "cannot be drawn" in label.text(), timeout=30_000)
    assert label.text() == "Page 1 of 69977e.fuzz cannot be drawn; its text may still be readable."
    assert label.wordWrap()


def test_select_all_on_the_tasks_page_selects_every_task(
    qtbot: QtBot, window: MainWindow, manager: ExtractionManager, library: Library
) -> None:
    import_and_wait(qtbot, window, [TRIVIAL, FOUR_PAGES])
    window.open_page(library.pages(source_named(library, TRIVIAL.name))[0].id)
    window.show_section(Section.TASKS)
    page = window.tasks_page
    qtbot.waitUntil(lambda: page.model.rowCount() == len(manager.tasks()), timeout=5_000)
    page.view.setFocus()
    window.select_all_action.trigger()
    assert sorted(page.selected_task_ids()) == sorted(t.id for t in manager.tasks())
    # The page viewer behind the Library section kept its text unselected.
    assert not window.document_view.viewer.text.textCursor().hasSelection()


def test_show_original_without_a_file_manager_gives_the_path(
    qtbot: QtBot, window: MainWindow, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QDesktopServices

    from app.ui.library.reveal import reveal_original

    import_and_wait(qtbot, window, [TRIVIAL])
    (source,) = library.sources()
    # No file manager on this machine to open (none is installed in the test set-up).
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())  # type: ignore[attr-defined]
        next(b for b in box.buttons() if b.text() == "Copy path").click()  # type: ignore[attr-defined]

    QTimer.singleShot(0, answer)
    reveal_original(window, source, library)
    assert seen == [f"No program could be opened to show {TRIVIAL.name}. It is at:\n{TRIVIAL}"]
    assert QApplication.clipboard().text() == str(TRIVIAL)


def test_missing_tesseract_shows_a_banner(
    qtbot: QtBot,
    loop: qasync.QEventLoop,
    library: Library,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("FOLIO_TESSERACT", str(tmp_path / "no-tesseract"))
    tesseract.tesseract_info.cache_clear()
    try:
        s = open_session(library, settings)
        try:
            qtbot.waitUntil(lambda: s.window.tesseract_error is not None, timeout=10_000)
            s.window.show()
            assert s.window.tesseract_bar.isVisible()
            assert "OCR is not available" in s.window.tesseract_bar.text()
            assert "Pages with a text layer are still read" in s.window.tesseract_bar.text()
            assert not s.window.document_view.viewer.ocr_available
        finally:
            s.window.close()
            s.close()
    finally:
        tesseract.tesseract_info.cache_clear()


def test_layout_is_remembered(
    qtbot: QtBot, loop: qasync.QEventLoop, library: Library, settings: QSettings
) -> None:
    first = open_session(library, settings)
    # As wide as the window can be and still fit the offscreen screen (800 px) if it can.
    width = max(first.window.minimumSizeHint().width(), 780)
    first.window.resize(width, 560)
    first.window.show()
    qtbot.waitExposed(first.window)
    first.window.splitter.setSizes([200, width - 200])
    sizes = first.window.splitter.sizes()
    first.window.close()
    first.close()

    reopened = Library(library.folder)
    reopened.acquire_writer_lock()
    second = open_session(reopened, settings)
    try:
        second.window.show()
        qtbot.waitExposed(second.window)
        assert abs(second.window.size().width() - width) <= 2  # a frame pixel may differ
        assert second.window.splitter.sizes() == sizes
    finally:
        second.window.close()
        second.close()


def dark_parts(window: MainWindow) -> dict[str, bool]:
    """Which parts of the window are drawn dark (background lightness under 50 %)."""
    base = QPalette.ColorRole.Base
    banner = window.message_bar
    banner_colour = banner.grab().toImage().pixelColor(banner.width() // 2, 2)
    return {
        "tasks table": window.tasks_page.view.viewport().palette().color(base).lightness() < 128,
        "task details": window.tasks_page.details.palette().color(base).lightness() < 128,
        "banner": banner_colour.lightness() < 128,
    }


def test_dark_palette_is_readable(qtbot: QtBot, window: MainWindow) -> None:
    role = QPalette.ColorRole
    window.message_bar.show_message("Importing 1 document.")
    try:
        window.set_theme("dark")
        palette = QApplication.palette()
        assert palette.color(role.Window).lightness() < 60
        pairs = [
            (role.Text, role.Base),
            (role.WindowText, role.Window),
            (role.ButtonText, role.Button),
            (role.HighlightedText, role.Highlight),
        ]
        for fg, bg in pairs:
            assert contrast(fg, bg, palette) >= 4.5, (fg, bg)
        # Every part follows a switch while the window is open, styled ones too.
        assert dark_parts(window) == {"tasks table": True, "task details": True, "banner": True}
        # An empty checkbox has an edge one can see on the dark window.
        dialog = window.settings_dialog()
        dialog.api.setChecked(False)
        dialog.resize(600, 400)
        dialog.show()
        box = dialog.api.grab().toImage()
        edge = [
            (x, y)
            for x in range(min(20, box.width()))
            for y in range(box.height())
            if box.pixelColor(x, y).lightness() > 120
        ]
        assert edge, "the empty checkbox is invisible on the dark window"
        dialog.close()
        window.set_theme("light")
        palette = QApplication.palette()
        assert palette.color(role.Window).lightness() > 180
        assert contrast(role.Text, role.Base, palette) >= 4.5
        assert dark_parts(window) == {
            "tasks table": False,
            "task details": False,
            "banner": False,
        }
    finally:
        apply_theme(QApplication.instance(), "system")  # type: ignore[arg-type]


def test_every_model_of_the_window_passes_the_model_tester(
    qtbot: QtBot, window: MainWindow, library: Library, qtmodeltester: object
) -> None:
    import_and_wait(qtbot, window, [TRIVIAL, FOUR_PAGES])
    check = qtmodeltester.check  # type: ignore[attr-defined]
    check(window.sources_view.model)
    check(window.sources_view.proxy)
    window.sources_view.model.sort(0, Qt.SortOrder.AscendingOrder)  # by name
    check(window.sources_view.proxy)
    window.open_source(source_named(library, FOUR_PAGES.name))
    assert window.document_view.model.rowCount() == 4
    check(window.document_view.model)
    assert search_and_wait(qtbot, window.search_view, KNOWN_WORD)
    check(window.search_view.model)


@pytest.fixture(scope="session")
def upside_down_scan(tmp_path_factory: pytest.TempPathFactory, scanned_pdf: Path) -> Path:
    """A real page of text, scanned at 300 dpi, fed in upside down and blurred so far that
    Tesseract cannot tell which way up it is (its orientation confidence is 2.5): Folio
    cannot turn it right by itself, so the page must end "to check"."""
    from PIL import Image, ImageFilter

    from tests.scans import draw_scan

    folder = tmp_path_factory.mktemp("turned")
    upright = draw_scan(FOUR_PAGES, folder / "upright.png")
    out = folder / "upside down.png"
    with Image.open(upright) as img:
        turned = img.rotate(180).filter(ImageFilter.GaussianBlur(3))
        turned.save(out, dpi=(300, 300))
    return out


def test_a_page_read_badly_is_flagged_to_check_not_silently_completed(
    qtbot: QtBot, window: MainWindow, library: Library, upside_down_scan: Path
) -> None:
    import_and_wait(qtbot, window, [upside_down_scan])
    source_id = source_named(library, upside_down_scan.name)
    (page,) = library.pages(source_id)
    assert page.method is TextMethod.OCR and page.confidence is not None
    # What a user sees: the Library row, the page list, the viewer; never plain "completed".
    state = library.source_state(source_id)
    assert state is not None and state.to_check == 1
    model = window.sources_view.model
    qtbot.waitUntil(lambda: (model.state(source_id) or state).to_check == 1, timeout=5_000)
    row = model.row_of(source_id)
    assert row is not None
    assert "1 to check" in str(model.index(row, SourceColumn.TEXT).data())
    window.open_page(page.id)
    viewer = window.document_view.viewer
    assert "check this page; rotate it or re-run OCR" in viewer.state_text()
    assert "% confidence" in viewer.state_text()
    view = window.document_view
    assert "check" in str(view.model.index(0).data())
    task = next(t for t in window.manager.tasks() if t.page_id == page.id)
    assert task.status is TaskStatus.COMPLETED and "check this page" in task.message


def test_a_page_read_well_is_not_flagged(
    qtbot: QtBot, window: MainWindow, library: Library, scanned_pdf: Path
) -> None:
    import_and_wait(qtbot, window, [scanned_pdf])
    source_id = source_named(library, scanned_pdf.name)
    state = library.source_state(source_id)
    assert state is not None and state.to_check == 0 and state.completed == 1
    (page,) = library.pages(source_id)
    assert page.doubt is None


def test_pages_to_check_need_attention_on_the_tasks_page_until_read_again(
    qtbot: QtBot,
    window: MainWindow,
    library: Library,
    manager: ExtractionManager,
    upside_down_scan: Path,
    scanned_pdf: Path,
) -> None:
    import_and_wait(qtbot, window, [upside_down_scan, scanned_pdf])
    (flagged,) = library.pages(source_named(library, upside_down_scan.name))
    page = window.tasks_page
    chip = page.filter_chips[StatusFilter.NEEDS_ATTENTION]
    qtbot.waitUntil(lambda: chip.text() == "Needs attention (1)", timeout=5_000)
    assert page.badge_counts()[1] == 1
    page.filter_chips[StatusFilter.NEEDS_ATTENTION].click()
    proxy = page.proxy

    def shown() -> list[int]:
        return [int(proxy.index(r, 0).data(TaskRole.TASK_ID)) for r in range(proxy.rowCount())]

    (first,) = shown()
    task = fresh(manager, next(t for t in manager.tasks() if t.id == first))
    assert task.page_id == flagged.id and task.status is TaskStatus.COMPLETED
    assert task.payload.get("toCheck") is True
    # Kept in the library: the task is still "to check" after a restart.
    assert next(t for t in library.tasks() if t.id == first).payload.get("toCheck") is True
    # Read again: the old task is settled; the new one is listed only if still doubtful.
    window.open_page(flagged.id)
    viewer = window.document_view.viewer
    qtbot.waitUntil(lambda: viewer.ocr_available, timeout=10_000)
    viewer.choose_language = lambda current: "eng"
    viewer.rerun_ocr()
    again = viewer.task
    assert again is not None
    qtbot.waitUntil(lambda: fresh(manager, again).status is TaskStatus.COMPLETED, timeout=60_000)
    doubtful = bool(fresh(manager, again).payload.get("toCheck"))
    qtbot.waitUntil(lambda: shown() == ([again.id] if doubtful else []), timeout=5_000)
    assert chip.text() == f"Needs attention ({int(doubtful)})"


def test_the_library_filters_to_documents_with_pages_to_check(
    qtbot: QtBot, window: MainWindow, library: Library, upside_down_scan: Path, scanned_pdf: Path
) -> None:
    view = window.sources_view
    assert not view.to_check_button.isEnabled()
    import_and_wait(qtbot, window, [upside_down_scan, scanned_pdf])
    button = view.to_check_button
    qtbot.waitUntil(lambda: button.text() == "To check (1)", timeout=5_000)
    assert button.isEnabled() and view.proxy.rowCount() == 2
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.isChecked()
    assert [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())] == [
        upside_down_scan.name
    ]
    assert view.count_label.text() == "1 document has pages to check"
    view.filter_edit.setText("nothing like it")
    assert view.proxy.rowCount() == 0 and view.stack.currentWidget() is view.no_match
    view.filter_edit.clear()
    # Selecting a document the filter hides shows every document again.
    assert view.select_source(source_named(library, scanned_pdf.name))
    assert not button.isChecked() and view.proxy.rowCount() == 2
    assert view.count_label.text() == "2 documents"
