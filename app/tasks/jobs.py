"""The work of one task, run on a QThreadPool thread; results go back as typed values.

What costs time with a page's text (cutting, normalising, counting words) happens here,
off the GUI thread, so the GUI thread only stores what a job hands it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core.docinfo import DocumentInfo
from app.core.errors import FolioError
from app.core.filestore import FileStore
from app.core.models import TextMethod
from app.extraction.client import (
    PAGE_TIMEOUT,
    PROBE_TIMEOUT,
    WorkerCancelled,
    WorkerPool,
    WorkerProcess,
)
from app.extraction.filetype import sniff
from app.extraction.languages import installed_default
from app.extraction.protocol import PageRequest, ProbeRequest
from app.extraction.readers import Reader, ReaderPool
from app.extraction.textquality import MAX_PAGE_CHARS, bounded_normalise, cut_note
from app.tasks.runnable import SignalledRunnable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Imported:
    """A file copied into the store, and what its worker found in it."""

    sha256: str
    size: int
    #: The store had this content already (nothing was copied).
    existed: bool
    kind: str
    pages: int
    #: A sentence when Folio reads fewer pages than the file claims.
    note: str | None = None
    #: What the document says of itself (title, author, first page's size).
    info: DocumentInfo = field(default_factory=DocumentInfo)


@dataclass(frozen=True, slots=True)
class PageRead:
    """A page's text, normalised and at most MAX_PAGE_CHARS long, ready to store."""

    text: str
    method: TextMethod
    confidence: float | None
    words: int
    #: A sentence about the result, e.g. that its text was cut.
    note: str | None = None
    #: A sentence when the text may well be wrong: the page is to be checked.
    doubt: str | None = None
    #: The turn (degrees clockwise) applied to the page before it was read.
    rotation: int = 0
    #: The machine of a Dask cluster that read the page (None: this computer).
    ran_on: str | None = None

    def summary(self) -> str:
        """What the Tasks page says of the page: "212 words (OCR, 91% confidence)"."""
        if self.method is TextMethod.TEXT_LAYER:
            how = "text layer"
        elif self.confidence is not None:
            how = f"OCR, {self.confidence:.0f}% confidence"
        else:
            how = "OCR"
        plural = "word" if self.words == 1 else "words"
        said = f"{self.words} {plural} ({how})" if self.words else f"No text found ({how})"
        for sentence in (self.doubt, self.note):
            if sentence:
                said = f"{said}. {sentence}"
        return said


class JobSignals(QObject):
    """Signals of a job, keyed by task id.

    Signals:
        progress(int, float, str): task id, fraction done, message.
        finished(int, object): task id, an Imported or a PageRead.
        failed(int, str): task id, a sentence the user can act on.
        cancelled(int): task id; the job stopped because it was asked to.
    """

    progress = Signal(int, float, str)
    finished = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int)


class Job(SignalledRunnable):
    """Base: a cancel token, a worker process to kill, every exception a `failed` signal."""

    def __init__(self, task_id: int, workers: WorkerPool | ReaderPool) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the manager keeps it until its signal arrives
        self.task_id = task_id
        self.workers = workers
        self.signals = JobSignals()
        self._cancel = threading.Event()
        self._worker: WorkerProcess | Reader | None = None
        self._worker_lock = threading.Lock()

    def cancel(self) -> None:
        """Stop promptly: set the token and kill the worker process (and its Tesseract)."""
        self._cancel.set()
        with self._worker_lock:
            if self._worker is not None:
                self._worker.kill("cancelled")

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @contextlib.contextmanager
    def _borrowed(self) -> Iterator[WorkerProcess | Reader]:
        """A worker for this job's requests, killed at once if the job is cancelled."""
        with self.workers.worker() as worker:
            with self._worker_lock:
                if self._cancel.is_set():
                    raise WorkerCancelled()
                self._worker = worker
            try:
                yield worker
            finally:
                with self._worker_lock:
                    self._worker = None

    def _progress(self, fraction: float, message: str) -> None:
        self.signals.progress.emit(self.task_id, fraction, message)

    def describe(self) -> str:
        return f"task {self.task_id}"

    def unexpected(self, exc: Exception) -> str:
        return (
            f"An unexpected error stopped this task ({type(exc).__name__}: {exc}); "
            "retry it, and report it if it happens again."
        )

    def report_finished(self, result: object) -> None:
        self.signals.finished.emit(self.task_id, result)

    def report_failed(self, sentence: str) -> None:
        self.signals.failed.emit(self.task_id, sentence)

    def report_cancelled(self) -> None:
        self.signals.cancelled.emit(self.task_id)

    def work(self) -> object:
        raise NotImplementedError


class ImportJob(Job):
    """Copy a file into the store (hashing it) and count its pages in a worker."""

    def __init__(self, task_id: int, workers: WorkerPool, store: FileStore, path: Path) -> None:
        super().__init__(task_id, workers)
        self.store = store
        self.path = path

    def work(self) -> Imported:
        kind = sniff(self.path)
        self._progress(0.0, f"Copying {self.path.name}")

        def copied(done: int, total: int) -> None:
            self._progress(0.8 * done / max(total, 1), f"Copying {self.path.name}")

        stored = self.store.add(self.path, copied, self._cancel.is_set)
        self._progress(0.85, f"Counting pages of {self.path.name}")
        try:
            with self._borrowed() as worker:
                info = worker.ask(
                    ProbeRequest(str(stored.path), self.path.name), PROBE_TIMEOUT, self._progress
                )
        except (WorkerCancelled, FolioError):
            if not stored.existed:
                # Nothing half-kept: a file that cannot be read leaves no copy behind.
                self.store.remove(stored.sha256)
            raise
        return Imported(
            sha256=stored.sha256,
            size=stored.size,
            existed=stored.existed,
            kind=info.kind or kind.value,
            pages=info.pages,
            note=info.note,
            info=DocumentInfo.from_values(
                info.title, info.author, info.page_width, info.page_height
            ),
        )


class PageJob(Job):
    """Extract one page's text in a worker: text layer, or OCR where there is none."""

    def __init__(
        self,
        task_id: int,
        workers: WorkerPool,
        *,
        path: Path,
        name: str,
        kind: str,
        number: int,
        ocr: str,
        lang: str,
        rotation: int = 0,
    ) -> None:
        super().__init__(task_id, workers)
        self.request = PageRequest(str(path), name, kind, number, ocr, lang, rotation)

    def work(self) -> PageRead:
        if not Path(self.request.path).exists():
            raise FolioError(
                f"The stored copy of {self.request.name} is missing from the library; "
                "import the document again."
            )
        if not self.request.lang:  # nobody chose: the system's language, then English
            self.request = replace(self.request, lang=installed_default())
        with self._borrowed() as worker:
            reply = worker.ask(self.request, PAGE_TIMEOUT, self._progress)
        # The worker cuts and normalises already; a reply is never trusted to have done so.
        text, cut = bounded_normalise(reply.text)
        note = reply.note or (cut_note(text) if cut else None)
        assert len(text) <= MAX_PAGE_CHARS
        method = TextMethod(reply.method)
        return PageRead(
            text=text,
            method=method,
            confidence=reply.confidence,
            words=len(text.split()),
            note=note,
            doubt=reply.doubt or doubt_of(method, reply.confidence),
            rotation=reply.rotation,
        )


#: Mean OCR confidence below which a page's text is doubted. Measured on 300-dpi pages:
#: upright 96 %, skewed by 3° 95 %, turned 90° or 180° 42 % (3 % of its words right).
DOUBT_BELOW = 60.0


def doubt_of(method: TextMethod, confidence: float | None) -> str | None:
    """The sentence a page gets when its OCR looks unreliable, else None."""
    if method is not TextMethod.OCR or confidence is None or confidence >= DOUBT_BELOW:
        return None
    return f"Read by OCR, {confidence:.0f} % confidence — check this page; rotate it or re-run OCR"
