"""A document's original file: open it in the default viewer, or print a page or all of it.

Printing draws each page through the viewer's renderer (its worker processes), at the
printer's resolution, one page at a time, off the window's thread.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRect, QRectF, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from app.core.errors import FolioError
from app.core.library import Library
from app.core.models import Source
from app.ui.common.rendering import PageRenderer, RenderRequest

#: The widest image a page is drawn at for the printer (the workers' cap is 6000).
MAX_PRINT_WIDTH = 5000


def _copy_named(stored: Path, source: Source) -> Path:
    """A copy of the stored file under the document's own name (the store names files by
    hash, so a viewer would neither know the type nor show the name)."""
    folder = Path(tempfile.gettempdir()) / "folio-open" / source.sha256[:16]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (Path(source.name).name or "document")
    if not target.exists() or target.stat().st_size != stored.stat().st_size:
        shutil.copyfile(stored, target)
    return target


async def file_to_open(source: Source, library: Library) -> Path:
    """The original if it is still where it was imported from, else Folio's copy."""
    original = Path(source.original_path)
    if await asyncio.to_thread(original.is_file):
        return original
    stored = library.store.path_for(source.sha256)
    return await asyncio.to_thread(_copy_named, stored, source)


async def open_in_viewer(source: Source, library: Library) -> str | None:
    """Open the document in the system's default viewer; None, or a sentence saying why not."""
    try:
        path = await file_to_open(source, library)
    except OSError as exc:
        return f"Could not open {source.name} ({exc.strerror or exc})."
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return f"No program could be found to open {source.name}. It is at {path}"
    return None


class PagePrinter(QObject):
    """Prints pages of a document on a QPrinter, one page drawn at a time.

    Signals:
        progressed(int, int): pages printed so far, of how many.
    """

    progressed = Signal(int, int)

    def __init__(
        self, library: Library, renderer: PageRenderer, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.renderer = renderer

    async def print_pages(self, printer: QPrinter, source: Source, numbers: list[int]) -> None:
        """Print these page numbers (1-based) of `source`; FolioError says what failed."""
        if not numbers:
            return
        printer.setDocName(source.name)
        painter = QPainter()
        if not painter.begin(printer):
            raise FolioError("The printer could not be started; check it in the print dialog.")
        try:
            path = self.library.store.path_for(source.sha256)
            for done, number in enumerate(numbers):
                area = printer.pageLayout().paintRectPixels(printer.resolution())
                width = max(100, min(area.width(), MAX_PRINT_WIDTH))
                request = RenderRequest(path, source.kind, number - 1, width, source.name)
                image = await self._draw(request)
                if done and not printer.newPage():
                    raise FolioError("The printer stopped taking pages.")
                whole = QRect(0, 0, area.width(), area.height())
                painter.drawImage(_fit(image.width(), image.height(), whole), image)
                self.progressed.emit(done + 1, len(numbers))
        finally:
            painter.end()

    async def _draw(self, request: RenderRequest) -> QImage:
        """The page drawn by the renderer's workers (never on the window's thread)."""
        key = ("print", id(self), request.path.name, request.index, request.width)
        future: asyncio.Future[QImage] = asyncio.get_running_loop().create_future()

        def rendered(done: object, image: QImage) -> None:
            if done == key and not future.done():
                future.set_result(image)

        def failed(done: object, message: str) -> None:
            if done == key and not future.done():
                future.set_exception(FolioError(message))

        self.renderer.rendered.connect(rendered)
        self.renderer.failed.connect(failed)
        try:
            self.renderer.request(key, request, priority=5, cache=False)
            return await future
        finally:
            self.renderer.rendered.disconnect(rendered)
            self.renderer.failed.disconnect(failed)


def _fit(width: int, height: int, area: QRect) -> QRectF:
    """The largest rectangle of this aspect ratio in `area`, centred at the top."""
    scale = min(area.width() / width, area.height() / height)
    w, h = width * scale, height * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y(), w, h)


def choose_printer(
    parent: QWidget,
    source: Source,
    current: int | None,
    page_only: bool = False,
    run: Callable[[QPrintDialog], int] | None = None,
) -> tuple[QPrinter, list[int]] | None:
    """The print dialog: the printer and the page numbers chosen, or None if cancelled.

    It offers the page shown (`current`; chosen first when `page_only`), a range, or all.
    `run` shows the dialog and returns its result (tests answer it; else `exec`).
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(source.name)
    printer.setResolution(300)  # pages are images: finer only costs memory
    printer.setFromTo(1, source.page_count)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {source.name}")
    dialog.setMinMax(1, source.page_count)
    options = QPrintDialog.PrintDialogOption
    dialog.setOption(options.PrintPageRange, True)
    dialog.setOption(options.PrintCurrentPage, current is not None)
    if current is not None and page_only:
        dialog.setPrintRange(QPrintDialog.PrintRange.CurrentPage)
    result = run(dialog) if run is not None else dialog.exec()
    if not result:
        return None
    return printer, pages_to_print(printer, source.page_count, current)


def pages_to_print(printer: QPrinter, count: int, current: int | None) -> list[int]:
    """The page numbers the printer's range asks for."""
    mode = printer.printRange()
    if mode == QPrinter.PrintRange.CurrentPage and current is not None:
        return [current]
    if mode == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(count, printer.toPage() or count)
        return list(range(first, last + 1))
    return list(range(1, count + 1))
