"""`folio [--library DIR] [FILE...]`: hand files to a running Folio, or build and run the window."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.errors import FolioError
from app.core.library import Library
from app.core.paths import APP_NAME, default_library_dir, resources_dir
from app.tasks.instance import InstanceServer, send_to_running
from app.tasks.manager import ExtractionManager
from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


@dataclass(slots=True)
class LaunchOptions:
    library: Path
    files: list[str]
    api: bool


def parse_args(args: Sequence[str]) -> LaunchOptions:
    """Read `[--library DIR] [--api] [FILE...]`; argparse exits with status 2 on misuse."""
    parser = argparse.ArgumentParser(
        prog="folio", description="Open the Folio window, importing the files given."
    )
    parser.add_argument("--library", type=Path, default=None, help="the library folder to open")
    parser.add_argument("--api", action="store_true", help="serve the local automation API")
    parser.add_argument("files", nargs="*", help="documents to import")
    ns = parser.parse_args(list(args))
    library = (ns.library or default_library_dir()).expanduser().absolute()
    return LaunchOptions(library, [str(Path(f).expanduser().absolute()) for f in ns.files], ns.api)


def app_icon() -> QIcon:
    """Folio's icon from resources/ (every hicolor size present), or an empty icon."""
    icon = QIcon()
    icons = resources_dir() / "icons"
    for png in sorted(icons.glob("hicolor/*/apps/folio.png")):
        icon.addFile(str(png))
    svg = icons / "folio.svg"
    if icon.isNull() and svg.is_file():
        icon.addFile(str(svg))
    return icon


def make_application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([*argv])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("folio")
    app.setWindowIcon(app_icon())
    return app


def show_error(title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.exec()


@dataclass(slots=True)
class Session:
    """Everything one open library needs, built in order and closed in reverse."""

    library: Library
    manager: ExtractionManager
    server: InstanceServer
    window: MainWindow

    def close(self) -> None:
        self.window.shutdown()
        self.server.close()
        # The views are done: late signals of the stopping manager must not reach them.
        self.manager.blockSignals(True)
        self.manager.shutdown()
        self.library.close()
        self.window.deleteLater()


def open_session(library: Library, settings: QSettings | None = None) -> Session:
    """Wire the engine, the single-instance server and the window for a locked library."""
    manager = ExtractionManager(library)
    manager.start()
    server = InstanceServer(library.folder, manager)
    server.listen()
    window = MainWindow(library, manager, settings=settings)
    server.filesReceived.connect(window.import_paths)
    server.activateRequested.connect(window.bring_to_front)
    return Session(library, manager, server, window)


def open_library(folder: Path) -> Library | None:
    """Open and lock the library, or say why not in a message box."""
    try:
        library = Library(folder)
    except FolioError as exc:
        show_error("Folio cannot open the library", exc.message)
        return None
    try:
        library.acquire_writer_lock()
    except FolioError as exc:
        library.close()
        show_error("The library is in use", exc.message)
        return None
    removed = library.store.sweep(library.stored_hashes())
    if removed:
        log.info("startup sweep removed %d stray files from the store", len(removed))
    return library


def launch(args: list[str]) -> int:
    """Run the window until it closes; 0 on a clean exit, 1 when the library cannot open."""
    try:
        options = parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    import qasync

    app = make_application(sys.argv[:1] or ["folio"])
    reply = send_to_running(options.library, {"op": "open", "files": options.files})
    if reply is not None and reply.get("ok"):
        return 0
    library = open_library(options.library)
    if library is None:
        return 1
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    session = open_session(library)
    session.window.show()
    if options.files:
        session.window.import_paths(options.files)
    app.setQuitOnLastWindowClosed(True)
    try:
        with loop:
            loop.run_forever()
    finally:
        session.close()
    return 0
