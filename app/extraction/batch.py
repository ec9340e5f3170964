"""Extract the text of many files at once, in worker processes, results in order."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import FolioError
from app.core.models import OcrMode
from app.extraction.client import (
    PAGE_TIMEOUT,
    PROBE_TIMEOUT,
    ReaderTimeout,
    WorkerPool,
)
from app.extraction.filetype import sniff
from app.extraction.protocol import PageRequest, ProbeRequest

#: Pages handed to one worker in one go (fewer round trips, same document cache).
CHUNK_PAGES = 8
#: After this many pages of one file time out, the rest of its chunk is skipped.
MAX_HUNG_PAGES = 2


@dataclass(slots=True)
class PageOutput:
    number: int
    text: str | None = None
    method: str | None = None
    confidence: float | None = None
    error: str | None = None
    #: A sentence about the page's text, e.g. that it was cut.
    note: str | None = None

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


class BatchExtractor:
    """Runs probes and pages on `jobs` threads, each borrowing a worker process."""

    def __init__(self, ocr: OcrMode, lang: str, pages: set[int] | None, jobs: int) -> None:
        self.ocr = ocr
        self.lang = lang
        self.pages = pages
        self.jobs = max(1, jobs)
        self.pool = WorkerPool(keep_idle=self.jobs)
        self.executor = ThreadPoolExecutor(self.jobs, thread_name_prefix="extract")

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.pool.close()

    def __enter__(self) -> BatchExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _probe(self, path: Path) -> dict[str, Any]:
        sniff(path)
        with self.pool.worker() as w:
            return w.request(ProbeRequest(str(path.resolve()), str(path)), PROBE_TIMEOUT)

    def _pages(self, path: Path, kind: str, numbers: list[int]) -> list[PageOutput]:
        out: list[PageOutput] = []
        hung = 0
        for number in numbers:
            if hung >= MAX_HUNG_PAGES:
                out.append(
                    PageOutput(
                        number,
                        error=f"Page {number} of {path} was skipped because earlier pages of "
                        "this file hung the reader; repair or re-save the file and retry.",
                    )
                )
                continue
            try:
                with self.pool.worker() as w:
                    r = w.request(
                        PageRequest(
                            str(path.resolve()), str(path), kind, number, self.ocr.value, self.lang
                        ),
                        PAGE_TIMEOUT,
                    )
                out.append(
                    PageOutput(number, r["text"], r["method"], r["confidence"], note=r.get("note"))
                )
            except ReaderTimeout as exc:
                hung += 1
                out.append(PageOutput(number, error=exc.message))
            except FolioError as exc:
                out.append(PageOutput(number, error=exc.message))
        return out

    def run(self, candidates: Iterable[Path]) -> Iterator[FileOutput]:
        window = self.jobs * 4
        queue: deque[tuple[Path, Future[dict[str, Any]], list[Future[list[PageOutput]]] | None]]
        queue = deque()
        source = iter(candidates)
        exhausted = False

        def fill() -> None:
            nonlocal exhausted
            while not exhausted and len(queue) < window:
                try:
                    path = next(source)
                except StopIteration:
                    exhausted = True
                    return
                queue.append((path, self.executor.submit(self._probe, path), None))

        def schedule(index: int) -> None:
            path, probe, chunks = queue[index]
            if chunks is not None or probe.exception() is not None:
                return
            info = probe.result()
            wanted = sorted(self.pages or range(1, info["pages"] + 1))
            futures = [
                self.executor.submit(self._pages, path, info["kind"], wanted[i : i + CHUNK_PAGES])
                for i in range(0, len(wanted), CHUNK_PAGES)
            ]
            queue[index] = (path, probe, futures)

        fill()
        while queue:
            schedule(0)
            for i in range(1, len(queue)):
                if queue[i][1].done():
                    schedule(i)
            path, probe, chunks = queue[0]
            result = FileOutput(str(path))
            exc = probe.exception()
            if exc is not None:
                result.error = exc.message if isinstance(exc, FolioError) else str(exc)
            else:
                result.note = probe.result().get("note")
                for chunk in chunks or []:
                    result.pages.extend(chunk.result())
                failed = [p for p in result.pages if p.error]
                if failed:
                    result.error = (
                        failed[0].error
                        if len(failed) == 1
                        else f"{len(failed)} of {len(result.pages)} pages failed; "
                        f"the first: {failed[0].error}"
                    )
            queue.popleft()
            fill()
            yield result
