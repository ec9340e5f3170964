"""Tell a file's type by its content, never by its name."""

from __future__ import annotations

import enum
import os
import stat
from pathlib import Path

from app.core.errors import FolioError, describe_os_error
from app.core.limits import MAX_FILE_BYTES, NO_WAIT_READ

__all__ = [
    "KNOWN_EXTENSIONS",
    "MAX_FILE_BYTES",
    "SUPPORTED_DESCRIPTION",
    "FileKind",
    "check_readable",
    "sniff",
    "sniff_bytes",
]


class FileKind(enum.StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"
    BMP = "bmp"
    GIF = "gif"
    WEBP = "webp"

    @property
    def is_image(self) -> bool:
        return self is not FileKind.PDF


SUPPORTED_DESCRIPTION = "a PDF or an image (PNG, JPEG, TIFF, BMP, GIF, WebP)"
#: Extensions used only to pick candidate files when walking folders; the
#: content still decides.
KNOWN_EXTENSIONS = frozenset(
    {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
)

# A PDF header may follow some junk; readers accept it within the first KiB.
_PDF_WINDOW = 1024

# Opening never waits: a named pipe swapped in after the check cannot hang the reader.
_OPEN_FLAGS = NO_WAIT_READ

_NOT_FILES = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a disk device"),
)


def sniff_bytes(head: bytes) -> FileKind | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return FileKind.TIFF
    if head.startswith((b"GIF87a", b"GIF89a")):
        return FileKind.GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return FileKind.WEBP
    if head.startswith(b"BM") and len(head) >= 26:
        return FileKind.BMP
    if b"%PDF-" in head[:_PDF_WINDOW]:
        return FileKind.PDF
    return None


def sniff(path: Path) -> FileKind:
    """The kind of `path`, or a FolioError that says why it cannot be read.

    Only regular files up to MAX_FILE_BYTES are read; a pipe, socket or device is
    refused without being opened, and the open itself never blocks.
    """
    try:
        check_readable(path, os.stat(path))
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise FolioError(describe_os_error(exc, str(path), "read")) from exc
    try:
        check_readable(path, os.fstat(fd))  # the same file as checked, or refused
        head = _read_head(fd)
    except OSError as exc:
        raise FolioError(describe_os_error(exc, str(path), "read")) from exc
    finally:
        os.close(fd)
    if not head:
        raise FolioError(f"{path} is empty (0 bytes); check that it was saved completely.")
    kind = sniff_bytes(head)
    if kind is None:
        if path.suffix.lower() in KNOWN_EXTENSIONS:
            # Named like one: telling the user to convert a ".pdf" to PDF would not help.
            raise FolioError(
                f"{path} is not {SUPPORTED_DESCRIPTION} inside, whatever its name says: it is"
                " damaged or another kind of file; save it again from the program that made it."
            )
        raise FolioError(f"{path} is not {SUPPORTED_DESCRIPTION}; convert it to PDF to import it.")
    return kind


def check_readable(path: Path, st: os.stat_result) -> None:
    """Refuse, with a sentence, what is not a regular file or is larger than Folio reads."""
    if stat.S_ISDIR(st.st_mode):
        raise FolioError(f"{path} is a folder; import the files inside it instead.")
    if not stat.S_ISREG(st.st_mode):
        what = next((name for test, name in _NOT_FILES if test(st.st_mode)), "a special file")
        raise FolioError(
            f"{path} is {what}, not a document file; save its content to a file and import that."
        )
    if st.st_size > MAX_FILE_BYTES:
        raise FolioError(
            f"{path} is larger than {_size(MAX_FILE_BYTES)}, the most Folio reads;"
            " split it into smaller documents and import those."
        )


def _read_head(fd: int) -> bytes:
    chunks: list[bytes] = []
    left = _PDF_WINDOW
    while left > 0:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"
