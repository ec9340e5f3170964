"""Domain types: Source, Page, BackgroundTask and their enums."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from app.core.docinfo import page_size_label
from app.core.locked import NEEDS_PASSWORD


def now_iso() -> str:
    """The current time, ISO 8601 with offset (UTC), to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


#: Set in an import task's payload when the file's content was already in the library.
ALREADY_IN_LIBRARY = "alreadyInLibrary"
#: The payload field of a page task whose page was read but is to be checked by a person.
TO_CHECK = "toCheck"


class TaskStatus(enum.StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    @property
    def is_active(self) -> bool:
        return self in (TaskStatus.PENDING, TaskStatus.IN_PROGRESS)


TERMINAL_STATUSES = frozenset({TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED})

#: The transitions the task record allows; terminal states never change.
ALLOWED_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PENDING: frozenset(
        {TaskStatus.IN_PROGRESS, TaskStatus.CANCELLED, TaskStatus.FAILED}
    ),
    TaskStatus.IN_PROGRESS: frozenset(
        {TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED, TaskStatus.PENDING}
    ),
    TaskStatus.COMPLETED: frozenset(),
    TaskStatus.FAILED: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}


class TaskType(enum.StrEnum):
    IMPORT = "import"
    TEXT_EXTRACTION = "text_extraction"
    #: Save a document as a PDF with an invisible text layer (payload: source_id or
    #: path, output, lang).
    SEARCHABLE_PDF = "searchable_pdf"


class TextMethod(enum.StrEnum):
    TEXT_LAYER = "text-layer"
    OCR = "ocr"


class OcrMode(enum.StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(slots=True)
class Source:
    """A document in the library: one stored file, split into pages."""

    id: int
    sha256: str
    name: str
    original_path: str
    kind: str
    size: int
    page_count: int
    added_at: str
    #: What the document says of itself (None where it says nothing, or was imported
    #: before Folio read it); the first page's size in points.
    title: str | None = None
    author: str | None = None
    page_width: float | None = None
    page_height: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sha256": self.sha256,
            "name": self.name,
            "originalPath": self.original_path,
            "kind": self.kind,
            "size": self.size,
            "pageCount": self.page_count,
            "addedAt": self.added_at,
            "title": self.title,
            "author": self.author,
            "pageWidth": self.page_width,
            "pageHeight": self.page_height,
            "pageSize": page_size_label(self.page_width, self.page_height) or None,
        }


#: A Source's columns in the sources table, in the order of its fields (for SELECTs).
SOURCE_COLUMNS = (
    "id, sha256, name, original_path, kind, size, page_count, added_at, "
    "title, author, page_width, page_height"
)


@dataclass(slots=True)
class Page:
    """One page of a source and, once extracted, its text."""

    id: int
    source_id: int
    number: int
    text: str | None = None
    method: TextMethod | None = None
    confidence: float | None = None
    extracted_at: str | None = None
    #: A sentence when the text may be wrong: the page is to be checked by a person.
    doubt: str | None = None
    #: The turn (degrees clockwise) applied to the page before it was read.
    rotation: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sourceId": self.source_id,
            "number": self.number,
            "text": self.text,
            "method": self.method.value if self.method else None,
            "confidence": self.confidence,
            "extractedAt": self.extracted_at,
            "toCheck": self.doubt,
            "rotation": self.rotation,
        }


#: Task fields in their JSON spelling, in the order of the task record.
TASK_JSON_FIELDS: dict[str, str] = {
    "id": "id",
    "task_type": "taskType",
    "status": "status",
    "source_id": "sourceId",
    "page_id": "pageId",
    "scheduled_at": "scheduledAt",
    "can_cancel": "canCancel",
    "priority": "priority",
    "progress": "progress",
    "message": "message",
    "started_at": "startedAt",
    "finished_at": "finishedAt",
    "error": "error",
    "attempt": "attempt",
    "retry_of": "retryOf",
}


@dataclass(slots=True)
class BackgroundTask:
    """One piece of background work, as the task record describes it."""

    id: int
    task_type: TaskType
    status: TaskStatus
    scheduled_at: str
    source_id: int | None = None
    page_id: int | None = None
    priority: int = 0
    progress: float = 0.0
    message: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    attempt: int = 1
    retry_of: int | None = None
    interrupted: int = 0
    #: What the task works on beyond ids, e.g. {"path": ...} for an import.
    payload: dict[str, Any] = field(default_factory=dict)
    #: Display names, filled in by the library for the views.
    source_name: str = ""
    page_number: int | None = None

    @property
    def can_cancel(self) -> bool:
        return self.status.is_active

    def snapshot(self) -> BackgroundTask:
        """A copy as it is now: what the manager hands out, so no view shares its state."""
        return replace(self, payload=dict(self.payload))

    @classmethod
    def for_page(
        cls,
        source: Source,
        page: Page,
        *,
        priority: int = 0,
        payload: dict[str, Any] | None = None,
        scheduled_at: str | None = None,
    ) -> BackgroundTask:
        """A new, pending task to read one page of a document."""
        return cls(
            id=0,
            task_type=TaskType.TEXT_EXTRACTION,
            status=TaskStatus.PENDING,
            scheduled_at=scheduled_at or now_iso(),
            source_id=source.id,
            page_id=page.id,
            priority=priority,
            message="Waiting",
            payload=dict(payload or {}),
            source_name=source.name,
            page_number=page.number,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attr, key in TASK_JSON_FIELDS.items():
            value = getattr(self, attr)
            out[key] = value.value if isinstance(value, enum.Enum) else value
        out["sourceName"] = self.source_name or None
        out["pageNumber"] = self.page_number
        if self.status is TaskStatus.FAILED and self.payload.get(NEEDS_PASSWORD):
            out[NEEDS_PASSWORD] = True  # it waits for its document's password
        return out


@dataclass(frozen=True, slots=True)
class TaskChange:
    """A task as it is after a burst of changes, and which of its fields changed."""

    task: BackgroundTask
    fields: tuple[str, ...]
