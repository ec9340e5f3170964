"""Errors that carry one sentence a person can act on."""

from __future__ import annotations


class FolioError(Exception):
    """An error whose message is a complete sentence for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class LibraryLockedError(FolioError):
    """Another Folio process already writes to this library."""


class CorruptLibraryError(FolioError):
    """The library database is damaged; a backup may be restored."""


def describe_os_error(exc: OSError, path: str, doing: str) -> str:
    """Turn an OSError into a sentence that names the file and what to do."""
    import errno

    code = exc.errno
    if code == errno.ENOENT:
        return f"{path} does not exist (it may have been moved or deleted); check the path."
    if code in (errno.EACCES, errno.EPERM):
        return f"Folio may not {doing} {path}; check its permissions."
    if code == errno.ENOSPC:
        return f"The disk is full while {doing} {path}; free some space and retry."
    if code == errno.EISDIR:
        return f"{path} is a folder, not a file; choose the files inside it."
    if code == errno.EROFS:
        return f"{path} is on a read-only disk; choose a writable library folder."
    return f"Could not {doing} {path} ({exc.strerror or exc}); check the file and retry."
