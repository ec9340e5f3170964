"""The page viewer's keyboard and its go-to-page box, and the zoom each document keeps.

Keys (while the document is in front):
    Home / End              top / bottom of the page (in the page list: first / last page)
    Ctrl+Home / Ctrl+End    first / last page
    Space / Shift+Space     a screen down / up, on to the next / previous page at its end
    Page Down / Page Up     next / previous page
    Ctrl+G                  the go-to-page box
    Escape, Alt+Left        close the document (back to where it was opened from)

A text field keeps its own keys (Home in the page's text moves the cursor there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QScrollBar, QSpinBox

if TYPE_CHECKING:
    from app.ui.library.pages_view import DocumentView

_KEY = QKeySequence.StandardKey
_TEXT_KEYS = (
    _KEY.MoveToStartOfLine,
    _KEY.MoveToEndOfLine,
    _KEY.MoveToStartOfDocument,
    _KEY.MoveToEndOfDocument,
    _KEY.SelectStartOfLine,
    _KEY.SelectEndOfLine,
    _KEY.SelectStartOfDocument,
    _KEY.SelectEndOfDocument,
)
#: The zoom a document is shown at: fit width, or a factor.
Zoom = tuple[bool, float]


class PageKeys(QObject):
    """Installs the keys and the go-to-page box on a DocumentView."""

    def __init__(self, view: DocumentView) -> None:
        super().__init__(view)
        self.view = view
        self.viewer = view.viewer
        self._zooms: dict[int, Zoom] = {}
        self.shortcuts: list[QShortcut] = []
        self._build_goto()
        keys = QKeySequence.StandardKey
        for key, what, slot in (
            ("Home", "Top of the page (in the page list: first page)", self.home),
            ("End", "Bottom of the page (in the page list: last page)", self.end),
            ("Ctrl+Home", "First page", lambda: self.go_to(1)),
            ("Ctrl+End", "Last page", lambda: self.go_to(self.view.model.rowCount())),
            ("Space", "A screen down; at the bottom, the next page", lambda: self.screen(1)),
            (
                "Shift+Space",
                "A screen up; at the top, the previous page",
                lambda: self.screen(-1),
            ),
            (keys.MoveToNextPage, "Next page", lambda: self.view.step_page(1)),
            (keys.MoveToPreviousPage, "Previous page", lambda: self.view.step_page(-1)),
            ("Ctrl+G", "Go to page…", self.focus_goto),
            ("Escape", "Close the document", self.view.backRequested.emit),
            ("Alt+Left", "Back to the list or the search results", self.view.backRequested.emit),
        ):
            self._shortcut(QKeySequence(key), what, slot)
        self.viewer.text.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The page's text keeps Home, End, Ctrl+Home and Ctrl+End (and with Shift)."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and any(event.matches(key) for key in _TEXT_KEYS)
        ):
            event.accept()
        return False

    def _shortcut(self, key: QKeySequence, what: str, slot: Callable[[], object]) -> None:
        shortcut = QShortcut(key, self.view, slot)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.setWhatsThis(what)  # the Keyboard shortcuts dialog lists it
        self.shortcuts.append(shortcut)

    # -- go to page ----------------------------------------------------------------------

    def _build_goto(self) -> None:
        self.goto = QSpinBox()
        self.goto.setObjectName("gotoPage")
        self.goto.setPrefix("Page ")
        self.goto.setKeyboardTracking(False)
        self.goto.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.goto.setAccessibleName("Go to page")
        self.goto.setToolTip("Type a page number and press Enter (Ctrl+G)")
        self.goto.setRange(1, 1)
        self.goto.valueChanged.connect(self.go_to)
        # In the viewer's bar, in place of its "Page 2 of 4" label.
        label = self.viewer.page_label
        self.viewer.bar.insert(self.viewer.bar.indexOf(label), self.goto)
        label.hide()
        self.view.pageShown.connect(self._on_page_shown)
        self._land_at_bottom = False
        self._bar().rangeChanged.connect(self._on_range)

    @Slot(int)
    def _on_page_shown(self, page_id: int) -> None:
        page, count = self.viewer.page, self.view.model.rowCount()
        self._land_at_bottom = False
        if page is None:
            return
        self.goto.blockSignals(True)
        self.goto.setRange(1, max(1, count))
        self.goto.setSuffix(f" of {count}")
        self.goto.setValue(page.number)
        self.goto.blockSignals(False)

    @Slot()
    def focus_goto(self) -> None:
        self.goto.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.goto.selectAll()

    @Slot(int)
    def go_to(self, number: int) -> None:
        """Show page `number` (1-based; clamped to the document)."""
        count = self.view.model.rowCount()
        if count:
            row = max(0, min(number, count) - 1)
            self.view.pages.setCurrentIndex(self.view.model.index(row))

    # -- moving within a page ------------------------------------------------------------

    def _bar(self) -> QScrollBar:
        return self.viewer.image.verticalScrollBar()

    def _in_page_list(self) -> bool:
        return QApplication.focusWidget() is self.view.pages

    @Slot()
    def home(self) -> None:
        if self._in_page_list():
            self.go_to(1)
        else:
            self._bar().setValue(self._bar().minimum())

    @Slot()
    def end(self) -> None:
        if self._in_page_list():
            self.go_to(self.view.model.rowCount())
        else:
            self._bar().setValue(self._bar().maximum())

    def screen(self, direction: int) -> None:
        """A screen down (1) or up (-1); past the page's edge, the next or previous page."""
        bar = self._bar()
        at_edge = bar.value() >= bar.maximum() if direction > 0 else bar.value() <= bar.minimum()
        if not at_edge:
            bar.setValue(bar.value() + direction * max(bar.pageStep() - 40, 20))
            return
        before = self.viewer.page
        self.view.step_page(direction)
        if self.viewer.page is not before:
            # Down lands on the next page's top; up on the previous page's bottom, once the
            # page is drawn (until then the page is as tall as its "Drawing…" line).
            bar.setValue(bar.minimum())
            self._land_at_bottom = direction < 0

    @Slot(int, int)
    def _on_range(self, _low: int, high: int) -> None:
        if self._land_at_bottom and high > 0:
            self._land_at_bottom = False
            self._bar().setValue(high)

    # -- zoom per document ---------------------------------------------------------------

    def switch_document(self, old: int | None, new: int) -> None:
        """Keep the zoom of the document left; show the next at its own (fit width at first)."""
        viewer = self.viewer
        if old is not None:
            self._zooms[old] = (viewer.fit_width, viewer.zoom)
        fit, zoom = self._zooms.get(new, (True, 1.0))
        if (fit, zoom) == (viewer.fit_width, viewer.zoom) or (fit and viewer.fit_width):
            return
        if fit:
            viewer.set_fit_width()
        else:
            viewer.set_zoom(zoom)
