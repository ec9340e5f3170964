"""What the window says about its watched folders: a folder gone, files being imported."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QStatusBar

from app.services.watch import FolderWatcher, WatchImports
from app.ui.common.formatting import plural
from app.ui.common.message_bar import MessageBar, MessageKind

#: How long "Importing … from a watched folder" stays on the status bar.
STATUS_MS = 8_000


class WatchNotices(QObject):
    """Puts a watched folder's problem in the message bar (one sentence) and its imports
    on the status bar; takes the problem away when the folder is back."""

    def __init__(
        self,
        watcher: FolderWatcher,
        message_bar: MessageBar,
        status_bar: QStatusBar,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.message_bar = message_bar
        self.status_bar = status_bar
        #: The problem sentence shown now, per folder.
        self._shown: dict[str, str] = {}
        watcher.problemChanged.connect(self._on_problem)
        watcher.importsStarted.connect(self._on_imports)

    @Slot(str, str)
    def _on_problem(self, folder: str, sentence: str) -> None:
        before = self._shown.pop(folder, None)
        if sentence:
            self._shown[folder] = sentence
            self.message_bar.show_message(sentence, MessageKind.WARNING)
        elif before is not None and self.message_bar.text() == before:
            self.message_bar.dismiss()
            self.status_bar.showMessage(f"Watching {folder} again.", STATUS_MS)

    @Slot(object)
    def _on_imports(self, imports: WatchImports) -> None:
        if imports.tasks:
            self.status_bar.showMessage(
                f"Importing {plural(len(imports.tasks), 'new document')} from "
                f"{imports.folder.path.name or imports.folder.path}.",
                STATUS_MS,
            )
