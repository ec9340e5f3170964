"""The Library as a grid of first-page thumbnails, and the List/Grid switch above it.

The grid is a QListView in icon mode over the list's own proxy model and selection
model: filtering, sorting, selection, Enter and double-click, the context menu and
dragging are the list's. Thumbnails are asked for only for the tiles on screen (see
thumbnails.py); painting a tile reads one cached pixmap.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSettings,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QPainter,
    QPalette,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QWidget,
)

from app.core.models import Source
from app.ui.common.coalesce import Coalescer
from app.ui.common.formatting import plural
from app.ui.common.theme import is_dark
from app.ui.library.sources_model import Column, SourcesModel
from app.ui.library.thumbnails import GRID_THUMB, GridThumbnails

#: Where the view chosen (list or grid) is remembered.
SETTINGS_VIEW = "library/view"
#: One tile: the thumbnail's box, two lines of name and one of pages, with margins.
TILE = QSize(GRID_THUMB.width() + 34, GRID_THUMB.height() + 70)
#: How soon after a scroll or resize the tiles on screen are asked for.
WANT_MS = 30

AnyIndex = QModelIndex | QPersistentModelIndex


class LibraryView(enum.StrEnum):
    LIST = "list"
    GRID = "grid"


class ViewToggle(QWidget):
    """Two buttons, List and Grid; the choice is remembered in the settings.

    Signals:
        changed(str): the view chosen ("list" or "grid").
    """

    changed = Signal(str)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[LibraryView, QToolButton] = {}
        for view, label, tip in (
            (LibraryView.LIST, "List", "Show the documents as a list"),
            (LibraryView.GRID, "Grid", "Show the documents as a grid of first pages"),
        ):
            button = QToolButton()
            button.setText(label)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setAccessibleName(f"{label} view")
            self.group.addButton(button)
            layout.addWidget(button)
            self.buttons[view] = button
        try:
            chosen = LibraryView(str(settings.value(SETTINGS_VIEW, LibraryView.LIST.value)))
        except ValueError:
            chosen = LibraryView.LIST
        self.buttons[chosen].setChecked(True)
        self.group.buttonToggled.connect(self._on_toggled)

    def view(self) -> LibraryView:
        return next(v for v, b in self.buttons.items() if b.isChecked())

    def choose(self, view: LibraryView) -> None:
        self.buttons[view].setChecked(True)

    @Slot(QToolButton, bool)
    def _on_toggled(self, button: QToolButton, checked: bool) -> None:
        if checked:
            view = self.view()
            self.settings.setValue(SETTINGS_VIEW, view.value)
            self.changed.emit(view.value)


class GridDelegate(QStyledItemDelegate):
    """A tile: the first page (or a placeholder while it is drawn), the name, the pages."""

    def __init__(self, grid: SourcesGrid) -> None:
        super().__init__(grid)
        self.grid = grid

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return TILE

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        source = self.grid.source_at(index)
        if source is None:
            return
        # Not initStyleOption(): it would read every role of the row (the list's small
        # thumbnail among them, drawn for nothing); the tile draws its own picture.
        opt = QStyleOptionViewItem(option)
        widget = self.grid
        style = widget.style()
        painter.save()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        rect = option.rect
        box = QRect(
            rect.x() + (rect.width() - GRID_THUMB.width()) // 2,
            rect.y() + 8,
            GRID_THUMB.width(),
            GRID_THUMB.height(),
        )
        pixmap = self.grid.thumbnails.pixmap(source.sha256)
        palette = option.palette
        if pixmap is not None:
            size = pixmap.deviceIndependentSize().toSize()
            x = box.x() + (box.width() - size.width()) // 2
            y = box.y() + box.height() - size.height()  # pages stand on one line
            painter.drawPixmap(x, y, pixmap)
            painter.setPen(_edge(palette))
            painter.drawRect(x - 1, y - 1, size.width() + 1, size.height() + 1)
        else:
            self._placeholder(painter, box, palette, source)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        text_rect = QRect(rect.x() + 6, box.bottom() + 6, rect.width() - 12, rect.height())
        metrics = option.fontMetrics
        line = metrics.lineSpacing()
        name_lines = _two_lines(source.name, metrics, text_rect.width())
        for n, text in enumerate(name_lines):
            painter.drawText(
                QRect(text_rect.x(), text_rect.y() + n * line, text_rect.width(), line),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
        if not selected:
            painter.setPen(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        painter.drawText(
            QRect(text_rect.x(), text_rect.y() + 2 * line, text_rect.width(), line),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
            plural(source.page_count, "page"),
        )
        if option.state & QStyle.StateFlag.State_HasFocus:
            focus = QStyleOptionViewItem(opt)
            focus.rect = rect.adjusted(1, 1, -1, -1)
            style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, focus, painter, widget)
        painter.restore()

    def _placeholder(
        self, painter: QPainter, box: QRect, palette: QPalette, source: Source
    ) -> None:
        """A blank page of the usual shape while the first page is drawn (or "No preview")."""
        width = round(box.height() / 1.414)
        page = QRect(box.x() + (box.width() - width) // 2, box.y(), width, box.height())
        painter.fillRect(page, palette.color(QPalette.ColorRole.Base))
        painter.setPen(_edge(palette))
        painter.drawRect(page.adjusted(-1, -1, 0, 0))
        painter.setPen(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        failed = self.grid.thumbnails.failed(source.sha256)
        painter.drawText(
            page, Qt.AlignmentFlag.AlignCenter, "No preview" if failed else source.kind.upper()
        )


def _edge(palette: QPalette) -> QColor:
    """A page's hairline edge: opaque (a translucent line costs a blend per pixel)."""
    base = palette.color(QPalette.ColorRole.Base)
    ink = QColor(255, 255, 255) if is_dark(palette) else QColor(0, 0, 0)
    mix = 0.3
    return QColor(
        round(base.red() * (1 - mix) + ink.red() * mix),
        round(base.green() * (1 - mix) + ink.green() * mix),
        round(base.blue() * (1 - mix) + ink.blue() * mix),
    )


def _two_lines(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """`text` on at most two lines of `width` pixels, the second elided in the middle."""
    if metrics.horizontalAdvance(text) <= width:
        return [text]
    # The longest start that fits on the first line, broken at a space if there is one.
    cut = len(text)
    while cut > 1 and metrics.horizontalAdvance(text[:cut]) > width:
        cut -= 1
    space = text.rfind(" ", 0, cut)
    if space > cut // 2:
        cut = space + 1
    rest = metrics.elidedText(text[cut:], Qt.TextElideMode.ElideMiddle, width)
    return [text[:cut].rstrip(), rest]


class SourcesGrid(QListView):
    """The documents as tiles of their first pages, over the list's proxy and selection."""

    def __init__(
        self,
        proxy: QSortFilterProxyModel,
        model: SourcesModel,
        selection: QItemSelectionModel,
        thumbnails: GridThumbnails,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.proxy = proxy
        self.sources = model
        self.thumbnails = thumbnails
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setGridSize(TILE)
        self.setSpacing(0)
        self.setWordWrap(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(TILE.height() // 4)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionRectVisible(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAccessibleName("Sources as a grid")
        self.setModel(proxy)
        self.setModelColumn(Column.NAME)
        old = self.selectionModel()
        self.setSelectionModel(selection)  # the list's: one selection, whichever view shows
        if old is not None and old is not selection:
            old.deleteLater()
        self.setItemDelegate(GridDelegate(self))
        self._want = Coalescer(WANT_MS, self.want_visible, self)
        self.verticalScrollBar().valueChanged.connect(self._on_moved)
        for signal in (
            proxy.rowsInserted,
            proxy.rowsRemoved,
            proxy.modelReset,
            proxy.layoutChanged,
        ):
            signal.connect(self._on_moved)
        thumbnails.ready.connect(self._on_thumbnail)

    # -- what is on screen -------------------------------------------------------------

    def source_at(self, index: AnyIndex) -> Source | None:
        row = self.proxy.mapToSource(self.proxy.index(index.row(), Column.NAME)).row()
        return self.sources.source_at(row) if 0 <= row < self.sources.rowCount() else None

    def visible_rows(self) -> range:
        """The proxy rows whose tiles are on screen now (whole or in part)."""
        count = self.proxy.rowCount()
        if count == 0 or not self.isVisible():
            return range(0)
        viewport = self.viewport().rect()
        columns = max(1, viewport.width() // TILE.width())
        top = self.verticalScrollBar().value()
        first = max(0, (top // TILE.height() - 1) * columns)
        last = min(count, ((top + viewport.height()) // TILE.height() + 2) * columns)
        # The guess from the grid's geometry, checked tile by tile (a few rows' worth).
        shown = [
            row
            for row in range(first, last)
            if self.visualRect(self.proxy.index(row, Column.NAME)).intersects(viewport)
        ]
        return range(shown[0], shown[-1] + 1) if shown else range(0)

    def drawn(self) -> bool:
        """Every tile on screen shows its page (or says it has none)."""
        thumbs = self.thumbnails
        return all(
            thumbs.pixmap(s.sha256) is not None or thumbs.failed(s.sha256)
            for row in self.visible_rows()
            if (s := self.source_at(self.proxy.index(row, 0))) is not None
        )

    @Slot()
    def want_visible(self) -> None:
        """Ask for the thumbnails of the tiles on screen (only those)."""
        rows = self.visible_rows()
        sources = [s for row in rows if (s := self.source_at(self.proxy.index(row, 0)))]
        self.thumbnails.want(sources, self.devicePixelRatioF())

    @Slot()
    def _on_moved(self, *args: object) -> None:
        self._want.request()

    @Slot(str)
    def _on_thumbnail(self, sha256: str) -> None:
        for row in self.visible_rows():
            index = self.proxy.index(row, Column.NAME)
            source = self.source_at(index)
            if source is not None and source.sha256 == sha256:
                self.update(index)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._want.request()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._want.request()
