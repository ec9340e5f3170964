"""Read a document's pages: count them, take the text layer, OCR what has none.

Runs inside a worker process (see `worker.py`): it parses untrusted files.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageSequence
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument

from app.core.errors import FolioError
from app.core.models import OcrMode, TextMethod
from app.extraction import tesseract
from app.extraction.filetype import FileKind, sniff
from app.extraction.textquality import has_real_words, normalise

log = logging.getLogger(__name__)

OCR_DPI = 300
#: Largest raster handed to Tesseract (pixels); bigger pages are rendered at a lower dpi.
MAX_RENDER_PIXELS = 80_000_000
#: Images above this many pixels are refused before decoding.
MAX_IMAGE_PIXELS = 100_000_000
#: Largest side of a page drawn for display.
MAX_DISPLAY_SIDE = 6000

#: Called with (fraction done, message, seconds the next phase may take).
Progress = Callable[[float, str, float], None]

#: Seconds each phase of a page may take before its worker is killed.
TEXT_LAYER_BUDGET = 20.0
RENDER_BUDGET = 30.0
OCR_BUDGET = 180.0


@dataclass(slots=True)
class PageResult:
    text: str
    method: TextMethod
    confidence: float | None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "method": self.method.value, "confidence": self.confidence}


class _OpenPdf:
    """A PDF opened once for many pages: PDFium first, pypdf when PDFium cannot help."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self.doc = QPdfDocument()
        self.error = self.doc.load(str(path))
        self._pypdf: Any = None
        self._pypdf_failed = False

    @property
    def pdfium_ok(self) -> bool:
        return bool(self.error == QPdfDocument.Error.None_)

    def pypdf_reader(self) -> Any:
        if self._pypdf is None and not self._pypdf_failed:
            from pypdf import PdfReader

            try:
                reader = PdfReader(str(self.path), strict=False)
                if reader.is_encrypted and not reader.decrypt(""):
                    raise FolioError(_password_message(self.name))
                self._pypdf = reader
            except FolioError:
                raise
            except Exception as exc:  # noqa: BLE001 - any parser failure means "damaged"
                log.debug("pypdf cannot open %s: %s", self.path, exc)
                self._pypdf_failed = True
        return self._pypdf

    def page_count(self) -> int:
        if self.error == QPdfDocument.Error.IncorrectPassword:
            raise FolioError(_password_message(self.name))
        if self.pdfium_ok and self.doc.pageCount() > 0:
            return int(self.doc.pageCount())
        reader = self.pypdf_reader()
        if reader is not None:
            try:
                count = len(reader.pages)
            except Exception as exc:
                raise FolioError(_damaged_message(self.name)) from exc
            if count > 0:
                return count
        raise FolioError(_damaged_message(self.name))

    def text_layer(self, index: int) -> str:
        text = ""
        if self.pdfium_ok and index < self.doc.pageCount():
            text = normalise(self.doc.getAllText(index).text())
        if has_real_words(text):
            return text
        reader = self.pypdf_reader()
        if reader is not None:
            try:
                alt = normalise(reader.pages[index].extract_text() or "")
            except Exception as exc:  # noqa: BLE001 - a broken content stream
                log.debug("pypdf text of %s page %d failed: %s", self.path, index + 1, exc)
                alt = ""
            if has_real_words(alt):
                return alt
        return text

    def render(self, index: int, work_dir: Path) -> tuple[Path, int]:
        if not self.pdfium_ok:
            raise FolioError(
                f"Page {index + 1} of {self.name} cannot be drawn for OCR because the PDF is "
                "damaged; repair or re-save the PDF and import it again."
            )
        size = self.doc.pagePointSize(index)
        dpi = OCR_DPI
        width, height = size.width() / 72 * dpi, size.height() / 72 * dpi
        if width <= 0 or height <= 0:
            raise FolioError(
                f"Page {index + 1} of {self.name} has no size, so the PDF is damaged; "
                "re-save or repair it and import it again."
            )
        if width * height > MAX_RENDER_PIXELS:
            scale = (MAX_RENDER_PIXELS / (width * height)) ** 0.5
            dpi = max(1, int(dpi * scale))
            width, height = size.width() / 72 * dpi, size.height() / 72 * dpi
        target = QSize(max(1, int(width)), max(1, int(height)))
        rendered = self.doc.render(index, target)
        if rendered.isNull():
            raise FolioError(
                f"Page {index + 1} of {self.name} could not be drawn for OCR; "
                "the page may be damaged."
            )
        # PDFium leaves the paper transparent; Tesseract wants ink on white.
        page = QImage(rendered.size(), QImage.Format.Format_Grayscale8)
        page.fill(QColor("white"))
        painter = QPainter(page)
        painter.drawImage(0, 0, rendered)
        painter.end()
        out = work_dir / f"page-{index + 1}.png"
        # Light compression: the file is read once, right away, by Tesseract.
        if not page.save(str(out), None, 90):  # PNG, from the name
            raise FolioError(
                f"Folio could not write a temporary image for {self.name}; check disk space."
            )
        return out, dpi


def _password_message(name: str) -> str:
    return (
        f"{name} is encrypted and a password is required; "
        "remove the password (e.g. print it to a new PDF) and import it again."
    )


def _damaged_message(name: str) -> str:
    return (
        f"{name} is damaged and could not be read as a PDF; "
        "re-save or repair it in another program and import it again."
    )


class PageEngine:
    """Per-worker state: the last opened document and a private temporary folder."""

    def __init__(self, work_dir: Path | None = None) -> None:
        self._pdf: _OpenPdf | None = None
        # A private folder (mode 0700) for the page images Folio hands to Tesseract;
        # the parent gives one it removes even if this process is killed.
        self._work_dir = work_dir or Path(tempfile.mkdtemp(prefix="folio-ocr-"))
        self._work_dir.mkdir(mode=0o700, exist_ok=True)
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        warnings.simplefilter("error", Image.DecompressionBombWarning)

    def close(self) -> None:
        self._pdf = None
        shutil.rmtree(self._work_dir, ignore_errors=True)

    def _open_pdf(self, path: Path, name: str) -> _OpenPdf:
        if self._pdf is None or self._pdf.path != path:
            self._pdf = _OpenPdf(path, name)
        return self._pdf

    # -- requests ----------------------------------------------------------------------

    def probe(self, path: Path, name: str) -> dict[str, Any]:
        kind = sniff(path)
        if kind is FileKind.PDF:
            return {"kind": kind.value, "pages": self._open_pdf(path, name).page_count()}
        with self._open_image(path, name) as img:
            frames = getattr(img, "n_frames", 1) if kind is FileKind.TIFF else 1
        return {"kind": kind.value, "pages": int(frames)}

    def page(
        self,
        path: Path,
        name: str,
        kind: str,
        number: int,
        ocr: OcrMode,
        lang: str,
        progress: Progress,
    ) -> PageResult:
        file_kind = FileKind(kind)
        index = number - 1
        if file_kind is FileKind.PDF:
            pdf = self._open_pdf(path, name)
            count = pdf.page_count()
            if not 0 <= index < count:
                raise FolioError(f"{name} has no page {number} (it has {count}).")
            if ocr is not OcrMode.ALWAYS:
                progress(0.1, f"Text layer, page {number} of {count}", TEXT_LAYER_BUDGET)
                text = pdf.text_layer(index)
                if has_real_words(text):
                    return PageResult(text, TextMethod.TEXT_LAYER, None)
                if ocr is OcrMode.NEVER:
                    raise FolioError(
                        f"Page {number} of {name} has no text layer, and OCR is switched off; "
                        "turn OCR on to read it."
                    )
            tesseract.check_languages(lang)
            progress(0.2, f"Rendering page {number} of {count} for OCR", RENDER_BUDGET)
            image_path, dpi = pdf.render(index, self._work_dir)
            progress(0.4, f"OCR, page {number} of {count}", OCR_BUDGET)
            return self._ocr(image_path, dpi, lang, name, number)
        if ocr is OcrMode.NEVER:
            raise FolioError(
                f"{name} is an image, and OCR is switched off; turn OCR on to read it."
            )
        tesseract.check_languages(lang)
        progress(0.2, f"Decoding image, page {number}", RENDER_BUDGET)
        image_path, img_dpi = self._image_page(path, name, file_kind, index)
        progress(0.4, f"OCR, page {number}", OCR_BUDGET)
        return self._ocr(image_path, img_dpi, lang, name, number)

    def render(self, path: Path, name: str, kind: str, index: int, width: int) -> dict[str, Any]:
        """Draw a page `width` pixels wide into a PNG in the private folder, for display."""
        width = max(1, min(width, MAX_DISPLAY_SIDE))
        out = self._work_dir / f"show-{index + 1}-{width}.png"
        if FileKind(kind) is FileKind.PDF:
            pdf = self._open_pdf(path, name)
            if not pdf.pdfium_ok or not 0 <= index < pdf.doc.pageCount():
                raise FolioError(
                    f"Page {index + 1} of {name} cannot be drawn; its text may still be readable."
                )
            size = pdf.doc.pagePointSize(index)
            if size.width() <= 0 or size.height() <= 0:
                raise FolioError(f"Page {index + 1} of {name} has no size, so it cannot be drawn.")
            height = max(1, round(width * size.height() / size.width()))
            if height > MAX_DISPLAY_SIDE:
                width = max(1, round(width * MAX_DISPLAY_SIDE / height))
                height = MAX_DISPLAY_SIDE
            rendered = pdf.doc.render(index, QSize(width, height))
            if rendered.isNull():
                raise FolioError(f"Page {index + 1} of {name} could not be drawn.")
            page = QImage(rendered.size(), QImage.Format.Format_RGB32)
            page.fill(QColor("white"))
            painter = QPainter(page)
            painter.drawImage(0, 0, rendered)
            painter.end()
            if not page.save(str(out), None, 90):
                raise FolioError(f"Folio could not write a temporary image for {name}.")
            return {"png": str(out), "natural": size.width() * 96 / 72}
        with self._open_image(path, name) as img:
            try:
                if index:
                    img.seek(index)
                dpi = img.info.get("dpi") or (96, 96)
                frame = img.convert("RGB")
            except (OSError, ValueError, EOFError) as exc:
                raise FolioError(f"{name} cannot be drawn; it may be damaged.") from exc
        natural = frame.width * 96 / float(dpi[0]) if dpi and dpi[0] else float(frame.width)
        if frame.width > width:
            frame = frame.resize(
                (width, max(1, round(frame.height * width / frame.width))), Image.Resampling.LANCZOS
            )
        frame.save(out, "PNG", compress_level=1)
        return {"png": str(out), "natural": natural}

    # -- images ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _open_image(self, path: Path, name: str) -> Any:
        try:
            img = Image.open(path)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise FolioError(_too_big_message(name, exc)) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise FolioError(
                f"{name} is damaged or not a readable image; open and re-save it, "
                "then import it again."
            ) from exc
        try:
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise FolioError(
                    f"{name} is too large to read ({img.width:,} × {img.height:,} pixels, over "
                    f"the {MAX_IMAGE_PIXELS // 1_000_000}-megapixel limit); scale it down and "
                    "import it again."
                )
            yield img
        finally:
            img.close()

    def _image_page(
        self, path: Path, name: str, kind: FileKind, index: int
    ) -> tuple[Path, int | None]:
        with self._open_image(path, name) as img:
            count = int(getattr(img, "n_frames", 1)) if kind is FileKind.TIFF else 1
            if not 0 <= index < count:
                raise FolioError(f"{name} has no page {index + 1} (it has {count}).")
            try:
                frame = img
                if kind is FileKind.TIFF and index > 0:
                    frame = ImageSequence.Iterator(img)[index]
                if frame.width * frame.height > MAX_IMAGE_PIXELS:
                    raise FolioError(
                        f"Page {index + 1} of {name} is too large to read ({frame.width:,} × "
                        f"{frame.height:,} pixels); scale it down and import it again."
                    )
                frame.load()
                dpi_info = frame.info.get("dpi")
                if frame.mode in ("RGBA", "LA", "PA") or (
                    frame.mode == "P" and "transparency" in frame.info
                ):
                    rgba = frame.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, "white")
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                    page = flat
                elif frame.mode not in ("1", "L", "RGB"):
                    page = frame.convert("RGB")
                else:
                    page = frame
                out = self._work_dir / f"image-{index + 1}.png"
                page.save(out, "PNG")
            except FolioError:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise FolioError(_too_big_message(name, exc)) from exc
            except (OSError, ValueError, SyntaxError, IndexError, EOFError) as exc:
                raise FolioError(
                    f"{name} is damaged (its image data is truncated or corrupt); "
                    "open and re-save it, then import it again."
                ) from exc
        dpi: int | None = None
        if isinstance(dpi_info, tuple) and dpi_info and float(dpi_info[0]) >= 70:
            dpi = round(float(dpi_info[0]))
        return out, dpi

    # -- OCR ---------------------------------------------------------------------------

    def _ocr(self, image: Path, dpi: int | None, lang: str, name: str, number: int) -> PageResult:
        import pytesseract

        info = tesseract.tesseract_info()
        pytesseract.pytesseract.tesseract_cmd = info.path
        # Skipping Tesseract's search for inverted (light-on-dark) lines made OCR ~8 %
        # faster with identical text on the corpus scans.
        config = "-c tessedit_do_invert=0" + (f" --dpi {dpi}" if dpi else "")
        try:
            data = pytesseract.image_to_data(
                str(image), lang=lang, config=config, output_type=pytesseract.Output.DICT
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise FolioError(tesseract.MISSING_MESSAGE) from exc
        except pytesseract.TesseractError as exc:
            detail = str(exc.message if hasattr(exc, "message") else exc)
            if "language" in detail.lower():
                raise FolioError(
                    f"The OCR language {lang} could not be loaded for {name}; "
                    "install its tesseract-ocr language package or choose another language."
                ) from exc
            raise FolioError(
                f"Tesseract could not read page {number} of {name} ({detail.strip()[:120]}); "
                "check the page image."
            ) from exc
        finally:
            image.unlink(missing_ok=True)
        text, confidence = text_from_tsv(data)
        return PageResult(normalise(text), TextMethod.OCR, confidence)


def _too_big_message(name: str, exc: BaseException) -> str:
    return (
        f"{name} is too large to read safely ({exc}); scale it down and import it again."
    ).replace("..", ".")


def text_from_tsv(data: dict[str, list[Any]]) -> tuple[str, float | None]:
    """Rebuild Tesseract's text from its TSV words; mean confidence of the words."""
    lines: list[str] = []
    current: list[str] = []
    key: tuple[int, int, int] | None = None
    block_of_line: int | None = None
    confidences: list[float] = []
    for i, word in enumerate(data.get("text", [])):
        if int(data["level"][i]) != 5:
            continue
        word = str(word).strip()
        if not word:
            continue
        line_key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if line_key != key:
            if current:
                lines.append(" ".join(current))
                if block_of_line is not None and line_key[:2] != (key or (0, 0, 0))[:2]:
                    lines.append("")
            current = []
            key = line_key
            block_of_line = line_key[0]
        current.append(word)
        conf = float(data["conf"][i])
        if conf >= 0:
            confidences.append(conf)
    if current:
        lines.append(" ".join(current))
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return "\n".join(lines), mean
