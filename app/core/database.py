"""The library's database connection: opening, migrating, locking, transactions, settings."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Self

from app.core.backup import BACKUP_DIR
from app.core.checkpoint import WalCheckpointer
from app.core.errors import (
    CorruptLibraryError,
    FolioError,
    LibraryLockedError,
    describe_os_error,
)
from app.core.filestore import FileStore
from app.core.privacy import is_private, private_file, private_folder, repair
from app.core.schema import MIGRATIONS, SCHEMA_VERSION, split_sql

log = logging.getLogger(__name__)

DB_NAME = "library.sqlite3"
LOCK_NAME = "library.lock"
MAX_INTERRUPTED_ATTEMPTS = 3


def _use_wal(db: sqlite3.Connection, patience: float = 30.0) -> None:
    """Switch to write-ahead logging, waiting while other Folios open the same new file.

    SQLite answers "database is locked" at once, without its busy wait, when another
    connection holds the file as the journal mode changes (several Folios opening a new
    library at the same moment); that is a wait, never a damaged library.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class LibraryDatabase:
    """One library folder: `library.sqlite3` and the file store `files/`.

    One connection, used from the thread that opened it (the GUI thread in the
    app); a lock serialises the rare use from elsewhere.
    """

    def __init__(self, folder: Path, *, readonly: bool = False) -> None:
        self.folder = folder
        self.readonly = readonly
        self.store = FileStore(folder / "files")
        self._lock = threading.RLock()
        self._lock_fd: int | None = None
        self._checkpointer: WalCheckpointer | None = None
        older = False
        _refuse_foreign_folder(folder)
        try:
            if readonly:
                folder.mkdir(parents=True, exist_ok=True)
            else:
                # A folder others can open was made by an older Folio: repaired below.
                older = (folder / DB_NAME).exists() and not is_private(folder)
                private_folder(folder)
                private_file(folder / DB_NAME)  # SQLite gives its WAL the same mode
        except OSError as exc:
            raise FolioError(
                describe_os_error(exc, str(folder), "create the library folder")
            ) from exc
        if older:
            own = [DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", LOCK_NAME]
            repair(folder, own, self.store.root, folder / BACKUP_DIR)
        self.db_path = folder / DB_NAME
        try:
            self._db = sqlite3.connect(
                self.db_path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA foreign_keys = ON")
            # Reading the header and schema finds a file that is not a database at all.
            self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            if not readonly:
                _use_wal(self._db)
                # WAL + NORMAL: a committed transaction survives a crash of the app
                # (the WAL is on disk); only a power cut may lose the last commits.
                self._db.execute("PRAGMA synchronous = NORMAL")
                # Checkpoints run on a thread of their own, not inside our commits.
                self._db.execute("PRAGMA wal_autocheckpoint = 0")
            self._migrate()
            if not readonly:
                self._checkpointer = WalCheckpointer(self.db_path)
                self._checkpointer.start()
        except sqlite3.DatabaseError as exc:
            raise CorruptLibraryError(
                f"The library database {self.db_path} cannot be read ({exc}); "
                "restore a backup with `folio restore` or choose another library folder."
            ) from exc

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        with self._lock:
            self._db.close()
        self.release_writer_lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def acquire_writer_lock(self) -> None:
        """Become the only process that runs this library's tasks, or raise."""
        if self._lock_fd is not None:
            return
        path = self.folder / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _flock(fd)
        except OSError as exc:
            os.close(fd)
            raise LibraryLockedError(
                f"Another Folio is already working on the library {self.folder}; "
                "use that window, or close it first."
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def release_writer_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise FolioError(
                f"The library {self.folder} was written by a newer Folio (schema {version}); "
                "update Folio to open it."
            )
        if version == SCHEMA_VERSION:
            return
        if self.readonly:
            raise FolioError(f"The library {self.folder} needs an upgrade; open it in Folio first.")
        if version > 0:
            from app.core.backup import make_backup

            make_backup(self.db_path, f"before-schema-{version + 1}")
        for index in range(version, SCHEMA_VERSION):
            with self.transaction() as db:
                # Another Folio starting at the same moment may have migrated meanwhile.
                if db.execute("PRAGMA user_version").fetchone()[0] > index:
                    continue
                log.info("migrating library schema %d -> %d", index, index + 1)
                for statement in split_sql(MIGRATIONS[index]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {index + 1}")

    def backup(self, reason: str = "scheduled") -> Path:
        """A consistent copy of the database in `backups/` (SQLite's backup API)."""
        from app.core.backup import make_backup

        return make_backup(self.db_path, reason)

    def integrity_check(self) -> str:
        return str(self._query("PRAGMA integrity_check")[0][0])

    # -- settings --------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _valid_id(value: int) -> bool:
    """Ids are positive SQLite integers; anything else names no row."""
    return 0 < value < 2**63


def _flock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


#: The names Folio itself keeps in a library folder.
OWN_NAMES = frozenset(
    {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", LOCK_NAME, "files", BACKUP_DIR, "api-url"}
)


def _refuse_foreign_folder(folder: Path) -> None:
    """A folder that holds other things and no library is not adopted (nor changed)."""
    try:
        names = {entry.name for entry in os.scandir(folder)}
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FolioError(describe_os_error(exc, str(folder), "open the library folder")) from exc
    foreign = sorted(n for n in names - OWN_NAMES if not n.startswith(f"{DB_NAME}."))
    if foreign and DB_NAME not in names:
        raise FolioError(
            f"The folder {folder} is not a Folio library and holds other files "
            f"(such as {foreign[0]}); choose an empty folder or an existing library."
        )


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold a library folder's writer lock while no Library is open (e.g. to restore it)."""
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            _flock(fd)
        except OSError as exc:
            raise LibraryLockedError(
                f"Another Folio is using the library {folder}; quit it, then try again."
            ) from exc
        yield
    finally:
        os.close(fd)
