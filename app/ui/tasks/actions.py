"""What each Tasks page action can do for the selection: a pure function, no widgets."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.core.locked import NEEDS_PASSWORD
from app.core.models import BackgroundTask, TaskStatus
from app.ui.common.formatting import plural


@dataclass(frozen=True, slots=True)
class ActionState:
    enabled: bool
    #: None keeps the action's own tooltip and text.
    tooltip: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class PageSituation:
    """What the actions depend on: the selection, the task in focus and the counts."""

    selected: Sequence[BackgroundTask]
    #: The task the details or the context menu are about.
    target: BackgroundTask | None
    active: int
    attention: int
    counts: Mapping[TaskStatus, int]


def waits_for_password(task: BackgroundTask) -> bool:
    return task.status is TaskStatus.FAILED and bool(task.payload.get(NEEDS_PASSWORD))


def action_states(
    situation: PageSituation, retryable: Callable[[BackgroundTask], bool]
) -> dict[str, ActionState]:
    """Each action's state, keyed by its name on the page (`<name>_action`)."""
    tasks = situation.selected
    cancellable = sum(1 for t in tasks if t.status.is_active)
    can_retry = sum(1 for t in tasks if retryable(t))
    pending = sum(1 for t in tasks if t.status is TaskStatus.PENDING)
    states: dict[str, ActionState] = {}

    if not tasks:
        tip = "Select pending or in-progress tasks to cancel them."
    elif not cancellable:
        tip = (
            "The selected tasks have finished; only pending or in-progress tasks can be cancelled."
        )
    elif cancellable < len(tasks):
        tip = (
            f"Cancel {plural(cancellable, 'task')} (Delete); {len(tasks) - cancellable} of"
            " the selected have already finished."
        )
    else:
        tip = f"Cancel {plural(cancellable, 'selected task')} (Delete)"
    states["cancel_selected"] = ActionState(
        cancellable > 0,
        tip,
        f"Cancel selected ({cancellable})" if cancellable else "Cancel selected",
    )

    active = situation.active
    states["cancel_all"] = ActionState(
        active > 0,
        f"Cancel every pending or running task ({active})"
        if active
        else "No task is pending or in progress.",
    )

    if not tasks:
        tip = "Select failed or cancelled tasks to retry them."
    elif not can_retry:
        tip = (
            "None of the selected tasks can be retried: only failed or cancelled tasks"
            " that were not retried yet can be."
        )
    else:
        tip = f"Run {plural(can_retry, 'task')} again as new tasks"
    states["retry"] = ActionState(
        can_retry > 0, tip, f"Retry ({can_retry})" if can_retry else "Retry"
    )

    failed = situation.attention
    states["retry_failed"] = ActionState(
        failed > 0,
        f"Run the {plural(failed, 'failed task')} again" if failed else "No task has failed.",
        f"Retry all failed ({failed})" if failed else "Retry all failed",
    )

    if not tasks:
        tip = "Select pending tasks to move them to the front of the queue."
    elif not pending:
        tip = "Only pending tasks can move; the selected ones have started or finished."
    else:
        tip = f"Run {plural(pending, 'selected pending task')} next"
    states["move_to_top"] = ActionState(pending > 0, tip)

    attention = situation.attention
    counts = situation.counts
    finished = sum(counts.get(s, 0) for s in TaskStatus if s.is_terminal) - attention
    states["clear_finished"] = ActionState(
        finished > 0,
        f"Take {plural(finished, 'finished task')} out of this list; the library keeps"
        " their history."
        + (f" The {plural(attention, 'failure')} to deal with stay." if attention else "")
        if finished
        else "No finished task to clear."
        + (" Failures stay until they are retried." if attention else ""),
    )

    target = situation.target
    has_source = target is not None and target.source_id is not None
    has_page = target is not None and target.page_id is not None
    has_error = any(t.error for t in tasks) or (target is not None and bool(target.error))
    waiting = [t for t in (*tasks, *([target] if target else [])) if waits_for_password(t)]
    states["enter_password"] = ActionState(
        bool(waiting),
        f"Give the password of {waiting[0].source_name or waiting[0].payload.get('name')}"
        " so that its tasks go on"
        if waiting
        else "None of these tasks waits for a password.",
    )
    states["open_source"] = ActionState(has_source)
    states["open_page"] = ActionState(has_page)
    states["copy_error"] = ActionState(has_error)
    return states
