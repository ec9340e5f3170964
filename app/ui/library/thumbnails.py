"""Large first-page thumbnails for the Library's grid: drawn in worker processes, only for
the documents on screen, kept in a memory LRU."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from app.core.models import Source
from app.ui.common.rendering import PageRenderer, RenderRequest

log = logging.getLogger(__name__)

#: The box a grid thumbnail fits in, in logical pixels.
GRID_THUMB = QSize(150, 196)
#: Thumbnails kept in memory (about 120 KB each at 150 × 196 on a 1× screen).
CACHE_ITEMS = 400
#: Thumbnails being drawn at once: the rest wait here, where a scroll can drop them.
IN_FLIGHT = 3

_KIND = "grid"


def fit(image: QImage, box: QSize) -> QPixmap:
    """The page scaled to fill `box` (device pixels) one way, keeping its shape (a small
    image is enlarged too, so every tile shows a page of about the same size)."""
    if image.size() != image.size().scaled(box, Qt.AspectRatioMode.KeepAspectRatio):
        image = image.scaled(
            box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return QPixmap.fromImage(image)


class GridThumbnails(QObject):
    """First-page thumbnails by document content (SHA-256), asked for by what is on screen.

    `want()` says which documents are on screen now, replacing what was asked before: a
    thumbnail scrolled past before its turn is never drawn. At most IN_FLIGHT are drawn
    at once, through the window's PageRenderer (worker processes, off the GUI thread).

    Signals:
        ready(str): the thumbnail of the document with this SHA-256 can be drawn now
            (or it failed, and `failed()` says so).
    """

    ready = Signal(str)

    def __init__(
        self,
        renderer: PageRenderer,
        stored_path: Callable[[str], Path],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.renderer = renderer
        self.stored_path = stored_path
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._wanted: OrderedDict[str, RenderRequest] = OrderedDict()
        self._in_flight: dict[tuple[str, str, int], str] = {}
        self._failed: set[str] = set()
        #: Render requests made so far (what scrolling costs, for tests and benchmarks).
        self.requests = 0
        renderer.rendered.connect(self._on_rendered)
        renderer.failed.connect(self._on_failed)

    def pixmap(self, sha256: str) -> QPixmap | None:
        pixmap = self._cache.get(sha256)
        if pixmap is not None:
            self._cache.move_to_end(sha256)
        return pixmap

    def failed(self, sha256: str) -> bool:
        return sha256 in self._failed

    def pending(self) -> int:
        """Thumbnails asked for and not drawn yet (waiting here or being drawn)."""
        return len(self._wanted) + len(self._in_flight)

    def want(self, sources: Iterable[Source], scale: float = 1.0) -> None:
        """These documents are on screen now, in reading order: draw what is missing."""
        width = max(1, round(GRID_THUMB.width() * scale))
        drawing = set(self._in_flight.values())
        self._wanted = OrderedDict(
            (
                s.sha256,
                RenderRequest(self.stored_path(s.sha256), s.kind, 0, width, s.name),
            )
            for s in sources
            if s.sha256 not in self._cache
            and s.sha256 not in self._failed
            and s.sha256 not in drawing
        )
        self._pump()

    def forget(self, sha256: str) -> None:
        """A document left the library: its thumbnail goes too."""
        self._cache.pop(sha256, None)
        self._wanted.pop(sha256, None)
        self._failed.discard(sha256)

    def _pump(self) -> None:
        while len(self._in_flight) < IN_FLIGHT and self._wanted:
            sha, request = self._wanted.popitem(last=False)
            key = (_KIND, sha, request.width)
            self._in_flight[key] = sha
            self.requests += 1
            self.renderer.request(key, request, cache=False)

    @Slot(object, QImage)
    def _on_rendered(self, key: object, image: QImage) -> None:
        sha = self._in_flight.pop(key, None) if isinstance(key, tuple) else None
        if sha is None:
            return
        width = int(key[2])  # type: ignore[index]
        height = round(width * GRID_THUMB.height() / GRID_THUMB.width())
        pixmap = fit(image, QSize(width, height))
        pixmap.setDevicePixelRatio(width / GRID_THUMB.width())
        self._cache[sha] = pixmap
        while len(self._cache) > CACHE_ITEMS:
            self._cache.popitem(last=False)
        self.ready.emit(sha)
        self._pump()

    @Slot(object, str)
    def _on_failed(self, key: object, message: str) -> None:
        sha = self._in_flight.pop(key, None) if isinstance(key, tuple) else None
        if sha is None:
            return
        log.info("no thumbnail for %s: %s", sha[:12], message)
        self._failed.add(sha)
        self.ready.emit(sha)
        self._pump()
