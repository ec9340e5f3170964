"""The Tasks page's action states, computed without any widget."""

from __future__ import annotations

from app.core.models import BackgroundTask, TaskStatus, TaskType, now_iso
from app.ui.tasks.actions import PageSituation, action_states


def task(task_id: int, status: TaskStatus, error: str | None = None) -> BackgroundTask:
    return BackgroundTask(
        task_id,
        TaskType.TEXT_EXTRACTION,
        status,
        now_iso(),
        source_id=1,
        page_id=task_id,
        error=error,
    )


def test_a_mixed_selection_says_what_each_action_will_do() -> None:
    selected = [
        task(1, TaskStatus.PENDING),
        task(2, TaskStatus.IN_PROGRESS),
        task(3, TaskStatus.FAILED, "page 3 of a.pdf could not be read; retry it."),
        task(4, TaskStatus.COMPLETED),
    ]
    counts = {TaskStatus.COMPLETED: 10, TaskStatus.FAILED: 1, TaskStatus.PENDING: 5}
    states = action_states(
        PageSituation(selected, selected[2], active=6, attention=1, counts=counts),
        retryable=lambda t: t.status is TaskStatus.FAILED,
    )
    assert states["cancel_selected"].text == "Cancel selected (2)"
    assert "2 of the selected have already finished" in str(states["cancel_selected"].tooltip)
    assert states["retry"].text == "Retry (1)" and states["retry"].enabled
    assert states["move_to_top"].enabled and "1 selected pending task" in str(
        states["move_to_top"].tooltip
    )
    assert states["clear_finished"].enabled and "10 finished tasks" in str(
        states["clear_finished"].tooltip
    )
    assert states["copy_error"].enabled and states["open_page"].enabled


def test_nothing_selected_explains_how_to_start() -> None:
    states = action_states(
        PageSituation([], None, active=0, attention=0, counts={}), retryable=lambda t: True
    )
    assert not any(s.enabled for s in states.values())
    assert (
        states["cancel_selected"].tooltip == "Select pending or in-progress tasks to cancel them."
    )
    assert states["cancel_all"].tooltip == "No task is pending or in progress."
