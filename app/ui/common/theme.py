"""Light and dark palettes (Fusion), and telling which one is showing."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.core.paths import resources_dir
from app.ui.common.focus_ring import FocusRing


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    """A dark palette whose text keeps 4.5:1 contrast or more on every background."""
    p = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup
    colours = {
        role.Window: "#202124",
        role.WindowText: "#e8eaed",
        role.Base: "#17181a",
        role.AlternateBase: "#232427",
        role.ToolTipBase: "#303134",
        role.ToolTipText: "#e8eaed",
        role.PlaceholderText: "#9aa0a6",
        role.Text: "#e8eaed",
        role.Button: "#2d2e31",
        role.ButtonText: "#e8eaed",
        role.BrightText: "#ffffff",
        role.Light: "#3c4043",
        role.Midlight: "#35363a",
        role.Mid: "#5f6368",
        role.Dark: "#111213",
        role.Shadow: "#000000",
        role.Highlight: "#3b6fc4",
        role.HighlightedText: "#ffffff",
        role.Link: "#8ab4f8",
        role.LinkVisited: "#c58af9",
    }
    for r, value in colours.items():
        p.setColor(r, QColor(value))
    for r, value in {
        role.WindowText: "#80868b",
        role.Text: "#80868b",
        role.ButtonText: "#80868b",
    }.items():
        p.setColor(group.Disabled, r, QColor(value))
    return p


#: Fusion outlines a checkbox in a shade of the window colour, which vanishes on a
#: dark window: dialogs with checkboxes draw them with a visible edge (and a tick).
_DARK_CHECKBOX_SHEET = """
QCheckBox::indicator, QAbstractItemView::indicator {
    border: 1px solid #9aa0a6; border-radius: 2px; background: #17181a;
    width: 13px; height: 13px;
}
QCheckBox::indicator:checked, QAbstractItemView::indicator:checked {
    border-color: #8ab4f8; background: #3b6fc4; image: url("TICK");
}
QCheckBox::indicator:disabled, QAbstractItemView::indicator:disabled { border-color: #5f6368; }
"""


def checkbox_sheet() -> str:
    """The style sheet for dialogs with checkboxes, for the current palette."""
    if not is_dark(QApplication.palette()):
        return ""
    tick = (resources_dir() / "ui" / "check-dark.svg").as_posix()
    return _DARK_CHECKBOX_SHEET.replace("TICK", tick)


def apply_theme(app: QApplication, theme: str) -> None:
    """`light`, `dark` or `system` (the platform's palette)."""
    app.setStyle("Fusion")
    if theme == "dark":
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setPalette(app.style().standardPalette())
    else:
        app.setPalette(QPalette())
    FocusRing.set_on(app, is_dark(app.palette()))
    _repolish_style_sheets(app)


def _repolish_style_sheets(app: QApplication) -> None:
    """Give widgets under a style sheet the new palette.

    A style sheet fixes the palette of its widget and of the widgets inside it
    when they are polished, so they would keep the old theme's colours; setting
    the sheet again polishes them with the new palette.
    """
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)
