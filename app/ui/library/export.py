"""Exporting a source's text: one section per page, written off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from app.core.library import Library
from app.core.models import Page, Source, TaskStatus
from app.core.states import PageState


def source_text(
    source: Source, pages: list[Page], states: dict[int, PageState] | None = None
) -> str:
    """The whole document as text: a heading per page, then that page's text."""
    states = states or {}
    parts = [f"{source.name}\n"]
    for page in pages:
        parts.append(f"\n===== Page {page.number} of {source.page_count} =====\n")
        if page.text is not None:
            parts.append(
                page.text.rstrip() + "\n" if page.text.strip() else "[no text on this page]\n"
            )
            continue
        state = states.get(page.id)
        status = state.task_status if state is not None else None
        if state is not None and status is TaskStatus.FAILED:
            parts.append(f"[text extraction failed: {state.error or 'no reason given'}]\n")
        elif status is TaskStatus.CANCELLED:
            parts.append("[text extraction was cancelled; retry it on the Tasks page]\n")
        else:
            parts.append("[text not extracted yet]\n")
    return "".join(parts)


def default_export_name(source: Source) -> str:
    return f"{Path(source.name).stem or 'document'}.txt"


def write_text(path: Path, text: str) -> None:
    """Write the export (called on a worker thread)."""
    path.write_text(text, encoding="utf-8")


def library_source_text(library: Library, source: Source) -> tuple[str, int]:
    """The document's text and how many of its pages have none (run off the GUI thread)."""
    states = {s.page_id: s for s in library.page_states(source.id)}
    text = source_text(source, library.pages(source.id), states)
    return text, sum(1 for s in states.values() if not s.has_text)
