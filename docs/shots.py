"""Screenshots of Folio's window in its main states, on a real X server.

Run: bash dev.sh shots [NAME...]   (starts a private Xvfb; writes docs/screenshots/*.png,
or only the pictures named, e.g. `bash dev.sh shots trash library-names`; the steps
that lead to none of them are skipped)

Folio is driven through its own window objects (no synthetic mouse), with real
corpus documents, real extraction and real Tesseract; each picture is taken
once the state it shows has been reached, never after a fixed wait.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from app.core.library import Library
from app.core.models import TaskStatus
from app.ui.shell.launcher import Session, make_application, open_session
from app.ui.shell.sidebar import Section
from app.ui.tasks.filter import StatusFilter
from tests.corpus import REPO, SAMPLES
from tests.scans import draw_scan

OUT = REPO / "docs" / "screenshots"

DOCUMENTS = [
    SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf",
    SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf",
    SAMPLES / "026-latex-multicolumn" / "multicolumn.pdf",
    SAMPLES / "021-pdfa" / "crazyones-pdfa.pdf",
    SAMPLES / "005-libreoffice-writer-password" / "libreoffice-writer-password.pdf",
]
SIZE = (1280, 800)
#: What the search-hit pictures search for: a phrase and a word, both marked.
HIT_QUERY = '"Huardest gefburn" Kjift'
#: The password of the corpus's locked PDF (the corpus's notes on it give it).
LOCKED_PASSWORD = "openpassword"
#: The pictures to write (None: every one), and those written so far.
WANTED: set[str] | None = None
SAVED: set[str] = set()


def done() -> bool:
    """Every picture asked for is written (the rest of the script can be skipped)."""
    return WANTED is not None and WANTED <= SAVED


def wants(*pictures: str) -> bool:
    """Whether any of these pictures is to be written (a step taking only them runs)."""
    return WANTED is None or not WANTED.isdisjoint(pictures)


async def until(what: str, condition: Callable[[], object], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"shots: timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def settle() -> None:
    """Let pending paints and layout run (two turns of the event loop and a frame)."""
    for _ in range(3):
        QApplication.processEvents()
        await asyncio.sleep(0.05)


def save_screen(name: str, widget: QWidget) -> None:
    """The X server's pixels of `widget`'s window, with any dialog over it."""
    if WANTED is not None and name not in WANTED:
        return
    SAVED.add(name)
    window = widget.window()
    screen = window.screen() or QGuiApplication.primaryScreen()
    frame = window.frameGeometry()
    shot = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    path = OUT / f"{name}.png"
    if not shot.save(str(path)):
        raise SystemExit(f"shots: could not write {path}")
    print(f"shots: {path.relative_to(REPO)}")


async def shoot_dialog(name: str, window: QWidget, open_dialog: Callable[[], object]) -> None:
    """Open a modal dialog, photograph it over the window, then close it."""

    def take() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, take)
            return
        save_screen(name, window)
        dialog.close()

    QTimer.singleShot(300, take)
    open_dialog()
    await settle()


async def script(session: Session, documents: list[Path]) -> None:
    window, manager = session.window, session.manager
    window.move(0, 0)
    window.resize(*SIZE)
    window.show()
    await settle()
    save_screen("empty-library", window)

    # A running import: grey, blue and green chips (and red for the locked PDF).
    manager.set_concurrency(2)
    window.import_paths([str(p) for p in documents])
    window.show_section(Section.TASKS)
    await until(
        "a mix of running, waiting and finished tasks",
        lambda: (
            {t.status for t in manager.tasks()}
            >= {TaskStatus.PENDING, TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED}
        ),
    )
    page = window.tasks_page
    page.set_status_filter(StatusFilter.ACTIVE)  # the running ones first, then those waiting
    await settle()
    save_screen("tasks-running", window)
    page.set_status_filter(StatusFilter.ALL)

    pending = [t.id for t in manager.tasks() if t.status is TaskStatus.PENDING][:6]
    manager.pause()
    page.select_tasks(pending)
    await settle()
    await shoot_dialog("tasks-cancel-all", window, page.cancel_all)
    manager.resume()
    await until("the import to finish", lambda: bool(manager.tasks()) and manager.is_idle(), 600)
    await password_prompt(session)

    page.set_status_filter(StatusFilter.NEEDS_ATTENTION)
    await settle()
    failed = [t.id for t in manager.tasks() if t.status is TaskStatus.FAILED]
    page.select_tasks(failed[:1])
    await settle()
    save_screen("tasks-failed-details", window)

    window.set_theme("dark")
    page.set_status_filter(StatusFilter.ALL)
    await settle()
    save_screen("tasks-dark", window)
    window.set_theme("light")

    window.show_sources()
    sources = len(session.library.sources())
    await until("the sources", lambda: window.sources_view.model.rowCount() == sources)
    await asyncio.sleep(1)  # thumbnails are drawn by worker processes
    await settle()
    save_screen("library", window)

    if wants("collections-sidebar", "trash"):
        await organise(session)
    if done():
        return
    if wants("main-window", "search", "settings", "flagged-page", "save-searchable"):
        await document_script(session)
    if done():
        return
    await names_script(session)
    if done():
        return
    if wants("search-hit-pdf", "search-hit-scan"):
        await search_hits(session)
    if done():
        return
    if wants("library-grid", "watched-folders"):
        await shoot_watched_and_grid(session)


async def document_script(session: Session) -> None:
    """A document's page, search, Settings, and a scan flagged "to check"."""
    window, manager = session.window, session.manager
    geotopo = next(s for s in session.library.sources() if s.name.startswith("GeoTopo"))
    pages = session.library.pages(geotopo.id)
    window.open_page(pages[1].id)
    await asyncio.sleep(1)  # the page image comes from a worker process
    await settle()
    save_screen("main-window", window)

    window.show_search()
    window.search_view.field.setText("Topologie")
    window.search_view.run_search()
    await until("search results", lambda: window.search_view.model.rowCount() > 0)
    await settle()
    save_screen("search", window)

    await shoot_dialog("settings", window, window.open_settings)

    # A scan Folio cannot read right by itself: the page is flagged "to check".
    window.message_bar.dismiss()
    scan = upside_down_scan(Path(tempfile.mkdtemp(prefix="folio-shots-scan-")))
    window.import_paths([str(scan)])
    await until("the scan to be read", lambda: scan.name in names(session), 60)
    await until("the scan's page", lambda: manager.is_idle(), 300)
    turned = next(s for s in session.library.sources() if s.name == scan.name)
    (flagged,) = session.library.pages(turned.id)
    window.open_page(flagged.id)
    viewer = window.document_view.viewer
    await until("the warning", lambda: "check this page" in viewer.state_text())
    await asyncio.sleep(1)  # the page image comes from a worker process
    await settle()
    save_screen("flagged-page", window)
    await shoot_dialog("save-searchable", window, window.save_searchable_current)


#: More documents with their own title, author and page size, for the metadata columns.
MORE_DOCUMENTS = [
    SAMPLES / "011-google-doc-document" / "google-doc-document.pdf",
    SAMPLES / "019-grayscale-image" / "grayscale-image.pdf",
]
#: GeoTopo's bytes again, under the name a colleague gave them.
SECOND_NAME = "Skript Topologie (Kopie).pdf"


async def names_script(session: Session) -> None:
    """The Library with the Title, Author and Page size columns shown, and a document
    imported a second time under another name ("Also imported as: …")."""
    window, manager = session.window, session.manager
    window.message_bar.dismiss()
    folder = Path(tempfile.mkdtemp(prefix="folio-shots-names-"))
    copy = folder / SECOND_NAME
    copy.write_bytes(DOCUMENTS[1].read_bytes())
    window.import_paths([str(p) for p in MORE_DOCUMENTS if p.exists()])
    await until("the documents", lambda: bool(manager.tasks()) and manager.is_idle(), 600)
    window.import_paths([str(copy)])
    geotopo = next(s for s in session.library.sources() if s.name.startswith("GeoTopo"))
    view = window.sources_view
    await until(
        "the second name",
        lambda: manager.is_idle() and view.model.names_of(geotopo.id) == (SECOND_NAME,),
        300,
    )
    window.message_bar.dismiss()
    window.show_sources()
    window.resize(1440, 860)  # room for the three more columns beside the names
    for action in view.columns.actions.values():
        action.setChecked(True)
    view.view.clearSelection()
    await asyncio.sleep(1)  # thumbnails are drawn by worker processes
    await settle()
    save_screen("library-names", window)

    # Help › Keyboard shortcuts: every shortcut, read from the window's own actions.
    window.show_shortcuts()
    await until("the shortcuts", lambda: window.shortcuts_dialog.isVisible())
    await settle()
    save_screen("shortcuts", window.shortcuts_dialog)
    window.shortcuts_dialog.close()

    # Narrow windows: a document at 900 px, and the Tasks page at 700 px (chips wrap).
    window.message_bar.dismiss()
    window.resize(900, SIZE[1])
    window.open_page(session.library.pages(geotopo.id)[1].id)
    await until("900 px", lambda: window.width() == 900)
    await asyncio.sleep(1)  # the page image comes from a worker process
    await settle()
    save_screen("window-900", window)
    window.resize(700, SIZE[1])
    await until("700 px", lambda: window.width() == 700)
    await asyncio.sleep(1)
    await settle()
    save_screen("window-700-document", window)
    window.show_section(Section.TASKS)
    await settle()
    save_screen("window-700-tasks", window)


async def search_hits(session: Session) -> None:
    """A search's hits marked on the page image: a PDF's page, then a scan read by OCR
    (the second hit current, as after opening the result and pressing F3 once).

    `bash dev.sh shots search-hit-pdf search-hit-scan` takes only these two."""
    window, library = session.window, session.library
    folder = Path(tempfile.mkdtemp(prefix="folio-shots-"))
    scan = draw_scan(DOCUMENTS[0], folder / "scanned page.png", 1)
    window.import_paths([str(scan), str(DOCUMENTS[0])])
    await until("the scan to be read", lambda: scan.name in names(session), 60)
    await until("the scan's page", lambda: session.manager.is_idle(), 300)
    # Wider, the page image given most of it: the page at a size its words can be read.
    window.resize(1440, 900)
    window.document_view.viewer.splitter.setSizes([760, 320])
    pdf = next(s for s in library.sources() if s.name == DOCUMENTS[0].name)
    scanned = next(s for s in library.sources() if s.name == scan.name)
    view = window.document_view
    image = view.viewer.image.label
    for name, page in (
        ("search-hit-pdf", library.pages(pdf.id)[1]),
        ("search-hit-scan", library.pages(scanned.id)[0]),
    ):
        window.open_page(page.id, HIT_QUERY)
        view.viewer.set_fit_width()
        await until("the page drawn to fit", lambda: image.pixmap().width() > 600, 60)
        await until("the hits", lambda: bool(view.hits.hits))
        await asyncio.sleep(0.5)
        view.hits.next_hit()
        await settle()
        save_screen(name, window)


#: Documents a watched folder brings in, for the grid of thumbnails.
WATCHED = [
    SAMPLES / "021-pdfa" / "crazyones-pdfa.pdf",
    SAMPLES / "006-pdflatex-outline" / "pdflatex-outline.pdf",
    SAMPLES / "011-google-doc-document" / "google-doc-document.pdf",
    SAMPLES / "003-pdflatex-image" / "pdflatex-image.pdf",
    SAMPLES / "010-pdflatex-forms" / "pdflatex-forms.pdf",
    SAMPLES / "019-grayscale-image" / "grayscale-image.pdf",
    SAMPLES / "015-arabic" / "habibi.pdf",
    SAMPLES / "022-pdfkit" / "pdfkit.pdf",
    SAMPLES / "024-annotations" / "annotated_pdf.pdf",
    SAMPLES / "007-imagemagick-images" / "smile.png",
]


async def shoot_watched_and_grid(session: Session) -> None:
    """A watched folder brings documents in (another one is gone); the grid shows them."""
    import shutil

    from app.services.watched import WatchedFolder
    from app.ui.library.sources_grid import LibraryView

    window, watcher = session.window, session.watcher
    assert watcher is not None
    root = Path(tempfile.mkdtemp(prefix="folio-shots-watch-"))
    scans, stick = root / "Scans", root / "USB stick" / "Inbox"
    scans.mkdir()
    before = len(session.library.sources())
    # Documents already in the library (same content) are recognised, not added again.
    new = sum(
        session.library.source_by_sha(hashlib.sha256(p.read_bytes()).hexdigest()) is None
        for p in WATCHED
    )
    watcher.set_folders([WatchedFolder(scans, "eng+deu"), WatchedFolder(stick)])
    for path in WATCHED:
        shutil.copy(path, scans / path.name)
    await until(
        "the watched folder's documents", lambda: len(session.library.sources()) >= before + new
    )
    await until("their pages", lambda: session.manager.is_idle(), 300)
    window.close_document()
    window.show_sources()
    window.message_bar.dismiss()
    window.sources_view.view_toggle.buttons[LibraryView.GRID].click()
    grid = window.sources_view.grid
    await until("the thumbnails", lambda: grid.isVisible() and grid.drawn())
    await settle()
    save_screen("library-grid", window)
    await until("the missing folder", lambda: watcher.problem(stick) is not None)
    await shoot_dialog("watched-folders", window, window.open_settings)


async def password_prompt(session: Session) -> None:
    """The locked PDF of the corpus waits for its password: the prompt, after a wrong one;
    then its password opens it and its pages are read."""
    window, manager = session.window, session.manager
    await until("the password bar", lambda: window.password_bar.isVisible(), 60)
    window.password_bar.action_button.click()
    dialog = window.passwords.dialog
    assert dialog is not None
    await until("the password dialog", dialog.isVisible)
    dialog.field.setText("password")
    dialog.open_button.click()
    await until("the wrong password to be said", dialog.error.isVisible, 60)
    await settle()
    save_screen("password-prompt", window)
    dialog.field.setText(LOCKED_PASSWORD)
    dialog.open_button.click()
    await until("the password to open it", lambda: window.passwords.dialog is None, 60)
    await until("its pages", lambda: bool(manager.tasks()) and manager.is_idle(), 120)


async def organise(session: Session) -> None:
    """Collections in the sidebar, and the Trash just after a Delete (with its Undo)."""
    window, library = session.window, session.library
    by_name = {s.name: s.id for s in library.sources()}
    filing = window.filing
    for name, members in (
        ("Geometry", ["GeoTopo-komprimiert.pdf", "multicolumn.pdf"]),
        ("Letters 2024", ["crazyones-pdfa.pdf"]),
        ("To read", ["pdflatex-4-pages.pdf", "GeoTopo-komprimiert.pdf", "multicolumn.pdf"]),
    ):
        made = library.create_collection(name)
        library.add_to_collection(made.id, [by_name[m] for m in members if m in by_name])
    filing.changed.emit()
    window.refresh_counts()
    window.message_bar.dismiss()
    window.show_sources()
    window.sidebar.choose_collection(library.collection_named("Geometry").id)  # type: ignore[union-attr]
    await asyncio.sleep(1)  # thumbnails are drawn by worker processes
    await settle()
    save_screen("collections-sidebar", window)

    window.sidebar.choose_collection(0)
    trashed = [by_name[n] for n in ("multicolumn.pdf", "crazyones-pdfa.pdf") if n in by_name]
    window.trash_sources(trashed)
    window.show_section(Section.TRASH)
    window.refresh_counts()
    await until("the trash", lambda: window.trash_view.model.rowCount() == len(trashed))
    window.trash_view.select_source(trashed[0])
    await settle()
    save_screen("trash", window)
    window.undo_stack.undo()
    window.message_bar.dismiss()
    window.show_sources()
    await settle()


def names(session: Session) -> set[str]:
    return {s.name for s in session.library.sources()}


def upside_down_scan(folder: Path) -> Path:
    """A page of the corpus at 300 dpi, upside down and blurred so far that orientation
    detection cannot tell which way up it is (as tests/ui/test_main_window.py makes it)."""
    from PIL import Image, ImageFilter
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument(None)
    doc.load(str(DOCUMENTS[0]))
    size = doc.pagePointSize(0)
    rendered = doc.render(0, QSize(int(size.width() / 72 * 300), int(size.height() / 72 * 300)))
    page = QImage(rendered.size(), QImage.Format.Format_Grayscale8)
    page.fill(QColor("white"))
    painter = QPainter(page)
    painter.drawImage(0, 0, rendered)
    painter.end()
    upright = folder / "upright.png"
    page.save(str(upright))
    out = folder / "scan-upside-down.png"
    with Image.open(upright) as img:
        img.rotate(180).filter(ImageFilter.GaussianBlur(3)).save(out, dpi=(300, 300))
    return out


def main() -> int:
    global WANTED
    WANTED = set(sys.argv[1:]) or None
    missing = [p for p in DOCUMENTS if not p.exists()]
    if missing:
        print(f"shots: the corpus is missing {missing[0]}", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    app = make_application(["folio"])
    with tempfile.TemporaryDirectory(prefix="folio-shots-") as tmp:
        library = Library(Path(tmp) / "Library")
        library.acquire_writer_lock()
        settings = QSettings(str(Path(tmp) / "folio.ini"), QSettings.Format.IniFormat)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        session = open_session(library, settings)
        session.window.confirm_quit = lambda active: True
        # A text file named .png, as a user might drop by mistake: a failed task to show.
        notes = Path(tmp) / "notes.png"
        notes.write_text("/etc/passwd\n/home/me/scan-1.png\n")
        documents = [*DOCUMENTS, notes]
        try:
            with loop:
                loop.run_until_complete(script(session, documents))
        finally:
            session.window.close()
            session.close()
    if WANTED is not None and not WANTED <= SAVED:
        print(f"shots: no picture is called {', '.join(sorted(WANTED - SAVED))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
