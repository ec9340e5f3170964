"""The one rule for what runs next and how a document is cut into jobs, for every front-end.

The window's manager (`app.tasks.queue`) and `folio extract` (`app.extraction.batch`)
both take their next job by `order_key` and both read a document one page per job, so
the pages of one document are spread over every worker wherever Folio is used.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from app.core.models import BackgroundTask, TaskType

#: (-priority, kind, age): the smallest runs first.
OrderKey = tuple[int, int, int]

#: Page numbers fit below this, so a document's pages sort inside its own age.
_PAGE_SPAN = 1 << 32


class JobKind(enum.IntEnum):
    """What a job does; at the same priority the smaller kind runs first."""

    #: Count a document's pages (and, in the window, copy it in): quick, and it makes
    #: the document appear and its pages known, so it goes before page reading.
    OPEN = 0
    #: Read one page's text.
    PAGE = 1


def order_key(priority: int, kind: JobKind, age: int) -> OrderKey:
    """Higher priority first; then opening documents before reading pages; then the oldest."""
    return (-priority, int(kind), age)


def kind_of(task_type: TaskType) -> JobKind:
    return JobKind.OPEN if task_type is TaskType.IMPORT else JobKind.PAGE


def task_order_key(task: BackgroundTask) -> OrderKey:
    """A task's place in the window's queue; its id is its age (ids only grow)."""
    return order_key(task.priority, kind_of(task.task_type), task.id)


def page_age(document_age: int, number: int) -> int:
    """The age of page `number` of the document taken `document_age`-th: a document's pages
    run in page order, and all of them before the pages of any later document."""
    if not 0 <= number < _PAGE_SPAN:
        raise ValueError(f"page number {number} is out of range")
    return document_age * _PAGE_SPAN + number


def page_jobs(numbers: Iterable[int]) -> list[int]:
    """The jobs that read a document's pages: one per page, in page order, never chunks
    (a chunk would read a document's pages one after another on one worker)."""
    return sorted(set(numbers))
