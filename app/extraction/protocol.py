"""What the app asks a worker process: typed requests, one JSON line each way.

Every request is built as one of these dataclasses (never as a dict by hand) and read
back by `parse_request` in the worker, so both sides agree on one definition.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class PingRequest:
    op: ClassVar[str] = "ping"


@dataclass(frozen=True, slots=True)
class ProbeRequest:
    """Tell a document's kind and page count."""

    path: str
    #: The file's name as the user knows it (sentences name it).
    name: str
    op: ClassVar[str] = "probe"


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Read one page's text: its text layer, or OCR where there is none (or always)."""

    path: str
    name: str
    kind: str
    number: int
    ocr: str = "auto"
    lang: str = "eng"
    op: ClassVar[str] = "page"


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """Draw one page (0-based index) `width` pixels wide into a PNG the worker writes."""

    path: str
    name: str
    kind: str
    index: int
    width: int
    op: ClassVar[str] = "render"


@dataclass(frozen=True, slots=True)
class ExitRequest:
    op: ClassVar[str] = "exit"


WorkerRequest = PingRequest | ProbeRequest | PageRequest | RenderRequest | ExitRequest

_BY_OP: dict[str, type[WorkerRequest]] = {
    cls.op: cls for cls in (PingRequest, ProbeRequest, PageRequest, RenderRequest, ExitRequest)
}


def to_wire(request: WorkerRequest) -> dict[str, Any]:
    return {"op": request.op, **asdict(request)}


def parse_request(data: Any) -> WorkerRequest:
    """The request a JSON line holds; ValueError when it is not one."""
    if not isinstance(data, dict):
        raise ValueError("a request is a JSON object")
    cls = _BY_OP.get(str(data.get("op")))
    if cls is None:
        raise ValueError(f"unknown request {data.get('op')!r}")
    fields = {k: v for k, v in data.items() if k != "op"}
    try:
        return cls(**fields)
    except TypeError as exc:
        raise ValueError(f"bad {cls.op} request: {exc}") from None


def request_name(request: WorkerRequest) -> str:
    """The document a request is about, for sentences."""
    return str(getattr(request, "name", "") or getattr(request, "path", "") or "the document")
