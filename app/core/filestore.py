"""Content-addressed file store: every imported file kept once, under its SHA-256."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.core.errors import FolioError, describe_os_error
from app.core.limits import MAX_FILE_BYTES, NO_WAIT_READ
from app.core.privacy import STORED_MODE, private_folder

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
TEMP_PREFIX = ".incoming-"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEX_PREFIX = re.compile(r"[0-9a-f]{2}")


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    path: Path
    size: int
    existed: bool


class FileStore:
    """Files under `root/ab/abcdef…`; the original is only ever read."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def add(
        self,
        source: Path,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> StoredFile:
        """Copy `source` into the store, hashing as it goes.

        The copy goes to a temporary file that is fsynced and then renamed to its
        hash, so a crash leaves either nothing or a whole file (and a stray
        temporary file that the startup sweep removes).
        """
        private_folder(self.root)
        digest = hashlib.sha256()
        src, at_open = _open_document(source)
        try:
            total = at_open.st_size
            try:
                fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.root)
            except OSError as exc:
                raise FolioError(
                    describe_os_error(exc, str(self.root), "write to the library folder")
                ) from exc
            tmp = Path(tmp_name)
            size = 0
            try:
                with os.fdopen(fd, "wb") as out:
                    while chunk := src.read(CHUNK):
                        if cancelled is not None and cancelled():
                            raise FolioError(f"Import of {source} was cancelled.")
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                        if progress is not None:
                            progress(size, max(total, size))
                    out.flush()
                    os.fsync(out.fileno())
                now = os.stat(source)
                if (now.st_size, now.st_mtime_ns) != (at_open.st_size, at_open.st_mtime_ns) or (
                    size != at_open.st_size
                ):
                    raise FolioError(
                        f"{source} changed while Folio was copying it; "
                        "wait until it is fully written, then import it again."
                    )
                sha = digest.hexdigest()
                final = self.path_for(sha)
                existed = final.exists()
                if existed:
                    tmp.unlink()
                else:
                    private_folder(final.parent)
                    os.replace(tmp, final)
                    os.chmod(final, STORED_MODE)
                    _fsync_dir(final.parent)
                return StoredFile(sha, final, size, existed)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                raise FolioError(
                    describe_os_error(exc, str(source), "copy into the library")
                ) from exc
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        finally:
            src.close()

    def remove(self, sha256: str) -> None:
        path = self.path_for(sha256)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def sweep(self, keep: Iterable[str]) -> list[Path]:
        """Remove store files that no source names, and stray temporary files.

        Only names the store itself creates are touched (`ab/<64 hex digits>` and its
        temporary files); anything else in the folder is left alone. One directory
        listing per subfolder, no stat per file: cheap for tens of thousands of files.
        """
        wanted = set(keep)
        removed: list[Path] = []
        try:
            folders = [e for e in os.scandir(self.root) if _is_dir(e)]
        except OSError:
            return removed
        for entry in os.scandir(self.root):
            if entry.name.startswith(TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
                removed.append(Path(entry.path))
        for folder in folders:
            if not _HEX_PREFIX.fullmatch(folder.name):
                continue
            try:
                entries = list(os.scandir(folder.path))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                ours = name.startswith(TEMP_PREFIX) or (
                    _SHA256.fullmatch(name) is not None and name.startswith(folder.name)
                )
                if ours and name not in wanted and entry.is_file(follow_symlinks=False):
                    removed.append(Path(entry.path))
        for path in removed:
            with contextlib.suppress(OSError):
                path.unlink()
        if removed:
            log.info("startup sweep removed %d unreferenced store file(s)", len(removed))
        return removed


def _open_document(source: Path) -> tuple[BinaryIO, os.stat_result]:
    """`source` open for reading, and its status, if it is still a document file.

    The import checked it before, but it may have been replaced since: the open never
    waits (a named pipe would block it for ever), and what was opened is checked again.
    """
    try:
        fd = os.open(source, NO_WAIT_READ)
    except OSError as exc:
        raise FolioError(describe_os_error(exc, str(source), "read")) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FolioError(
                f"{source} changed into something that is not a document file while it was"
                " imported; import it again."
            )
        if st.st_size > MAX_FILE_BYTES:
            raise FolioError(
                f"{source} is larger than {MAX_FILE_BYTES // 1024**3} GiB, the most Folio reads;"
                " split it into smaller documents and import those."
            )
        return os.fdopen(fd, "rb"), st
    except OSError as exc:
        os.close(fd)
        raise FolioError(describe_os_error(exc, str(source), "read")) from exc
    except BaseException:
        os.close(fd)
        raise


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
