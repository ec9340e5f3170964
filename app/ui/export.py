"""Exporting a source's text: one section per page, written off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from app.core.library import Library
from app.core.models import BackgroundTask, Page, Source, TaskStatus


def source_text(
    source: Source, pages: list[Page], tasks: dict[int, BackgroundTask] | None = None
) -> str:
    """The whole document as text: a heading per page, then that page's text."""
    tasks = tasks or {}
    parts = [f"{source.name}\n"]
    for page in pages:
        parts.append(f"\n===== Page {page.number} of {source.page_count} =====\n")
        if page.text is not None:
            parts.append(
                page.text.rstrip() + "\n" if page.text.strip() else "[no text on this page]\n"
            )
            continue
        task = tasks.get(page.id)
        if task is not None and task.status is TaskStatus.FAILED:
            parts.append(f"[text extraction failed: {task.error or 'no reason given'}]\n")
        elif task is not None and task.status is TaskStatus.CANCELLED:
            parts.append("[text extraction was cancelled; retry it on the Tasks page]\n")
        else:
            parts.append("[text not extracted yet]\n")
    return "".join(parts)


def default_export_name(source: Source) -> str:
    return f"{Path(source.name).stem or 'document'}.txt"


def write_text(path: Path, text: str) -> None:
    """Write the export (called on a worker thread)."""
    path.write_text(text, encoding="utf-8")


def library_source_text(library: Library, source: Source, tasks: dict[int, BackgroundTask]) -> str:
    return source_text(source, library.pages(source.id), tasks)
