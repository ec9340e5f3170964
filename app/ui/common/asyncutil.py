"""Run UI flows that wait (imports, look-ups) as asyncio tasks on the qasync loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

#: Strong references to running flows: asyncio keeps only weak ones.
_running: set[asyncio.Task[Any]] = set()


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Start `coro` on the current (qasync) loop; its exceptions are logged, never lost."""
    loop = asyncio.get_event_loop_policy().get_event_loop()
    task = loop.create_task(coro)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("a background flow failed", exc_info=task.exception())


def running_flows() -> int:
    return len(_running)


def cancel_all() -> None:
    """Cancel flows still waiting (at quit)."""
    for task in list(_running):
        task.cancel()
