"""A PDF opened once for many pages: its real page count, bounded text, pages drawn for OCR.

PDFium reads first, pypdf when PDFium cannot help. Runs inside a worker process.
"""

from __future__ import annotations

import errno
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument

from app.core.errors import FolioError
from app.core.locked import PasswordNeeded
from app.extraction import pdfscan
from app.extraction.textquality import bounded_normalise, has_real_words

if TYPE_CHECKING:
    from PIL import Image

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
#: A declared page count up to this is taken as it is when the file's bytes hold at least
#: as many page objects (pdfscan); the page tree is walked only if a page comes out empty.
#: A larger or unconfirmed count is checked against the page tree up front.
TRUSTED_PAGES = 64
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

    def __init__(self, path: Path, name: str, password: str | None = None) -> None:
        self.path = path
        self.name = name
        self.password = password or None
        self.doc, self.error = self._load(self.password)
        if self.error == QPdfDocument.Error.IncorrectPassword and self.password:
            # A password only the owner needs (printing, copying): the file opens
            # without one, whatever was given.
            doc, error = self._load(None)
            if error != QPdfDocument.Error.IncorrectPassword:
                self.doc, self.error = doc, error
        self._pypdf: Any = None
        self._pypdf_failed = False
        self._count: int | None = None
        self._scan: pdfscan.Scan | None = None
        #: Pages found by walking the page tree (None: not walkable); walked at most once.
        self._walked: tuple[int | None] | None = None
        #: The count was taken from PDFium without walking the page tree.
        self._trusted = False
        #: Set when the document has more pages than Folio reads.
        self.note: str | None = None

    def _load(self, password: str | None) -> tuple[QPdfDocument, QPdfDocument.Error]:
        doc = QPdfDocument()
        if password:
            doc.setPassword(password)
        return doc, doc.load(str(self.path))

    def locked(self) -> PasswordNeeded:
        """The answer for this file when its password is missing or wrong."""
        return PasswordNeeded(self.name, wrong=self.password is not None)

    @property
    def pdfium_ok(self) -> bool:
        return bool(self.error == QPdfDocument.Error.None_)

    def pypdf_reader(self) -> Any:
        if self._pypdf is None and not self._pypdf_failed:
            from pypdf import PdfReader

            try:
                reader = self._open_pypdf(PdfReader)
                if reader.is_encrypted and not self._decrypt(reader):
                    raise self.locked()
                self._pypdf = reader
            except FolioError:
                raise
            except Exception as exc:  # noqa: BLE001 - any parser failure means "damaged"
                log.debug("pypdf cannot open %s: %s", self.path, exc)
                self._pypdf_failed = True
        return self._pypdf

    def _decrypt(self, reader: Any) -> bool:
        """Open an encrypted file for pypdf: with the password given (as its user's or its
        owner's), else with none, as a file that restricts only printing or copying opens."""
        if self.password and reader.decrypt(self.password):
            return True
        return bool(reader.decrypt(""))

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
            raise self.locked()
        declared = int(self.doc.pageCount()) if self.pdfium_ok else 0
        if 0 < declared <= TRUSTED_PAGES and self.scan().pages >= declared:
            self._trusted = True
            return declared
        real = self._walk()
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

    def scan(self) -> pdfscan.Scan:
        """What one pass over the file's bytes tells (page objects, bounded content)."""
        if self._scan is None:
            self._scan = pdfscan.scan(self.path, MAX_CONTENT_BYTES)
        return self._scan

    def _walk(self) -> int | None:
        if self._walked is None:
            self._walked = (self._tree_pages(),)
        return self._walked[0]

    def check_page(self, index: int) -> None:
        """Raise when a page Folio took on trust is not in the page tree after all."""
        if not self._trusted:
            return
        real = self._walk()
        if real is not None and index >= real:
            raise FolioError(f"{self.name} has no page {index + 1} (it has {real}).")

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
        """The page's own text, normalised and bounded; True when it was cut.

        PDFium reads it; pypdf only where PDFium found no words and the page's
        content can draw text at all. A page's content is decoded here only when the
        pass over the file's bytes could not show it to be small (`pdfscan`).
        """
        text, cut = "", False
        content: bytes | None = None
        decoded = False
        if self.pdfium_ok and index < self.doc.pageCount():
            if not self.scan().bounded:
                content, decoded = self._content(index), True
            if content is not None and len(content) > MAX_CONTENT_BYTES:
                raw, cut = self._text_of_cut_copy(index, content), True
            else:
                raw = self.doc.getAllText(index).text()
            text, cut_text = bounded_normalise(raw)
            cut = cut or cut_text
        if has_real_words(text) or cut:
            return text, cut
        self.check_page(index)
        reader = self.pypdf_reader()
        if reader is None:
            return text, cut
        if not decoded:
            content = self._content(index)
        if content is not None and len(content) > MAX_CONTENT_BYTES:
            return text, cut
        if not self._may_draw_text(index, content):
            return text, cut
        try:
            alt, alt_cut = bounded_normalise(reader.pages[index].extract_text() or "")
        except Exception as exc:  # noqa: BLE001 - a broken content stream
            log.debug("pypdf text of %s page %d failed: %s", self.path, index + 1, exc)
            alt, alt_cut = "", False
        if has_real_words(alt):
            return alt, alt_cut
        return text, cut

    def _may_draw_text(self, index: int, content: bytes | None) -> bool:
        """False when the page's content has no text object and it uses no forms (whose
        content could), e.g. a scan: pypdf would find nothing there either."""
        if content is None or b"BT" in content:
            return True
        try:
            resources = self.pypdf_reader().pages[index].get("/Resources")
            objects = resources.get_object().get("/XObject") if resources else None
            if objects is None:
                return False
            return any(
                xobject.get_object().get("/Subtype") != "/Image"
                for xobject in objects.get_object().values()
            )
        except Exception as exc:  # noqa: BLE001 - unreadable resources: let pypdf try
            log.debug("resources of %s page %d unreadable: %s", self.path, index + 1, exc)
            return True

    def page_content(self, index: int) -> bytes | None:
        """The page's decoded drawing instructions, cut after MAX_CONTENT_BYTES (None when
        they cannot be read)."""
        return self._content(index)

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

    def draw(self, index: int) -> tuple[QImage, int]:
        """The page drawn in grey on white for OCR, in memory, and its resolution (dpi)."""
        number = index + 1
        if not self.pdfium_ok:
            raise FolioError(
                f"Page {number} of {self.name} cannot be drawn for OCR because the PDF is "
                "damaged; repair or re-save the PDF and import it again."
            )
        size = self.doc.pagePointSize(index)
        points_w, points_h = size.width(), size.height()
        if points_w <= 0 or points_h <= 0:
            self.check_page(index)
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
        grey = QImage.Format.Format_Grayscale8
        page = QImage() if rendered.isNull() else on_white(rendered, grey)
        if page.isNull():
            raise FolioError(
                f"Page {number} of {self.name} could not be drawn for OCR, so the page is "
                "likely damaged; re-save or repair the PDF and import it again."
            )
        return page, max(1, round(dpi))

    def ocr_image(self, index: int) -> tuple[Image.Image, int]:
        """The page as Tesseract reads it in process, and its dpi: a scanned page's own
        image where the page is just that (`scanpage`), else the page drawn in grey."""
        from app.extraction.scanpage import embedded_scan

        return embedded_scan(self, index, MAX_RENDER_PIXELS) or self.grey_image(index)

    def grey_image(self, index: int) -> tuple[Image.Image, int]:
        """`draw` as a Pillow image (for Tesseract in process), and its dpi."""
        from PIL import Image

        page, dpi = self.draw(index)
        # Qt pads each row to 4 bytes; the decoder drops the padding as it copies.
        grey = Image.frombytes(
            "L",
            (page.width(), page.height()),
            bytes(page.constBits()),
            "raw",
            "L",
            page.bytesPerLine(),
        )
        return grey, dpi

    def render(self, index: int, work_dir: Path) -> tuple[Path, int]:
        """`draw` written as a PNG in `work_dir` (for the Tesseract program), and its dpi."""
        page, dpi = self.draw(index)
        number = index + 1
        out = work_dir / f"page-{number}.png"
        save_png(page, out, f"Page {number}", self.name)
        return out, dpi


def damaged_message(name: str) -> str:
    return (
        f"{name} is damaged and could not be read as a PDF; "
        "re-save or repair it in another program and import it again."
    )
