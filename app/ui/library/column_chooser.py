"""The Library header's menu: which columns are shown (remembered across restarts)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, QSettings, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu

from app.ui.library.source_columns import OPTIONAL, SETTING_NAMES

SETTINGS_HIDDEN = "library/hiddenColumns"


class ColumnChooser(QObject):
    """A right click on the header lists every column but the name, ticked when shown;
    the title, author and page size columns start hidden."""

    def __init__(self, header: QHeaderView, settings: QSettings, parent: QObject) -> None:
        super().__init__(parent)
        self.header = header
        self.settings = settings
        model = header.model()
        self.actions: dict[int, QAction] = {}
        for column in SETTING_NAMES:
            text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            action = QAction(text, self)
            action.setCheckable(True)
            action.setData(column)
            action.toggled.connect(self._on_toggled)
            self.actions[column] = action
        stored = settings.value(SETTINGS_HIDDEN)
        if stored is None:
            hidden = set(OPTIONAL)
        else:
            names = {n for n in str(stored).split(",") if n}
            hidden = {c for c, n in SETTING_NAMES.items() if n in names}
        for column, action in self.actions.items():
            header.setSectionHidden(column, column in hidden)
            action.setChecked(column not in hidden)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._menu)

    def is_shown(self, column: int) -> bool:
        return not self.header.isSectionHidden(column)

    def set_shown(self, column: int, shown: bool) -> None:
        self.actions[column].setChecked(shown)

    @Slot(bool)
    def _on_toggled(self, shown: bool) -> None:
        action = self.sender()
        if not isinstance(action, QAction):
            return
        self.header.setSectionHidden(int(action.data()), not shown)
        hidden = [n for c, n in SETTING_NAMES.items() if self.header.isSectionHidden(c)]
        self.settings.setValue(SETTINGS_HIDDEN, ",".join(hidden))

    def menu(self) -> QMenu:
        menu = QMenu(self.header)
        menu.setTitle("Columns")
        for action in self.actions.values():
            menu.addAction(action)
        return menu

    @Slot(QPoint)
    def _menu(self, pos: QPoint) -> None:
        self.menu().popup(self.header.viewport().mapToGlobal(pos))
