"""Searches run on a small pool of their own, each with its own read-only connection.

The GUI thread never waits on the index: a search, its count, the next documents and
a document's pages are each a job. A job answers with its generation (the search it
belongs to), so the view drops what an outdated search returns; starting a newer
search interrupts the queries of the older one (SQLite's interrupt) instead of
letting them run to the end.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal, Slot

from app.core.library import Library
from app.extraction.client import WorkerCancelled
from app.tasks.runnable import SignalledRunnable

log = logging.getLogger(__name__)

#: Two threads: a search's first results and its count run side by side.
THREADS = 2

Work = Callable[[Library], object]


class _Signals(QObject):
    finished = Signal(int, object, object)
    failed = Signal(int, object, str)
    ended = Signal(object)


class _SearchJob(SignalledRunnable):
    def __init__(
        self, folder: Path, generation: int, tag: object, work: Work, signals: _Signals
    ) -> None:
        super().__init__()
        self.folder = folder
        self.generation = generation
        self.tag = tag
        self._work = work
        self.signals = signals
        self._lock = threading.Lock()
        self._library: Library | None = None
        self._cancelled = False

    @property
    def is_cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Stop as soon as possible; may be called from any thread."""
        with self._lock:
            self._cancelled = True
            if self._library is not None:
                self._library.interrupt()

    def work(self) -> object:
        with self._lock:
            if self._cancelled:
                raise WorkerCancelled()
            self._library = Library(self.folder, readonly=True)
        try:
            return self._work(self._library)
        except sqlite3.OperationalError:
            if self._cancelled:  # interrupted on purpose
                raise WorkerCancelled() from None
            raise
        finally:
            with self._lock:
                self._library.close()
                self._library = None

    def describe(self) -> str:
        return f"search job {self.tag!r}"

    def unexpected(self, exc: Exception) -> str:
        return (
            f"The search stopped unexpectedly ({type(exc).__name__}: {exc}); "
            "try again, and report it if it happens again."
        )

    def report_finished(self, result: object) -> None:
        self.signals.finished.emit(self.generation, self.tag, result)
        self.signals.ended.emit(self)

    def report_failed(self, sentence: str) -> None:
        self.signals.failed.emit(self.generation, self.tag, sentence)
        self.signals.ended.emit(self)

    def report_cancelled(self) -> None:
        self.signals.ended.emit(self)


class SearchRunner(QObject):
    """Runs search work off the GUI thread.

    Signals:
        finished(int, object, object): a job's generation, its tag and its result.
        failed(int, object, str): a job's generation, its tag and a sentence.
    """

    finished = Signal(int, object, object)
    failed = Signal(int, object, str)

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(THREADS)
        self._signals = _Signals(self)
        self._signals.finished.connect(self.finished)
        self._signals.failed.connect(self.failed)
        self._signals.ended.connect(self._on_ended)
        self._jobs: set[_SearchJob] = set()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def start(self, generation: int, tag: object, work: Work) -> None:
        job = _SearchJob(self.folder, generation, tag, work, self._signals)
        job.setAutoDelete(False)  # kept in _jobs until it has reported
        self._jobs.add(job)
        self.pool.start(job)

    def cancel_older(self, generation: int) -> None:
        """Stop every job of an older search (queued ones never start)."""
        for job in list(self._jobs):
            if job.generation < generation:
                job.cancel()

    def busy(self) -> bool:
        return bool(self._jobs)

    @Slot(object)
    def _on_ended(self, job: object) -> None:
        if isinstance(job, _SearchJob):
            self._jobs.discard(job)

    @Slot()
    def shutdown(self) -> None:
        for job in list(self._jobs):
            job.cancel()
        self.pool.clear()
        self.pool.waitForDone(2000)
