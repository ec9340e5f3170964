"""The page image of the viewer: a scroll area showing the page turned as it was read.

The renderer draws pages as the file has them; a page read at a turn (found by Folio or
chosen with the rotate buttons) is shown at that turn, so what the user sees is what
was read.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPixmap, QTransform
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QToolButton,
    QWidget,
)

from app.ui.common.plain import plain_label


def turned(image: QImage, degrees: int) -> QImage:
    """The image turned `degrees` clockwise (quarter turns, no resampling)."""
    degrees %= 360
    if not degrees or image.isNull():
        return image
    return image.transformed(QTransform().rotate(degrees))


def sideways(degrees: int) -> bool:
    return degrees % 180 == 90


class TurnButtons(QWidget):
    """Turn left, turn right, turn over: each asks for the page to be read at the new turn.

    Signals:
        turnRequested(int): degrees clockwise to add to the page's turn (270, 90, 180).
    """

    turnRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.buttons: dict[int, QToolButton] = {}
        for step, glyph, tip in (
            (270, "⟲", "Turn the page 90° left and read it again"),
            (90, "⟳", "Turn the page 90° right and read it again"),
            (180, "180°", "Turn the page upside down and read it again"),
        ):
            button = QToolButton()
            button.setText(glyph)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" and ")[0])
            button.clicked.connect(lambda _=False, s=step: self.turnRequested.emit(s))
            layout.addWidget(button)
            self.buttons[step] = button


#: Draws over the page: given a painter on the canvas and where the page is on it.
Layer = Callable[[QPainter, QRectF], None]


class PageCanvas(QLabel):
    """The label the page is drawn in, with layers drawn over the page (search hits, the
    selected words), each told where the page is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layers: list[Layer] = []

    def page_rect(self) -> QRectF:
        """Where the page's pixels are on the canvas (empty when no page is shown)."""
        pixmap = self.pixmap()
        if pixmap.isNull():
            return QRectF()
        size = pixmap.deviceIndependentSize().toSize()
        return QRectF(
            QStyle.alignedRect(self.layoutDirection(), self.alignment(), size, self.contentsRect())
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        page = self.page_rect()
        if page.isEmpty() or not self.layers:
            return
        painter = QPainter(self)
        try:
            for layer in self.layers:
                layer(painter, page)
        finally:
            painter.end()


class PageImage(QScrollArea):
    """The rendered page in a scroll area; reports its viewport width for fit-width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = PageCanvas()
        plain_label(self.label)
        self.label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundRole(self.backgroundRole())
        #: The turn (degrees clockwise) the page is shown at.
        self.turn = 0
        #: The turn of the drawing on screen (until a new drawing comes, the last turn's).
        self.shown_turn = 0

    def show_pixmap(self, pixmap: QPixmap, turn: int = 0) -> None:
        """Show the page drawn at `turn` (degrees clockwise; what the layers draw over)."""
        self.shown_turn = turn % 360
        self.label.setWordWrap(False)
        self.label.setMargin(0)
        self.label.setPixmap(pixmap)
        size = pixmap.deviceIndependentSize().toSize()
        self.label.setMinimumSize(size)
        self.setWidgetResizable(True)

    def show_text(self, text: str) -> None:
        """A sentence instead of the page (e.g. why it cannot be drawn), wrapped to fit."""
        self.label.setPixmap(QPixmap())
        self.label.setMinimumSize(0, 0)
        self.label.setWordWrap(True)
        self.label.setMargin(16)
        self.label.setText(text)

    def shown(self) -> QImage:
        """The page image as shown (for tests and screenshots)."""
        return self.label.pixmap().toImage()
