"""Where each word of a page is: from Tesseract's word rows, or from a PDF's text layer.

Runs inside a worker process. The boxes come back as `WordBox`es of the stored text
(see `app.core.words`): fractions of the page as the file draws it, unturned.

- OCR: Tesseract's TSV gives each word's rectangle in the image it read; that image
  was the page turned (the read's turn) and maybe straightened (a skew), so each box
  is carried back through both onto the unturned page.
- Text layer: PDFium's character boxes, through pypdfium2 (one page load gives every
  character's box in a few milliseconds). QtPdf's `getSelectionAtIndex` gives the same
  boxes, but loads the page again for every call: ~2 ms a word, 1-2 s for a page.
  Without pypdfium2 (or for text found by pypdf) a page simply has no boxes.
"""

from __future__ import annotations

import ctypes
import logging
import math
from pathlib import Path
from typing import Any

from app.core.words import Token, WordBox, align_words, unturn_box

log = logging.getLogger(__name__)

#: What PDFium puts where a word was hyphenated (the text layer drops it too).
_MARKS = frozenset("\x02\ufffe\u00ad")
#: Device size the page's own coordinates are mapped to (fractions at this precision).
_DEVICE = 1_000_000


# -- OCR -------------------------------------------------------------------------------


def unskew(
    x: float, y: float, angle: float, size: tuple[int, int], straight: tuple[int, int]
) -> tuple[float, float]:
    """A point of the straightened image (Pillow's `rotate(angle, expand=True)` of an image
    of `size`, giving one of `straight`) in the image before straightening."""
    a = -math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)
    dx, dy = x - straight[0] / 2, y - straight[1] / 2
    return size[0] / 2 + cos * dx + sin * dy, size[1] / 2 - sin * dx + cos * dy


def ocr_tokens(
    data: dict[str, list[str]],
    turn: int,
    size: tuple[int, int],
    angle: float = 0.0,
    straight: tuple[int, int] | None = None,
) -> list[Token]:
    """Tesseract's words (TSV columns) with their boxes on the unturned page.

    `size`: the turned page image (before straightening); `angle` and `straight`: the
    skew taken out and the straightened image's size, when it was straightened.
    """
    width, height = size
    tokens: list[Token] = []
    if width <= 0 or height <= 0:
        return tokens
    columns = ("level", "left", "top", "width", "height", "text")
    if any(name not in data for name in columns):
        return tokens
    for i, word in enumerate(data["text"]):
        word = str(word).strip()
        if not word or str(data["level"][i]) != "5":
            continue
        try:
            left, top = float(data["left"][i]), float(data["top"][i])
            right, bottom = left + float(data["width"][i]), top + float(data["height"][i])
        except ValueError:
            continue
        if angle and straight is not None:
            corners = [
                unskew(px, py, angle, size, straight)
                for px, py in ((left, top), (right, top), (left, bottom), (right, bottom))
            ]
            left, right = min(c[0] for c in corners), max(c[0] for c in corners)
            top, bottom = min(c[1] for c in corners), max(c[1] for c in corners)
        box = WordBox(
            _clamp(left / width), _clamp(top / height), _clamp(right / width),
            _clamp(bottom / height), 0, 0,
        )  # fmt: skip
        flat = unturn_box(box, turn)
        tokens.append(Token(word, flat.x0, flat.y0, flat.x1, flat.y1))
    return tokens


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


# -- PDF text layer ----------------------------------------------------------------------


class PdfWords:
    """Character boxes of a PDF's pages through pypdfium2, the document kept open."""

    def __init__(self) -> None:
        self._path: Path | None = None
        self._doc: Any = None

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
        self._doc = self._path = None

    def _open(self, path: Path) -> Any:
        if self._path != path:
            self.close()
            import pypdfium2

            self._path = path
            self._doc = pypdfium2.PdfDocument(str(path))
        return self._doc

    def boxes(self, path: Path, index: int, text: str) -> list[WordBox] | None:
        """The boxes of the words of `text` (page `index`'s stored text); None when the
        page's characters cannot be had (no pypdfium2, a file it cannot open)."""
        try:
            tokens = self.tokens(path, index)
        except ImportError:
            return None
        except Exception as exc:  # noqa: BLE001 - no boxes is never a reason to fail a page
            log.debug("no word boxes for %s page %d: %s", path, index + 1, exc)
            self.close()
            return None
        return align_words(text, tokens)

    def tokens(self, path: Path, index: int) -> list[Token]:
        """The page's words as PDFium reads them, each with its box on the drawn page."""
        import pypdfium2.raw as raw

        doc = self._open(path)
        page = doc[index]
        textpage = page.get_textpage()
        try:
            to_page = _device_mapping(raw, page.raw)
            return _words(raw, textpage.raw, to_page)
        finally:
            textpage.close()
            page.close()


def _device_mapping(raw: Any, page: Any) -> tuple[float, float, float, float, float, float]:
    """The affine map from the page's own coordinates to fractions of the drawn page (its
    /Rotate and crop box applied, as QtPdf draws it): (a, b, c, d, e, f) for
    x' = a·x + b·y + c, y' = d·x + e·y + f."""
    out_x, out_y = ctypes.c_int(), ctypes.c_int()

    def device(x: float, y: float) -> tuple[float, float]:
        raw.FPDF_PageToDevice(
            page, 0, 0, _DEVICE, _DEVICE, 0, x, y, ctypes.byref(out_x), ctypes.byref(out_y)
        )
        return out_x.value / _DEVICE, out_y.value / _DEVICE

    # Three points 1000 units apart keep the rounding to whole device pixels negligible.
    ox, oy = device(0.0, 0.0)
    xx, xy = device(1000.0, 0.0)
    yx, yy = device(0.0, 1000.0)
    return ((xx - ox) / 1000, (yx - ox) / 1000, ox, (xy - oy) / 1000, (yy - oy) / 1000, oy)


def _codes(raw: Any, textpage: Any, count: int) -> list[int] | None:
    """Every character's code in one call (PDFium writes one UTF-16 unit per character of
    the Basic Multilingual Plane); None when a surrogate pair puts them out of step."""
    if count <= 0:
        return []
    buffer = (ctypes.c_ushort * (count + 1))()
    written = raw.FPDFText_GetText(textpage, 0, count, buffer)
    codes = list(buffer[: max(0, written - 1)])
    if len(codes) != count or any(0xD800 <= c < 0xE000 for c in codes):
        return None
    return codes


def _words(
    raw: Any, textpage: Any, to_page: tuple[float, float, float, float, float, float]
) -> list[Token]:
    a, b, c, d, e, f = to_page
    count = raw.FPDFText_CountChars(textpage)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, right, bottom, top)]
    tokens: list[Token] = []
    chars: list[str] = []
    box: list[float] | None = None

    def flush() -> None:
        nonlocal box
        if chars and box is not None:
            tokens.append(Token("".join(chars), *box))
        chars.clear()
        box = None

    codes = _codes(raw, textpage, count)
    for i in range(max(0, count)):
        code = codes[i] if codes is not None else raw.FPDFText_GetUnicode(textpage, i)
        char = chr(code) if 0 < code < 0x110000 else ""
        if not char or char.isspace():
            flush()
            continue
        if char in _MARKS:  # PDFium's mark of a hyphenation point: not a character
            continue
        chars.append(char)
        if not raw.FPDFText_GetCharBox(textpage, i, *refs):
            continue
        if right.value - left.value <= 0 and top.value - bottom.value <= 0:
            continue
        xs, ys = [], []
        for px, py in ((left.value, bottom.value), (right.value, top.value)):
            xs.append(a * px + b * py + c)
            ys.append(d * px + e * py + f)
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if box is None:
            box = [x0, y0, x1, y1]
        else:
            box = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
    flush()
    return [Token(t.text, _clamp(t.x0), _clamp(t.y0), _clamp(t.x1), _clamp(t.y1)) for t in tokens]
