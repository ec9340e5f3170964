"""Asking for the passwords that tasks and page images wait for, without blocking anything.

A task that stops for its document's password shows a message bar ("… is protected by a
password — enter it to read the document", with "Enter password…"); the Tasks page and the
document view offer the same. The dialog's password is tried off the GUI thread by the
manager; a wrong one is said in the dialog, which asks again; the right one lets the
waiting tasks go on and the document's pages be drawn. Cancel leaves the tasks waiting.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.tasks.manager import ExtractionManager
from app.tasks.unlocking import CheckOutcome, LockedDocument, PasswordCheck
from app.ui.common.message_bar import MessageBar, MessageKind
from app.ui.dialogs.password import PasswordDialog

log = logging.getLogger(__name__)


class PasswordPrompts(QObject):
    """The window's questions for passwords: one message bar, one dialog at a time.

    Signals:
        unlocked(object): a LockedDocument that its password now opens (views draw
            its pages again).
    """

    unlocked = Signal(object)

    def __init__(self, manager: ExtractionManager, bar: MessageBar, window: QWidget) -> None:
        super().__init__(window)
        self.manager = manager
        self.bar = bar
        self.window = window
        self.dialog: PasswordDialog | None = None
        self._asking: LockedDocument | None = None
        #: Documents whose tasks wait for their password, oldest first (by key).
        self._waiting: dict[str, LockedDocument] = {}
        manager.passwordNeeded.connect(self._on_needed)
        manager.passwordChecked.connect(self._on_checked)
        manager.tasksAdded.connect(self._on_tasks_added)
        # Tasks left waiting by an earlier run (the password went with it).
        for document in manager.locked_documents():
            self._waiting[document.key] = document
        self._show_bar()

    # -- what waits --------------------------------------------------------------------

    def waiting(self) -> list[LockedDocument]:
        return list(self._waiting.values())

    @Slot(object)
    def _on_needed(self, document: LockedDocument) -> None:
        dialog = self.dialog
        if dialog is not None and dialog.key == document.key:
            if document.wrong and not dialog.checking:
                dialog.show_wrong(document.sentence)
            return
        self._waiting[document.key] = document
        self._show_bar()

    @Slot(object)
    def _on_tasks_added(self, _tasks: object) -> None:
        """A retry from elsewhere (Retry on the Tasks page) may leave a document no longer
        waiting: what waits is read again, only while something is said to."""
        if not self._waiting:
            return
        still = {d.key for d in self.manager.locked_documents()}
        gone = [key for key in self._waiting if key not in still]
        for key in gone:
            del self._waiting[key]
        if gone:
            self._show_bar()

    def _show_bar(self) -> None:
        documents = list(self._waiting.values())
        if not documents:
            self.bar.dismiss()
            return
        first = documents[0]
        text = first.sentence
        if len(documents) > 1:
            text += f" {len(documents) - 1} more documents wait for their passwords."
        self.bar.show_message(
            text,
            MessageKind.WARNING,
            title="Needs password.",
            action=("Enter password…", self._ask_from_bar),
        )

    def _ask_from_bar(self) -> None:
        """The bar's button: ask, and keep saying what waits (the bar closes on a click)."""
        self.ask_next()
        self._show_bar()

    # -- asking ------------------------------------------------------------------------

    @Slot()
    def ask_next(self) -> None:
        """Ask for the password of the first document that waits for one."""
        if self._waiting:
            self.ask(next(iter(self._waiting.values())))

    @Slot(int)
    def ask_for_task(self, task_id: int) -> None:
        """Ask for the password the task `task_id` waits for."""
        task = self.manager.get(task_id)
        document = self.manager.locked_document(task) if task is not None else None
        if document is not None:
            self.ask(document)

    @Slot(int)
    def ask_for_source(self, source_id: int) -> None:
        """Ask for the password of a document (its page images need it)."""
        waiting = self._waiting.get(f"source:{source_id}")
        document = waiting or self.manager.locked_source_document(source_id)
        if document is not None:
            self.ask(document)

    def ask(self, document: LockedDocument) -> None:
        """Open the dialog for `document` (non-blocking); one dialog at a time."""
        if self.dialog is not None:
            if self.dialog.key == document.key:
                self.dialog.raise_()
                self.dialog.activateWindow()
                return
            self.dialog.reject()
        dialog = PasswordDialog(document.key, document.name, document.sentence, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(self._on_submitted)
        dialog.finished.connect(self._on_finished)
        self.dialog = dialog
        self._asking = document
        # Not modal: the window stays usable while it asks, and nothing waits on it.
        dialog.setModal(False)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.field.setFocus()

    @Slot(str)
    def _on_submitted(self, password: str) -> None:
        if self._asking is not None:
            self.manager.check_password(self._asking, password)

    @Slot(object)
    def _on_checked(self, check: PasswordCheck) -> None:
        dialog, document = self.dialog, self._asking
        if dialog is None or document is None or dialog.key != check.key:
            return
        if check.outcome is CheckOutcome.OPENS:
            self._waiting.pop(check.key, None)
            dialog.accept()
            self.unlocked.emit(document)
            self._show_bar()
        elif check.outcome is CheckOutcome.WRONG:
            dialog.show_wrong(check.sentence)
        else:
            dialog.show_problem(check.sentence)

    @Slot(int)
    def _on_finished(self, _result: int) -> None:
        # Cancelled or opened: the tasks that still wait stay listed (and on the bar).
        self.dialog = None
        self._asking = None
