"""Help › Keyboard shortcuts: every key the window answers to, read from its actions and
shortcuts when the dialog opens, so the list is always the window's own."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: The group a widget's keys are listed under (a dynamic property on the widget).
GROUP_PROPERTY = "shortcutGroup"
WINDOW_GROUP = "Everywhere"


@dataclass(frozen=True, slots=True)
class Shortcut:
    group: str
    what: str
    keys: str


def _group(obj: QObject, root: QWidget) -> str:
    node: QObject | None = obj
    while node is not None and node is not root:
        value = node.property(GROUP_PROPERTY)
        if value:
            return str(value)
        node = node.parent()
    return WINDOW_GROUP


def _keys(sequences: list[QKeySequence]) -> str:
    texts = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences]
    return ", ".join(dict.fromkeys(t for t in texts if t))


def shortcuts_of(root: QWidget) -> list[Shortcut]:
    """Every action with a key and every key shortcut under `root`, grouped, in window order."""
    found: list[Shortcut] = []
    for action in root.findChildren(QAction):
        keys = _keys(action.shortcuts())
        what = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        if keys and what:
            found.append(Shortcut(_group(action, root), what.rstrip("…").strip(), keys))
    for shortcut in root.findChildren(QShortcut):
        keys = _keys([shortcut.key()])
        if keys and shortcut.whatsThis():
            found.append(Shortcut(_group(shortcut, root), shortcut.whatsThis(), keys))
    groups = list(dict.fromkeys([WINDOW_GROUP, *(s.group for s in found)]))
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda s: groups.index(s.group))


class ShortcutsDialog(QDialog):
    """A list of the window's keyboard shortcuts by where they work."""

    def __init__(self, root: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.shortcuts = shortcuts_of(root)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.setAccessibleName("Keyboard shortcuts")
        groups: dict[str, QTreeWidgetItem] = {}
        for shortcut in self.shortcuts:
            group = groups.get(shortcut.group)
            if group is None:
                group = groups[shortcut.group] = QTreeWidgetItem(self.tree, [shortcut.group])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFirstColumnSpanned(True)
                group.setExpanded(True)
            QTreeWidgetItem(group, [shortcut.what, shortcut.keys])
        self.tree.setIndentation(12)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        note = QLabel("A text field keeps its own keys: Home in a page's text moves the cursor.")
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(520, 620)

    def rows(self) -> list[tuple[str, str, str]]:
        """(group, action, keys) as listed."""
        out = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for r in range(group.childCount() if group is not None else 0):
                item = group.child(r) if group is not None else None
                if group is not None and item is not None:
                    out.append((group.text(0), item.text(0), item.text(1)))
        return out
