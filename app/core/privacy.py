"""Keeping a library private: folders 0700, files 0600, stored originals 0400."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
STORED_MODE = 0o400


def private_folder(path: Path) -> None:
    """Create `path` (and parents) if needed; make it readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, FOLDER_MODE)


def private_file(path: Path) -> None:
    """Create an empty file only its owner can read, unless it exists (then make it so)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.chmod(path, FILE_MODE)
    else:
        os.close(fd)


def repair(folder: Path, names: list[str], store_root: Path, backups: Path) -> int:
    """Take group and other access away from what Folio keeps in a library folder.

    For libraries made before Folio kept them private; returns how many entries
    changed. Only Folio's own entries are touched (the files named, the store and the
    backups), never anything else a person keeps in that folder.
    """
    changed = _chmod(folder, FOLDER_MODE)
    for name in names:
        changed += _chmod(folder / name, FILE_MODE)
    for tree, file_mode in ((store_root, STORED_MODE), (backups, FILE_MODE)):
        if not tree.is_dir():
            continue
        changed += _chmod(tree, FOLDER_MODE)
        for root, dirs, files in os.walk(tree):
            for name in dirs:
                changed += _chmod(Path(root) / name, FOLDER_MODE)
            for name in files:
                changed += _chmod(Path(root) / name, file_mode)
    if changed:
        log.info("made %d entries of the library %s private", changed, folder)
    return changed


def is_private(path: Path) -> bool:
    try:
        return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    except OSError:
        return True


def _chmod(path: Path, mode: int) -> int:
    try:
        st = path.lstat()
    except OSError:
        return 0
    if stat.S_ISLNK(st.st_mode) or stat.S_IMODE(st.st_mode) == mode:
        return 0
    if stat.S_ISREG(st.st_mode) and mode == STORED_MODE and stat.S_IMODE(st.st_mode) & 0o077 == 0:
        return 0  # already private (e.g. a temporary copy still being written)
    with contextlib.suppress(OSError):
        os.chmod(path, mode)
        return 1
    return 0
