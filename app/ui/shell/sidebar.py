"""The navigation sidebar: Library, Search, Tasks, Trash and the user's collections — with the
Tasks badges and the counts beside the trash and each collection."""

from __future__ import annotations

import enum

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSignalBlocker,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.core.library import Collection
from app.ui.common.theme import is_dark
from app.ui.library.filing import ids_from_mime

BADGE_ROLE = Qt.ItemDataRole.UserRole + 1


#: The section a row shows (its Section), for every row that shows one.
SECTION_ROLE = Qt.ItemDataRole.UserRole + 2
#: A collection row's collection id.
COLLECTION_ROLE = Qt.ItemDataRole.UserRole + 3
#: A number shown in grey on the right (documents in the trash or a collection).
COUNT_ROLE = Qt.ItemDataRole.UserRole + 4
#: "header" (the Collections heading) or "new" (the New collection… row).
KIND_ROLE = Qt.ItemDataRole.UserRole + 5


class Section(enum.IntEnum):
    LIBRARY = 0
    SEARCH = 1
    TASKS = 2
    TRASH = 3


SECTION_LABELS = {
    Section.LIBRARY: "Library",
    Section.SEARCH: "Search",
    Section.TASKS: "Tasks",
    Section.TRASH: "Trash",
}
SECTION_TIPS = {
    Section.LIBRARY: "Your documents (Ctrl+1)",
    Section.SEARCH: "Search the text of every page (Ctrl+2)",
    Section.TASKS: "Background work: import and text extraction (Ctrl+3)",
    Section.TRASH: "Documents moved to the trash: restore them, or delete them for good (Ctrl+4)",
}
#: Badge colours (background, text): light and dark variants, 4.5:1 contrast or more.
_ACTIVE = (("#d6e4fb", "#0b3d91"), ("#1b355c", "#dce8fd"))
_FAILED = (("#b3261e", "#ffffff"), ("#f2b8b5", "#601410"))


class BadgeDelegate(QStyledItemDelegate):
    """Draws the normal item, then pills on the right: active tasks, then failed ones."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.data(KIND_ROLE) == "header":  # a quiet heading, in the palette of the moment
            colour = option.palette.color(QPalette.ColorRole.PlaceholderText)
            option.palette.setColor(QPalette.ColorRole.Text, colour)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        if index.data(KIND_ROLE) == "header":
            return QSize(size.width(), max(size.height(), 30))
        return QSize(size.width() + 60, max(size.height(), 34))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        view = self.parent()
        if isinstance(view, Sidebar) and view.drop_row == index.row():
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            pen = painter.pen()
            pen.setColor(option.palette.color(QPalette.ColorRole.Highlight))
            pen.setWidth(2)
            painter.setPen(pen)
            painter.drawRoundedRect(option.rect.adjusted(2, 2, -2, -2), 6, 6)
            painter.restore()
        count = index.data(COUNT_ROLE)
        if count:
            painter.save()
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            role = (
                QPalette.ColorRole.HighlightedText
                if selected
                else QPalette.ColorRole.PlaceholderText
            )
            painter.setPen(option.palette.color(role))
            painter.drawText(
                option.rect.adjusted(0, 0, -10, 0),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{count:,}",
            )
            painter.restore()
        badges = index.data(BADGE_ROLE) or (0, 0)
        active, failed = badges
        dark = is_dark(option.palette)
        right = option.rect.right() - 8
        metrics = QFontMetrics(option.font)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for count, colours in ((failed, _FAILED), (active, _ACTIVE)):
            if not count:
                continue
            bg, fg = colours[1] if dark else colours[0]
            text = str(count) if count < 10000 else "9999+"
            width = max(metrics.horizontalAdvance(text) + 12, 22)
            height = metrics.height() + 4
            top = option.rect.center().y() - height // 2
            rect = QRect(right - width, top, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(rect, height / 2, height / 2)
            painter.setPen(QColor(fg))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            right = rect.left() - 4
        painter.restore()


class Sidebar(QListWidget):
    """The navigation list: the sections, the trash, then the user's collections.

    A collection row shows the Library, limited to that collection.

    Signals:
        sectionChosen(int): the user (or code) chose a Section.
        collectionChosen(int): the Library is to show this collection (0: all of it).
        sourcesDropped(int, list): documents dropped on a collection (its id, their ids).
        trashDropped(list): documents dropped on the Trash.
        newCollectionRequested(), renameRequested(int), deleteRequested(int),
        emptyTrashRequested(): asked for from the sidebar (row or context menu).
    """

    sectionChosen = Signal(int)
    collectionChosen = Signal(int)
    sourcesDropped = Signal(int, list)
    trashDropped = Signal(list)
    newCollectionRequested = Signal()
    renameRequested = Signal(int)
    deleteRequested = Signal(int)
    emptyTrashRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setItemDelegate(BadgeDelegate(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.setFont(font)
        for section in Section:
            item = QListWidgetItem(SECTION_LABELS[section])
            item.setToolTip(SECTION_TIPS[section])
            item.setData(BADGE_ROLE, (0, 0))
            item.setData(SECTION_ROLE, int(section))
            self.addItem(item)
        header = QListWidgetItem("COLLECTIONS")
        header.setData(KIND_ROLE, "header")
        header.setFlags(Qt.ItemFlag.ItemIsEnabled)
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.75)
        small.setBold(True)
        header.setFont(small)
        header.setToolTip("Your own groups of documents; a document may be in several")
        self.addItem(header)
        new = QListWidgetItem("+ New collection…")
        new.setData(KIND_ROLE, "new")
        new.setFlags(Qt.ItemFlag.ItemIsEnabled)
        new.setToolTip("Make a collection, then drag documents from the Library onto it")
        self.addItem(new)
        #: The row a drag of documents would drop on (drawn with an outline), or -1.
        self.drop_row = -1
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setCurrentRow(Section.LIBRARY)
        self.currentRowChanged.connect(self._on_row)
        self.itemClicked.connect(self._on_clicked)
        self.setMinimumWidth(150)
        self.setAccessibleName("Navigation")

    # -- rows --------------------------------------------------------------------------

    def _section_of(self, item: QListWidgetItem | None) -> Section | None:
        value = item.data(SECTION_ROLE) if item is not None else None
        if value is not None:
            return Section(int(value))
        if item is not None and item.data(COLLECTION_ROLE):
            return Section.LIBRARY
        return None

    def section_of_row(self, row: int) -> Section | None:
        return self._section_of(self.item(row))

    def _row_of_collection(self, collection_id: int) -> int:
        for row in range(self.count()):
            if self.item(row).data(COLLECTION_ROLE) == collection_id:
                return row
        return -1

    def _new_row(self) -> int:
        return next(r for r in range(self.count()) if self.item(r).data(KIND_ROLE) == "new")

    @Slot(int)
    def _on_row(self, row: int) -> None:
        section = self.section_of_row(row)
        if section is None:
            return
        self.sectionChosen.emit(int(section))
        if section is Section.LIBRARY:
            self.collectionChosen.emit(self.collection_id())

    @Slot(QListWidgetItem)
    def _on_clicked(self, item: QListWidgetItem) -> None:
        if item.data(KIND_ROLE) == "new":
            self.newCollectionRequested.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and item is not None
            and item.data(KIND_ROLE) == "new"
        ):
            self.newCollectionRequested.emit()
            return
        super().keyPressEvent(event)

    def choose(self, section: Section) -> None:
        """Show a section; the Library keeps the collection chosen in it."""
        if section is Section.LIBRARY and self.collection_id():
            return
        self.setCurrentRow(int(section))

    def choose_collection(self, collection_id: int) -> None:
        row = self._row_of_collection(collection_id) if collection_id else int(Section.LIBRARY)
        if row >= 0:
            self.setCurrentRow(row)

    def section(self) -> Section:
        return self._section_of(self.currentItem()) or Section.LIBRARY

    def collection_id(self) -> int:
        """The collection chosen (0: none)."""
        item = self.currentItem()
        return int(item.data(COLLECTION_ROLE) or 0) if item is not None else 0

    def collection_names(self) -> list[str]:
        return [
            self.item(r).text() for r in range(self.count()) if self.item(r).data(COLLECTION_ROLE)
        ]

    def set_collections(self, collections: list[Collection]) -> None:
        """Show these collections (by name) with their counts, keeping the one chosen."""
        chosen = self.collection_id()
        with QSignalBlocker(self):
            for row in reversed(range(self.count())):
                if self.item(row).data(COLLECTION_ROLE):
                    self.takeItem(row)
            at = self._new_row()
            for offset, collection in enumerate(collections):
                item = QListWidgetItem(collection.name)
                item.setData(COLLECTION_ROLE, collection.id)
                item.setData(COUNT_ROLE, collection.count)
                item.setToolTip(
                    f"{collection.name}: {collection.count:,} document"
                    f"{'' if collection.count == 1 else 's'}"
                )
                item.setData(
                    Qt.ItemDataRole.AccessibleTextRole,
                    f"Collection {collection.name}, {collection.count} documents",
                )
                self.insertItem(at + offset, item)
            row = self._row_of_collection(chosen) if chosen else -1
            if row >= 0:
                self.setCurrentRow(row)
        if chosen and row < 0:  # the collection shown was deleted: back to the whole Library
            self.setCurrentRow(int(Section.LIBRARY))

    def set_trash_count(self, count: int) -> None:
        item = self.item(Section.TRASH)
        item.setData(COUNT_ROLE, count)
        item.setData(
            Qt.ItemDataRole.AccessibleTextRole, f"Trash, {count} documents" if count else "Trash"
        )

    def trash_count(self) -> int:
        return int(self.item(Section.TRASH).data(COUNT_ROLE) or 0)

    # -- dropping documents on a collection or the trash -------------------------------

    def _drop_target(self, event: QDragMoveEvent | QDropEvent) -> int:
        """The row documents dragged here would go to: a collection or the Trash (-1: none)."""
        if not ids_from_mime(event.mimeData()):
            return -1
        item = self.itemAt(event.position().toPoint())
        if item is None:
            return -1
        if item.data(COLLECTION_ROLE) or item.data(SECTION_ROLE) == Section.TRASH:
            return self.row(item)
        return -1

    def _set_drop_row(self, row: int) -> None:
        if row != self.drop_row:
            self.drop_row = row
            self.viewport().update()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if ids_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        row = self._drop_target(event)
        self._set_drop_row(row)
        if row >= 0:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_drop_row(-1)

    def dropEvent(self, event: QDropEvent) -> None:
        row = self._drop_target(event)
        self._set_drop_row(-1)
        if row < 0:
            event.ignore()
            return
        ids = ids_from_mime(event.mimeData())
        event.acceptProposedAction()
        item = self.item(row)
        if item.data(SECTION_ROLE) == Section.TRASH:
            self.trashDropped.emit(ids)
        else:
            self.sourcesDropped.emit(int(item.data(COLLECTION_ROLE)), ids)

    # -- the context menu --------------------------------------------------------------

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.context_menu(event.pos()).popup(event.globalPos())

    def context_menu(self, pos: QPoint) -> QMenu:
        """The menu for the row at `pos` (built on its own, so tests can look into it)."""
        menu = QMenu(self)
        item = self.itemAt(pos)
        collection_id = int(item.data(COLLECTION_ROLE) or 0) if item is not None else 0
        if collection_id:
            menu.addAction("Rename…", lambda: self.renameRequested.emit(collection_id))
            menu.addAction("Delete collection…", lambda: self.deleteRequested.emit(collection_id))
            menu.addSeparator()
        elif item is not None and item.data(SECTION_ROLE) == Section.TRASH:
            empty = menu.addAction("Empty trash…", self.emptyTrashRequested.emit)
            empty.setEnabled(self.trash_count() > 0)
            return menu
        menu.addAction("New collection…", self.newCollectionRequested.emit)
        return menu

    # -- the tasks badge ---------------------------------------------------------------

    @Slot(int, int)
    def set_task_badge(self, active: int, failed: int) -> None:
        item = self.item(Section.TASKS)
        item.setData(BADGE_ROLE, (active, failed))
        parts = []
        if active:
            parts.append(f"{active} active")
        if failed:
            parts.append(f"{failed} failed")
        tip = SECTION_TIPS[Section.TASKS]
        item.setToolTip(f"{tip} — {', '.join(parts)}" if parts else tip)
        item.setData(
            Qt.ItemDataRole.AccessibleTextRole,
            f"Tasks, {', '.join(parts)}" if parts else "Tasks",
        )

    def task_badge(self) -> tuple[int, int]:
        return tuple(self.item(Section.TASKS).data(BADGE_ROLE))

    def sizeHint(self) -> QSize:
        return QSize(180, 300)
