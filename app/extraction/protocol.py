"""What the app asks a worker process and what it answers: typed, one JSON line each way.

Every request is built as one of these dataclasses (never as a dict by hand) and read
back by `parse_request` in the worker; every answer is read back into its reply class
by `parse_reply` in the app, so both sides agree on one definition.
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
    #: The user's turn for the page, degrees clockwise, applied before OCR (no detection
    #: then); 0 lets the worker find which way up the page is; 360 is upright by choice.
    rotation: int = 0
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
class SearchablePageRequest:
    """OCR one page (1-based) into Tesseract's text-only PDF, for a searchable copy.

    A PDF page that has a text layer is left as it is (no OCR). An image's page comes
    back as a one-page PDF too, its image wrapped without re-encoding where possible.
    """

    path: str
    name: str
    kind: str
    number: int
    lang: str = "eng"
    op: ClassVar[str] = "searchable-page"


@dataclass(frozen=True, slots=True)
class ExitRequest:
    op: ClassVar[str] = "exit"


WorkerRequest = (
    PingRequest | ProbeRequest | PageRequest | RenderRequest | SearchablePageRequest | ExitRequest
)

_BY_OP: dict[str, type[WorkerRequest]] = {
    cls.op: cls
    for cls in (
        PingRequest,
        ProbeRequest,
        PageRequest,
        RenderRequest,
        SearchablePageRequest,
        ExitRequest,
    )
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


# -- replies -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PingReply:
    pid: int


@dataclass(frozen=True, slots=True)
class ProbeReply:
    """A document's kind and the pages Folio reads of it."""

    kind: str
    pages: int
    #: A sentence when Folio reads fewer pages than the file claims (a cap).
    note: str | None = None
    #: What the document says of itself (None where it says nothing), and its first
    #: page's size in points (None when unknown, e.g. an image without a resolution).
    title: str | None = None
    author: str | None = None
    page_width: float | None = None
    page_height: float | None = None


@dataclass(frozen=True, slots=True)
class PageReply:
    """One page's text and how it was read."""

    text: str
    #: "text-layer" or "ocr".
    method: str
    confidence: float | None = None
    #: A sentence about the result, e.g. that its text was cut.
    note: str | None = None
    #: A sentence when the text may well be wrong (the page is to be checked).
    doubt: str | None = None
    #: The turn (degrees clockwise) applied to the page before it was read.
    rotation: int = 0


@dataclass(frozen=True, slots=True)
class RenderReply:
    """Where the worker wrote the drawn page, and the page's width at 96 dpi."""

    png: str
    natural: float


@dataclass(frozen=True, slots=True)
class SearchablePageReply:
    """Files the worker wrote in its private folder for one page of a searchable copy."""

    #: Tesseract's text-only PDF of the page ("" when the page keeps its own text layer).
    text_pdf: str = ""
    #: An image's page as a one-page PDF ("" for a PDF's page, which is kept as it is).
    page_pdf: str = ""


#: How a page's text was read (TextMethod's values; this module stays free of the core).
PAGE_METHODS = frozenset({"text-layer", "ocr"})

WorkerReply = PingReply | ProbeReply | PageReply | RenderReply | SearchablePageReply

_REPLY_OF: dict[type[WorkerRequest], type[WorkerReply]] = {
    PingRequest: PingReply,
    ProbeRequest: ProbeReply,
    PageRequest: PageReply,
    RenderRequest: RenderReply,
    SearchablePageRequest: SearchablePageReply,
}

#: The type each reply field must have on the wire (ints are accepted for floats).
_WIRE_TYPES: dict[str, tuple[type, ...]] = {
    "pid": (int,),
    "kind": (str,),
    "pages": (int,),
    "note": (str, type(None)),
    "title": (str, type(None)),
    "author": (str, type(None)),
    "page_width": (int, float, type(None)),
    "page_height": (int, float, type(None)),
    "doubt": (str, type(None)),
    "rotation": (int,),
    "text": (str,),
    "method": (str,),
    "confidence": (int, float, type(None)),
    "png": (str,),
    "natural": (int, float),
    "text_pdf": (str,),
    "page_pdf": (str,),
}


def parse_reply(request: WorkerRequest, data: Any) -> WorkerReply:
    """The reply a worker's result holds for `request`; ValueError when it is not one."""
    cls = _REPLY_OF.get(type(request))
    if cls is None:
        raise ValueError(f"{request.op} requests have no reply")
    if not isinstance(data, dict):
        raise ValueError(f"a {request.op} reply is a JSON object")
    wanted = {f for f in cls.__dataclass_fields__}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in wanted:
            continue  # a newer worker may say more; this side reads what it knows
        if isinstance(value, bool) or not isinstance(value, _WIRE_TYPES[key]):
            raise ValueError(f"bad {request.op} reply: {key} is {type(value).__name__}")
        values[key] = value
    try:
        reply = cls(**values)
    except TypeError as exc:
        raise ValueError(f"bad {request.op} reply: {exc}") from None
    if isinstance(reply, ProbeReply) and reply.pages < 0:
        raise ValueError("bad probe reply: a negative page count")
    if isinstance(reply, PageReply) and reply.method not in PAGE_METHODS:
        raise ValueError(f"bad page reply: unknown method {reply.method!r}")
    return reply
