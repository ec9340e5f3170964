"""`folio [--library DIR] [FILE...]`: hand files to a running Folio, or build and run the window."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.errors import CorruptLibraryError, FolioError, LibraryLockedError
from app.core.library import Library
from app.core.paths import APP_NAME, default_library_dir, resources_dir
from app.services.session import open_for_work
from app.services.session_end import quit_on_session_end
from app.services.watch import FolderWatcher
from app.tasks.instance import InstanceServer, send_to_running
from app.tasks.manager import ExtractionManager
from app.ui.common.plain import plain_message_box
from app.ui.dialogs.settings import SETTING_API
from app.ui.shell.file_open import FileOpenReceiver
from app.ui.shell.main_window import MainWindow

#: The API's usual port; another is chosen when it is taken.
DEFAULT_API_PORT = 47110

if TYPE_CHECKING:
    from app.api.server import ApiServer

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
    # No display name: Qt would append " — Folio" to titles that already say Folio.
    app.setDesktopFileName("folio")
    app.setWindowIcon(app_icon())
    return app


def show_error(title: str, text: str) -> None:
    """A modal error; `text` may quote library paths, so it is shown as plain text."""
    box = plain_message_box(QMessageBox.Icon.Critical, title, text)
    box.exec()


@dataclass(slots=True)
class Session:
    """Everything one open library needs, built in order and closed in reverse."""

    library: Library
    manager: ExtractionManager
    server: InstanceServer
    window: MainWindow
    watcher: FolderWatcher | None = None

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.window.shutdown()
        self.server.close()
        # The views are done: late signals of the stopping manager must not reach them.
        self.manager.blockSignals(True)
        self.manager.shutdown()
        self.library.close()
        self.window.deleteLater()


def open_session(library: Library, settings: QSettings | None = None) -> Session:
    """Wire the engine, the single-instance server and the window for a locked library.

    Raises FolioError, before any task starts, when the single-instance channel cannot
    listen: later launches could not find this window and would start a second engine.
    """
    manager = ExtractionManager(library)
    server = InstanceServer(library.folder, manager)
    try:
        server.listen()
    except FolioError:
        manager.shutdown()
        raise
    manager.start()
    watcher = FolderWatcher(manager)
    window = MainWindow(library, manager, settings=settings, watcher=watcher)
    server.filesReceived.connect(window.import_paths)
    server.activateRequested.connect(window.bring_to_front)
    # Pages are read on the Dask cluster of the Settings, if any (here until it answers).
    from app.cluster.link import attach_from_setting

    cluster = attach_from_setting(manager)
    cluster.notice.connect(lambda sentence: window.statusBar().showMessage(sentence, 15_000))
    # Settings › Watched folders: files added while Folio was closed are found now.
    watcher.start()
    return Session(library, manager, server, window, watcher)


def offer_backup(folder: Path, problem: str) -> bool:
    """A damaged database: offer the newest backup instead of failing. True if restored."""
    from app.core.backup import backups, restore_backup

    found = backups(folder)
    if not found:
        show_error("Folio cannot open the library", problem)
        return False
    box = plain_message_box(
        QMessageBox.Icon.Question,
        "The library is damaged",
        f"{problem}\n\nRestore the backup from {found[0].label}? The damaged database is "
        "kept aside; documents added after that backup need importing again.",
    )
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
    answer = box.exec()
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        restore_backup(folder / "library.sqlite3", found[0].path)
    except FolioError as exc:
        show_error("Folio cannot restore the backup", exc.message)
        return False
    return True


def open_library(folder: Path) -> Library | None:
    """Open and lock the library, or say why not in a message box."""
    try:
        return open_for_work(folder)
    except CorruptLibraryError as exc:
        if not offer_backup(folder, exc.message):
            return None
    except LibraryLockedError as exc:
        show_error("The library is in use", exc.message)
        return None
    except FolioError as exc:
        show_error("Folio cannot open the library", exc.message)
        return None
    try:
        return open_for_work(folder)
    except FolioError as again:
        show_error("Folio cannot open the library", again.message)
        return None


def start_api(manager: ExtractionManager, loop: asyncio.AbstractEventLoop) -> ApiServer | None:
    """Serve the local API on 127.0.0.1 (FOLIO_API_PORT, else 47110, else any free port)."""
    # Imported here: the HTTP stack costs a fifth of a second at every start otherwise.
    from app.api.server import ApiServer, load_or_create_token, publish_url, token_path

    try:
        token = load_or_create_token()
    except FolioError as exc:
        show_error("Folio cannot serve its API", exc.message)
        return None
    wanted = int(os.environ.get("FOLIO_API_PORT", DEFAULT_API_PORT))
    for port in (wanted, 0):
        server = ApiServer(manager, token, port=port)
        try:
            loop.run_until_complete(server.start())
        except OSError:
            continue
        url = f"http://127.0.0.1:{server.port}"
        try:
            publish_url(url)
        except FolioError as exc:
            log.warning("%s", exc.message)
        log.warning("local API serving on %s (token in %s)", url, token_path())
        return server
    return None


def launch(args: list[str]) -> int:
    """Run the window until it closes; 0 on a clean exit, 1 when the library cannot open."""
    try:
        options = parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    import qasync

    app = make_application(sys.argv[:1] or ["folio"])
    # "Open with Folio" on macOS arrives as events, the first ones before the window.
    # Only there: a filter on the application sees every event of every widget.
    file_open = FileOpenReceiver(app)
    if sys.platform == "darwin":
        app.installEventFilter(file_open)
    try:
        reply = send_to_running(options.library, {"op": "open", "files": options.files})
    except FolioError as exc:
        show_error("Folio cannot start", exc.message)
        return 1
    if reply is not None and reply.get("ok"):
        return 0
    library = open_library(options.library)
    if library is None:
        return 1
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        session = open_session(library)
    except FolioError as exc:
        library.close()
        show_error("Folio cannot start", exc.message)
        return 1

    def end_session(signum: int) -> None:
        # Logout, shutdown, `kill` or Ctrl+C: quit as from the menu, without asking.
        log.warning("quitting on signal %d; running tasks resume at the next start", signum)
        session.window.confirm_quit = lambda active: True
        app.closeAllWindows()
        app.quit()

    # Before anything is published (the API's address): a stop signal then cleans it up.
    session_end = quit_on_session_end(app, end_session)
    api = None
    if options.api or library.setting(SETTING_API, "0") == "1":
        api = start_api(session.manager, loop)
    session.window.show()
    if options.files:
        session.window.import_paths(options.files)
    file_open.deliver_to(session.window.import_paths)
    app.setQuitOnLastWindowClosed(True)
    try:
        with loop:
            loop.run_forever()
    finally:
        # The API's socket closes with the process; the loop that served it is gone.
        if api is not None:
            from app.api.server import withdraw_url

            withdraw_url(f"http://127.0.0.1:{api.port}")
        del api
        session.close()
        session_end.uninstall()
    return 0
