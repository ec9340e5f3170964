"""The sources table model: Library.sources() with each source's maintained state."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication

from app.core.library import Library
from app.core.models import BackgroundTask, Source, TaskChange
from app.core.states import SourceState
from app.tasks.manager import ExtractionManager
from app.ui.common.coalesce import Coalescer
from app.ui.common.formatting import local_date, plural, source_state_text
from app.ui.common.plain import plain_tip
from app.ui.common.rendering import PageRenderer, RenderRequest
from app.ui.common.theme import is_dark
from app.ui.library import source_columns as columns
from app.ui.library.source_columns import meta_data, meta_sort_key, name_tip, other_names

AnyIndex = QModelIndex | QPersistentModelIndex
THUMB_SIZE = QSize(48, 64)
#: How often source states are re-read while pages finish (they change in bursts).
REFRESH_MS = 400


def thumbnail(image: QImage) -> QPixmap:
    """The page centred on a canvas of THUMB_SIZE with a hairline edge.

    Every thumbnail has the same size whatever the page's shape, so the names
    beside them line up.
    """
    canvas = QPixmap(THUMB_SIZE)
    canvas.fill(Qt.GlobalColor.transparent)
    page = image.scaled(
        THUMB_SIZE - QSize(2, 2),
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    x = (THUMB_SIZE.width() - page.width()) // 2
    y = (THUMB_SIZE.height() - page.height()) // 2
    painter = QPainter(canvas)
    painter.fillRect(x - 1, y - 1, page.width() + 2, page.height() + 2, QColor(0, 0, 0, 60))
    painter.drawImage(x, y, page)
    painter.end()
    return canvas


class Column(enum.IntEnum):
    NAME = 0
    PAGES = 1
    ADDED = 2
    TEXT = 3
    #: The document's own metadata (source_columns.py); hidden until chosen in the header.
    TITLE = columns.TITLE
    AUTHOR = columns.AUTHOR
    PAGE_SIZE = columns.PAGE_SIZE


HEADERS = {
    Column.NAME: "Name",
    Column.PAGES: "Pages",
    Column.ADDED: "Added",
    Column.TEXT: "Text",
    Column.TITLE: "Title",
    Column.AUTHOR: "Author",
    Column.PAGE_SIZE: "Page size",
}


class Role(enum.IntEnum):
    SOURCE_ID = Qt.ItemDataRole.UserRole + 1
    SORT = Qt.ItemDataRole.UserRole + 2
    FAILED = Qt.ItemDataRole.UserRole + 3
    #: How many of the source's pages are to be checked by a person.
    TO_CHECK = Qt.ItemDataRole.UserRole + 4
    #: Every name the source answers to: the one shown, then those it was imported under.
    NAMES = Qt.ItemDataRole.UserRole + 5


def thumb_key(source: Source) -> tuple[str, str, int, int]:
    return ("thumb", source.sha256, 0, THUMB_SIZE.width() * 2)


class SourcesModel(QAbstractTableModel):
    """One row per source: thumbnail and name, page count, date added, extraction state.

    Signals:
        toCheckChanged(int): how many sources have pages to check changed to this.
    """

    toCheckChanged = Signal(int)

    def __init__(
        self,
        library: Library,
        manager: ExtractionManager,
        renderer: PageRenderer,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.manager = manager
        self.renderer = renderer
        self._sources: list[Source] = []
        self._rows: dict[int, int] = {}
        self._states: dict[int, SourceState] = {}
        #: Names sources were imported under besides the one shown (only where there are).
        self._other_names: dict[int, tuple[str, ...]] = {}
        #: Sources with pages to check.
        self._to_check: set[int] = set()
        #: Sources whose state may have changed since the last refresh.
        self._dirty: set[int] = set()
        self._sort: tuple[Column, Qt.SortOrder] = (Column.ADDED, Qt.SortOrder.DescendingOrder)
        self._thumbs: dict[str, QPixmap] = {}
        self._placeholder = QPixmap(THUMB_SIZE)
        self._placeholder.fill(QColor(0, 0, 0, 0))
        self._refresh = Coalescer(REFRESH_MS, self.refresh_states, self)
        manager.sourceAdded.connect(self._on_source_added)
        manager.sourceRemoved.connect(self._on_source_removed)
        manager.sourcesTrashed.connect(self._on_sources_trashed)
        manager.sourcesRestored.connect(self._on_sources_restored)
        manager.sourceChanged.connect(self._on_source_changed)
        manager.pageTextReady.connect(self._on_page_text)
        manager.tasksChanged.connect(self._on_tasks_changed)
        manager.tasksAdded.connect(self._on_tasks_added)
        renderer.rendered.connect(self._on_rendered)
        self.reload()

    # -- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        """Every source, newest first as SQL sorts them, with its maintained counters."""
        self.beginResetModel()
        self._sources = self.library.sources()
        self._states = self.library.source_states()
        self._other_names = self.library.other_names()
        self._to_check = {i for i, state in self._states.items() if state.to_check}
        self._dirty.clear()
        self._sources.sort(key=self._sort_key(self._sort[0]), reverse=self._reversed())
        self._index_rows()
        self.endResetModel()
        self.toCheckChanged.emit(len(self._to_check))

    def _index_rows(self) -> None:
        self._rows = {source.id: row for row, source in enumerate(self._sources)}

    @Slot()
    def refresh_states(self) -> None:
        """Re-read the state of the sources that changed (one indexed row each)."""
        dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        states = self.library.source_states(dirty)
        changed = []
        checking = len(self._to_check)
        for source_id in dirty:
            state = states.get(source_id)
            if state != self._states.get(source_id):
                if state is None:
                    self._states.pop(source_id, None)
                else:
                    self._states[source_id] = state
                if state is not None and state.to_check:
                    self._to_check.add(source_id)
                else:
                    self._to_check.discard(source_id)
                row = self._rows.get(source_id)
                if row is not None:
                    changed.append(row)
        for row in changed:
            index = self.index(row, Column.TEXT)
            self.dataChanged.emit(
                index,
                index,
                [Qt.ItemDataRole.DisplayRole, Role.SORT, Role.FAILED, Role.TO_CHECK],
            )
        if changed and self._sort[0] is Column.TEXT:
            self.sort(*self._sort)
        if len(self._to_check) != checking:
            self.toCheckChanged.emit(len(self._to_check))

    def _mark(self, source_ids: set[int]) -> None:
        self._dirty |= source_ids
        self._refresh.request()

    @Slot(int, int)
    def _on_page_text(self, source_id: int, page_id: int) -> None:
        self._mark({source_id})

    @Slot(object)
    def _on_tasks_changed(self, changes: dict[int, TaskChange]) -> None:
        ids = {c.task.source_id for c in changes.values() if c.task.source_id is not None}
        if ids:
            self._mark(ids)

    @Slot(object)
    def _on_tasks_added(self, tasks: list[BackgroundTask]) -> None:
        ids = {t.source_id for t in tasks if t.source_id is not None}
        if ids:
            self._mark(ids)

    @Slot(object)
    def _on_source_added(self, source: Source) -> None:
        if source.id in self._rows:
            return
        row = self._sorted_row(source)
        self.beginInsertRows(QModelIndex(), row, row)
        self._sources.insert(row, source)
        self._index_rows()
        self.endInsertRows()
        self._mark({source.id})

    def _sorted_row(self, source: Source) -> int:
        """Where a source goes in the sorted list (a binary search: no sort of every row)."""
        key, descending = self._sort_key(self._sort[0]), self._reversed()
        wanted = key(source)
        low, high = 0, len(self._sources)
        while low < high:
            middle = (low + high) // 2
            here = key(self._sources[middle])
            if (here > wanted) if descending else (here < wanted):
                low = middle + 1
            else:
                high = middle
        return low

    @Slot(object)
    def _on_sources_restored(self, sources: list[Source]) -> None:
        new = [s for s in sources if s.id not in self._rows]
        # Their other names were let go with them (and may have grown in the trash).
        imported = self.library.imported_names(s.id for s in new)
        for source in new:
            if others := tuple(n for n in imported.get(source.id, ()) if n != source.name):
                self._other_names[source.id] = others
        if len(new) <= 20:
            for source in new:
                self._on_source_added(source)
            return
        # Many at once: appended together, then one sort puts them in place.
        end = len(self._sources)
        self.beginInsertRows(QModelIndex(), end, end + len(new) - 1)
        self._sources.extend(new)
        self._index_rows()
        self.endInsertRows()
        self._mark({s.id for s in new})
        self.sort(*self._sort)

    @Slot(object)
    def _on_sources_trashed(self, source_ids: list[int]) -> None:
        """Take the rows out in runs of neighbours, re-indexing once (not once per row)."""
        rows = sorted((r for i in source_ids if (r := self._rows.get(i)) is not None), reverse=True)
        checking = len(self._to_check)
        while rows:
            last = first = rows.pop(0)
            while rows and rows[0] == first - 1:
                first = rows.pop(0)
            self.beginRemoveRows(QModelIndex(), first, last)
            gone = self._sources[first : last + 1]
            del self._sources[first : last + 1]
            self.endRemoveRows()
            for source in gone:
                self._states.pop(source.id, None)
                self._other_names.pop(source.id, None)
                self._to_check.discard(source.id)
        self._index_rows()
        if len(self._to_check) != checking:
            self.toCheckChanged.emit(len(self._to_check))

    @Slot(int)
    def _on_source_removed(self, source_id: int) -> None:
        row = self._rows.get(source_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        source = self._sources.pop(row)
        self._index_rows()
        self.endRemoveRows()
        self._states.pop(source_id, None)
        self._other_names.pop(source_id, None)
        self._thumbs.pop(source.sha256, None)
        if source_id in self._to_check:
            self._to_check.discard(source_id)
            self.toCheckChanged.emit(len(self._to_check))

    @Slot(int)
    def _on_source_changed(self, source_id: int) -> None:
        """Renamed, imported under one more name, or its metadata filled in: re-read it."""
        row = self._rows.get(source_id)
        source = self.library.source(source_id)
        if row is None or source is None:
            return
        self._sources[row] = source
        self._other_names.pop(source_id, None)
        if others := other_names(source.name, self.library.source_names(source_id)):
            self._other_names[source_id] = others
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
        if self._sort[0] in (Column.NAME, Column.TITLE, Column.AUTHOR, Column.PAGE_SIZE):
            self.sort(*self._sort)

    # -- sorting (in Python over plain values: no data() call per comparison) ----------

    def _reversed(self) -> bool:
        return self._sort[1] == Qt.SortOrder.DescendingOrder

    def _sort_key(self, column: Column) -> Callable[[Source], Any]:
        if column is Column.NAME:
            return lambda s: (s.name.casefold(), s.id)
        if column is Column.PAGES:
            return lambda s: (s.page_count, s.id)
        if column is Column.TEXT:

            def progress(s: Source) -> tuple[float, int]:
                state = self._states.get(s.id)
                return ((state.completed / state.total) if state and state.total else 0.0, s.id)

            return progress
        if column >= Column.TITLE:
            return meta_sort_key(column)
        return lambda s: (s.added_at, s.id)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        self._sort = (Column(column), order)
        # emit() without arguments: passing the hint crashes PySide6 6.11.
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._sources[i.row()].id for i in before]
        self._sources.sort(key=self._sort_key(Column(column)), reverse=self._reversed())
        self._index_rows()
        after = [
            self.index(self._rows[i], old.column()) for i, old in zip(ids, before, strict=True)
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    @Slot(object, QImage)
    def _on_rendered(self, key: object, image: QImage) -> None:
        if not (isinstance(key, tuple) and key[:1] == ("thumb",) and key[2] == 0):
            return
        sha = str(key[1])
        self._thumbs[sha] = thumbnail(image)
        for row, source in enumerate(self._sources):
            if source.sha256 == sha:
                index = self.index(row, Column.NAME)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    # -- queries ---------------------------------------------------------------------

    def row_of(self, source_id: int) -> int | None:
        return self._rows.get(source_id)

    def source_at(self, row: int) -> Source:
        return self._sources[row]

    def source(self, source_id: int) -> Source | None:
        row = self._rows.get(source_id)
        return None if row is None else self._sources[row]

    def state(self, source_id: int) -> SourceState | None:
        return self._states.get(source_id)

    def names_of(self, source_id: int) -> tuple[str, ...]:
        """The names a source was imported under besides the one shown."""
        return self._other_names.get(source_id, ())

    def names_at(self, row: int) -> tuple[str, ...]:
        """Every name the source in `row` answers to, the shown one first (what the
        Library's filter reads: plain Python, no data() call per row)."""
        source = self._sources[row]
        others = self._other_names.get(source.id)
        return (source.name, *others) if others else (source.name,)

    @property
    def to_check_count(self) -> int:
        """How many sources have pages to check."""
        return len(self._to_check)

    # -- the model -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._sources)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[Column(section)]
            if role == Qt.ItemDataRole.TextAlignmentRole and section == Column.PAGES:
                return int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._sources):
            return None
        source = self._sources[index.row()]
        column = index.column()
        if role == Role.SOURCE_ID:
            return source.id
        if role == Role.NAMES:
            return self.names_at(index.row())
        if column >= Column.TITLE:
            return meta_data(source, column, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.NAME:
                return source.name
            if column == Column.PAGES:
                return str(source.page_count)
            if column == Column.ADDED:
                return local_date(source.added_at)
            if column == Column.TEXT:
                return source_state_text(self._states.get(source.id), source.page_count)
            return None
        if role == Role.SORT:
            if column == Column.NAME:
                return source.name.casefold()
            if column == Column.PAGES:
                return source.page_count
            if column == Column.ADDED:
                return f"{source.added_at}#{source.id:012d}"
            if column == Column.TEXT:
                state = self._states.get(source.id)
                return (state.completed / state.total) if state and state.total else 0.0
            return None
        if role == Role.FAILED:
            state = self._states.get(source.id)
            return state.failed if state else 0
        if role == Role.TO_CHECK:
            state = self._states.get(source.id)
            return state.to_check if state else 0
        if role == Qt.ItemDataRole.DecorationRole and column == Column.NAME:
            pixmap = self._thumbs.get(source.sha256)
            if pixmap is None:
                path = self.library.store.path_for(source.sha256)
                image = self.renderer.request(
                    thumb_key(source),
                    RenderRequest(path, source.kind, 0, THUMB_SIZE.width() * 2, source.name),
                )
                if image is None:  # drawn in a worker; `rendered` follows
                    return self._placeholder
                pixmap = self._thumbs[source.sha256] = thumbnail(image)
            return pixmap
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.NAME:
                return plain_tip(name_tip(source, self._other_names.get(source.id, ())))
            if column == Column.TEXT:
                state = self._states.get(source.id)
                if state is None:
                    return None
                tip = f"{plural(state.completed, 'page')} of {state.total} have text"
                if state.failed:
                    tip += f"; {state.failed} failed (see the Tasks page)"
                if state.active:
                    tip += f"; {state.active} still to do"
                return tip
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.TEXT:
            state = self._states.get(source.id)
            if state and state.failed:
                dark = is_dark(QApplication.palette())
                return QColor("#f2b8b5" if dark else "#b3261e")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.PAGES:
            return int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)
        return None
