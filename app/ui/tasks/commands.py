"""What the user asks of tasks on the Tasks page, by task id, through the manager."""

from __future__ import annotations

from PySide6.QtCore import (
    Slot,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QMessageBox,
    QWidget,
)

from app.core.models import BackgroundTask, TaskStatus
from app.ui.common.formatting import plural
from app.ui.common.plain import plain_message_box
from app.ui.tasks.actions import waits_for_password
from app.ui.tasks.cells import source_label
from app.ui.tasks.filter import StatusFilter
from app.ui.tasks.parts import TasksPageParts


def ask_yes_no(parent: QWidget, title: str, text: str, informative: str, yes: str) -> bool:
    box = plain_message_box(QMessageBox.Icon.Question, title, text, parent, informative)
    confirm = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep running", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is confirm


class TaskCommands(TasksPageParts):
    """Part of TasksPage (page.py): the commands, by task id, through the manager."""

    @Slot()
    def cancel_selected(self) -> None:
        ids = self.selected_task_ids()
        if not ids:
            return
        outcome = self.manager.cancel_many(ids)
        self.say(outcome.summary())
        self._request_refresh()

    @Slot()
    def cancel_all(self) -> None:
        active = self.model.active_count
        if not active:
            return
        ask = self.confirm or self._confirm_cancel_all
        if not ask(f"Cancel all {plural(active, 'active task')}?"):
            return
        outcome = self.manager.cancel_all()
        self.say(outcome.summary())
        self._request_refresh()

    def _confirm_cancel_all(self, question: str) -> bool:
        return ask_yes_no(
            self,
            "Cancel all tasks",
            question,
            "Running tasks stop now and keep no partial text. Finished tasks are not affected;"
            " you can retry cancelled tasks later.",
            "Cancel tasks",
        )

    @Slot()
    def retry_selected(self) -> None:
        tasks = self.selected_tasks()
        ids = [t.id for t in tasks if self._retryable(t)]
        if not ids:
            return
        new = self.manager.retry(ids)
        text = f"Retrying {plural(len(new), 'task')}."
        skipped = len(tasks) - len(new)
        if skipped:
            text += f" {plural(skipped, 'selected task')} could not be retried (only failed or"
            text += " cancelled tasks that were not retried yet can be)."
        self.say(text)
        self._request_refresh()

    @Slot()
    def retry_all_failed(self) -> None:
        ids = self.model.attention_ids()
        if not ids:
            return
        new = self.manager.retry(ids)
        self.say(f"Retrying {plural(len(new), 'failed task')}.")
        self._request_refresh()

    @Slot()
    def move_to_top(self) -> None:
        tasks = self.selected_tasks()
        ids = [t.id for t in tasks if t.status is TaskStatus.PENDING]
        if not ids:
            return
        self.manager.prioritise(ids)
        text = f"Moved {plural(len(ids), 'task')} to the front of the queue."
        if len(tasks) > len(ids):
            text += f" {len(tasks) - len(ids)} had already started or finished."
        self.say(text)

    @Slot()
    def toggle_paused(self) -> None:
        if self.manager.paused:
            self.manager.resume()
        else:
            self.manager.pause()

    @Slot()
    def clear_finished(self) -> None:
        ids = self.manager.clear_finished()
        self.say(
            f"Cleared {plural(len(ids), 'finished task')} from view;"
            " the library keeps their history."
        )

    @Slot()
    def show_cleared(self) -> None:
        tasks = self.manager.show_cleared()
        self.say(
            f"Showing {plural(len(tasks), 'cleared task')} again, from the library's history."
            if tasks
            else "No cleared task to show."
        )

    @Slot(int)
    def _show_cleared_count(self, count: int) -> None:
        self.show_cleared_action.setEnabled(count > 0)
        self.show_cleared_action.setText(f"Show cleared ({count:,})" if count else "Show cleared")
        self.show_cleared_action.setToolTip(
            f"Bring back {plural(count, 'finished task')} cleared from this list"
            if count
            else "No task was cleared from this list."
        )

    def _target_task(self) -> BackgroundTask | None:
        if self._context_task is not None:
            task = self.model.task(self._context_task)
            if task is not None:
                return task
        return self.current_task()

    @Slot()
    def open_source(self) -> None:
        task = self._target_task()
        if task is not None and task.source_id is not None:
            self.openSourceRequested.emit(task.source_id)

    @Slot()
    def open_page(self) -> None:
        task = self._target_task()
        if task is not None and task.page_id is not None:
            self.openPageRequested.emit(task.page_id)

    @Slot()
    def enter_password(self) -> None:
        """Ask for the password of the document the task in focus (or selected) waits for."""
        candidates = [self._target_task(), *self.selected_tasks()]
        for task in candidates:
            if task is not None and waits_for_password(task):
                self.passwordRequested.emit(task.id)
                return

    @Slot()
    def copy_error(self) -> None:
        failed = [t for t in self.selected_tasks() if t.error]
        if not failed:
            task = self._target_task()
            failed = [task] if task is not None and task.error else []
        if not failed:
            return
        if len(failed) == 1:
            text = failed[0].error or ""
        else:
            text = "\n".join(f"{source_label(t)}: {t.error}" for t in failed)
        QGuiApplication.clipboard().setText(text)
        self.say(f"Copied {plural(len(failed), 'error')}.")

    def set_status_filter(self, which: StatusFilter) -> None:
        self.filter_chips[which].setChecked(True)
        if which is not self.proxy.status_filter:
            self.proxy.set_status_filter(which)
            self._schedule_save()
            # Another list: start at its top left (an old scroll position would hide
            # the checkboxes and put a different task under the pointer).
            self.view.scrollToTop()
            self.view.horizontalScrollBar().setValue(0)
        self._request_refresh()

    def _retryable(self, task: BackgroundTask) -> bool:
        if task.status is TaskStatus.FAILED:
            return self.model.needs_attention(task)
        if task.status is TaskStatus.CANCELLED:
            return not self.model.is_retried(task.id)
        return False
