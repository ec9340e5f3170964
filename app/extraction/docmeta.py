"""What a document says of itself at import: title, author, its first page's size.

Runs inside a worker process, beside the probe; never fails a probe (a document whose
metadata cannot be read is imported without it).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtPdf import QPdfDocument

from app.core.docinfo import DocumentInfo, image_page_size
from app.extraction.pdfpages import OpenPdf

log = logging.getLogger(__name__)


def pdf_info(pdf: OpenPdf) -> dict[str, Any]:
    """A PDF's title, author and first page's size (points), read by PDFium, else pypdf."""
    title = author = width = height = None
    try:
        if pdf.pdfium_ok:
            field = QPdfDocument.MetaDataField
            title = pdf.doc.metaData(field.Title)
            author = pdf.doc.metaData(field.Author)
            size = pdf.doc.pagePointSize(0)
            if size.width() > 0 and size.height() > 0:
                width, height = size.width(), size.height()
        else:
            reader = pdf.pypdf_reader()
            if reader is not None:
                meta = reader.metadata or {}
                title, author = meta.get("/Title"), meta.get("/Author")
                box = reader.pages[0].mediabox
                width, height = float(box.width), float(box.height)
                if int(reader.pages[0].get("/Rotate", 0) or 0) % 180:
                    width, height = height, width
    except Exception as exc:  # noqa: BLE001 - metadata is a nicety: never fail the import
        log.debug("metadata of %s unreadable: %s", pdf.path, exc)
    return _wire(DocumentInfo.from_values(_text(title), _text(author), width, height))


def image_info(img: Any) -> dict[str, Any]:
    """An image's title and author (PNG text, TIFF/EXIF artist) and its page size from
    its pixels and resolution (none when the file gives no believable resolution)."""
    title = author = None
    size = None
    try:
        info = img.info or {}
        title = info.get("Title")
        author = info.get("Author")
        if author is None:
            author = img.getexif().get(0x013B)  # Artist
        size = image_page_size(img.size, info.get("dpi"))
    except Exception as exc:  # noqa: BLE001 - metadata is a nicety: never fail the import
        log.debug("image metadata unreadable: %s", exc)
    width, height = size if size else (None, None)
    return _wire(DocumentInfo.from_values(_text(title), _text(author), width, height))


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def _wire(info: DocumentInfo) -> dict[str, Any]:
    """The fields a probe reply carries (only those known)."""
    out: dict[str, Any] = {
        "title": info.title,
        "author": info.author,
        "page_width": info.page_width,
        "page_height": info.page_height,
    }
    return {k: v for k, v in out.items() if v is not None}
