"""The folder watcher: change notices, looks off the GUI thread, and the imports they start.

What a watched folder is, how it is scanned and when a file in it is ready live in
watched.py (no Qt); this part runs those looks on a thread pool when the system says
a folder changed, or every RESCAN_MS, and hands ready files to the manager's import.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QFileSystemWatcher,
    QObject,
    QRunnable,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from app.core.models import BackgroundTask
from app.services.watched import (
    SETTING_SEEN,
    SETTLE_SECONDS,
    FolderTracker,
    ScanOutcome,
    WatchedFolder,
    load_watched,
    look,
    save_watched,
)
from app.tasks.manager import ExtractionManager

log = logging.getLogger(__name__)

#: Bursts of change notices for a folder are gathered into one look this long after.
COALESCE_MS = 300
#: Every folder is looked at this often anyway (missed notices, network disks, a folder
#: that came back).
RESCAN_MS = 30_000
#: Folders handed to the system's change notices at most (the periodic look covers more).
MAX_NOTIFIED_DIRS = 2_000


class _ScanSignals(QObject):
    done = Signal(object)


class _ScanJob(QRunnable):
    def __init__(
        self,
        key: str,
        generation: int,
        folder: Path,
        tracker: FolderTracker,
        stop: threading.Event,
        signals: _ScanSignals,
        clock: Callable[[], float],
    ) -> None:
        super().__init__()
        self.clock = clock
        self.key = key
        self.generation = generation
        self.folder = folder
        self.tracker = tracker
        self.stop = stop
        self.signals = signals

    def run(self) -> None:
        outcome = ScanOutcome(self.key, self.generation)
        try:
            ready, skipped, scan, settling, changed = look(
                self.folder, self.tracker, self.stop, self.clock
            )
        except Exception as exc:  # never lost: said like a folder that cannot be read
            log.exception("looking at the watched folder %s failed", self.folder)
            outcome.problem = (
                f"Folio could not look into the watched folder {self.folder} "
                f"({type(exc).__name__}: {exc}); it tries again in a moment."
            )
        else:
            outcome.ready = ready
            outcome.skipped = skipped
            outcome.problem = scan.problem
            outcome.dirs = scan.dirs
            outcome.settling = settling
            outcome.seen_json = self.tracker.seen_json() if changed else None
        if not self.stop.is_set():
            self.signals.done.emit(outcome)


# -- the watcher (GUI thread) ------------------------------------------------------------


@dataclass(slots=True)
class WatchImports:
    """Files of a watched folder handed to the manager, and what was left out."""

    folder: WatchedFolder
    tasks: list[BackgroundTask]
    skipped: list[str]


class _Watch(QObject):
    """One watched folder's state on the GUI thread, and its two timers.

    Signals:
        due(str): the folder's path: time to look at it again.
    """

    due = Signal(str)

    def __init__(
        self, owner: QObject, folder: WatchedFolder, tracker: FolderTracker, settle_ms: int
    ) -> None:
        # No Python reference to the owner: nothing here waits for the garbage collector,
        # which may run on any thread (Qt objects must die on their own).
        super().__init__(owner)
        self.folder = folder
        self.tracker = tracker
        self.generation = 0
        self.busy = False
        self.again = False
        self.problem: str | None = None
        self.looked = False
        self.dirs: set[str] = set()
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(COALESCE_MS)
        self.soon.timeout.connect(self.fire)
        self.settled = QTimer(self)
        self.settled.setSingleShot(True)
        self.settled.setInterval(settle_ms)
        self.settled.timeout.connect(self.fire)

    @Slot()
    def fire(self) -> None:
        self.due.emit(self.folder.key)

    def stop_timers(self) -> None:
        self.soon.stop()
        self.settled.stop()


class FolderWatcher(QObject):
    """Watches folders and imports what appears in them through the manager.

    Change notices (QFileSystemWatcher) ask for a look a moment later, gathered per
    folder; the look itself (walking, stat, reading the start of files named as
    neither PDF nor image) runs on this watcher's own thread; a periodic look catches
    what notices miss.

    Signals:
        importsStarted(object): a WatchImports: import tasks made for a folder's files.
        problemChanged(str, str): a folder's path and why it cannot be watched now, or
            "" when it can again.
        scanned(str): a look at this folder finished (its imports, if any, are made).
    """

    importsStarted = Signal(object)
    problemChanged = Signal(str, str)
    scanned = Signal(str)

    def __init__(
        self,
        manager: ExtractionManager,
        parent: QObject | None = None,
        *,
        settle: float = SETTLE_SECONDS,
        rescan_ms: int = RESCAN_MS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`settle`: seconds a file must stay unchanged; `clock`: the time in seconds that
        is compared with it (tests give their own, to step through a slow write)."""
        super().__init__(parent)
        self.manager = manager
        self.clock = clock
        self.library = manager.library
        self.settle = settle
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._stop = threading.Event()
        self._signals = _ScanSignals(self)
        self._signals.done.connect(self._on_scanned)
        self._notices: QFileSystemWatcher | None = QFileSystemWatcher(self)
        self._notices.directoryChanged.connect(self._on_directory_changed)
        self._watches: dict[str, _Watch] = {}
        #: Which watched folder a notified directory belongs to.
        self._dir_owner: dict[str, str] = {}
        self._periodic = QTimer(self)
        self._periodic.setInterval(rescan_ms)
        self._periodic.timeout.connect(self.scan_all)
        self._stopped = False

    # -- what is watched ---------------------------------------------------------------

    def folders(self) -> list[WatchedFolder]:
        return [w.folder for w in self._watches.values()]

    def problem(self, path: Path | str) -> str | None:
        """Why this folder cannot be watched now, or None."""
        watch = self._watches.get(str(path))
        return watch.problem if watch is not None else None

    def has_looked(self, path: Path | str) -> bool:
        """Whether a look at this folder finished since it was watched."""
        watch = self._watches.get(str(path))
        return watch is not None and watch.looked

    def start(self) -> None:
        """Watch the folders kept in the library's settings (the window does this)."""
        self.watch(load_watched(self.library))

    def set_folders(self, folders: list[WatchedFolder]) -> None:
        """Keep `folders` as the library's watched folders and watch them."""
        save_watched(self.library, folders)
        self.watch(folders)

    def watch(self, folders: list[WatchedFolder]) -> None:
        """Watch exactly these folders now (nothing is kept in the settings)."""
        if self._stopped:
            return
        wanted = {f.key: f for f in folders}
        for key in [k for k in self._watches if k not in wanted]:
            self._forget(key)
        fresh: list[str] = []
        for key, folder in wanted.items():
            watch = self._watches.get(key)
            if watch is not None:
                watch.folder = folder  # e.g. new languages; what it saw stays
                continue
            tracker = FolderTracker(self.library.setting(SETTING_SEEN + key), self.settle)
            watch = self._watches[key] = _Watch(self, folder, tracker, int(self.settle * 1000))
            watch.due.connect(self.scan)
            fresh.append(key)
        if self._watches:
            self._periodic.start()
        else:
            self._periodic.stop()
        for key in fresh:
            self.scan(key)

    def _forget(self, key: str) -> None:
        watch = self._watches.pop(key)
        watch.stop_timers()
        watch.generation += 1
        self._unnotify(watch, set(watch.dirs))
        watch.deleteLater()

    # -- looking -----------------------------------------------------------------------

    @Slot()
    def scan_all(self) -> None:
        for key in list(self._watches):
            self.scan(key)

    @Slot(str)
    def scan(self, key: str) -> None:
        """Look at a folder now on the watcher's thread (after the running look, if any)."""
        watch = self._watches.get(key)
        if watch is None or self._stopped:
            return
        if watch.busy:
            watch.again = True
            return
        watch.busy = True
        watch.stop_timers()
        job = _ScanJob(
            key,
            watch.generation,
            watch.folder.path,
            watch.tracker,
            self._stop,
            self._signals,
            self.clock,
        )
        self.pool.start(job)

    @Slot(str)
    def _on_directory_changed(self, path: str) -> None:
        key = self._dir_owner.get(path)
        watch = self._watches.get(key) if key is not None else None
        if watch is None:
            return
        if watch.busy:
            watch.again = True
        elif not watch.soon.isActive():  # a steady stream of notices still gets its looks
            watch.soon.start()

    @Slot(object)
    def _on_scanned(self, outcome: ScanOutcome) -> None:
        watch = self._watches.get(outcome.key)
        if self._stopped or watch is None or watch.generation != outcome.generation:
            return
        watch.busy = False
        watch.looked = True
        if outcome.problem != watch.problem:
            watch.problem = outcome.problem
            if outcome.problem:
                log.warning("%s", outcome.problem)
            self.problemChanged.emit(outcome.key, outcome.problem or "")
        self._notify(watch, outcome.dirs)
        if outcome.ready or outcome.skipped:
            tasks = (
                self.manager.import_files(outcome.ready, lang=watch.folder.lang)
                if outcome.ready
                else []
            )
            self.importsStarted.emit(WatchImports(watch.folder, tasks, outcome.skipped))
        # Kept after the tasks are made: a crash in between imports them again (and the
        # import finds them in the library), never loses them.
        if outcome.seen_json is not None:
            self.library.set_setting(SETTING_SEEN + outcome.key, outcome.seen_json)
        if watch.again:
            watch.again = False
            watch.soon.start()
        elif outcome.settling:
            watch.settled.start()
        self.scanned.emit(outcome.key)

    # -- change notices ----------------------------------------------------------------

    def _notify(self, watch: _Watch, dirs: list[str]) -> None:
        """Ask for change notices on the folder's directories (within the overall cap)."""
        if self._notices is None:
            return
        watched = set(self._notices.directories())
        wanted = set(dirs)
        self._unnotify(watch, {d for d in watch.dirs if d not in wanted or d not in watched})
        room = MAX_NOTIFIED_DIRS - len(self._dir_owner)
        add = [d for d in dirs if d not in watched and d not in self._dir_owner][: max(0, room)]
        if add:
            failed = set(self._notices.addPaths(add))
            for d in add:
                if d not in failed:
                    watch.dirs.add(d)
                    self._dir_owner[d] = watch.folder.key

    def _unnotify(self, watch: _Watch, dirs: set[str]) -> None:
        if not dirs or self._notices is None:
            return
        watched = set(self._notices.directories())
        drop = [d for d in dirs if d in watched]
        if drop:
            self._notices.removePaths(drop)
        for d in dirs:
            watch.dirs.discard(d)
            if self._dir_owner.get(d) == watch.folder.key:
                del self._dir_owner[d]

    # -- stopping ----------------------------------------------------------------------

    def stop(self, wait_ms: int = 10_000) -> None:
        """Stop watching: no look runs or starts after this returns."""
        if self._stopped:
            return
        self._stopped = True
        self._stop.set()
        self._periodic.stop()
        for watch in self._watches.values():
            watch.stop_timers()
        self.pool.clear()
        self.pool.waitForDone(wait_ms)
        self._dir_owner.clear()
        # Gone now, on this thread: its file descriptor and socket notifier must not be
        # closed by whichever thread would collect this watcher later.
        notices, self._notices = self._notices, None
        if notices is not None:
            notices.directoryChanged.disconnect(self._on_directory_changed)
            notices.setParent(None)
            del notices
