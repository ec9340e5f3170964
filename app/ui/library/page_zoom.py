"""The page viewer's zoom: steps, fit width, and the width the page is drawn at."""

from __future__ import annotations

from PySide6.QtCore import QTimer, SignalInstance
from PySide6.QtWidgets import QComboBox

from app.ui.library.page_image import PageImage, sideways

ZOOM_STEPS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)


class PageZoom:
    """Part of PageViewer (page_viewer.py): how large the page is drawn."""

    fit_width: bool
    zoom: float
    #: CSS pixels of the page at 100 %, and its drawn height over its width.
    _natural_width: float
    _aspect: float
    image: PageImage
    zoom_box: QComboBox
    zoomChanged: SignalInstance
    _render_timer: QTimer

    def zoom_text(self) -> str:
        return "Fit width" if self.fit_width else f"{self.zoom:.0%}"

    def _current_zoom(self) -> float:
        if self.fit_width and self._natural_width > 0:
            return self._target_width() / self._natural_width
        return self.zoom

    def zoom_in(self) -> None:
        current = self._current_zoom()
        self.set_zoom(next((z for z in ZOOM_STEPS if z > current + 0.01), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        current = self._current_zoom()
        lower = [z for z in ZOOM_STEPS if z < current - 0.01]
        self.set_zoom(lower[-1] if lower else ZOOM_STEPS[0])

    def set_fit_width(self) -> None:
        self.fit_width = True
        self._zoom_changed()

    def set_zoom(self, zoom: float) -> None:
        self.fit_width = False
        self.zoom = max(ZOOM_STEPS[0], min(zoom, ZOOM_STEPS[-1]))
        self._zoom_changed()

    def _on_zoom_chosen(self, row: int) -> None:
        value = float(self.zoom_box.itemData(row))
        if value == 0.0:
            self.set_fit_width()
        else:
            self.set_zoom(value)

    def _zoom_changed(self) -> None:
        text = self.zoom_text()
        row = self.zoom_box.findText(text)
        if row < 0:
            self.zoom_box.setItemText(0, "Fit width")
        self.zoom_box.setCurrentIndex(max(row, 0))
        self.zoomChanged.emit(text)
        self._render_timer.start()

    def _target_width(self) -> int:
        """The width the page is shown at (turned sideways, its drawn height)."""
        if self.fit_width or self._natural_width <= 0:
            return max(100, self.image.viewport().width() - 24)
        shown = self._natural_width * (self._aspect if sideways(self.image.turn) else 1.0)
        return max(50, round(shown * self.zoom))
