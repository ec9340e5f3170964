"""Tell a file's type by its content, never by its name."""

from __future__ import annotations

import enum
from pathlib import Path

from app.core.errors import FolioError, describe_os_error


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
    """The kind of `path`, or a FolioError that says why it cannot be read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_PDF_WINDOW)
    except IsADirectoryError as exc:
        raise FolioError(f"{path} is a folder; import the files inside it instead.") from exc
    except OSError as exc:
        raise FolioError(describe_os_error(exc, str(path), "read")) from exc
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
