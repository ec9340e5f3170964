"""The one base of Folio's background work on a QThreadPool: every outcome is a signal."""

from __future__ import annotations

import logging

from PySide6.QtCore import QRunnable

from app.core.errors import FolioError
from app.core.locked import PasswordNeeded
from app.extraction.client import WorkerCancelled

log = logging.getLogger(__name__)


class SignalledRunnable(QRunnable):
    """Runs `work()` on a pool thread and reports how it ended, never raising.

    A result goes to `report_finished`, a document's want of a password to
    `report_locked`, a FolioError's sentence to `report_failed`, a
    cancellation (asked for, or a worker killed because of it) to `report_cancelled`,
    and any other exception is logged and reported as a failure with a sentence. The
    subclass owns its signals (a QObject kept by composition: a QRunnable is not one)
    and says what they carry.
    """

    def run(self) -> None:
        try:
            if self.is_cancelled:
                raise WorkerCancelled()
            result = self.work()
            if self.is_cancelled:
                raise WorkerCancelled()
        except WorkerCancelled:
            self.report_cancelled()
        except PasswordNeeded as exc:
            if self.is_cancelled:
                self.report_cancelled()
            else:
                self.report_locked(exc)
        except FolioError as exc:
            if self.is_cancelled:
                self.report_cancelled()
            else:
                self.report_failed(exc.message)
        except Exception as exc:
            log.exception("%s failed unexpectedly", self.describe())
            self.report_failed(self.unexpected(exc))
        else:
            self.report_finished(result)

    @property
    def is_cancelled(self) -> bool:
        return False

    def describe(self) -> str:
        return type(self).__name__

    def unexpected(self, exc: Exception) -> str:
        """The sentence for an exception nobody foresaw."""
        return (
            f"An unexpected error stopped this work ({type(exc).__name__}: {exc}); "
            "try again, and report it if it happens again."
        )

    def work(self) -> object:
        raise NotImplementedError

    def report_finished(self, result: object) -> None:
        raise NotImplementedError

    def report_failed(self, sentence: str) -> None:
        raise NotImplementedError

    def report_cancelled(self) -> None:
        """Work that cannot be cancelled never gets here."""

    def report_locked(self, exc: PasswordNeeded) -> None:
        """The document needs a password (or another one); a failure unless said otherwise."""
        self.report_failed(exc.message)
