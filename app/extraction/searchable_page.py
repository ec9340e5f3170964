"""One page of a searchable PDF, in the worker: Tesseract's invisible text as a PDF page.

Runs inside a worker process (it draws and OCRs untrusted pages): a PDF's page that has
a text layer is left alone; any other page is drawn (or, for an image, decoded) and read
by Tesseract's PDF renderer in text-only mode, which writes a page holding nothing but
the words, invisible, where they are on the image. An image's page is also wrapped as a
one-page PDF here (see `imagepage.py`), so the app never decodes an untrusted image.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.errors import FolioError
from app.extraction import tesseract
from app.extraction.filetype import FileKind
from app.extraction.imagepage import write_image_page
from app.extraction.protocol import SearchablePageRequest
from app.extraction.textquality import has_real_words

if TYPE_CHECKING:
    from PIL import Image

    from app.extraction.engine import PageEngine

#: Called with (fraction done, message, seconds the next phase may take).
Progress = Callable[[float, str, float], None]

#: Tesseract's variables for its PDF renderer, and what they are set back to.
_PDF_ON = {"tessedit_create_pdf": "1", "textonly_pdf": "1"}
_PDF_OFF = {"tessedit_create_pdf": "0", "textonly_pdf": "0", "user_defined_dpi": "0"}


def searchable_page(
    engine: PageEngine, request: SearchablePageRequest, progress: Progress
) -> dict[str, Any]:
    """The files of one page (in the worker's private folder), as SearchablePageReply."""
    from app.extraction.engine import OCR_BUDGET, RENDER_BUDGET, TEXT_LAYER_BUDGET

    kind = FileKind(request.kind)
    path, name, number = Path(request.path), request.name, int(request.number)
    index = number - 1
    work = engine._work_dir
    if kind is FileKind.PDF:
        pdf = engine._open_pdf(path, name, request.password)
        count = pdf.page_count()
        if not 0 <= index < count:
            raise FolioError(f"{name} has no page {number} (it has {count}).")
        progress(0.1, f"Text layer, page {number} of {count}", TEXT_LAYER_BUDGET)
        text, _cut = pdf.text_layer(index)
        if has_real_words(text):
            return {"text_pdf": "", "page_pdf": ""}  # searchable already: kept as it is
        info = tesseract.check_languages(request.lang)
        progress(0.2, f"Rendering page {number} of {count} for OCR", RENDER_BUDGET)
        drawn = engine._draw_for_ocr(pdf, index) if info.in_process else None
        image, dpi = drawn or pdf.render(index, work)
        progress(0.4, f"OCR, page {number} of {count}", OCR_BUDGET)
        text_pdf = text_only_pdf(engine, image, dpi, request.lang, name, number)
        return {"text_pdf": str(text_pdf), "page_pdf": ""}
    tesseract.check_languages(request.lang)
    progress(0.2, f"Decoding image, page {number}", RENDER_BUDGET)
    page_pdf = work / f"searchable-page-{number}.pdf"
    write_image_page(path, name, kind, index, page_pdf)
    image, img_dpi = engine._image_page(path, name, kind, index)
    progress(0.4, f"OCR, page {number}", OCR_BUDGET)
    text_pdf = text_only_pdf(engine, image, img_dpi, request.lang, name, number)
    return {"text_pdf": str(text_pdf), "page_pdf": str(page_pdf)}


def text_only_pdf(
    engine: PageEngine,
    image: Image.Image | Path,
    dpi: int | None,
    lang: str,
    name: str,
    number: int,
) -> Path:
    """Tesseract's text-only PDF of a page image, written in the worker's private folder."""
    work = engine._work_dir
    base = work / f"searchable-text-{number}"
    png = image if isinstance(image, Path) else work / f"searchable-image-{number}.png"
    try:
        if not isinstance(image, Path):
            # Fast to write, and Tesseract reads the resolution from it.
            image.save(png, "PNG", compress_level=1, **({"dpi": (dpi, dpi)} if dpi else {}))
        if tesseract.tesseract_info().in_process:
            _in_process(engine, png, base, lang, dpi)
        else:
            _program(png, base, lang, dpi, work)
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
        png.unlink(missing_ok=True)
    out = Path(f"{base}.pdf")
    if not out.is_file() or out.stat().st_size == 0:
        raise FolioError(
            f"Tesseract wrote no text layer for page {number} of {name}; check the page image."
        )
    return out


def _in_process(engine: PageEngine, png: Path, base: Path, lang: str, dpi: int | None) -> None:
    """Tesseract's PDF renderer through the engine the worker keeps loaded for `lang`."""
    api = engine._ocr_engines._engine(lang)
    try:
        for key, value in {**_PDF_ON, "user_defined_dpi": str(dpi or 0)}.items():
            api.SetVariable(key, value)
        try:
            done = api.ProcessPages(str(base), str(png))
        except RuntimeError as exc:
            raise tesseract.TesseractFailed(str(exc) or "it could not take the image") from exc
        if not done:
            raise tesseract.TesseractFailed("its PDF renderer failed")
    finally:
        for key, value in _PDF_OFF.items():
            api.SetVariable(key, value)
        # As after every page: the model stays, nothing learnt from this page does.
        api.Clear()
        api.ClearAdaptiveClassifier()


def _program(png: Path, base: Path, lang: str, dpi: int | None, work: Path) -> None:
    """The Tesseract program's text-only PDF (`tesseract IMG BASE -c textonly_pdf=1 pdf`)."""
    from app.extraction.lifetime import child_dies_with_me

    info = tesseract.tesseract_info()
    if not info.path:
        raise FolioError(tesseract.MISSING_MESSAGE)
    args = [info.path, str(png), str(base), "-l", lang, *tesseract.program_options(dpi)]
    args += ["-c", "textonly_pdf=1", "pdf"]
    try:
        done = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=work,
            env=tesseract.tesseract_env(None if info.in_process else info.tessdata),
            preexec_fn=child_dies_with_me(),
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            check=False,
        )
    except FileNotFoundError as exc:
        raise FolioError(tesseract.MISSING_MESSAGE) from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise tesseract.TesseractFailed(detail or f"exit status {done.returncode}")
