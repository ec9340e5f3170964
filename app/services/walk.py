"""Which files an import of some files and folders means: one rule for every front-end.

In a folder (and its subfolders, hidden ones skipped), a file is taken when its name
says PDF or image, or else when its content is one (a scan named `.dat` is still a
PDF); anything else is left out as unsupported. Files named one by one are taken as
they are (the import then says what is wrong with one), or, with `check_named`,
checked by content first (the window's drop does this, to say at once what it
cannot take).

Only regular files are taken: a named pipe, socket or device is left out with a
sentence (reading one could wait forever). Folders are walked without recursion, at
most MAX_DEPTH levels deep; a deeper folder, or one that cannot be read, is left out
with a sentence naming it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import FolioError, describe_os_error
from app.extraction.filetype import KNOWN_EXTENSIONS, sniff

#: How many folders deep a walk goes below the folder given.
MAX_DEPTH = 64


@dataclass(slots=True)
class Collected:
    """What some paths amount to: files to import, and what was left out and why."""

    files: list[Path] = field(default_factory=list)
    #: Files that are not PDFs or images (or not files at all), with the sentence saying so.
    unsupported: list[Path] = field(default_factory=list)
    reasons: dict[Path, str] = field(default_factory=dict)
    missing: list[Path] = field(default_factory=list)
    #: Of `unsupported`, the entries that are not regular files (pipes, sockets, devices).
    not_files: list[Path] = field(default_factory=list)
    #: Folders not walked (too deep, unreadable), with the sentence saying so.
    folders: dict[Path, str] = field(default_factory=dict)

    def notes(self) -> list[str]:
        """One line per file or folder left out, for a terminal."""
        special = set(self.not_files)
        lines = [
            self.reasons[p] if p in special else f"skipped {p}: not a PDF or a supported image"
            for p in self.unsupported
        ]
        lines += [f"{p} does not exist; check the path." for p in self.missing]
        return lines + list(self.folders.values())


def collect_files(paths: Iterable[Path], *, check_named: bool = False) -> Collected:
    """The files to import from `paths` (folders walked recursively, in name order).

    Reads the start of files whose name says nothing: call it off the GUI thread.
    """
    out = Collected()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        if path not in seen:
            seen.add(path)
            out.files.append(path)

    def check(path: Path, *, regular: bool = True) -> None:
        try:
            sniff(path)
        except FolioError as exc:
            out.unsupported.append(path)
            out.reasons[path] = exc.message
            if not regular:
                out.not_files.append(path)
        else:
            add(path)

    for path in paths:
        if path.is_dir():
            for file, regular in _walk(path, out.folders):
                if taken_by_name(file, regular):
                    add(file)
                else:  # read by content; a pipe, device or dangling link is refused unread
                    check(file, regular=regular)
        elif not check_named:
            add(path)  # taken as named: the import says what is wrong with it, if anything
        elif not path.exists():
            out.missing.append(path)
        else:
            check(path)
    return out


def walk_folder(top: Path, skipped: dict[Path, str]) -> Iterable[tuple[Path, bool]]:
    """The files under `top` as an import walks them (see `_walk`): for watched folders."""
    return _walk(top, skipped)


def taken_by_name(path: Path, regular: bool) -> bool:
    """A file an import takes without reading it: a regular file named as a document."""
    return regular and path.suffix.lower() in KNOWN_EXTENSIONS


def _walk(top: Path, skipped: dict[Path, str]) -> Iterable[tuple[Path, bool]]:
    """Each non-hidden entry that is not a folder under `top`, and whether it is a regular file.

    Depth first in name order (a folder's files, then its subfolders), like os.walk
    but iterative. Links to folders are not followed; folders too deep or unreadable
    are recorded in `skipped` with a sentence.
    """
    stack: list[tuple[Path, int]] = [(top, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped[folder] = describe_os_error(exc, str(folder), "read the folder")
            continue
        subfolders: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            if _is_dir(entry):
                if not entry.is_symlink():
                    subfolders.append(path)
                continue
            yield path, _is_file(entry)
        if subfolders and depth >= MAX_DEPTH:
            skipped[subfolders[0]] = (
                f"Skipped the folder {subfolders[0]}"
                + (f" and {len(subfolders) - 1} beside it" if len(subfolders) > 1 else "")
                + f": it lies more than {MAX_DEPTH} folders deep inside {top};"
                " move it higher up to import what it holds."
            )
            continue
        stack.extend((sub, depth + 1) for sub in reversed(subfolders))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False
