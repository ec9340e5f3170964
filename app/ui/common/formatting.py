"""Words and dates for the views: page states, extraction methods, local dates."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QLocale, Qt

from app.core.models import Page, TaskStatus, TextMethod
from app.core.states import PageState, SourceState


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def local_date(iso: str | None) -> str:
    """An ISO 8601 stamp as the user's short local date and time."""
    if not iso:
        return ""
    stamp = QDateTime.fromString(iso, Qt.DateFormat.ISODateWithMs)
    if not stamp.isValid():
        stamp = QDateTime.fromString(iso, Qt.DateFormat.ISODate)
    if not stamp.isValid():
        return iso
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        # The C locale's short format ("29 11 2026 08:25") reads badly; ISO is clear.
        return stamp.toLocalTime().toString("yyyy-MM-dd HH:mm")
    return locale.toString(stamp.toLocalTime(), QLocale.FormatType.ShortFormat)


def source_state_text(state: SourceState | None, page_count: int) -> str:
    """E.g. "12/40 pages · 2 failed"."""
    if state is None:
        return f"0/{page_count} pages" if page_count else "Importing…"
    text = f"{state.completed}/{state.total} pages"
    if state.failed:
        text += f" · {state.failed} failed"
    if state.cancelled:
        text += f" · {state.cancelled} cancelled"
    if state.to_check:
        text += f" · {state.to_check} to check"
    return text


def method_text(page: Page) -> str:
    """How a page's text was obtained, e.g. "OCR (eng), 91% confidence"."""
    if page.method is TextMethod.TEXT_LAYER:
        return "From the PDF's text layer"
    if page.method is TextMethod.OCR:
        if page.doubt:
            return page.doubt
        if page.confidence is not None:
            return f"Read by OCR, {page.confidence:.0f}% confidence"
        return "Read by OCR"
    return ""


STATUS_WORDS = {
    TaskStatus.PENDING: "Waiting",
    TaskStatus.IN_PROGRESS: "Extracting",
    TaskStatus.COMPLETED: "Done",
    TaskStatus.FAILED: "Failed",
    TaskStatus.CANCELLED: "Cancelled",
}


def page_state_text(state: PageState) -> str:
    """A page's state in a few words: "Text layer", "OCR 91%", "Waiting", "Failed"…"""
    status = state.task_status
    if status is not None and status.is_active:
        return "Extracting…" if status is TaskStatus.IN_PROGRESS else "Waiting"
    if state.has_text:
        if state.method is TextMethod.OCR:
            read = f"OCR {state.confidence:.0f}%" if state.confidence is not None else "OCR"
            return f"⚠ {read} · check" if state.doubt else read
        return "Text layer"
    if status is None:
        return "No text yet"
    return STATUS_WORDS[status]
