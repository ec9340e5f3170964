"""Where each word of a page is drawn: boxes tied to the page's stored text, and search hits.

A page's words are kept as boxes, one per word of its stored text (runs of non-space
characters), each ``(x0, y0, x1, y1, start, end)``:

- ``x0, y0, x1, y1``: the word's rectangle as fractions (0..1) of the page as the file
  draws it, before any turn (left, top, right, bottom; y grows downwards). A viewer
  showing the page turned turns the boxes with it (`turn_box`), so boxes stay right
  whatever turn the page is shown or read at;
- ``start, end``: the word's characters in the stored text (``text[start:end]``), so a
  search match in the text maps to the boxes it covers (`boxes_in`).

Stored (table ``page_words``, one value a page) as zlib-compressed varints: the count,
then each word's left and top as steps from the word before, its width and height (in
65,535ths of the page), and its characters as the gap after the word before and its
length. About 7 bytes a word, 1.5 times the page's text; JSON arrays of the same boxes
took 30 (measured by tests/bench/bench_words.py).
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.query import SearchQuery, Term, fold

#: Stored coordinates are integers in this many parts of the page's width or height.
SCALE = 65_535
#: The first byte of the stored form (its version).
FORMAT = 1
#: Token lists longer than this are matched only when they agree word for word (the
#: general alignment is quadratic in the worst case).
MAX_ALIGNED = 20_000

_SPACE_RUN = re.compile(r"\S+")
#: What the search index keeps of a word (unicode61: letters and digits, no underscore).
_INDEX_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class WordBox:
    """One word's rectangle (fractions of the page, unturned) and its characters."""

    x0: float
    y0: float
    x1: float
    y1: float
    start: int
    end: int


def turn_box(box: WordBox, turn: int) -> WordBox:
    """`box` on the page turned `turn` degrees clockwise (quarter turns)."""
    turn %= 360
    x0, y0, x1, y1 = box.x0, box.y0, box.x1, box.y1
    if turn == 90:
        x0, y0, x1, y1 = 1 - y1, x0, 1 - y0, x1
    elif turn == 180:
        x0, y0, x1, y1 = 1 - x1, 1 - y1, 1 - x0, 1 - y0
    elif turn == 270:
        x0, y0, x1, y1 = y0, 1 - x1, y1, 1 - x0
    return WordBox(x0, y0, x1, y1, box.start, box.end)


def unturn_box(box: WordBox, turn: int) -> WordBox:
    """`box` measured on the page turned `turn` degrees clockwise, on the page unturned."""
    return turn_box(box, (360 - turn % 360) % 360)


# -- storing -----------------------------------------------------------------------------


def _put(out: bytearray, value: int) -> None:
    """A non-negative integer as a varint (7 bits a byte, low bits first)."""
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _unzigzag(value: int) -> int:
    return value // 2 if value % 2 == 0 else -(value + 1) // 2


def encode_words(boxes: Iterable[WordBox]) -> bytes:
    """The stored form of a page's boxes (see the module's documentation)."""
    rows = list(boxes)

    def q(v: float) -> int:
        return min(SCALE, max(0, round(v * SCALE)))

    out = bytearray([FORMAT])
    _put(out, len(rows))
    lefts, tops = [q(b.x0) for b in rows], [q(b.y0) for b in rows]
    for column in (lefts, tops):  # as steps from the word before: small on a line
        previous = 0
        for value in column:
            _put(out, _zigzag(value - previous))
            previous = value
    for b, left, top in zip(rows, lefts, tops, strict=True):
        _put(out, max(0, q(b.x1) - left))
        _put(out, max(0, q(b.y1) - top))
    end = 0
    for b in rows:
        _put(out, _zigzag(b.start - end))
        _put(out, b.end - b.start)
        end = b.end
    return zlib.compress(bytes(out), 9)


def decode_words(stored: bytes | None) -> list[WordBox]:
    """A page's boxes from their stored form; [] for none or anything unreadable."""
    if not stored or not isinstance(stored, bytes):
        return []
    try:
        data = zlib.decompress(stored)
    except zlib.error:
        return []
    if not data or data[0] != FORMAT:
        return []
    values: list[int] = []
    value = shift = 0
    for byte in data[1:]:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            values.append(value)
            value = shift = 0
    if not values or len(values) != 1 + 6 * values[0]:
        return []
    n = values[0]
    lefts, tops, sizes, spans = (
        values[1 : 1 + n],
        values[1 + n : 1 + 2 * n],
        values[1 + 2 * n : 1 + 4 * n],
        values[1 + 4 * n :],
    )
    out: list[WordBox] = []
    left = top = end = 0
    for i in range(n):
        left += _unzigzag(lefts[i])
        top += _unzigzag(tops[i])
        start = end + _unzigzag(spans[2 * i])
        end = start + spans[2 * i + 1]
        width, height = sizes[2 * i], sizes[2 * i + 1]
        out.append(
            WordBox(
                left / SCALE,
                top / SCALE,
                (left + width) / SCALE,
                (top + height) / SCALE,
                start,
                end,
            )
        )
    return out


def wire_words(boxes: Iterable[WordBox]) -> list[list[float]]:
    """Boxes as a worker sends them: [x0, y0, x1, y1, start, end] in fractions."""
    return [
        [round(b.x0, 5), round(b.y0, 5), round(b.x1, 5), round(b.y1, 5), b.start, b.end]
        for b in boxes
    ]


def words_from_wire(rows: Iterable[Sequence[float]]) -> list[WordBox]:
    """Boxes as a worker sent them (checked by the protocol), in text order."""
    boxes = [
        WordBox(float(r[0]), float(r[1]), float(r[2]), float(r[3]), int(r[4]), int(r[5]))
        for r in rows
    ]
    return sorted(boxes, key=lambda b: b.start)


# -- matching boxes to the stored text ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    """A word as a reader found it (its text, as read) and its rectangle (fractions)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def _key(word: str) -> str:
    return unicodedata.normalize("NFKC", word).replace("\ufffe", "").replace("\u00ad", "")


def align_words(text: str, tokens: Sequence[Token]) -> list[WordBox]:
    """Boxes for the words of `text` (the stored text) from the words a reader found.

    The stored text was normalised after reading (NFKC, blank lines folded), so its
    words are matched to the reader's by their text: in order, one for one where they
    agree (the usual case), else along the longest matching runs. A word of the text
    with no counterpart gets no box.
    """
    spans = [(m.start(), m.end()) for m in _SPACE_RUN.finditer(text)]
    keys = [text[s:e] for s, e in spans]
    theirs = [_key(t.text) for t in tokens]
    pairs: list[tuple[int, int]] = []
    if keys == theirs:
        pairs = [(i, i) for i in range(len(keys))]
    elif len(keys) <= MAX_ALIGNED and len(theirs) <= MAX_ALIGNED:
        matcher = difflib.SequenceMatcher(None, keys, theirs, autojunk=False)
        for block in matcher.get_matching_blocks():
            pairs.extend((block.a + k, block.b + k) for k in range(block.size))
    out = []
    for mine, other in pairs:
        t = tokens[other]
        start, end = spans[mine]
        out.append(WordBox(t.x0, t.y0, t.x1, t.y1, start, end))
    return out


# -- search hits -------------------------------------------------------------------------


def _folded_words(text: str) -> list[tuple[str, int, int]]:
    """The words of `text` as the index sees them (folded), with their place in `text`."""
    out: list[tuple[str, int, int]] = []
    for m in _INDEX_WORD.finditer(text):
        out.append((fold(m.group()), m.start(), m.end()))
    return out


def _term_hits(term: Term, words: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    wanted = [fold(w) for w in term.words]
    n = len(wanted)
    hits = []
    for i in range(len(words) - n + 1):
        ok = True
        for k, want in enumerate(wanted):
            have = words[i + k][0]
            last = k == n - 1
            if not (have == want or (last and term.prefix and have.startswith(want))):
                ok = False
                break
        if ok:
            hits.append((words[i][1], words[i + n - 1][2]))
    return hits


def hit_spans(query: SearchQuery, text: str) -> list[tuple[int, int]]:
    """Where `query` matches in `text`: (start, end) of each hit, in reading order.

    The words, phrases and prefixes of every clause are marked as search finds them:
    folded (case, accents, ligatures), a phrase only where its words stand together.
    Excluded words are never marked; overlapping hits are merged.
    """
    if not query.clauses or not text:
        return []
    words = _folded_words(text)
    found: list[tuple[int, int]] = []
    for term in query.terms():
        found.extend(_term_hits(term, words))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def boxes_in(boxes: Sequence[WordBox], start: int, end: int) -> list[WordBox]:
    """The boxes of the words that share characters with text[start:end] (boxes in text
    order, as stored)."""
    starts = [b.start for b in boxes]
    i = max(0, bisect.bisect_right(starts, start) - 1)
    out = []
    while i < len(boxes) and boxes[i].start < end:
        if boxes[i].end > start:
            out.append(boxes[i])
        i += 1
    return out


def text_of(text: str, boxes: Sequence[WordBox]) -> str:
    """The words of `boxes` in reading order, with the text's own line breaks kept."""
    chosen = sorted(boxes, key=lambda b: b.start)
    parts: list[str] = []
    previous: WordBox | None = None
    for box in chosen:
        if previous is not None:
            gap = text[previous.end : box.start]
            parts.append("\n" if "\n" in gap else " ")
        parts.append(text[box.start : box.end])
        previous = box
    return "".join(parts)


def _rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def hit_marks(
    text: str, boxes: Sequence[WordBox], start: int, end: int, read_turn: int = 0
) -> list[WordBox]:
    """The rectangles to mark for the hit text[start:end]: its words' boxes cut to the
    hit's characters (a quote or comma beside the word is left out) and joined where
    they stand on one line, so a phrase is one mark.

    `read_turn`: the turn the page was read at (its lines run along x once turned so).
    A word's characters are taken as equally wide (the boxes are per word), and words
    written right to left are marked whole.
    """
    out: list[WordBox] = []
    for box in boxes_in(boxes, start, end):
        shown = turn_box(box, read_turn)
        length = box.end - box.start
        first, last = max(start, box.start) - box.start, min(end, box.end) - box.start
        if length > 0 and (first, last) != (0, length) and not _rtl(text[box.start : box.end]):
            width = shown.x1 - shown.x0
            shown = WordBox(
                shown.x0 + width * first / length,
                shown.y0,
                shown.x0 + width * last / length,
                shown.y1,
                box.start,
                box.end,
            )
        if out and _same_line(out[-1], shown):
            prev = out[-1]
            shown = WordBox(
                min(prev.x0, shown.x0),
                min(prev.y0, shown.y0),
                max(prev.x1, shown.x1),
                max(prev.y1, shown.y1),
                prev.start,
                shown.end,
            )
            out[-1] = shown
        else:
            out.append(shown)
    return [unturn_box(b, read_turn) for b in out]


def _same_line(a: WordBox, b: WordBox) -> bool:
    """Two boxes (in reading orientation) side by side on one line."""
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.y1 - a.y0, b.y1 - b.y0) and b.x0 >= a.x0
