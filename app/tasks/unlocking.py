"""Tasks that wait for a document's password, and opening them with one (off the GUI thread).

A task whose document is protected by a password ends failed with NEEDS_PASSWORD in its
payload ("Needs password"): it waits, like any failure, until it is retried. A password is
first tried on the file in a worker process (`check_password`); only one that opens it is
kept (in memory, see passwords.py) and the waiting tasks of that document are retried.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from app.core.locked import NEEDS_PASSWORD, WRONG_PASSWORD, PasswordNeeded
from app.core.models import BackgroundTask, TaskStatus, TaskType, now_iso
from app.extraction.client import PROBE_TIMEOUT, WorkerPool
from app.extraction.protocol import ProbeRequest
from app.tasks.control import TaskControl
from app.tasks.runnable import SignalledRunnable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LockedDocument:
    """A document whose tasks wait for its password: what the window asks about.

    `key` is the same for every task of one document ("source:ID", or "import:TASK"
    for a file whose import stopped before it became a document).
    """

    key: str
    name: str
    #: The file a password is tried on: the stored copy, or the file being imported.
    path: Path
    source_id: int | None
    sha256: str | None
    #: The password last tried did not open it.
    wrong: bool
    sentence: str


class CheckOutcome(enum.Enum):
    OPENS = "opens"
    WRONG = "wrong"
    #: The file could not be tried at all (gone, damaged): `sentence` says why.
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    """The answer to `check_password` for the document with `key`."""

    key: str
    outcome: CheckOutcome
    #: Empty when the password opens it.
    sentence: str = ""
    #: The tasks retried with it.
    retried: tuple[int, ...] = ()


def try_password(workers: WorkerPool, path: Path, name: str, password: str) -> bool:
    """Whether `password` opens the file at `path` (in a worker process; blocks).

    FolioError when the file cannot be read for another reason.
    """
    with workers.worker() as worker:
        try:
            worker.ask(ProbeRequest(str(path), name, password), PROBE_TIMEOUT)
        except PasswordNeeded:
            return False
    return True


class _CheckSignals(QObject):
    """Signals: done(int, object): the check's number and its PasswordCheck."""

    done = Signal(int, object)


class PasswordCheckJob(SignalledRunnable):
    """Tries a password on a locked document in a worker process, off the GUI thread."""

    def __init__(
        self, number: int, document: LockedDocument, password: str, workers: WorkerPool
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # kept by the manager until its signal arrives
        self.number = number
        self.document = document
        self.password = password
        self.workers = workers
        self.signals = _CheckSignals()

    def describe(self) -> str:
        return f"trying a password on {self.document.name}"

    def work(self) -> bool:
        return try_password(self.workers, self.document.path, self.document.name, self.password)

    def report_finished(self, result: object) -> None:
        key, name = self.document.key, self.document.name
        if result:
            check = PasswordCheck(key, CheckOutcome.OPENS)
        else:
            check = PasswordCheck(key, CheckOutcome.WRONG, PasswordNeeded(name, wrong=True).message)
        self.signals.done.emit(self.number, check)

    def report_failed(self, sentence: str) -> None:
        check = PasswordCheck(self.document.key, CheckOutcome.FAILED, sentence)
        self.signals.done.emit(self.number, check)


class TaskUnlocking(TaskControl):
    """Part of ExtractionManager: tasks waiting for a password, and giving it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Checks running, by number: the job (kept until it answers), what it tries.
        self._checks: dict[int, tuple[PasswordCheckJob, LockedDocument, str]] = {}
        self._check_count = 0

    # -- a task stops for its password (GUI thread) ----------------------------------

    @Slot(int, str, bool)
    def _on_locked(self, task_id: int, sentence: str, wrong: bool) -> None:
        job = self._running.pop(task_id, None)
        self._finishing.pop(task_id, None)
        task = self._tasks.get(task_id)
        if job is None or task is None or task.status is not TaskStatus.IN_PROGRESS:
            self._schedule()
            return
        document = self.locked_document(task, sentence=sentence, wrong=wrong)
        if wrong and document is not None:
            # What was kept does not open it after all: it is asked for again.
            self.passwords.forget(document.sha256, document.path)
        self._transition(task, TaskStatus.FAILED)
        task.finished_at = now_iso()
        task.error = sentence
        task.message = "Needs password"
        task.payload[NEEDS_PASSWORD] = True
        if wrong:
            task.payload[WRONG_PASSWORD] = True
        else:
            task.payload.pop(WRONG_PASSWORD, None)
        fields = ("status", "finished_at", "error", "message", "payload")
        self.library.update_task(task, fields)
        self._batch.failed += 1
        self._mark(task.id, *fields)
        if document is not None:
            self.passwordNeeded.emit(document)
        self._schedule()

    # -- what waits ------------------------------------------------------------------

    def locked_document(
        self, task: BackgroundTask, *, sentence: str | None = None, wrong: bool | None = None
    ) -> LockedDocument | None:
        """The document `task` works on, as the password prompt names it."""
        if wrong is None:
            wrong = bool(task.payload.get(WRONG_PASSWORD))
        source = self.library.source(task.source_id) if task.source_id is not None else None
        if source is not None:
            name, path = source.name, self.library.store.path_for(source.sha256)
            key, sha = f"source:{source.id}", source.sha256
        elif task.task_type is TaskType.IMPORT and task.payload.get("path"):
            path = Path(str(task.payload["path"]))
            name = str(task.payload.get("name") or path.name)
            key, sha = f"import:{task.id}", None
        else:
            return None
        if sentence is None:
            sentence = PasswordNeeded(name, wrong=wrong).message
        return LockedDocument(key, name, path, source.id if source else None, sha, wrong, sentence)

    def waiting_for_password(self, key: str | None = None) -> list[BackgroundTask]:
        """Tasks in view that wait for a password (of the document `key`, or any)."""
        retried = {t.retry_of for t in self._tasks.values() if t.retry_of is not None}
        waiting = []
        for task in self._tasks.values():
            if (
                task.status is not TaskStatus.FAILED
                or not task.payload.get(NEEDS_PASSWORD)
                or task.id in retried
            ):
                continue
            if key is not None:
                document = self.locked_document(task)
                if document is None or document.key != key:
                    continue
            waiting.append(task)
        return [t.snapshot() for t in sorted(waiting, key=lambda t: t.id)]

    def locked_documents(self) -> list[LockedDocument]:
        """Each document that has tasks waiting for its password, once."""
        seen: dict[str, LockedDocument] = {}
        for task in self.waiting_for_password():
            document = self.locked_document(task)
            if document is not None and document.key not in seen:
                seen[document.key] = document
        return list(seen.values())

    def locked_source_document(self, source_id: int) -> LockedDocument | None:
        """The document `source_id` as a password prompt names it (its pages' images need
        the password, whether or not a task waits for it)."""
        source = self.library.source(source_id)
        if source is None:
            return None
        path = self.library.store.path_for(source.sha256)
        return LockedDocument(
            f"source:{source.id}",
            source.name,
            path,
            source.id,
            source.sha256,
            False,
            PasswordNeeded(source.name).message,
        )

    # -- giving the password ---------------------------------------------------------

    def check_password(self, document: LockedDocument, password: str) -> None:
        """Try `password` on `document` off the GUI thread; `passwordChecked` answers.

        When it opens the document it is kept (in memory) and the document's waiting
        tasks are retried with it; a wrong one changes nothing.
        """
        self._check_count += 1
        job = PasswordCheckJob(self._check_count, document, password, self.workers)
        job.signals.done.connect(self._on_checked)
        self._checks[job.number] = (job, document, password)
        # A thread of its own even while every thread reads pages: a person waits on it.
        self.pool.reserveThread()
        self.pool.startOnReservedThread(job)

    def checking(self) -> bool:
        """Whether a password is being tried."""
        return bool(self._checks)

    @Slot(int, object)
    def _on_checked(self, number: int, check: PasswordCheck) -> None:
        held = self._checks.pop(number, None)
        if held is None or self._stopping:
            return
        _job, document, password = held
        if check.outcome is CheckOutcome.OPENS:
            retried = self.unlock(document, password)
            check = PasswordCheck(check.key, check.outcome, "", tuple(t.id for t in retried))
        self.passwordChecked.emit(check)

    def unlock(self, document: LockedDocument, password: str) -> list[BackgroundTask]:
        """Keep `password` for `document` (in memory) and retry its waiting tasks with it."""
        if document.sha256 is not None:
            self.passwords.remember(document.sha256, password)
        else:
            self.passwords.remember_file(document.path, password)
        waiting = [t.id for t in self.waiting_for_password(document.key)]
        if not waiting:
            return []
        return self.retry(waiting)
