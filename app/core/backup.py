"""Copies of the library database, made with SQLite's backup API, and restoring one."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.core.errors import FolioError
from app.core.privacy import private_file, private_folder

log = logging.getLogger(__name__)

BACKUP_DIR = "backups"
KEEP = 5
#: Above this size a library is backed up weekly and keeps fewer copies.
LARGE = 1024**3
DAY = timedelta(days=1)
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    made_at: datetime
    reason: str

    @property
    def label(self) -> str:
        local = self.made_at.astimezone()
        return f"{local:%Y-%m-%d %H:%M} ({self.reason})"


def backups(folder: Path) -> list[Backup]:
    """The library's backups, newest first."""
    found: list[Backup] = []
    for path in (folder / BACKUP_DIR).glob("library-*.sqlite3"):
        parts = path.stem.split("-", 2)
        try:
            made = datetime.strptime(parts[1], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        except (IndexError, ValueError):
            continue
        found.append(Backup(path, made, parts[2] if len(parts) > 2 else "manual"))
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def database_size(db_path: Path) -> int:
    """The database with its write-ahead log, in bytes."""
    total = 0
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def copies_to_keep(db_path: Path) -> int:
    return KEEP if database_size(db_path) < LARGE else 2


def backup_due(db_path: Path, now: datetime) -> bool:
    """A scheduled backup is due: the library changed since the newest copy, and that
    copy is older than a day (a week for a library over 1 GiB, whose copy costs minutes
    of disk time and gigabytes of space)."""
    latest = backups(db_path.parent)
    if not latest:
        return True
    newest = latest[0].made_at
    every = WEEK if database_size(db_path) >= LARGE else DAY
    if now - newest < every:
        return False
    changed = 0.0
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        with contextlib.suppress(OSError):
            changed = max(changed, path.stat().st_mtime)
    return datetime.fromtimestamp(changed, UTC) > newest


def make_backup(db_path: Path, reason: str, keep: int | None = None) -> Path:
    """Copy a live database consistently (WAL included) next to it; keep the newest few.

    Opens its own connections, so it may run on any thread.
    """
    folder = db_path.parent / BACKUP_DIR
    private_folder(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"library-{stamp}-{reason}.sqlite3"
    tmp = target.with_suffix(".partial")
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    private_file(tmp)
    dst = sqlite3.connect(tmp)
    try:
        # One step: a stepwise copy starts again from scratch whenever the app writes
        # meanwhile, and would never end while pages are being read.
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    tmp.replace(target)
    for old in backups(db_path.parent)[keep if keep is not None else copies_to_keep(db_path) :]:
        old.path.unlink(missing_ok=True)
    log.info("backed up %s to %s", db_path, target)
    return target


def check_database(path: Path) -> str | None:
    """None when the database reads cleanly, else what is wrong."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            result = db.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if result == "ok" else str(result)


def restore_backup(db_path: Path, backup: Path) -> Path:
    """Replace the library database with a backup; the current one is kept aside.

    The caller holds the library's writer lock and has no connection open.
    """
    problem = check_database(backup)
    if problem is not None:
        raise FolioError(f"The backup {backup} is damaged too ({problem}); choose another one.")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
    if db_path.exists():
        db_path.replace(aside)
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            side.replace(aside.with_name(aside.name + suffix))
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    private_file(db_path)
    dst = sqlite3.connect(db_path)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return aside
