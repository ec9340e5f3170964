"""Which files an import of some files and folders means: one rule for every front-end.

In a folder (and its subfolders, hidden ones skipped), a file is taken when its name
says PDF or image, or else when its content is one (a scan named `.dat` is still a
PDF); anything else is left out as unsupported. Files named one by one are taken as
they are (the import then says what is wrong with one), or, with `check_named`,
checked by content first (the window's drop does this, to say at once what it
cannot take).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import FolioError
from app.extraction.filetype import KNOWN_EXTENSIONS, sniff


@dataclass(slots=True)
class Collected:
    """What some paths amount to: files to import, and what was left out and why."""

    files: list[Path] = field(default_factory=list)
    #: Files that are not PDFs or images, with the sentence saying so.
    unsupported: list[Path] = field(default_factory=list)
    reasons: dict[Path, str] = field(default_factory=dict)
    missing: list[Path] = field(default_factory=list)

    def notes(self) -> list[str]:
        """One line per file left out, for a terminal."""
        lines = [f"skipped {p}: not a PDF or a supported image" for p in self.unsupported]
        return lines + [f"{p} does not exist; check the path." for p in self.missing]


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

    def left_out(path: Path, reason: str) -> None:
        out.unsupported.append(path)
        out.reasons[path] = reason

    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    file = Path(root) / name
                    if file.suffix.lower() in KNOWN_EXTENSIONS:
                        add(file)
                        continue
                    try:
                        sniff(file)
                    except FolioError as exc:
                        left_out(file, exc.message)
                    else:
                        add(file)
        elif not check_named:
            add(path)  # taken as named: the import says what is wrong with it, if anything
        elif not path.exists():
            out.missing.append(path)
        else:
            try:
                sniff(path)
            except FolioError as exc:
                left_out(path, exc.message)
            else:
                add(path)
    return out
