"""Marks over a text panel's characters (search hits) from (start, end) spans of its text."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit


def utf16_positions(text: str) -> list[int] | None:
    """Each character's position as Qt counts (UTF-16 units); None when they are the
    same as Python's (no character beyond the Basic Multilingual Plane)."""
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return None
    out, at = [], 0
    for char in text:
        out.append(at)
        at += 2 if ord(char) >= 0x10000 else 1
    out.append(at)
    return out


def text_marks(
    edit: QPlainTextEdit, text: str, spans: Sequence[tuple[int, int]], fmt: QTextCharFormat
) -> list[QTextEdit.ExtraSelection]:
    """Extra selections marking `spans` of `text` (the panel's plain text) with `fmt`."""
    positions = utf16_positions(text)
    doc = edit.document()
    out: list[QTextEdit.ExtraSelection] = []
    for start, end in spans:
        if positions is not None:
            start, end = positions[start], positions[end]
        cursor = QTextCursor(doc)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = fmt
        out.append(selection)
    return out
