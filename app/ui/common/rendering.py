"""Page images for thumbnails and the viewer, rendered on a thread pool, never on the GUI thread."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QImageReader

from app.core.errors import FolioError
from app.core.locked import PasswordNeeded
from app.extraction.client import WorkerPool
from app.extraction.protocol import RenderRequest as RenderPageRequest
from app.tasks.passwords import PasswordStore
from app.tasks.runnable import SignalledRunnable

log = logging.getLogger(__name__)

#: Seconds a page may take to draw before its worker is stopped.
RENDER_TIMEOUT = 30.0
THUMB_CACHE = 600
#: QImage text key: the page's width in pixels at 100 %.
NATURAL_WIDTH = "natural-width"


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """One page of one stored file, at a width in device pixels."""

    path: Path
    kind: str
    index: int
    width: int
    #: The document's name for messages (the stored copy is named by its hash).
    name: str = ""


def render_page(request: RenderRequest, workers: WorkerPool, password: str | None = None) -> QImage:
    """The page as an opaque image `request.width` pixels wide, drawn in a worker process.

    PDFium and the image decoders run out of process, so a hostile document can
    only cost its worker, never the window.
    """
    with workers.worker() as worker:
        result = worker.request(
            RenderPageRequest(
                path=str(request.path),
                name=request.name or request.path.name,
                kind=request.kind,
                index=request.index,
                width=request.width,
                password=password,
            ),
            RENDER_TIMEOUT,
        )
    image = read_page_image(Path(str(result["png"])), request)
    image.setText(NATURAL_WIDTH, f"{float(result['natural']):.2f}")
    return image


def read_page_image(png: Path, request: RenderRequest) -> QImage:
    """The page image a worker wrote to `png`, which is removed once read.

    Its size is read from the file's header first: an image larger than a page is
    ever drawn (MAX_DISPLAY_SIDE, MAX_DISPLAY_PIXELS) is refused before it is decoded,
    so no file can make the window hold a huge image.
    """
    # Imported here: the reader's module brings its image libraries, which the window
    # would otherwise load at every start for two numbers.
    from app.extraction.engine import MAX_DISPLAY_PIXELS, MAX_DISPLAY_SIDE

    try:
        reader = QImageReader(str(png))
        size = reader.size()
        width, height = size.width(), size.height()
        if not size.isValid():  # no readable header: nothing is decoded
            image = QImage()
        elif max(width, height) > MAX_DISPLAY_SIDE or width * height > MAX_DISPLAY_PIXELS:
            name = request.name or request.path.name
            raise FolioError(
                f"Page {request.index + 1} of {name} is too large to show;"
                " re-save it smaller and import it again."
            )
        else:
            image = reader.read()
    finally:
        png.unlink(missing_ok=True)
    if image.isNull():
        raise FolioError(f"Page {request.index + 1} could not be drawn.")
    return image


class _JobSignals(QObject):
    rendered = Signal(object, QImage)
    failed = Signal(object, str)
    locked = Signal(object, str)


class _RenderJob(SignalledRunnable):
    def __init__(
        self,
        key: Hashable,
        request: RenderRequest,
        signals: _JobSignals,
        workers: WorkerPool,
        password: str | None = None,
    ) -> None:
        super().__init__()
        self.workers = workers
        self.key = key
        self.request = request
        self.signals = signals
        self.password = password

    def work(self) -> QImage:
        return render_page(self.request, self.workers, self.password)

    def describe(self) -> str:
        return f"drawing {self.request.path} page {self.request.index + 1}"

    def unexpected(self, exc: Exception) -> str:
        return "This page cannot be drawn."

    def report_finished(self, result: object) -> None:
        assert isinstance(result, QImage)
        self.signals.rendered.emit(self.key, result)

    def report_failed(self, sentence: str) -> None:
        self.signals.failed.emit(self.key, sentence)

    def report_locked(self, exc: PasswordNeeded) -> None:
        self.signals.locked.emit(self.key, exc.message)


class PageRenderer(QObject):
    """Renders page images on its own small pool and caches them by key.

    A locked document's pages are drawn with the password `passwords` has for it.

    Signals:
        rendered(object, QImage): the key of a request and its image.
        failed(object, str): the key of a request and a sentence saying why.
        passwordNeeded(object, str): the key of a request whose document needs its
            password (or another one), and the sentence; `failed` follows.
    """

    rendered = Signal(object, QImage)
    failed = Signal(object, str)
    passwordNeeded = Signal(object, str)

    def __init__(
        self,
        parent: QObject | None = None,
        threads: int = 2,
        *,
        passwords: PasswordStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.passwords = passwords
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.workers = WorkerPool(keep_idle=threads)
        self._signals = _JobSignals(self)
        self._signals.rendered.connect(self._on_rendered)
        self._signals.failed.connect(self._on_failed)
        self._signals.locked.connect(self._on_locked)
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
        # Looked up now, on the GUI thread: the stored copy is named by its SHA-256.
        password = self.passwords.for_stored(request.path) if self.passwords else None
        job = _RenderJob(key, request, self._signals, self.workers, password)
        self.pool.start(job, priority)
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
    def _on_locked(self, key: Hashable, message: str) -> None:
        if not self._stopped:
            self.passwordNeeded.emit(key, message)
        self._on_failed(key, message)

    @Slot(object, str)
    def _on_failed(self, key: Hashable, message: str) -> None:
        self._pending.discard(key)
        self._uncached.discard(key)
        if not self._stopped:
            self.failed.emit(key, message)

    def shutdown(self) -> None:
        self._stopped = True
        self.pool.clear()
        self.workers.close()
        self.pool.waitForDone(10_000)
        self._pending.clear()
