"""Watched folders, what they hold and when a file in them is ready to import (no Qt).

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

from app.core.errors import FolioError, describe_os_error
from app.core.library import Library
from app.extraction.filetype import sniff
from app.services.walk import taken_by_name, walk_folder

log = logging.getLogger(__name__)

#: A file is taken once its size and modification time stayed the same this long.
SETTLE_SECONDS = 2.0
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
