"""Extract the text of many files at once, in worker processes, results in order.

The same rule as the window's manager (`app.core.scheduling`): the next job is the one
with the smallest order key, and a document is read one page per job, so its pages are
spread over every worker. Results come back file by file, in the order given, each as
soon as its pages are read; only a window of files is in flight at once.
"""

from __future__ import annotations

import heapq
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import FolioError
from app.core.locked import PasswordNeeded
from app.core.models import OcrMode
from app.core.scheduling import JobKind, OrderKey, order_key, page_age, page_jobs
from app.extraction.client import (
    PAGE_TIMEOUT,
    PROBE_TIMEOUT,
    ReaderTimeout,
    WorkerPool,
    WorkerProcess,
)
from app.extraction.filetype import sniff
from app.extraction.protocol import PageRequest, ProbeReply, ProbeRequest
from app.extraction.readers import Reader, ReaderPool

#: After this many pages of one file time out, its pages not yet started are skipped.
MAX_HUNG_PAGES = 2
#: Files in flight (opened, read, or waiting to be printed) per job: bounds memory.
FILES_PER_JOB = 4


@dataclass(slots=True)
class PageOutput:
    number: int
    text: str | None = None
    method: str | None = None
    confidence: float | None = None
    error: str | None = None
    #: A sentence about the page's text, e.g. that it was cut.
    note: str | None = None
    #: The process id of the worker that read the page (not part of the output).
    worker: int | None = None
    #: The page ran past its time limit (not part of the output).
    hung: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "number": self.number,
            "text": self.text,
            "method": self.method,
            "confidence": self.confidence,
        }
        if self.error:
            out["error"] = self.error
        if self.note:
            out["note"] = self.note
        return out


@dataclass(slots=True)
class FileOutput:
    file: str
    pages: list[PageOutput] = field(default_factory=list)
    error: str | None = None
    #: A sentence about the file, e.g. that only its first 10,000 pages are read.
    note: str | None = None
    #: Most of its pages inside worker processes at the same moment (not part of the output).
    most_at_once: int = 0
    #: Set when the file is protected by a password that was not given (False) or did
    #: not open it (True); `error` then says so (not part of the output).
    locked: bool | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"file": self.file, "pages": [p.to_json() for p in self.pages], "error": self.error}
        if self.note:
            out["note"] = self.note
        return out


def parse_page_ranges(spec: str) -> set[int]:
    """`1-3,7` → {1, 2, 3, 7}; raises ValueError with a sentence on bad input."""
    pages: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            start = int(lo)
            end = int(hi) if sep else start
        except ValueError:
            raise ValueError(f"{part!r} is not a page number or range like 1-3") from None
        if start < 1 or end < start:
            raise ValueError(f"{part!r} is not a valid page range")
        pages.update(range(start, end + 1))
    if not pages:
        raise ValueError("no pages were given")
    return pages


@dataclass(slots=True)
class _File:
    """A file in flight: what is known of it and what its jobs have read so far."""

    age: int
    path: Path
    output: FileOutput
    #: Jobs handed out or queued and not yet finished.
    waiting: int = 1
    kind: str = ""
    pages: dict[int, PageOutput] = field(default_factory=dict)
    hung: int = 0
    #: Its pages handed to job threads and not yet reported back.
    out: int = 0
    #: Pages inside worker processes right now (changed by the job threads, under a lock).
    reading: int = 0
    #: What opens it, if it is protected by a password (held in memory only).
    password: str | None = None

    @property
    def done(self) -> bool:
        return self.waiting == 0


@dataclass(slots=True)
class _Opened:
    """A file's probe answer, and the pages left for other jobs to read."""

    file: _File
    info: ProbeReply
    #: The page the open job reads itself, if any.
    first: int | None
    rest: list[int]


@dataclass(slots=True)
class _Failed:
    file: _File
    error: str


@dataclass(slots=True)
class _Locked:
    """The file needs a password: none was given, or the one given is `wrong`."""

    file: _File
    error: PasswordNeeded


@dataclass(slots=True)
class _Read:
    file: _File
    page: PageOutput


@dataclass(slots=True)
class _JobDone:
    """A job's thread is free again."""


_Event = _Opened | _Failed | _Locked | _Read | _JobDone

#: Asked, on the thread that runs the batch, for the password of a file that needs one:
#: (the file, whether the last one tried was wrong) → a password to try, or None.
AskPassword = Callable[[Path, bool], str | None]


class BatchExtractor:
    """Runs the open and page jobs of many files on `jobs` threads, each borrowing a worker.

    The calling thread owns every decision (what runs next, when a file is done); job
    threads only talk to worker processes and report back through one queue.
    """

    def __init__(
        self,
        ocr: OcrMode,
        lang: str,
        pages: set[int] | None,
        jobs: int,
        *,
        page_timeout: float = PAGE_TIMEOUT,
        workers: ReaderPool | None = None,
        password: str | None = None,
        ask_password: AskPassword | None = None,
    ) -> None:
        """`workers`: where pages are read (default: this computer's worker processes;
        `app.cluster.client.ClusterPool` reads them on a Dask cluster). Closed with this.

        `password`: tried on every file protected by one (others ignore it);
        `ask_password`: asked for another when a file needs one (None: it fails)."""
        self.password = password or None
        self.ask_password = ask_password
        self.ocr = ocr
        self.lang = lang
        self.pages = pages
        self.jobs = max(1, jobs)
        self.page_timeout = page_timeout
        self.pool: WorkerPool | ReaderPool = workers or WorkerPool(keep_idle=self.jobs)
        self.executor = ThreadPoolExecutor(self.jobs, thread_name_prefix="extract")
        self._events: queue.SimpleQueue[_Event] = queue.SimpleQueue()
        self._reading_lock = threading.Lock()

    def close(self) -> None:
        # Workers first: a job waiting on a hung page then ends at once.
        self.pool.close()
        self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> BatchExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- job threads -------------------------------------------------------------------

    def _wanted(self, info: ProbeReply) -> list[int]:
        return page_jobs(self.pages or range(1, info.pages + 1))

    def _open_job(self, file: _File) -> None:
        """Probe the file; then its first page on the same worker, which has it open."""
        try:
            try:
                sniff(file.path)
                with self.pool.worker() as w:
                    info = w.ask(
                        ProbeRequest(str(file.path.resolve()), str(file.path), file.password),
                        PROBE_TIMEOUT,
                    )
                    wanted = self._wanted(info)
                    self._events.put(_Opened(file, info, wanted[0] if wanted else None, wanted[1:]))
                    if wanted:
                        self._events.put(_Read(file, self._read(w, file, info.kind, wanted[0])))
            except PasswordNeeded as exc:
                self._events.put(_Locked(file, exc))
            except FolioError as exc:
                self._events.put(_Failed(file, exc.message))
            except Exception as exc:  # noqa: BLE001 - every file ends in a sentence
                self._events.put(_Failed(file, _unexpected(file.path, exc)))
        finally:
            self._events.put(_JobDone())

    def _page_job(self, file: _File, number: int) -> None:
        try:
            try:
                with self.pool.worker() as w:
                    page = self._read(w, file, file.kind, number)
            except FolioError as exc:
                page = PageOutput(number, error=exc.message)
            except Exception as exc:  # noqa: BLE001 - every page ends in a sentence
                page = PageOutput(number, error=_unexpected(file.path, exc))
            self._events.put(_Read(file, page))
        finally:
            self._events.put(_JobDone())

    def _read(self, w: WorkerProcess | Reader, file: _File, kind: str, number: int) -> PageOutput:
        request = PageRequest(
            str(file.path.resolve()),
            str(file.path),
            kind,
            number,
            self.ocr.value,
            self.lang,
            words=False,  # its output has no place for them
            password=file.password,
        )
        with self._reading_lock:
            file.reading += 1
            file.output.most_at_once = max(file.output.most_at_once, file.reading)
        try:
            reply = w.ask(request, self.page_timeout)
        except ReaderTimeout as exc:
            return PageOutput(number, error=exc.message, worker=w.pid, hung=True)
        except FolioError as exc:
            return PageOutput(number, error=exc.message, worker=w.pid)
        except Exception as exc:  # noqa: BLE001 - every page ends in a sentence
            return PageOutput(number, error=_unexpected(file.path, exc), worker=w.pid)
        finally:
            with self._reading_lock:
                file.reading -= 1
        return PageOutput(
            number, reply.text, reply.method, reply.confidence, note=reply.note, worker=w.pid
        )

    # -- the scheduler (the calling thread) --------------------------------------------

    def _ask(self, file: _File, wrong: bool) -> str | None:
        """Another password for `file`, from whoever may be asked; None when nobody can be."""
        if self.ask_password is None:
            return None
        answer = self.ask_password(file.path, wrong)
        return answer or None

    def run(self, candidates: Iterable[Path]) -> Iterator[FileOutput]:
        """Each file's result in the order given, as soon as it and those before it are read."""
        window = self.jobs * FILES_PER_JOB
        source = iter(candidates)
        in_flight: deque[_File] = deque()
        ready: list[tuple[OrderKey, int, int]] = []  # (key, file age, page number or 0)
        files: dict[int, _File] = {}
        running = 0
        admitted = 0

        def admit() -> None:
            nonlocal admitted
            while len(in_flight) < window:
                path = next(source, None)
                if path is None:
                    return
                file = _File(admitted, path, FileOutput(str(path)), password=self.password)
                admitted += 1
                in_flight.append(file)
                files[file.age] = file
                heapq.heappush(ready, (order_key(0, JobKind.OPEN, file.age), file.age, 0))

        def dispatch() -> None:
            nonlocal running
            held: list[tuple[OrderKey, int, int]] = []
            while running < self.jobs and ready:
                item = heapq.heappop(ready)
                _key, age, number = item
                file = files[age]
                if not number:
                    self.executor.submit(self._open_job, file)
                elif file.hung >= MAX_HUNG_PAGES:
                    file.pages[number] = _skipped(file.path, number)
                    file.waiting -= 1
                    continue
                elif file.hung and file.out:
                    # A page of this file hung: its next page waits until the ones being
                    # read have answered, so no more than MAX_HUNG_PAGES hang after it.
                    held.append(item)
                    continue
                else:
                    file.out += 1
                    self.executor.submit(self._page_job, file, number)
                running += 1
            for item in held:
                heapq.heappush(ready, item)

        admit()
        while in_flight:
            while in_flight and in_flight[0].done:
                file = in_flight.popleft()
                del files[file.age]
                admit()
                yield _finish(file)
            if not in_flight:
                break
            dispatch()
            if not running:
                continue  # every page left was skipped: nothing to wait for
            event = self._events.get()
            if isinstance(event, _JobDone):
                running -= 1
            elif isinstance(event, _Opened):
                file = event.file
                file.kind = event.info.kind
                file.output.note = event.info.note
                # The open job goes on to read the first page (it stays counted in
                # `waiting` until that page is read); the rest wait for any job thread.
                file.waiting += len(event.rest) - (1 if event.first is None else 0)
                file.out += event.first is not None
                for number in event.rest:
                    key = order_key(0, JobKind.PAGE, page_age(file.age, number))
                    heapq.heappush(ready, (key, file.age, number))
            elif isinstance(event, _Failed):
                event.file.output.error = event.error
                event.file.waiting -= 1
            elif isinstance(event, _Locked):
                file = event.file
                password = self._ask(file, event.error.wrong)
                if password is None:
                    file.output.error = event.error.message
                    file.output.locked = event.error.wrong
                    file.waiting -= 1
                else:  # opened again with it (the file stays waiting meanwhile)
                    file.password = password
                    heapq.heappush(ready, (order_key(0, JobKind.OPEN, file.age), file.age, 0))
            else:
                file = event.file
                file.pages[event.page.number] = event.page
                file.hung += event.page.hung
                file.out -= 1
                file.waiting -= 1


def _skipped(path: Path, number: int) -> PageOutput:
    return PageOutput(
        number,
        error=f"Page {number} of {path} was skipped because earlier pages of this file hung "
        "the reader; repair or re-save the file and retry.",
    )


def _unexpected(path: Path, exc: Exception) -> str:
    return (
        f"{path} could not be read ({type(exc).__name__}: {str(exc)[:160]}); "
        "the file may be damaged — re-save it and retry."
    )


def _finish(file: _File) -> FileOutput:
    """The file's result with its pages in order and one sentence for its failures."""
    result = file.output
    result.pages = [file.pages[n] for n in sorted(file.pages)]
    if result.error is None:
        failed = [p for p in result.pages if p.error]
        if failed:
            result.error = (
                failed[0].error
                if len(failed) == 1
                else f"{len(failed)} of {len(result.pages)} pages failed; "
                f"the first: {failed[0].error}"
            )
    return result
