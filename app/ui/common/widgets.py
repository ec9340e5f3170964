"""Small widgets every section uses."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def heading_label(text: str) -> QLabel:
    """A section's title: larger, bold."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label
