"""Make a searchable PDF of a document: OCR in the workers, pages laid together here.

Used by `folio searchable-pdf` and by the window's task. The pages are read by the
worker processes (each page one request, so their time, memory and CPU limits apply,
and a cancel kills them), several at once; their text-only PDFs are moved out of the
workers' private folders at once and laid onto the original pages (`textlayer.py`).
The result is written to a temporary file beside the output and renamed onto it only
when whole: a failure or a cancel leaves no partial file, and the input is never
written to.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import FolioError
from app.core.locked import PasswordNeeded
from app.extraction.client import (
    PAGE_TIMEOUT,
    PROBE_TIMEOUT,
    WorkerCancelled,
    WorkerPool,
    WorkerProcess,
)
from app.extraction.filetype import FileKind
from app.extraction.protocol import ProbeReply, ProbeRequest, SearchablePageRequest
from app.extraction.textlayer import write_image_document, write_searchable

#: Called with (fraction done, message).
Progress = Callable[[float, str], None]


@dataclass(frozen=True, slots=True)
class SearchableResult:
    """What a searchable PDF holds: its pages, those OCR'd, those kept as they were."""

    output: Path
    pages: int
    ocr_pages: int
    kept_pages: int

    def summary(self) -> str:
        """E.g. "Saved 12 pages to scan.pdf (10 read by OCR, 2 with text kept)"."""
        pages = f"{self.pages} page{'s' if self.pages != 1 else ''}"
        parts = [f"{self.ocr_pages} read by OCR"]
        if self.kept_pages:
            parts.append(f"{self.kept_pages} with text kept")
        return f"Saved {pages} to {self.output.name} ({', '.join(parts)})"


def default_output_name(name: str) -> str:
    """ "scan (searchable).pdf" for "scan.pdf" or "scan.tiff"."""
    return f"{Path(name).stem or 'document'} (searchable).pdf"


def check_output(source: Path, output: Path, name: str) -> None:
    """Refuse an output that is the input itself, or in a folder that does not exist."""
    same = output.resolve() == source.resolve()
    with contextlib.suppress(OSError):
        same = same or (output.exists() and os.path.samefile(output, source))
    if same:
        raise FolioError(
            f"The searchable copy of {name} would overwrite the original; choose another file name."
        )
    if not output.parent.is_dir():
        raise FolioError(
            f"Cannot save the searchable copy of {name} to {output}: the folder "
            f"{output.parent} does not exist."
        )


class SearchableBuilder:
    """Builds one searchable PDF; `cancel()` from any thread stops it at once."""

    def __init__(
        self,
        workers: WorkerPool,
        source: Path,
        output: Path,
        *,
        name: str | None = None,
        lang: str = "",
        jobs: int = 1,
        progress: Progress | None = None,
        password: str | None = None,
        ask_password: Callable[[Path, bool], str | None] | None = None,
    ) -> None:
        """`password`: what opens a PDF protected by one; `ask_password`: asked (on the
        thread that runs the builder) for another when it is missing or wrong."""
        self.password = password or None
        self.ask_password = ask_password
        self.workers = workers
        self.source = source
        self.output = output
        self.name = name or source.name
        self.lang = lang
        self.jobs = max(1, jobs)
        self._progress = progress or (lambda fraction, message: None)
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._busy: set[WorkerProcess] = set()

    # -- stopping ----------------------------------------------------------------------

    def cancel(self) -> None:
        self._cancel.set()
        with self._lock:
            for worker in self._busy:
                worker.kill("cancelled")

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @contextlib.contextmanager
    def _worker(self) -> Iterator[WorkerProcess]:
        with self.workers.worker() as worker:
            with self._lock:
                if self._cancel.is_set():
                    raise WorkerCancelled()
                self._busy.add(worker)
            try:
                yield worker
            finally:
                with self._lock:
                    self._busy.discard(worker)

    # -- building ----------------------------------------------------------------------

    def run(self) -> SearchableResult:
        if not self.lang:
            from app.extraction.languages import installed_default

            self.lang = installed_default()
        if not self.source.is_file():
            raise FolioError(f"{self.name} was not found; check the path and try again.")
        check_output(self.source, self.output, self.name)
        self._progress(0.0, f"Counting pages of {self.name}")
        probe = self._probe()
        kind, total = FileKind(probe.kind), probe.pages
        if total <= 0:
            raise FolioError(f"{self.name} has no pages to make searchable.")
        scratch = Path(tempfile.mkdtemp(prefix="folio-searchable-"))
        try:
            files = self._read_pages(kind, total, scratch)
            if self.cancelled:
                raise WorkerCancelled()
            self._progress(0.95, f"Writing {self.output.name}")
            self._write(kind, files)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        ocr = sum(1 for text, _page in files if text is not None)
        return SearchableResult(self.output, total, ocr, total - ocr)

    def _probe(self) -> ProbeReply:
        """The document's kind and pages, asking for its password while it is missing."""
        while True:
            try:
                with self._worker() as worker:
                    return worker.ask(
                        ProbeRequest(str(self.source), self.name, self.password), PROBE_TIMEOUT
                    )
            except PasswordNeeded as exc:
                again = self.ask_password(self.source, exc.wrong) if self.ask_password else None
                if not again:
                    raise
                self.password = again

    def _read_pages(
        self, kind: FileKind, total: int, scratch: Path
    ) -> list[tuple[Path | None, Path | None]]:
        """Each page's text PDF (None: kept as it is) and, for an image, its page PDF."""
        files: list[tuple[Path | None, Path | None]] = [(None, None)] * total
        done = 0
        done_lock = threading.Lock()

        def read(number: int) -> None:
            nonlocal done
            if self.cancelled:
                raise WorkerCancelled()
            request = SearchablePageRequest(
                str(self.source), self.name, kind.value, number, self.lang, self.password
            )
            with self._worker() as worker:
                reply = worker.ask(request, PAGE_TIMEOUT)
                # Out of the worker's folder before it is released (or closed with it).
                text = _take(reply.text_pdf, scratch / f"text-{number}.pdf")
                page = _take(reply.page_pdf, scratch / f"page-{number}.pdf")
            with done_lock:
                done += 1
                self._progress(
                    0.05 + 0.9 * done / total, f"Read {done} of {total} pages of {self.name}"
                )
            files[number - 1] = (text, page)

        with ThreadPoolExecutor(max_workers=min(self.jobs, total)) as pool:
            futures = [pool.submit(read, number) for number in range(1, total + 1)]
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = next((f for f in finished if f.exception() is not None), None)
            if failed is not None:
                self._cancel.set()  # the other pages stop where they are
                for future in futures:
                    future.cancel()
                self.cancel()
                error = failed.exception()
                assert error is not None
                raise error
        return files

    def _write(self, kind: FileKind, files: list[tuple[Path | None, Path | None]]) -> None:
        """Write the whole file beside the output, then rename it there (never half)."""
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{self.output.stem[:40]}-", suffix=".part", dir=self.output.parent
        )
        os.close(handle)
        temp = Path(temp_name)
        try:
            if kind is FileKind.PDF:
                layers = {i: text for i, (text, _page) in enumerate(files) if text is not None}
                write_searchable(self.source, layers, temp, self.password)
            else:
                pages = []
                for text, page in files:
                    if page is None:
                        raise FolioError(f"A page of {self.name} could not be wrapped as PDF.")
                    pages.append((page, text))
                write_image_document(pages, temp)
            if self.cancelled:
                raise WorkerCancelled()
            os.chmod(temp, 0o666 & ~_UMASK)
            os.replace(temp, self.output)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise FolioError(
                f"Could not write the searchable copy of {self.name} to {self.output} "
                f"({exc.strerror or exc}); choose another folder."
            ) from exc
        except (FolioError, WorkerCancelled):
            temp.unlink(missing_ok=True)
            raise
        except Exception as exc:
            temp.unlink(missing_ok=True)
            raise FolioError(
                f"The text could not be added to {self.name} ({type(exc).__name__}: "
                f"{str(exc)[:120]}); the PDF may be damaged — re-save it and try again."
            ) from exc


def _take(worker_file: str, to: Path) -> Path | None:
    if not worker_file:
        return None
    shutil.move(worker_file, to)
    return to


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Read once, at import (changing the umask is not thread-safe): the output gets the
#: permissions any new file of the user gets, not mkstemp's private 0600.
_UMASK = _read_umask()
