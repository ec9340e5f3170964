"""The page viewer: the rendered page (zoom, fit width) beside its selectable text and state."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRegularExpression, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPixmap, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Library
from app.core.models import BackgroundTask, OcrMode, Page, Source, TaskStatus, TextMethod
from app.extraction.languages import default_ocr_languages
from app.tasks.manager import ExtractionManager
from app.ui.common.flow import FlowLayout, spacer
from app.ui.common.formatting import method_text
from app.ui.common.plain import plain_label
from app.ui.common.rendering import NATURAL_WIDTH, PageRenderer, RenderRequest
from app.ui.common.theme import is_dark
from app.ui.dialogs.language import LanguageDialog
from app.ui.library.page_image import PageImage, TurnButtons, sideways, turned

SETTINGS_SPLITTER = "viewer/splitter"
ZOOM_STEPS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
#: Render a little after the last resize or zoom step, not at every pixel.
RERENDER_MS = 120


def highlight_pattern(query: str) -> QRegularExpression | None:
    """The words of a search as one case-insensitive pattern (`word*` keeps its prefix sense)."""
    words = []
    for raw in re.findall(r"[\w*]+", query):
        word = raw.strip("*")
        if word:
            words.append(re.escape(word) + (r"\w*" if raw.endswith("*") else r"\b"))
    if not words:
        return None
    pattern = QRegularExpression(
        r"\b(?:" + "|".join(words) + ")",
        QRegularExpression.PatternOption.CaseInsensitiveOption
        | QRegularExpression.PatternOption.UseUnicodePropertiesOption,
    )
    return pattern if pattern.isValid() else None


class PageViewer(QWidget):
    """One page: its image on the left, its text and how it was obtained on the right.

    Signals:
        zoomChanged(str): the zoom shown, e.g. "Fit width" or "150%".
        pageStepRequested(int): the user asked for the previous (-1) or next (+1) page.
        workQueued(): the user queued tasks here (a retry, OCR again).
    """

    zoomChanged = Signal(str)
    pageStepRequested = Signal(int)
    workQueued = Signal()

    def __init__(
        self,
        library: Library,
        manager: ExtractionManager,
        renderer: PageRenderer,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.manager = manager
        self.renderer = renderer
        self.settings = settings
        #: What the text panel shows of a page's text (text_flow.py may join its lines).
        self.shown_text: Callable[[str], str] = str
        #: Installed OCR languages (set by the window once Tesseract answered).
        self.languages: tuple[str, ...] = ()
        self.ocr_available = True
        #: Chooses the OCR language for a re-run; tests put an answer here.
        self.choose_language: Callable[[str], str | None] | None = None
        self.source: Source | None = None
        self.page: Page | None = None
        self.task: BackgroundTask | None = None
        self.highlight = ""
        self.fit_width = True
        self.zoom = 1.0
        self._natural_width = 0.0  # CSS pixels of the page at 100 %
        self._aspect = 0.0  # the drawn page's height over its width, as the file has it
        self._wanted: tuple[object, ...] | None = None
        self._shown_key: tuple[object, ...] | None = None
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RERENDER_MS)
        self._render_timer.timeout.connect(self._request_image)
        renderer.rendered.connect(self._on_rendered)
        renderer.failed.connect(self._on_render_failed)
        self._build()

    # -- building ----------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # One row when there is room; the controls wrap onto a second line when narrow.
        bar = self.bar = FlowLayout()
        bar.setContentsMargins(8, 4, 8, 4)
        self.prev_button = QToolButton()
        self.prev_button.setText("‹")
        self.prev_button.setToolTip("Previous page (Page Up)")
        self.prev_button.clicked.connect(lambda: self.pageStepRequested.emit(-1))
        self.next_button = QToolButton()
        self.next_button.setText("›")
        self.next_button.setToolTip("Next page (Page Down)")
        self.next_button.clicked.connect(lambda: self.pageStepRequested.emit(1))
        self.page_label = plain_label(QLabel())
        bar.add(self.prev_button)
        bar.add(self.page_label)
        bar.add(self.next_button)
        self.zoom_out_button = QToolButton()
        self.zoom_out_button.setText("−")
        self.zoom_out_button.setToolTip("Zoom out (Ctrl+-)")
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_box = QComboBox()
        self.zoom_box.addItem("Fit width", 0.0)
        for step in ZOOM_STEPS:
            self.zoom_box.addItem(f"{step:.0%}", step)
        self.zoom_box.setToolTip("Zoom")
        self.zoom_box.activated.connect(self._on_zoom_chosen)
        self.zoom_in_button = QToolButton()
        self.zoom_in_button.setText("+")
        self.zoom_in_button.setToolTip("Zoom in (Ctrl++)")
        self.zoom_in_button.clicked.connect(self.zoom_in)
        bar.add(self.zoom_out_button)
        bar.add(self.zoom_box)
        bar.add(self.zoom_in_button)
        bar.add(spacer())
        self.rerun_button = QPushButton("Re-run OCR…")
        self.rerun_button.setToolTip(
            "Read this page again with Tesseract, in a language you choose"
        )
        self.rerun_button.clicked.connect(self.rerun_ocr)
        self.turn_buttons = TurnButtons()
        self.turn_buttons.turnRequested.connect(self.turn_page)
        bar.add(self.turn_buttons)
        bar.add(self.rerun_button)
        layout.addLayout(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.image = PageImage()
        self.image.setMinimumWidth(160)
        self.image.viewport().installEventFilter(self)
        self.splitter.addWidget(self.image)

        text_panel = QWidget()
        text_layout = QVBoxLayout(text_panel)
        text_layout.setContentsMargins(8, 0, 8, 8)
        info = QHBoxLayout()
        self.state_label = plain_label(QLabel())
        self.state_label.setObjectName("pageState")
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # "… — check this page; rotate it or re-run OCR" in full, on two lines if need be,
        # without asking the pane for more width.
        self.state_label.setWordWrap(True)
        self.state_label.setMinimumWidth(1)
        info.addWidget(self.state_label, 1)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setToolTip("Try to extract this page's text again")
        self.retry_button.clicked.connect(self.retry)
        info.addWidget(self.retry_button)
        text_layout.addLayout(info)
        self.error_label = plain_label(QLabel())
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text_layout.addWidget(self.error_label)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.setAccessibleName("Page text")
        self.text.setPlaceholderText("This page's text appears here once it is extracted.")
        text_layout.addWidget(self.text, 1)
        text_panel.setMinimumWidth(180)
        self.splitter.addWidget(text_panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([560, 440])
        state = self.settings.value(SETTINGS_SPLITTER)
        if state is not None:
            self.splitter.restoreState(state)
        layout.addWidget(self.splitter, 1)

    def save_state(self) -> None:
        self.settings.setValue(SETTINGS_SPLITTER, self.splitter.saveState())

    # -- showing a page ----------------------------------------------------------------

    def show_page(
        self,
        source: Source,
        page: Page,
        task: BackgroundTask | None,
        highlight: str = "",
    ) -> None:
        new_page = self.page is None or self.page.id != page.id
        self.source = source
        self.page = page
        self.task = task
        self.highlight = highlight
        self.page_label.setText(f"Page {page.number} of {source.page_count}")
        self.prev_button.setEnabled(page.number > 1)
        self.next_button.setEnabled(page.number < source.page_count)
        if new_page:
            self._shown_key = None
            self._natural_width = self._aspect = 0.0
            self.image.turn = self._turn_of(page)
            self.image.show_text("Drawing the page…")
            self._request_image()
        self._show_text(scroll_to_hit=True)
        self._show_state()

    def update_page(self, page: Page, task: BackgroundTask | None) -> None:
        """The same page with newer text or task state."""
        if self.page is None or page.id != self.page.id:
            return
        text_changed = page.text != self.page.text
        self.page = page
        self.task = task
        if self._turn_of(page) != self.image.turn:
            self.image.turn = self._turn_of(page)
            self._request_image()
        if text_changed:
            self._show_text(scroll_to_hit=True)
        self._show_state()

    def clear(self) -> None:
        self.source = self.page = self.task = None
        self._wanted = self._shown_key = None
        self.image.show_text("")
        self.text.clear()
        self.state_label.clear()
        self.error_label.hide()

    def _show_text(self, scroll_to_hit: bool) -> None:
        assert self.page is not None
        self.text.setPlainText(self.shown_text(self.page.text or ""))
        self.apply_highlight(scroll_to_hit)

    def apply_highlight(self, scroll_to_hit: bool = True) -> int:
        """Mark the search words in the text; returns how many were found."""
        selections: list[QTextEdit.ExtraSelection] = []
        pattern = highlight_pattern(self.highlight) if self.highlight else None
        if pattern is not None:
            dark = is_dark(self.palette())
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("#8a6d00" if dark else "#ffe066"))
            fmt.setForeground(QColor("#ffffff" if dark else "#000000"))
            doc = self.text.document()
            cursor = doc.find(pattern, 0)
            while not cursor.isNull() and len(selections) < 2000:
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = fmt
                selections.append(selection)
                cursor = doc.find(pattern, cursor, QTextDocument.FindFlag(0))
        self.text.setExtraSelections(selections)
        if selections and scroll_to_hit:
            first = QTextCursor(selections[0].cursor)
            first.clearSelection()
            self.text.setTextCursor(first)
            self.text.centerCursor()
        return len(selections)

    def _show_state(self) -> None:
        page, task = self.page, self.task
        assert page is not None
        error = ""
        retry = False
        if task is not None and task.status is TaskStatus.IN_PROGRESS:
            state = (
                f"Extracting now… {task.message}".rstrip(" …")
                if task.message
                else "Extracting now…"
            )
        elif task is not None and task.status is TaskStatus.PENDING:
            state = "Waiting to be extracted (moved to the front of the queue)"
        elif page.text is not None:
            state = method_text(page)
            if not page.text.strip():
                state += " — no text found on this page"
        elif task is not None and task.status is TaskStatus.FAILED:
            state = "Text extraction failed"
            error = task.error or ""
            retry = True
        elif task is not None and task.status is TaskStatus.CANCELLED:
            state = "Text extraction was cancelled"
            retry = True
        else:
            state = "No text yet"
        self.state_label.setText(state)
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))
        self.retry_button.setVisible(retry)
        self.rerun_button.setEnabled(self.ocr_available and page is not None)
        self.rerun_button.setToolTip(
            "Read this page again with Tesseract, in a language you choose"
            if self.ocr_available
            else "Tesseract is not installed, so OCR is not available"
        )

    def state_text(self) -> str:
        return self.state_label.text()

    # -- actions -----------------------------------------------------------------------

    @Slot()
    def retry(self) -> None:
        if self.task is not None:
            new = self.manager.retry([self.task.id])
            if new:
                self.task = new[0]
                self._show_state()
                self.workQueued.emit()

    @Slot()
    def rerun_ocr(self) -> None:
        if self.page is None:
            return
        current = self.manager.ocr_lang or default_ocr_languages(self.languages)
        if self.choose_language is not None:
            lang = self.choose_language(current)
        else:
            dialog = LanguageDialog(self.languages, current, self)
            lang = dialog.chosen() if dialog.exec() else None
        if not lang:
            return
        task = self.manager.reextract_page(self.page.id, ocr=OcrMode.ALWAYS, lang=lang)
        if task is not None:
            self.task = task
            self._show_state()
            self.workQueued.emit()

    def _turn_of(self, page: Page) -> int:
        """The turn a page is shown at: the user's, else the one it was read at."""
        chosen = self.library.user_rotation(page.id)
        return chosen % 360 if chosen else page.rotation % 360

    @Slot(int)
    def turn_page(self, step: int) -> None:
        """Turn the page by `step` degrees clockwise, keep that turn, and read it again."""
        if self.page is None:
            return
        turn = (self.image.turn + step) % 360
        # Kept for every later read; 360 is upright by choice (Folio turns it no more).
        self.library.set_user_rotation(self.page.id, turn or 360)
        self.image.turn = turn
        self._request_image()
        # A text layer is taken again as it is; a scan is read again at the new turn.
        ocr = OcrMode.AUTO if self.page.method is TextMethod.TEXT_LAYER else OcrMode.ALWAYS
        task = self.manager.reextract_page(self.page.id, ocr=ocr)
        if task is not None:
            self.task = task
            self._show_state()
            self.workQueued.emit()

    # -- zoom --------------------------------------------------------------------------

    def zoom_text(self) -> str:
        return "Fit width" if self.fit_width else f"{self.zoom:.0%}"

    def _current_zoom(self) -> float:
        if self.fit_width and self._natural_width > 0:
            return self._target_width() / self._natural_width
        return self.zoom

    @Slot()
    def zoom_in(self) -> None:
        current = self._current_zoom()
        self.set_zoom(next((z for z in ZOOM_STEPS if z > current + 0.01), ZOOM_STEPS[-1]))

    @Slot()
    def zoom_out(self) -> None:
        current = self._current_zoom()
        lower = [z for z in ZOOM_STEPS if z < current - 0.01]
        self.set_zoom(lower[-1] if lower else ZOOM_STEPS[0])

    @Slot()
    def set_fit_width(self) -> None:
        self.fit_width = True
        self._zoom_changed()

    def set_zoom(self, zoom: float) -> None:
        self.fit_width = False
        self.zoom = max(ZOOM_STEPS[0], min(zoom, ZOOM_STEPS[-1]))
        self._zoom_changed()

    @Slot(int)
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

    # -- rendering ---------------------------------------------------------------------

    @Slot()
    def _request_image(self) -> None:
        if self.source is None or self.page is None:
            return
        ratio = self.devicePixelRatioF()
        width = round(self._target_width() * ratio)
        turn = self.image.turn
        if sideways(turn) and self._aspect > 0:
            width = max(1, round(width / self._aspect))  # drawn upright, shown sideways
        key = ("view", self.source.sha256, self.page.number - 1, width, turn)
        if key == self._shown_key:
            return
        self._wanted = key
        path = self.library.store.path_for(self.source.sha256)
        request = RenderRequest(
            path, self.source.kind, self.page.number - 1, width, self.source.name
        )
        self.renderer.request(key, request, priority=10, cache=False)

    @Slot(object, QImage)
    def _on_rendered(self, key: object, image: QImage) -> None:
        if key != self._wanted or not isinstance(key, tuple):
            return
        natural = image.text(NATURAL_WIDTH)
        if natural:
            self._natural_width = float(natural)
        known = self._aspect > 0
        if image.width() > 0:
            self._aspect = image.height() / image.width()
        self._shown_key = key
        shown = turned(image, int(key[-1]))
        pixmap = QPixmap.fromImage(shown)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.image.show_pixmap(pixmap)
        drawn = round(shown.width() / self.devicePixelRatioF())
        if sideways(int(key[-1])) and not known:
            self._render_timer.start()  # its size is known now: draw it to fit, turned
        elif not self.fit_width and self._target_width() != drawn:
            # 100 % is only known once the page's size is: draw again at the true zoom.
            self._render_timer.start()

    @Slot(object, str)
    def _on_render_failed(self, key: object, message: str) -> None:
        if key == self._wanted:
            self.image.show_text(message)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.image.viewport()
            and event.type() == QEvent.Type.Resize
            and self.fit_width
            and self.page is not None
        ):
            self._render_timer.start()
        return False
