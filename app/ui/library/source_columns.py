"""The Library's metadata columns (title, author, page size) and a document's other names."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt

from app.core.docinfo import page_size_label
from app.core.models import Source
from app.core.names import SourceName

#: Column numbers of the metadata columns (SourcesModel's Column uses these).
TITLE, AUTHOR, PAGE_SIZE = 4, 5, 6
#: The columns a person may hide or show from the header's menu, hidden at first.
OPTIONAL = (TITLE, AUTHOR, PAGE_SIZE)
#: The hideable columns' names in the settings (stable whatever their numbers become):
#: every column but the name.
SETTING_NAMES = {1: "pages", 2: "added", 3: "text", TITLE: "title", AUTHOR: "author"}
SETTING_NAMES[PAGE_SIZE] = "pageSize"


def other_names(shown: str, names: Iterable[SourceName]) -> tuple[str, ...]:
    """The distinct imported names besides the one shown, the first first."""
    out: list[str] = []
    for entry in names:
        if entry.name != shown and entry.name not in out:
            out.append(entry.name)
    return tuple(out)


def also_text(others: tuple[str, ...]) -> str:
    """ "Also imported as: a.pdf, b.pdf" ("" when there are none)."""
    return f"Also imported as: {', '.join(others)}" if others else ""


def name_tip(source: Source, others: tuple[str, ...]) -> str:
    tip = f"{source.name}\nOriginal: {source.original_path}"
    return f"{tip}\n{also_text(others)}" if others else tip


def page_size(source: Source) -> str:
    return page_size_label(source.page_width, source.page_height)


def meta_data(source: Source, column: int, role: int) -> Any:
    """What a metadata cell shows (empty where the document says nothing)."""
    if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
        return None
    if column == TITLE:
        return source.title or ""
    if column == AUTHOR:
        return source.author or ""
    if column == PAGE_SIZE:
        label = page_size(source)
        if role == Qt.ItemDataRole.ToolTipRole and source.page_width and source.page_height:
            mm = f"{source.page_width / 72 * 25.4:.0f} × {source.page_height / 72 * 25.4:.0f} mm"
            return f"First page: {mm}" if mm != label else f"First page: {label}"
        return label
    return None


def meta_sort_key(column: int) -> Callable[[Source], Any]:
    """Sorting by a metadata column: by its value, documents that say nothing together."""
    if column == PAGE_SIZE:
        return lambda s: (
            s.page_width is None,
            (s.page_width or 0) * (s.page_height or 0),
            s.page_width or 0,
            s.id,
        )
    field = "title" if column == TITLE else "author"

    def key(s: Source) -> tuple[bool, str, int]:
        value = getattr(s, field)
        return (value is None, (value or "").casefold(), s.id)

    return key


def document_details(source: Source, others: tuple[str, ...]) -> str:
    """The document view's line under its title: other names, title, author, page size."""
    parts = []
    if others:
        parts.append(also_text(others))
    if source.title:
        parts.append(f"Title: {source.title}")
    if source.author:
        parts.append(f"Author: {source.author}")
    if size := page_size(source):
        parts.append(f"Page size: {size}")
    return " · ".join(parts)
