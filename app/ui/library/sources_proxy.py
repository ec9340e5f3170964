"""The Library's filter: by every name a document answers to, to pages to check, to a collection."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QWidget

from app.core.query import fold
from app.ui.library.filing import SOURCE_IDS_MIME, ids_mime
from app.ui.library.sources_model import AnyIndex, Column, Role, SourcesModel


def all_names(index: QModelIndex) -> tuple[str, ...]:
    """The names a row answers to (Role.NAMES, or its text in a model without that role)."""
    names = index.data(Role.NAMES)
    return tuple(names) if names else (str(index.data() or ""),)


class SourcesProxy(QSortFilterProxyModel):
    """Filters by name as search compares words (no case, no accents: "resume" shows
    "Résumé.pdf"), matching the name shown and every name a document was imported
    under; and to the documents with pages to check. Sorting is the source model's own.

    A proxy sort would call the Python model's data() for every comparison (seconds
    for ten thousand documents); the model sorts its plain list instead.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFilterKeyColumn(Column.NAME)
        self._folded_filter = ""
        #: Names as compared, kept while the filter is typed (folding is not free).
        self._folded: dict[str, str] = {}
        self._to_check_only = False
        #: The documents of the collection shown (None: the whole library).
        self._members: set[int] | None = None

    def set_members(self, members: set[int] | None) -> None:
        """Show only these documents (a collection's), or every one again (None)."""
        if members == self._members:
            return
        self._members = members
        # One layout change for the whole list: re-filtering row by row would announce
        # every run of rows shown or hidden (tens of thousands in a large library).
        self.invalidate()

    @property
    def members(self) -> set[int] | None:
        return self._members

    # Rows are dragged as their documents' ids (onto a collection in the sidebar).
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else flags

    def mimeTypes(self) -> list[str]:
        return [SOURCE_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = dict.fromkeys(int(i.data(Role.SOURCE_ID)) for i in indexes if i.isValid())
        return ids_mime(list(ids))

    @property
    def to_check_only(self) -> bool:
        return self._to_check_only

    def set_to_check_only(self, on: bool) -> None:
        """Show only the documents with pages to check (or every one again)."""
        if on == self._to_check_only:
            return
        self.beginFilterChange()
        self._to_check_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_name_filter(self, text: str) -> None:
        self.beginFilterChange()
        self._folded_filter = fold(text.strip())
        if not self._folded_filter:
            self._folded.clear()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        # The model's own list, not data(): this runs for every row of the library.
        if (
            self._members is not None
            and isinstance(model, SourcesModel)
            and model.source_at(source_row).id not in self._members
        ):
            return False
        if self._to_check_only and not model.index(source_row, Column.TEXT, source_parent).data(
            Role.TO_CHECK
        ):
            return False
        if not self._folded_filter:
            return True
        # Every name it answers to: the one shown and those it was imported under, from
        # the model's plain list where it has one (no data() call per row).
        names_at = getattr(model, "names_at", None)
        names = (
            names_at(source_row)
            if names_at is not None
            else all_names(model.index(source_row, Column.NAME, source_parent))
        )
        return any(self._folded_filter in self._fold(n) for n in names)

    def _fold(self, name: str) -> str:
        folded = self._folded.get(name)
        if folded is None:
            folded = self._folded[name] = fold(name)
        return folded

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)
