"""A clear keyboard-focus outline for the dark palette.

Fusion outlines the focused widget in a darker shade of the selection colour, which on
a dark window is barely visible (under 2:1). In the dark palette a ring in the link
colour (over 8:1 on the window) follows the focus from widget to widget.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QFocusFrame, QWidget

RING = QColor("#8ab4f8")
WIDTH = 2


class Ring(QFocusFrame):
    """QFocusFrame keeps itself around its widget (and masked to its edge); this draws it."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(RING, WIDTH))
        half = WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 3, 3)


class FocusRing(QObject):
    """Follows the application's focus with a Ring, while it is on."""

    _instance: FocusRing | None = None

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.ring: Ring | None = None
        app.focusChanged.connect(self._on_focus)

    @classmethod
    def set_on(cls, app: QApplication, on: bool) -> None:
        if cls._instance is None:
            if not on:
                return
            cls._instance = FocusRing(app)
        cls._instance.on = on
        cls._instance._on_focus(None, app.focusWidget() if on else None)

    on = False

    def widget(self) -> QWidget | None:
        ring = self.ring
        if ring is None or not shiboken6.isValid(ring) or not ring.isVisible():
            return None
        return ring.widget()

    @Slot(QWidget, QWidget)
    def _on_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        wanted = new if self.on and new is not None and not new.isWindow() else None
        if wanted is not None and wanted.focusPolicy() == Qt.FocusPolicy.NoFocus:
            wanted = None
        if self.ring is not None and not shiboken6.isValid(self.ring):
            self.ring = None  # went with the widgets it sat among
        if wanted is None:
            if self.ring is not None:
                self.ring.hide()
            return
        if self.ring is None:
            self.ring = Ring(wanted)
        self.ring.setWidget(wanted)  # it moves in beside the widget, in any window
        self.ring.show()


def focus_ring_widget() -> QWidget | None:
    """The widget the ring is around now (None when off)."""
    instance = FocusRing._instance
    return instance.widget() if instance is not None and instance.on else None
