"""Passwords of locked documents, kept in this process's memory only, never on disk.

The window or a command puts a password here once it is known to open a document; the
jobs that read the document take it from here. Nothing here is written to the library,
a task's payload or a log: after Folio quits, a locked document's pages (already read
into the library) stay searchable, and drawing its page images asks for it again.
"""

from __future__ import annotations

import threading
from pathlib import Path


class PasswordStore:
    """Passwords by document: the stored copy's SHA-256, or a file being imported.

    Thread-safe: jobs read it (and an import remembers what opened its file) on pool
    threads while the GUI thread adds to it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sha: dict[str, str] = {}
        self._by_path: dict[str, str] = {}

    def __repr__(self) -> str:  # never the passwords themselves
        with self._lock:
            return f"<PasswordStore: {len(self._by_sha)} documents, {len(self._by_path)} files>"

    def remember(self, sha256: str, password: str) -> None:
        """`password` opens the document whose content has this SHA-256."""
        with self._lock:
            self._by_sha[sha256] = password

    def get(self, sha256: str) -> str | None:
        with self._lock:
            return self._by_sha.get(sha256)

    def for_stored(self, path: Path) -> str | None:
        """The password of a stored copy (the library names each by its SHA-256)."""
        return self.get(path.name)

    def remember_file(self, path: Path | str, password: str) -> None:
        """`password` is to be tried on the file at `path` when it is imported."""
        with self._lock:
            self._by_path[str(Path(path).absolute())] = password

    def for_file(self, path: Path | str) -> str | None:
        with self._lock:
            return self._by_path.get(str(Path(path).absolute()))

    def forget(self, sha256: str | None = None, path: Path | str | None = None) -> None:
        """Drop what was kept for a document or a file (it did not open it after all)."""
        with self._lock:
            if sha256 is not None:
                self._by_sha.pop(sha256, None)
            if path is not None:
                self._by_path.pop(str(Path(path).absolute()), None)

    def clear(self) -> None:
        with self._lock:
            self._by_sha.clear()
            self._by_path.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_sha) + len(self._by_path)
