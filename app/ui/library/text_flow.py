"""The text panel's "Join lines": a page's hard-wrapped lines read and copy as paragraphs."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QHBoxLayout, QToolButton

if TYPE_CHECKING:
    from app.ui.library.page_viewer import PageViewer

SETTINGS_JOIN = "viewer/joinLines"
#: A line that starts a list item stays on a line of its own.
_ITEM = re.compile(r"^\s*(?:[-–—•*·▪◦]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)")
#: A word broken over two lines: "exam-" + "ple" is "example".
_BROKEN = re.compile(r"(\w)[-\u00ad]$")
#: A line this much shorter than the paragraph's longest, ending a sentence, ends it.
_SHORT = 0.6


def join_lines(text: str) -> str:
    """`text` with the lines of each paragraph joined by spaces.

    Paragraphs stay apart where the page has an empty line, a list item begins, or a
    short line ends a sentence; a word hyphenated at a line's end is whole again when
    the next line goes on in lower case.
    """
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        longest = max(len(line) for line in lines)
        current = lines[0]
        out: list[str] = []
        for previous, line in itertools.pairwise(lines):
            ends_short = len(previous) < longest * _SHORT and previous[-1] in ".!?:"
            if _ITEM.match(line) or ends_short:
                out.append(current)
                current = line
            elif _BROKEN.search(current) and line[0].islower():
                current = current[:-1] + line
            else:
                current = f"{current} {line}"
        out.append(current)
        paragraphs.append("\n".join(out))
    return "\n\n".join(paragraphs)


class JoinLinesToggle(QObject):
    """A "Join lines" button over the page's text, remembered between runs."""

    def __init__(self, viewer: PageViewer) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self.button = QToolButton()
        self.button.setObjectName("joinLines")
        self.button.setText("Join lines")
        self.button.setCheckable(True)
        self.button.setToolTip(
            "Show the text as paragraphs, not the page's broken lines, for reading and copying"
        )
        # In the row over the text, before its Retry button.
        panel = viewer.retry_button.parentWidget()
        layout = panel.layout() if panel is not None else None
        first = layout.itemAt(0) if layout is not None else None
        row = first.layout() if first is not None else None
        if isinstance(row, QHBoxLayout):
            row.insertWidget(row.indexOf(viewer.retry_button), self.button)
        self.button.toggled.connect(self.set_joined)
        joined = str(viewer.settings.value(SETTINGS_JOIN, "false")).lower() == "true"
        self.button.setChecked(joined)

    @Slot(bool)
    def set_joined(self, joined: bool) -> None:
        viewer = self.viewer
        viewer.shown_text = join_lines if joined else str
        viewer.settings.setValue(SETTINGS_JOIN, joined)
        if viewer.page is not None:
            viewer.text.setPlainText(viewer.shown_text(viewer.page.text or ""))
            viewer.apply_highlight(scroll_to_hit=False)
