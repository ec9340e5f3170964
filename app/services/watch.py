"""Watched folders: PDFs and images that appear in them are imported once they stop changing.

One engine for the window (Settings › Watched folders) and `folio watch DIR...`. A
folder and its subfolders are walked as an import walks them (app.services.walk:
hidden names skipped, links to folders not followed, at most MAX_DEPTH deep), always
off the GUI thread. A file is taken once its size and modification time have stayed
the same for `settle` seconds (a scanner or a download still writing it is left alone
until then), never while it is named as a partial download (`.part`, `.crdownload`…),
and never while empty (a browser's placeholder for a download under way).

What each folder held when last looked at is kept in the library's settings (a JSON
map of relative path to size and modification time), so files added while Folio was
closed are found at the next start, and a file seen before is not imported again
unless it changes. The same content under another name is recognised by the import
itself (it finds the document already in the library). A folder that vanishes or
cannot be read is one sentence (`problemChanged`), and is watched again when it is
back. What a scan costs follows the watched folders' contents, never the library's size.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QFileSystemWatcher,
    QObject,
    QRunnable,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from app.core.errors import FolioError, describe_os_error
from app.core.library import Library
from app.core.models import BackgroundTask
from app.extraction.filetype import sniff
from app.services.walk import taken_by_name, walk_folder
from app.tasks.manager import ExtractionManager

log = logging.getLogger(__name__)

#: A file is taken once its size and modification time stayed the same this long.
SETTLE_SECONDS = 2.0
#: Bursts of change notices for a folder are gathered into one look this long after.
COALESCE_MS = 300
#: Every folder is looked at this often anyway (missed notices, network disks, a folder
#: that came back).
RESCAN_MS = 30_000
#: Folders handed to the system's change notices at most (the periodic look covers more).
MAX_NOTIFIED_DIRS = 2_000
#: What browsers and download tools name a file while it is still arriving.
PARTIAL_SUFFIXES = (
    ".part",
    ".partial",
    ".crdownload",
    ".download",
    ".opdownload",
    ".filepart",
    ".tmp",
    ".temp",
    ".!ut",
    ".!qb",
    ".aria2",
)
#: Library setting: the watched folders, a JSON list of {"path", "lang"}.
SETTING_FOLDERS = "watch.folders"
#: Library setting prefix (then the folder's path): what that folder held when last seen.
SETTING_SEEN = "watch.seen:"

#: A file's size in bytes and modification time in nanoseconds.
Stamp = tuple[int, int]


def is_partial(name: str) -> bool:
    """A name that says the file is still arriving (or is an editor's lock file)."""
    lower = name.lower()
    return lower.endswith(PARTIAL_SUFFIXES) or lower.startswith(("~$", ".~lock"))


@dataclass(frozen=True, slots=True)
class WatchedFolder:
    """A folder to watch and the OCR languages its documents are read in (None: Settings')."""

    path: Path
    lang: str | None = None

    @property
    def key(self) -> str:
        return str(self.path)

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "lang": self.lang}

    @classmethod
    def from_json(cls, data: Any) -> WatchedFolder | None:
        if not isinstance(data, dict) or not isinstance(data.get("path"), str):
            return None
        lang = data.get("lang")
        return cls(Path(data["path"]), lang if isinstance(lang, str) and lang else None)


def load_watched(library: Library) -> list[WatchedFolder]:
    """The watched folders kept in the library's settings (none when unreadable)."""
    try:
        items = json.loads(library.setting(SETTING_FOLDERS, "[]") or "[]")
    except ValueError:
        log.warning("the watched folders setting is not JSON; watching none")
        return []
    if not isinstance(items, list):
        return []
    return [f for item in items if (f := WatchedFolder.from_json(item)) is not None]


def save_watched(library: Library, folders: list[WatchedFolder]) -> None:
    library.set_setting(SETTING_FOLDERS, json.dumps([f.to_json() for f in folders]))


def overlaps_library(folder: Path, library_folder: Path) -> str | None:
    """Why `folder` cannot be watched with this library (it is the library, lies inside
    it, or would walk into it), or None."""
    folder, library = folder.absolute(), library_folder.absolute()
    if folder == library or library in folder.parents:
        return f"{folder} lies inside Folio's own library; choose another folder."
    if folder in library.parents:
        inner = library.relative_to(folder).parts
        if not any(part.startswith(".") for part in inner):  # hidden folders are not walked
            return f"{folder} holds Folio's own library; choose another folder."
    return None


def gone_sentence(folder: Path) -> str:
    return (
        f"The watched folder {folder} is gone (moved, deleted or its disk removed); "
        "Folio watches it again when it is back."
    )


# -- looking at a folder (off the GUI thread) ---------------------------------------------


@dataclass(slots=True)
class TreeScan:
    """What a folder holds now: each file's stamp and whether it is a regular file."""

    files: dict[str, tuple[Stamp, bool]] = field(default_factory=dict)
    #: The folder and its subfolders, for the system's change notices.
    dirs: list[str] = field(default_factory=list)
    #: Why the folder cannot be watched now (gone, unreadable), or None.
    problem: str | None = None


def scan_tree(top: Path, stop: threading.Event | None = None) -> TreeScan:
    """Stat every file under `top` as an import walks it; never reads a file."""
    scan = TreeScan()
    try:
        info = os.stat(top)
    except FileNotFoundError:
        scan.problem = gone_sentence(top)
        return scan
    except OSError as exc:
        scan.problem = describe_os_error(exc, str(top), "read the watched folder")
        return scan
    if not stat.S_ISDIR(info.st_mode):
        scan.problem = gone_sentence(top)
        return scan
    skipped: dict[Path, str] = {}
    dirs: set[Path] = {top}
    for path, regular in walk_folder(top, skipped):
        if stop is not None and stop.is_set():
            break
        try:
            st = os.stat(path)
        except OSError:
            continue  # gone since it was listed
        scan.files[path.relative_to(top).as_posix()] = ((st.st_size, st.st_mtime_ns), regular)
        dirs.add(path.parent)
    if top in skipped:
        scan.problem = skipped[top]
    for folder, sentence in skipped.items():
        if folder != top:
            log.info("watched folder %s: %s", top, sentence)
    scan.dirs = sorted(str(d) for d in dirs)
    return scan


class FolderTracker:
    """What one watched folder held when last seen, and the files still settling.

    Used by one scan at a time (the watcher never runs two for a folder at once).
    """

    def __init__(self, seen_text: str | None, settle: float = SETTLE_SECONDS) -> None:
        self.settle = settle
        self._seen_text = seen_text
        self._seen: dict[str, Stamp] | None = None
        #: Files not yet taken: the stamp they had and since when (monotonic seconds).
        self.pending: dict[str, tuple[Stamp, float]] = {}

    @property
    def seen(self) -> dict[str, Stamp]:
        """Parsed on first use (on the scanning thread: a large folder's map is not free)."""
        if self._seen is None:
            self._seen = {}
            try:
                data = json.loads(self._seen_text or "{}")
            except ValueError:
                data = {}
            for rel, stamp in (data.get("files") or {}).items() if isinstance(data, dict) else ():
                if isinstance(stamp, list) and len(stamp) == 2:
                    self._seen[str(rel)] = (int(stamp[0]), int(stamp[1]))
            self._seen_text = None
        return self._seen

    def seen_json(self) -> str:
        return json.dumps({"version": 1, "files": {r: list(s) for r, s in self.seen.items()}})

    def step(self, scan: TreeScan, now: float) -> tuple[list[str], bool, bool]:
        """The files ready to take now, whether others are still settling, and whether
        `seen` changed (files that went away are forgotten)."""
        seen = self.seen
        present = scan.files
        ready: list[str] = []
        settling = False
        for rel, (stamp, regular) in present.items():
            if not regular or seen.get(rel) == stamp:
                self.pending.pop(rel, None)
                continue
            if stamp[0] == 0 or is_partial(rel.rpartition("/")[2]):
                self.pending.pop(rel, None)  # nothing in it yet, or still arriving
                continue
            before = self.pending.get(rel)
            if before is None or before[0] != stamp:
                self.pending[rel] = (stamp, now)
                settling = True
            elif now - before[1] < self.settle:
                settling = True
            else:
                del self.pending[rel]
                ready.append(rel)
        for rel in [r for r in self.pending if r not in present]:
            del self.pending[rel]
        gone = [r for r in seen if r not in present]
        for rel in gone:
            del seen[rel]
        return ready, settling, bool(gone)


@dataclass(slots=True)
class ScanOutcome:
    """One look at one folder, for the GUI thread."""

    key: str
    generation: int
    #: Files to import now (complete, supported).
    ready: list[Path] = field(default_factory=list)
    #: A sentence per complete file that is not a PDF or an image.
    skipped: list[str] = field(default_factory=list)
    problem: str | None = None
    dirs: list[str] = field(default_factory=list)
    #: Files are still settling: look again in `settle` seconds.
    settling: bool = False
    #: The folder's new "seen" map to keep, when it changed.
    seen_json: str | None = None


def look(
    folder: Path,
    tracker: FolderTracker,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[list[Path], list[str], TreeScan, bool, bool]:
    """Scan `folder`, decide what is ready, check it is a document; mark it seen."""
    scan = scan_tree(folder, stop)
    if scan.problem is not None:
        return [], [], scan, False, False
    ready_rel, settling, changed = tracker.step(scan, clock())
    ready: list[Path] = []
    skipped: list[str] = []
    for rel in sorted(ready_rel):
        path = folder / rel
        stamp, regular = scan.files[rel]
        if not taken_by_name(path, regular):
            try:
                sniff(path)
            except FolioError as exc:
                skipped.append(exc.message)
                tracker.seen[rel] = stamp
                changed = True
                continue
        ready.append(path)
        tracker.seen[rel] = stamp
        changed = True
    return ready, skipped, scan, settling, changed


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
