"""A document's own metadata (title, author, first page's size) and how it is shown."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

#: Longest title or author kept (a file may carry anything in its metadata).
MAX_META_CHARS = 500
#: Points per millimetre (72 points to the inch).
PT_PER_MM = 72 / 25.4
#: How far (in points, about 1.4 mm) a page may be from a named size and still be it.
SIZE_TOLERANCE = 4.0

#: Named paper sizes, portrait, in points.
PAPER_SIZES: tuple[tuple[str, float, float], ...] = (
    ("A3", 841.89, 1190.55),
    ("A4", 595.28, 841.89),
    ("A5", 419.53, 595.28),
    ("A6", 297.64, 419.53),
    ("B4", 708.66, 1000.63),
    ("B5", 498.90, 708.66),
    ("Letter", 612.0, 792.0),
    ("Legal", 612.0, 1008.0),
    ("Tabloid", 792.0, 1224.0),
    ("Executive", 522.0, 756.0),
)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What a document says of itself: its title and author (None when it says nothing)
    and its first page's size in points (None when unknown, e.g. an image without dpi)."""

    title: str | None = None
    author: str | None = None
    page_width: float | None = None
    page_height: float | None = None

    @property
    def empty(self) -> bool:
        return (
            self.title is None
            and self.author is None
            and self.page_width is None
            and self.page_height is None
        )

    @classmethod
    def from_values(
        cls, title: Any = None, author: Any = None, width: Any = None, height: Any = None
    ) -> DocumentInfo:
        """Cleaned values from anything a file or a worker said (junk becomes None)."""
        good_size = _size(width) is not None and _size(height) is not None
        return cls(
            clean_meta(title),
            clean_meta(author),
            _size(width) if good_size else None,
            _size(height) if good_size else None,
        )

    @property
    def page_size(self) -> str:
        """ "A4", "Letter landscape" or "210 × 297 mm"; "" when unknown."""
        return page_size_label(self.page_width, self.page_height)


def _size(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    # Up to PDF's largest page (200 inches) times its largest user unit.
    return round(float(value), 2) if 0 < value < 14_400 * 75 else None


def clean_meta(value: Any) -> str | None:
    """A metadata string as one tidy line: control characters and runs of spaces gone."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFC", value.replace("\x00", ""))
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > MAX_META_CHARS:
        text = text[: MAX_META_CHARS - 1].rstrip() + "…"
    return text or None


def page_size_label(width: float | None, height: float | None) -> str:
    """A page size as people name it: "A4", "Letter landscape", else "210 × 297 mm"."""
    if width is None or height is None or width <= 0 or height <= 0:
        return ""
    short, long_ = sorted((width, height))
    for name, w, h in PAPER_SIZES:
        if abs(short - w) <= SIZE_TOLERANCE and abs(long_ - h) <= SIZE_TOLERANCE:
            return name if height >= width else f"{name} landscape"
    return f"{width / PT_PER_MM:.0f} × {height / PT_PER_MM:.0f} mm"


def image_page_size(pixels: tuple[int, int], dpi: Any) -> tuple[float, float] | None:
    """An image page's size in points from its pixels and dpi (None when the dpi is not
    believable: missing, or a JPEG's bare aspect ratio such as 1 × 1)."""
    if not isinstance(dpi, tuple | list) or len(dpi) < 2:
        return None
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError):
        return None
    if not (50 <= x <= 10_000 and 50 <= y <= 10_000):
        return None
    return pixels[0] * 72 / x, pixels[1] * 72 / y
