"""The details pane of one task: its record, its times and its page text, as HTML.

Names, paths, messages and errors go in escaped, so they show as they are.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QPalette

from app.core.models import BackgroundTask, TaskStatus, TaskType
from app.ui.common.plain import escaped
from app.ui.tasks.cells import (
    TYPE_LABELS,
    elapsed_text,
    local_time,
    needs_password,
    source_label,
    status_label,
    task_seconds,
)
from app.ui.tasks.status_chip import chip_colours

#: The page text shown in the details pane is cut here (the page view shows all of it).
_MAX_PAGE_TEXT = 20_000


def task_details_html(
    task: BackgroundTask,
    page_text: str | None,
    palette: QPalette,
    now: float,
    selected: int = 1,
) -> str:
    """The details pane for one task: full error, times, attempts, the page's text."""
    esc = html.escape
    name = source_label(task) or "an unnamed document"
    if task.task_type is TaskType.IMPORT:
        heading = f"Import of {escaped(name)}"
    elif task.page_number is not None:
        heading = f"Page {task.page_number} of {escaped(name)}"
    else:
        heading = f"{TYPE_LABELS[task.task_type]} ({escaped(name)})"
    waiting = needs_password(task)
    chip = chip_colours(task.status, palette, waiting=waiting)
    label = status_label(task)
    status = (
        f"<span style='background:{chip.background}; color:{chip.text}'>"
        f"&nbsp;{esc(label)}&nbsp;</span>"
    )
    if task.message and task.message != label:
        status += f"&nbsp; {escaped(task.message)}"
    if waiting:
        status += f"&nbsp; <a href='folio:password/{task.id}'>Enter password…</a>"
    facts = [f"<h3 style='margin:0'>{heading}</h3>"]
    if selected > 1:
        facts.append(f"<p><i>{selected} tasks selected; this is the current one.</i></p>")
    facts.append(f"<p>{status}</p>")
    if task.error:
        error_colour = chip_colours(TaskStatus.FAILED, palette).text
        facts.append(f"<p style='color:{error_colour}'><b>Error:</b> {escaped(task.error)}</p>")
    rows: list[tuple[str, str]] = [("Task", f"#{task.id} · {TYPE_LABELS[task.task_type]}")]
    if task.source_id is not None:
        rows.append(("Source", f"<a href='folio:source/{task.source_id}'>{escaped(name)}</a>"))
    elif name:
        rows.append(("File", escaped(str(task.payload.get("path") or name))))
    if task.page_id is not None:
        rows.append(
            ("Page", f"<a href='folio:page/{task.page_id}'>Page {task.page_number or '?'}</a>")
        )
    rows.append(("Scheduled", esc(local_time(task.scheduled_at))))
    if task.started_at:
        rows.append(("Started", esc(local_time(task.started_at))))
    if task.finished_at:
        rows.append(("Finished", esc(local_time(task.finished_at))))
    seconds = task_seconds(task, now)
    if seconds is not None:
        rows.append(("Duration", esc(elapsed_text(seconds))))
    attempt = f"{task.attempt}"
    if task.retry_of is not None:
        attempt += f" (retry of task #{task.retry_of})"
    rows.append(("Attempt", attempt))
    ran_on = task.payload.get("ranOn")
    if ran_on:
        rows.append(("Read on", f"{escaped(str(ran_on))} (Dask cluster)"))
    if task.status is TaskStatus.PENDING:
        rows.append(("Priority", f"{task.priority} (higher runs first)"))
    facts.append("<table cellspacing='0' cellpadding='2'>")
    for label, value in rows:
        facts.append(f"<tr><td style='padding-right:12px'><b>{label}</b></td><td>{value}</td></tr>")
    facts.append("</table>")
    if page_text is None:
        return "\n".join(facts)
    shown = page_text[:_MAX_PAGE_TEXT]
    more = "…" if len(page_text) > len(shown) else ""
    if shown.strip():
        text = f"<pre style='white-space:pre-wrap'>{esc(shown)}{more}</pre>"
    else:
        text = "<p><i>No text was found on this page.</i></p>"
    # Facts on the left, the page's text beside them.
    return (
        "<table width='100%' cellspacing='0' cellpadding='0'><tr>"
        f"<td width='48%' valign='top' style='padding-right:16px'>{''.join(facts)}</td>"
        f"<td valign='top'><h4 style='margin-top:0'>Page text</h4>{text}</td>"
        "</tr></table>"
    )
