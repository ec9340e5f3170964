"""Text that comes from documents and the file system, shown as it is: never as rich text.

A document's name, a path or a sentence that quotes one is the user's data, not markup.
Qt reads text that merely looks like HTML as rich text (labels, tooltips and message
boxes guess), and rich text loads the images it names: a file called
`<img src="/some/picture.svg">.pdf` would make the window read and decode that file.
Every such text reaches a widget through one of these.
"""

from __future__ import annotations

import html

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(label: QLabel) -> QLabel:
    """Make `label` show its text exactly as given, whatever it looks like; returns it."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def escaped(text: str) -> str:
    """`text` for a place in HTML Folio writes itself: every character shown, spaces kept."""
    return f"<span style='white-space:pre-wrap'>{html.escape(text)}</span>"


def plain_tip(text: str) -> str:
    """A tooltip that shows `text` as it is.

    Qt has no plain-text tooltip: one that might be rich text is read as such. Such
    a text is escaped into rich text that says the same, its lines unwrapped like a
    plain tooltip's; others are left as they are.
    """
    if not QtGui.Qt.mightBeRichText(text):
        return text
    return f"<p style='white-space:pre'>{html.escape(text)}</p>"


def plain_message_box(
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    parent: QWidget | None = None,
    informative: str = "",
) -> QMessageBox:
    """A message box without buttons yet whose text and informative text are plain."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if informative:
        box.setInformativeText(informative)
        # Set again: older Qt versions give the informative text a format of its own.
        box.setTextFormat(Qt.TextFormat.PlainText)
    return box
