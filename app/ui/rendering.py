"""Page images for thumbnails and the viewer, rendered on a thread pool, never on the GUI thread."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, QThreadPool, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument

from app.core.errors import FolioError

log = logging.getLogger(__name__)

#: The longest side a rendered image may have (a zoomed page stays within memory).
MAX_SIDE = 6000
THUMB_CACHE = 600
#: Pixels per PDF point at 100 % (96 dpi screens).
PX_PER_PT = 96 / 72
#: QImage text key: the page's width in pixels at 100 %.
NATURAL_WIDTH = "natural-width"


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """One page of one stored file, at a width in device pixels."""

    path: Path
    kind: str
    index: int
    width: int


def render_page(request: RenderRequest) -> QImage:
    """The page as an opaque image `request.width` pixels wide (images never upscaled)."""
    if request.kind == "pdf":
        return _render_pdf(request)
    return _render_image(request)


def _render_pdf(request: RenderRequest) -> QImage:
    doc = QPdfDocument(None)
    try:
        if doc.load(str(request.path)) != QPdfDocument.Error.None_:
            raise FolioError("This PDF cannot be drawn; its text may still be readable.")
        if not 0 <= request.index < doc.pageCount():
            raise FolioError(f"Page {request.index + 1} is missing from this PDF.")
        size = doc.pagePointSize(request.index)
        if size.width() <= 0 or size.height() <= 0:
            raise FolioError(f"Page {request.index + 1} has no size; the PDF may be damaged.")
        width = max(1, min(request.width, MAX_SIDE))
        height = max(1, round(width * size.height() / size.width()))
        if height > MAX_SIDE:
            width = max(1, round(width * MAX_SIDE / height))
            height = MAX_SIDE
        rendered = doc.render(request.index, QSize(width, height))
        if rendered.isNull():
            raise FolioError(f"Page {request.index + 1} could not be drawn.")
        # PDFium leaves the paper transparent; pages are white in both palettes.
        page = QImage(rendered.size(), QImage.Format.Format_RGB32)
        page.fill(QColor("white"))
        painter = QPainter(page)
        painter.drawImage(0, 0, rendered)
        painter.end()
        page.setText(NATURAL_WIDTH, f"{size.width() * PX_PER_PT:.2f}")
        return page
    finally:
        doc.close()


def _render_image(request: RenderRequest) -> QImage:
    from PIL import Image

    try:
        with Image.open(request.path) as img:
            img.seek(request.index)
            dpi = img.info.get("dpi") or (96, 96)
            frame = img.convert("RGB")
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise FolioError("This image cannot be drawn; it may be damaged.") from exc
    natural_px = frame.width
    if frame.width > request.width:
        height = max(1, round(frame.height * request.width / frame.width))
        frame = frame.resize((request.width, height), Image.Resampling.LANCZOS)
    data = frame.tobytes("raw", "RGB")
    image = QImage(data, frame.width, frame.height, frame.width * 3, QImage.Format.Format_RGB888)
    image = image.copy()  # own the pixels: `data` goes away with this function
    natural = natural_px if not dpi[0] else natural_px * 96 / float(dpi[0])
    image.setText(NATURAL_WIDTH, f"{natural:.2f}")
    return image


class _JobSignals(QObject):
    rendered = Signal(object, QImage)
    failed = Signal(object, str)


class _RenderJob(QRunnable):
    def __init__(self, key: Hashable, request: RenderRequest, signals: _JobSignals) -> None:
        super().__init__()
        self.key = key
        self.request = request
        self.signals = signals

    def run(self) -> None:
        try:
            image = render_page(self.request)
        except FolioError as exc:
            self.signals.failed.emit(self.key, exc.message)
        except Exception as exc:  # noqa: BLE001 - any reader fault must reach the view
            log.warning(
                "rendering %s page %d failed: %s", self.request.path, self.request.index, exc
            )
            self.signals.failed.emit(self.key, "This page cannot be drawn.")
        else:
            self.signals.rendered.emit(self.key, image)


class PageRenderer(QObject):
    """Renders page images on its own small pool and caches them by key.

    Signals:
        rendered(object, QImage): the key of a request and its image.
        failed(object, str): the key of a request and a sentence saying why.
    """

    rendered = Signal(object, QImage)
    failed = Signal(object, str)

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._signals = _JobSignals(self)
        self._signals.rendered.connect(self._on_rendered)
        self._signals.failed.connect(self._on_failed)
        self._pending: set[Hashable] = set()
        self._cache: OrderedDict[Hashable, QImage] = OrderedDict()
        self._uncached: set[Hashable] = set()
        self._stopped = False

    def cached(self, key: Hashable) -> QImage | None:
        image = self._cache.get(key)
        if image is not None:
            self._cache.move_to_end(key)
        return image

    def request(
        self, key: Hashable, request: RenderRequest, *, priority: int = 0, cache: bool = True
    ) -> QImage | None:
        """The cached image, or None after queuing it (`rendered` follows)."""
        if cache and (image := self.cached(key)) is not None:
            return image
        if key in self._pending or self._stopped:
            return None
        self._pending.add(key)
        if not cache:
            self._uncached.add(key)
        self.pool.start(_RenderJob(key, request, self._signals), priority)
        return None

    def pending(self) -> int:
        return len(self._pending)

    def forget(self) -> None:
        """Drop queued work that has not started (e.g. thumbnails of a view just left)."""
        self.pool.clear()
        self._pending.clear()
        self._uncached.clear()

    @Slot(object, QImage)
    def _on_rendered(self, key: Hashable, image: QImage) -> None:
        self._pending.discard(key)
        if self._stopped:
            return
        if key in self._uncached:
            self._uncached.discard(key)
            self.rendered.emit(key, image)
            return
        self._cache[key] = image
        while len(self._cache) > THUMB_CACHE:
            self._cache.popitem(last=False)
        self.rendered.emit(key, image)

    @Slot(object, str)
    def _on_failed(self, key: Hashable, message: str) -> None:
        self._pending.discard(key)
        self._uncached.discard(key)
        if not self._stopped:
            self.failed.emit(key, message)

    def shutdown(self) -> None:
        self._stopped = True
        self.pool.clear()
        self.pool.waitForDone(10_000)
        self._pending.clear()
