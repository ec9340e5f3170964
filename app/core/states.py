"""What views show of a source or a page, read without page text (cheap at any size)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.models import TaskStatus, TextMethod


@dataclass(frozen=True, slots=True)
class SourceState:
    """How far extraction of one source has come."""

    total: int
    completed: int
    failed: int
    active: int
    #: Pages without text whose latest task was cancelled (nothing will read them).
    cancelled: int = 0
    #: Pages whose text Folio doubts: a person should look at them.
    to_check: int = 0


@dataclass(frozen=True, slots=True)
class PageState:
    """One page as a list shows it: whether it has text, how it was read, its newest task."""

    page_id: int
    source_id: int
    number: int
    has_text: bool
    method: TextMethod | None
    confidence: float | None
    task_id: int | None
    task_status: TaskStatus | None
    #: Its text may be wrong (read from a turned or poor scan): to be checked.
    doubt: bool
    #: The newest task's error, when it failed.
    error: str | None
