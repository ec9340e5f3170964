"""One quick pass over a PDF's bytes: what Folio can know of it without a PDF parser.

Reading a page's text layer needs two facts that pypdf gives only slowly (opening the
file, walking its page tree, decoding each page's content): that the document really
holds the pages it claims, and that no page's drawing instructions are so large that
PDFium would need gigabytes to read their text. For most files both can be seen in
the raw bytes, in well under a millisecond:

- page objects are counted where they stand: in the file, and inside the compressed
  object streams that hold them in newer PDFs;
- every stream is measured as it decodes (up to a bound), and the streams that can
  draw text (a page's /Contents, a form) must stay under the bound.

Whatever the pass cannot vouch for (other filters, encrypted or damaged data, a page's
content it cannot find) is left to the slow, exact path in `pdfpages`.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

#: Files larger than this are not scanned (the exact path reads them).
MAX_SCAN_BYTES = 32 * 1024 * 1024
#: Decoded bytes of one object stream looked through for page objects.
MAX_OBJECT_STREAM_BYTES = 16 * 1024 * 1024

# What stands before an object's "obj" and a stream's "stream" keyword.
_OBJ_BEFORE = re.compile(rb"(\d+)\s+\d+\s+$")
_STREAM_BEFORE = re.compile(rb">>\s*$")
_STREAM_AFTER = re.compile(rb"stream(?:\r\n|\n|\r)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(\s+\d+\s+R)?")
_FILTER = re.compile(rb"/Filter\s*(?:/([A-Za-z0-9]+)|\[\s*((?:/[A-Za-z0-9]+\s*)*)\])")
# `/Type /Page` and not `/Pages`: the name ends at a delimiter.
_PAGE = re.compile(rb"/Type\s*/Page(?=[\s/<>\[\]()%{}])")
_CONTENTS = re.compile(rb"/Contents\s*(?:(\d+)\s+\d+\s+R|\[([\d\sR]*)\])")
_REF = re.compile(rb"(\d+)\s+\d+\s+R")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FORM = re.compile(rb"/Subtype\s*/Form\b")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
#: Filters of images only: PDFium never parses such data as drawing instructions.
_IMAGE_FILTERS = {b"DCTDecode", b"JPXDecode", b"CCITTFaxDecode", b"JBIG2Decode"}


@dataclass(frozen=True, slots=True)
class Scan:
    """What the pass saw."""

    #: Page objects seen (a lower bound of the pages the file may hold).
    pages: int
    #: Every page's content and every form decode to at most the bound given.
    bounded: bool


UNKNOWN = Scan(0, False)


def scan(path: Path, max_content: int) -> Scan:
    """Count page objects and check that text-drawing streams stay under `max_content`."""
    try:
        if path.stat().st_size > MAX_SCAN_BYTES:
            return UNKNOWN
        raw = path.read_bytes()
    except OSError:
        return UNKNOWN
    return scan_bytes(raw, max_content)


def scan_bytes(raw: bytes, max_content: int) -> Scan:
    """`scan` of a file's bytes."""
    #: Coded bytes and filters of each stream that may draw text, by object number.
    streams: dict[int, list[tuple[bytes, list[bytes]]]] = {}
    forms: set[int] = set()
    readable = [raw]
    view = memoryview(raw)
    tokens = _Tokens(raw)
    pos, number, header_end = 0, -1, 0
    while True:
        kind, at, after = tokens.next(pos)
        if kind is None:
            break
        if kind == "obj":
            number, header_end, pos = at, after, after
            continue
        head = raw[header_end:at]
        span, pos = _stream_span(raw, head, after)
        if span is None:
            return UNKNOWN  # a stream without an end: the exact path reads it
        filters = _filters(head)
        if _IMAGE.search(head) or (filters and filters[0] in _IMAGE_FILTERS):
            continue  # pixels: only measured if a page names it as its content (below)
        data = bytes(view[span[0] : span[1]])
        if _OBJECT_STREAM.search(head):
            decoded = _decoded(data, filters, MAX_OBJECT_STREAM_BYTES)
            if decoded is None or len(decoded) > MAX_OBJECT_STREAM_BYTES:
                return UNKNOWN  # objects it cannot see: pages and contents unknown
            readable.append(decoded)
            continue
        # The same number again (an update of the object): every version is measured.
        streams.setdefault(number, []).append((data, filters))
        if _FORM.search(head):
            forms.add(number)
    pages = 0
    contents: set[int] = set()
    for text in readable:
        pages += len(_PAGE.findall(text))
        for ref in _CONTENTS.finditer(text):
            if ref.group(1) is not None:
                contents.add(int(ref.group(1)))
            else:
                contents.update(int(r.group(1)) for r in _REF.finditer(ref.group(2)))
    bounded = all(
        number in streams
        and all(
            (decoded := _decoded(data, filters, max_content)) is not None
            and len(decoded) <= max_content
            for data, filters in streams[number]
        )
        for number in contents | forms
    )
    return Scan(pages, bounded)


class _Tokens:
    """Object headers and stream starts, found with plain searches for their keywords
    (a regular expression trying every byte of a large file costs tens of milliseconds)
    and then checked in place."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self._obj = self._stream = -1

    def next(self, pos: int) -> tuple[str | None, int, int]:
        """From `pos`: ("obj", its number, its end) or ("stream", the end of its
        dictionary, the start of its data); (None, 0, 0) at the end."""
        raw = self.raw
        while True:
            # A keyword not found again is at the end (so it is not searched for again).
            if self._obj < pos:
                self._obj = _find(raw, b"obj", pos)
            if self._stream < pos:
                self._stream = _find(raw, b"stream", pos)
            obj, stream = self._obj, self._stream
            if obj == stream == len(raw):
                return None, 0, 0
            if obj < stream:
                before = _OBJ_BEFORE.search(raw, max(0, obj - 40), obj)
                if before is not None:
                    return "obj", int(before.group(1)), obj + 3
                pos = obj + 3
                continue
            before = _STREAM_BEFORE.search(raw, max(0, stream - 40), stream)
            after = _STREAM_AFTER.match(raw, stream)
            if before is not None and after is not None:
                return "stream", before.end(), after.end()
            pos = stream + 6


def _find(raw: bytes, word: bytes, pos: int) -> int:
    at = raw.find(word, pos)
    return len(raw) if at < 0 else at


def _stream_span(raw: bytes, head: bytes, start: int) -> tuple[tuple[int, int] | None, int]:
    """Where the stream's coded bytes are and where scanning goes on; None without an end."""
    length = _LENGTH.search(head)
    if length is not None and length.group(2) is None:
        end = start + int(length.group(1))
        if end <= len(raw) and b"endstream" in raw[end : end + 32]:
            return (start, end), end
    end = raw.find(b"endstream", start)
    if end < 0:
        return None, len(raw)
    return (start, end), end


def _filters(head: bytes) -> list[bytes]:
    found = _FILTER.search(head)
    if found is None:
        return []
    if found.group(1) is not None:
        return [found.group(1)]
    return [name.lstrip(b"/") for name in found.group(2).split()]


def _decoded(data: bytes, filters: list[bytes], limit: int) -> bytes | None:
    """The decoded bytes, cut after `limit` + 1; None when Folio cannot decode them here."""
    for name in filters:
        if name in (b"ASCII85Decode", b"A85"):
            text = bytes(data).split(b"~>", 1)[0].replace(b"<~", b"")
            try:
                data = base64.a85decode(text, ignorechars=b" \t\r\n\f\x00")
            except ValueError:
                return None
        elif name in (b"ASCIIHexDecode", b"AHx"):
            text = re.sub(rb"\s", b"", bytes(data).split(b">", 1)[0])
            try:
                data = binascii.unhexlify(text + b"0" * (len(text) % 2))
            except (ValueError, binascii.Error):
                return None
        elif name in (b"FlateDecode", b"Fl"):
            inflate = zlib.decompressobj()
            try:
                data = inflate.decompress(data, limit + 1)
            except zlib.error:
                return None
        else:
            return None
    return data[: limit + 1]
