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
from PySide6.QtGui import QImage

from app.core.errors import FolioError
from app.core.models import OcrMode, TextMethod
from app.extraction import docmeta, orientation, tesseract
from app.extraction.filetype import FileKind, sniff
from app.extraction.pdfpages import (
    MAX_OCR_SIDE,
    OpenPdf,
    fit,
    on_white,
    save_png,
)
from app.extraction.textquality import bounded_normalise, cut_note, has_real_words

log = logging.getLogger(__name__)

#: Images above this many pixels are refused before decoding (checked for every frame).
MAX_IMAGE_PIXELS = 100_000_000
#: Largest side of a page drawn for display.
MAX_DISPLAY_SIDE = 6000
#: Largest page drawn for display, in pixels (64 MB as the window's 32-bit image).
MAX_DISPLAY_PIXELS = 16_000_000
#: An image page scaled to fit Tesseract is refused when its short side drops below this.
MIN_OCR_SIDE = 32

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
    #: A sentence about the result, e.g. that its text was cut.
    note: str | None = None
    #: The turn (degrees clockwise) the page was read at.
    rotation: int = 0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "method": self.method.value,
            "confidence": self.confidence,
        }
        if self.note:
            out["note"] = self.note
        if self.rotation:
            out["rotation"] = self.rotation
        return out


class PageEngine:
    """Per-worker state: the last opened document and a private temporary folder."""

    def __init__(self, work_dir: Path | None = None) -> None:
        self._pdf: OpenPdf | None = None
        # Tesseract in this process, its models loaded once and kept between pages.
        self._ocr_engines = tesseract.InProcessOcr()
        self._osd = orientation.InProcessOsd()
        # A private folder (mode 0700) for the page images Folio hands to Tesseract;
        # the parent gives one it removes even if this process is killed.
        self._work_dir = work_dir or Path(tempfile.mkdtemp(prefix="folio-ocr-"))
        self._work_dir.mkdir(mode=0o700, exist_ok=True)
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        warnings.simplefilter("error", Image.DecompressionBombWarning)

    def close(self) -> None:
        self._pdf = None
        self._ocr_engines.close()
        self._osd.close()
        shutil.rmtree(self._work_dir, ignore_errors=True)

    def _open_pdf(self, path: Path, name: str) -> OpenPdf:
        if self._pdf is None or self._pdf.path != path:
            self._pdf = OpenPdf(path, name)
        return self._pdf

    # -- requests ----------------------------------------------------------------------

    def probe(self, path: Path, name: str) -> dict[str, Any]:
        """The document's kind and the pages Folio reads (`note` says when it is capped),
        with what it says of itself (title, author, first page's size; see docmeta)."""
        kind = sniff(path)
        if kind is FileKind.PDF:
            pdf = self._open_pdf(path, name)
            info: dict[str, Any] = {"kind": kind.value, "pages": pdf.page_count()}
            if pdf.note:
                info["note"] = pdf.note
            return {**info, **docmeta.pdf_info(pdf)}
        with self._open_image(path, name) as img:
            frames = getattr(img, "n_frames", 1) if kind is FileKind.TIFF else 1
            meta = docmeta.image_info(img)
        return {"kind": kind.value, "pages": int(frames), **meta}

    def page(
        self,
        path: Path,
        name: str,
        kind: str,
        number: int,
        ocr: OcrMode,
        lang: str,
        progress: Progress,
        rotation: int = 0,
    ) -> PageResult:
        """`rotation`: the user's turn for the page (clockwise; 0 lets Folio find it)."""
        file_kind = FileKind(kind)
        index = number - 1
        if file_kind is FileKind.PDF:
            pdf = self._open_pdf(path, name)
            count = pdf.page_count()
            if not 0 <= index < count:
                raise FolioError(f"{name} has no page {number} (it has {count}).")
            if ocr is not OcrMode.ALWAYS:
                progress(0.1, f"Text layer, page {number} of {count}", TEXT_LAYER_BUDGET)
                text, cut = pdf.text_layer(index)
                if has_real_words(text):
                    return PageResult(
                        text, TextMethod.TEXT_LAYER, None, cut_note(text) if cut else None
                    )
                if ocr is OcrMode.NEVER:
                    raise FolioError(
                        f"Page {number} of {name} has no text layer, and OCR is switched off; "
                        "turn OCR on to read it."
                    )
            info = tesseract.check_languages(lang)
            progress(0.2, f"Rendering page {number} of {count} for OCR", RENDER_BUDGET)
            # In process the page stays in memory; the program needs a PNG.
            drawn = pdf.ocr_image(index) if info.in_process else None
            image, dpi = drawn or pdf.render(index, self._work_dir)
            progress(0.4, f"OCR, page {number} of {count}", OCR_BUDGET)
            return self._ocr(image, dpi, lang, name, number, rotation)
        if ocr is OcrMode.NEVER:
            raise FolioError(
                f"{name} is an image, and OCR is switched off; turn OCR on to read it."
            )
        tesseract.check_languages(lang)
        progress(0.2, f"Decoding image, page {number}", RENDER_BUDGET)
        image, img_dpi = self._image_page(path, name, file_kind, index)
        progress(0.4, f"OCR, page {number}", OCR_BUDGET)
        return self._ocr(image, img_dpi, lang, name, number, rotation)

    def render(self, path: Path, name: str, kind: str, index: int, width: int) -> dict[str, Any]:
        """Draw a page about `width` pixels wide into a PNG in the private folder, for display.

        Both sides and the area are capped (MAX_DISPLAY_SIDE, MAX_DISPLAY_PIXELS), so a
        page 60 pixels wide and a million tall comes back small, not as a huge image.
        """
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
            wide, high = fit(
                width,
                width * size.height() / size.width(),
                MAX_DISPLAY_SIDE,
                MAX_DISPLAY_PIXELS,
            )
            rendered = pdf.doc.render(index, QSize(wide, high))
            if rendered.isNull():
                raise FolioError(
                    f"Page {index + 1} of {name} could not be drawn; the page may be damaged."
                )
            save_png(on_white(rendered, QImage.Format.Format_RGB32), out, f"Page {index + 1}", name)
            return {"png": str(out), "natural": size.width() * 96 / 72}
        with self._open_image(path, name) as img:
            try:
                if index:
                    img.seek(index)
                self._check_frame(img, name, index)
                dpi = img.info.get("dpi") or (96, 96)
                natural = img.width * 96 / float(dpi[0]) if dpi and dpi[0] else float(img.width)
                wide, high = fit(
                    min(width, img.width),
                    min(width, img.width) * img.height / img.width,
                    MAX_DISPLAY_SIDE,
                    MAX_DISPLAY_PIXELS,
                )
                # Decoders that can (JPEG) decode at the smaller size straight away.
                img.draft("RGB", (wide, high))
                frame = img.convert("RGB")
            except (OSError, ValueError, EOFError) as exc:
                raise FolioError(f"{name} cannot be drawn; it may be damaged.") from exc
        if frame.size != (wide, high):
            frame = frame.resize((wide, high), Image.Resampling.LANCZOS)
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
            self._check_frame(img, name, 0)
            yield img
        finally:
            img.close()

    @staticmethod
    def _check_frame(frame: Image.Image, name: str, index: int) -> None:
        """Refuse a frame over the pixel limit; each frame of a TIFF has its own size."""
        if frame.width * frame.height > MAX_IMAGE_PIXELS:
            where = f"Page {index + 1} of {name}" if index else name
            raise FolioError(
                f"{where} is too large to read ({frame.width:,} × {frame.height:,} pixels, "
                f"over the {MAX_IMAGE_PIXELS // 1_000_000}-megapixel limit); scale it down "
                "and import it again."
            )

    def _image_page(
        self, path: Path, name: str, kind: FileKind, index: int
    ) -> tuple[Image.Image, int | None]:
        """The page as an image Tesseract takes (1-bit, grey or RGB), and its dpi if known."""
        with self._open_image(path, name) as img:
            count = int(getattr(img, "n_frames", 1)) if kind is FileKind.TIFF else 1
            if not 0 <= index < count:
                raise FolioError(f"{name} has no page {index + 1} (it has {count}).")
            try:
                frame = img
                if kind is FileKind.TIFF and index > 0:
                    frame = ImageSequence.Iterator(img)[index]
                self._check_frame(frame, name, index)
                wide, high = fit(frame.width, frame.height, MAX_OCR_SIDE, MAX_IMAGE_PIXELS)
                # Only a page that had to be shrunk this far is refused: a small image
                # (an icon, a stamp) is read as it is.
                shrunk = (wide, high) != (frame.width, frame.height)
                if shrunk and min(wide, high) < MIN_OCR_SIDE:
                    raise FolioError(
                        f"Page {index + 1} of {name} is too long and narrow to read "
                        f"({frame.width:,} × {frame.height:,} pixels); cut it into pages and "
                        "import them."
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
                if page.size != (wide, high):
                    page = page.resize((wide, high), Image.Resampling.LANCZOS)
                elif page is frame:
                    # Closing the file closes `frame` too; the page must outlive it.
                    page = page.copy()
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
            scale = wide / frame.width
            dpi = max(1, round(float(dpi_info[0]) * scale))
        return page, dpi

    # -- OCR ---------------------------------------------------------------------------

    @staticmethod
    def _draw_for_ocr(pdf: OpenPdf, index: int) -> tuple[Image.Image, int]:
        """The old name of `OpenPdf.grey_image` (the page drawn in grey, in memory)."""
        return pdf.grey_image(index)

    def _ocr(
        self,
        image: Image.Image | Path,
        dpi: int | None,
        lang: str,
        name: str,
        number: int,
        rotation: int = 0,
    ) -> PageResult:
        """Read a page image the right way up (see `orientation`), in process when Tesseract
        is loaded here, else with the program; `rotation` is the user's turn, if any."""
        in_process = tesseract.tesseract_info().in_process and isinstance(image, Image.Image)
        page: Image.Image | None = image if isinstance(image, Image.Image) else None
        made: list[Path] = []
        straight: dict[int, Image.Image] = {}

        def upright(turn: int) -> Image.Image:
            nonlocal page
            if page is None:  # the program's rendered PNG, opened only to be turned
                assert isinstance(image, Path)
                with Image.open(image) as drawn:
                    page = drawn.copy()
            if turn not in straight:
                straight[turn] = orientation.straighten(orientation.turn_image(page, turn))
            return straight[turn]

        def as_png(turn: int) -> Path:
            if isinstance(image, Path) and upright(turn) is page:
                return image  # as drawn: no need to write it again
            out = self._work_dir / f"image-{number}-{turn}.png"
            upright(turn).save(out, "PNG")
            made.append(out)
            return out

        def detect() -> orientation.Orientation | None:
            if in_process:
                assert page is not None
                return self._osd.detect(page, dpi)
            if page is None and isinstance(image, Path):
                return orientation.program_detect(image, dpi)
            assert page is not None
            out = self._work_dir / f"image-{number}-osd.png"
            page.save(out, "PNG")
            made.append(out)
            return orientation.program_detect(out, dpi)

        def read(turn: int) -> PageResult:
            if in_process:
                data = self._ocr_engines.read(upright(turn), lang, dpi)
            else:
                options = tesseract.program_options(dpi)
                data = tesseract.run_tsv(as_png(turn), lang, options, self._work_dir)
            raw, confidence = text_from_tsv(data)
            text, cut = bounded_normalise(raw)
            note = cut_note(text) if cut else None
            return PageResult(text, TextMethod.OCR, confidence, note, turn)

        try:
            return orientation.read_upright(read, lambda r: r.confidence, detect, rotation)
        except tesseract.TesseractFailed as exc:
            detail = str(exc)
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
            if isinstance(image, Path):
                made.append(image)
            for path in made:
                path.unlink(missing_ok=True)


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
