"""A PDF opened once for many pages: its real page count, bounded text, pages drawn for OCR.

PDFium reads first, pypdf when PDFium cannot help. Runs inside a worker process.
"""

from __future__ import annotations

import errno
import logging
import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument

from app.core.errors import FolioError
from app.extraction.textquality import bounded_normalise, has_real_words

log = logging.getLogger(__name__)

#: Pages Folio reads of one document; a longer one is read up to here, with a note.
MAX_PAGES = 10_000
#: Page-tree nodes visited to count pages (pages plus the nodes that group them).
MAX_TREE_NODES = 4 * MAX_PAGES
#: Decoded content read from one page for its text layer. PDFium keeps ~110 bytes per
#: character of a page's text (20 MB of text took 2.2 GB), so a page whose drawing
#: instructions are larger is read from a copy cut at this size.
MAX_CONTENT_BYTES = 2_000_000
#: When the page tree cannot be walked, a file is taken to hold at most one page per
#: this many bytes (a page object alone takes more), so a tiny file cannot claim millions.
MIN_BYTES_PER_PAGE = 16
#: Files up to this size whose end is missing are read again with an end added.
MAX_REPAIR_BYTES = 64 * 1024 * 1024

OCR_DPI = 300
#: Largest raster handed to Tesseract (pixels); bigger pages are rendered at a lower dpi.
MAX_RENDER_PIXELS = 80_000_000
#: Longest side handed to Tesseract (it refuses images above 32,767 pixels a side).
MAX_OCR_SIDE = 30_000
#: A page that fits the limits only below this resolution is not a real page.
MIN_OCR_DPI = 10.0


def fit(width: float, height: float, max_side: int, max_pixels: int) -> tuple[int, int]:
    """`width` × `height` scaled down (never up) so both sides and the area fit."""
    scale = min(1.0, max_side / width, max_side / height, math.sqrt(max_pixels / (width * height)))
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def save_png(image: QImage, out: Path, what: str, name: str) -> None:
    """Write `image` as a PNG; a sentence saying what went wrong otherwise.

    The image is encoded in memory first, so a failure to encode (a page that could
    not really be drawn) is not mistaken for a full disk.
    """
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # Light compression: the file is read once, right away.
    # The stubs ask for bytes, but PySide6 takes the format as a str at run time.
    encoded = not image.isNull() and image.save(buffer, "PNG", 90)  # type: ignore[call-overload]
    buffer.close()
    if not encoded:
        raise FolioError(
            f"{what} of {name} could not be drawn, so the file is likely damaged; "
            "re-save or repair it and import it again."
        )
    try:
        out.write_bytes(data.data())
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise FolioError(
                f"Folio could not write a temporary image for {name} because the disk is "
                "full; free some space and retry."
            ) from exc
        raise FolioError(
            f"Folio could not write a temporary image for {name} ({exc.strerror}); "
            "check that the temporary folder is writable and retry."
        ) from exc


def on_white(rendered: QImage, fmt: QImage.Format) -> QImage:
    """PDFium leaves the paper transparent; readers and Tesseract want ink on white."""
    page = QImage(rendered.size(), fmt)
    if page.isNull():
        return page
    page.fill(QColor("white"))
    painter = QPainter(page)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return page


class OpenPdf:
    """One PDF, opened once for many pages."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self.doc = QPdfDocument()
        self.error = self.doc.load(str(path))
        self._pypdf: Any = None
        self._pypdf_failed = False
        self._count: int | None = None
        #: Set when the document has more pages than Folio reads.
        self.note: str | None = None

    @property
    def pdfium_ok(self) -> bool:
        return bool(self.error == QPdfDocument.Error.None_)

    def pypdf_reader(self) -> Any:
        if self._pypdf is None and not self._pypdf_failed:
            from pypdf import PdfReader

            try:
                reader = self._open_pypdf(PdfReader)
                if reader.is_encrypted and not reader.decrypt(""):
                    raise FolioError(password_message(self.name))
                self._pypdf = reader
            except FolioError:
                raise
            except Exception as exc:  # noqa: BLE001 - any parser failure means "damaged"
                log.debug("pypdf cannot open %s: %s", self.path, exc)
                self._pypdf_failed = True
        return self._pypdf

    def _open_pypdf(self, reader_class: Any) -> Any:
        try:
            return reader_class(str(self.path), strict=False)
        except Exception as exc:
            # A file cut before its end (no "startxref") is read again with one added,
            # so pypdf rebuilds the cross-references as PDFium does.
            if "startxref" not in str(exc) or self.path.stat().st_size > MAX_REPAIR_BYTES:
                raise
            import io

            data = self.path.read_bytes() + b"\nstartxref\n0\n%%EOF\n"
            return reader_class(io.BytesIO(data), strict=False)

    # -- page count --------------------------------------------------------------------

    def page_count(self) -> int:
        """Pages Folio reads: the pages really in the page tree, at most MAX_PAGES.

        A document's declared /Count is not trusted: PDFium takes it as is, so a
        one-page file declaring a million pages would become a million tasks.
        """
        if self._count is None:
            self._count = self._count_pages()
        return self._count

    def _count_pages(self) -> int:
        if self.error == QPdfDocument.Error.IncorrectPassword:
            raise FolioError(password_message(self.name))
        declared = int(self.doc.pageCount()) if self.pdfium_ok else 0
        real = self._tree_pages()
        if real is None:
            # The tree could not be walked whole (a damaged file PDFium repaired): its
            # count stands, within what the file's size allows. Asking PDFium page by
            # page is no check: on such files it can loop for ever inside a page lookup.
            real = min(declared, max(1, self.path.stat().st_size // MIN_BYTES_PER_PAGE))
        elif declared > 0:
            real = min(real, declared)
        if real <= 0:
            raise FolioError(damaged_message(self.name))
        if real > MAX_PAGES:
            self.note = (
                f"{self.name} has more than {MAX_PAGES:,} pages; Folio reads its first "
                f"{MAX_PAGES:,} — split it into smaller documents to read the rest."
            )
            real = MAX_PAGES
        if declared > real:
            log.info("%s declares %d pages and holds %d", self.name, declared, real)
        return real

    def _tree_pages(self) -> int | None:
        """Leaf pages reachable from the catalogue (up to MAX_PAGES + 1); None if not all are.

        Bounded work: each node once (a cycle ends), at most MAX_TREE_NODES nodes.
        """
        reader = self.pypdf_reader()
        if reader is None:
            return None
        from pypdf.generic import ArrayObject, DictionaryObject

        pages = visited = 0
        try:
            root = reader.trailer["/Root"].get_object()
            stack: list[Any] = [root["/Pages"]]
            seen: set[tuple[int, int]] = set()
            while stack and pages <= MAX_PAGES:
                visited += 1
                if visited > MAX_TREE_NODES:
                    return None
                ref = stack.pop()
                key = (ref.idnum, ref.generation) if hasattr(ref, "idnum") else None
                if key is not None:
                    if key in seen:
                        continue
                    seen.add(key)
                node = ref.get_object()
                if not isinstance(node, DictionaryObject):
                    return None
                kind = node.get("/Type") or ("/Pages" if "/Kids" in node else "/Page")
                if kind == "/Pages":
                    kids = node.get("/Kids")
                    kids = kids.get_object() if kids is not None else None
                    if not isinstance(kids, ArrayObject):
                        return None
                    stack.extend(reversed(kids))
                elif kind == "/Page":
                    pages += 1
        except Exception as exc:  # noqa: BLE001 - a broken tree: PDFium's count stands
            log.debug("page tree of %s unreadable: %s", self.path, exc)
            return None
        return pages

    # -- text --------------------------------------------------------------------------

    def text_layer(self, index: int) -> tuple[str, bool]:
        """The page's own text, normalised and bounded; True when it was cut."""
        text, cut = "", False
        content = self._content(index)
        if self.pdfium_ok and index < self.doc.pageCount():
            if content is not None and len(content) > MAX_CONTENT_BYTES:
                raw, cut = self._text_of_cut_copy(index, content), True
            else:
                raw = self.doc.getAllText(index).text()
            text, cut_text = bounded_normalise(raw)
            cut = cut or cut_text
        if has_real_words(text) or cut:
            return text, cut
        reader = self.pypdf_reader()
        if reader is not None and (content is None or len(content) <= MAX_CONTENT_BYTES):
            try:
                alt, alt_cut = bounded_normalise(reader.pages[index].extract_text() or "")
            except Exception as exc:  # noqa: BLE001 - a broken content stream
                log.debug("pypdf text of %s page %d failed: %s", self.path, index + 1, exc)
                alt, alt_cut = "", False
            if has_real_words(alt):
                return alt, alt_cut
        return text, cut

    def _content(self, index: int) -> bytes | None:
        """The page's decoded drawing instructions (bounded by pypdf), None when unknown."""
        reader = self.pypdf_reader()
        if reader is None:
            return None
        try:
            contents = reader.pages[index].get("/Contents")
            if contents is None:
                return b""
            contents = contents.get_object()
            streams = contents if isinstance(contents, list) else [contents]
            parts: list[bytes] = []
            size = 0
            for stream in streams:
                data = stream.get_object().get_data()
                parts.append(data)
                size += len(data)
                if size > MAX_CONTENT_BYTES:
                    break
            return b"\n".join(parts)
        except Exception as exc:  # noqa: BLE001 - unknown size: PDFium reads it as it is
            log.debug("content of %s page %d unreadable: %s", self.path, index + 1, exc)
            return None

    def _text_of_cut_copy(self, index: int, content: bytes) -> str:
        """PDFium's text of a one-page copy whose content stops at MAX_CONTENT_BYTES."""
        import tempfile

        from pypdf import PdfWriter
        from pypdf.generic import ContentStream

        cut = content[:MAX_CONTENT_BYTES]
        end = max(cut.rfind(b"\n"), cut.rfind(b" "))
        if end > 0:
            cut = cut[:end]
        writer = PdfWriter()
        page = writer.add_page(self.pypdf_reader().pages[index])
        stream = ContentStream(None, writer)
        stream.set_data(cut)
        page.replace_contents(stream)
        with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as handle:
            copy = Path(handle.name)
        try:
            writer.write(copy)
            doc = QPdfDocument()
            if doc.load(str(copy)) != QPdfDocument.Error.None_ or doc.pageCount() < 1:
                return ""
            text = str(doc.getAllText(0).text())
            doc.close()
            return text
        finally:
            copy.unlink(missing_ok=True)

    # -- drawing for OCR ---------------------------------------------------------------

    def render(self, index: int, work_dir: Path) -> tuple[Path, int]:
        number = index + 1
        if not self.pdfium_ok:
            raise FolioError(
                f"Page {number} of {self.name} cannot be drawn for OCR because the PDF is "
                "damaged; repair or re-save the PDF and import it again."
            )
        size = self.doc.pagePointSize(index)
        points_w, points_h = size.width(), size.height()
        if points_w <= 0 or points_h <= 0:
            raise FolioError(
                f"Page {number} of {self.name} has no size, so the PDF is damaged; "
                "re-save or repair it and import it again."
            )
        full_w, full_h = points_w / 72 * OCR_DPI, points_h / 72 * OCR_DPI
        width, height = fit(full_w, full_h, MAX_OCR_SIDE, MAX_RENDER_PIXELS)
        dpi = OCR_DPI * min(width / full_w, height / full_h)
        if dpi < MIN_OCR_DPI:
            raise FolioError(
                f"Page {number} of {self.name} claims a size of {points_w:,.0f} × "
                f"{points_h:,.0f} points, far beyond any real page, so the PDF is damaged; "
                "re-save or repair it and import it again."
            )
        rendered = self.doc.render(index, QSize(width, height))
        if rendered.isNull():
            raise FolioError(
                f"Page {number} of {self.name} could not be drawn for OCR, so the page is "
                "likely damaged; re-save or repair the PDF and import it again."
            )
        page = on_white(rendered, QImage.Format.Format_Grayscale8)
        out = work_dir / f"page-{number}.png"
        save_png(page, out, f"Page {number}", self.name)
        return out, max(1, round(dpi))


def password_message(name: str) -> str:
    return (
        f"{name} is encrypted and a password is required; "
        "remove the password (e.g. print it to a new PDF) and import it again."
    )


def damaged_message(name: str) -> str:
    return (
        f"{name} is damaged and could not be read as a PDF; "
        "re-save or repair it in another program and import it again."
    )
