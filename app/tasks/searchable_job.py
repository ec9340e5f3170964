"""The task that saves a document as a searchable PDF: its job and what its result means.

The pages are OCR'd in the worker processes and laid onto the original with pypdf on
this job's pool thread (never the GUI thread); see `app.extraction.searchable`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from app.core.library import Library
from app.core.models import BackgroundTask, Source, TaskStatus, TaskType, now_iso
from app.extraction.client import WorkerCancelled, WorkerPool
from app.extraction.searchable import SearchableBuilder, SearchableResult
from app.tasks.jobs import Job
from app.tasks.passwords import PasswordStore


class SearchablePdfJob(Job):
    """Build one searchable PDF; cancelling kills its workers and leaves no output."""

    def __init__(
        self,
        task_id: int,
        workers: WorkerPool,
        *,
        path: Path,
        name: str,
        output: Path,
        lang: str,
        jobs: int = 1,
        password: str | None = None,
    ) -> None:
        super().__init__(task_id, workers)
        self.output = output
        self.builder = SearchableBuilder(
            workers,
            path,
            output,
            name=name,
            lang=lang,
            jobs=jobs,
            progress=self._progress,
            password=password,
        )

    def cancel(self) -> None:
        super().cancel()
        self.builder.cancel()

    def describe(self) -> str:
        return f"searchable PDF task {self.task_id}"

    def work(self) -> SearchableResult:
        result = self.builder.run()
        if self.is_cancelled:
            # Cancelled as the file was renamed into place: it goes, as if never written.
            with contextlib.suppress(OSError):
                result.output.unlink()
            raise WorkerCancelled()
        return result


def searchable_task(
    source: Source, output: Path, lang: str, *, priority: int = 0
) -> BackgroundTask:
    """A new, pending task to save `source` as a searchable PDF at `output`."""
    return BackgroundTask(
        id=0,
        task_type=TaskType.SEARCHABLE_PDF,
        status=TaskStatus.PENDING,
        scheduled_at=now_iso(),
        source_id=source.id,
        priority=priority,
        message=f"Waiting to save {output.name}",
        payload={
            "source_id": source.id,
            "output": str(output),
            "lang": lang,
            "name": source.name,
        },
        source_name=source.name,
    )


def make_searchable_job(
    task: BackgroundTask,
    library: Library,
    workers: WorkerPool,
    jobs: int,
    lang: str,
    passwords: PasswordStore | None = None,
) -> SearchablePdfJob | str:
    """The job for a searchable-PDF task, or the sentence it fails with at once.

    `passwords`: where the password of a locked document is found (in memory)."""
    payload: dict[str, Any] = task.payload
    output = Path(str(payload.get("output") or ""))
    password: str | None = None
    if payload.get("path"):  # a file outside the library
        path = Path(str(payload["path"]))
        name = str(payload.get("name") or path.name)
        password = passwords.for_file(path) if passwords is not None else None
    else:
        source_id = payload.get("source_id", task.source_id)
        source = library.source(int(source_id)) if source_id is not None else None
        if source is None:
            return "The document was deleted from the library, so it cannot be saved."
        path, name = library.store.path_for(source.sha256), source.name
        password = passwords.get(source.sha256) if passwords is not None else None
        if not path.exists():
            return (
                f"The stored copy of {name} is missing from the library; import the document again."
            )
    return SearchablePdfJob(
        task.id,
        workers,
        path=path,
        name=name,
        output=output,
        lang=str(payload.get("lang") or lang),
        jobs=jobs,
        password=password,
    )


def discard_output(result: object) -> None:
    """A searchable PDF finished after its task was cancelled: it is removed."""
    if isinstance(result, SearchableResult):
        with contextlib.suppress(OSError):
            result.output.unlink()
