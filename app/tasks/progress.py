"""The aggregate progress of a batch of tasks, for the status bar."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AggregateProgress:
    """Where the current batch stands: counts, pages, rate and time left."""

    total: int = 0
    done: int = 0
    failed: int = 0
    cancelled: int = 0
    running: int = 0
    pages_total: int = 0
    pages_done: int = 0
    #: Finished tasks per minute over the batch so far.
    rate_per_minute: float = 0.0
    #: Estimated seconds left, or None while unknown.
    eta_seconds: float | None = None
    paused: bool = False

    @property
    def active(self) -> int:
        return self.total - self.done - self.failed - self.cancelled

    def summary(self) -> str:
        """E.g. "Extracting 12 of 340 pages · 2 min left"."""
        if self.total == 0:
            return "Paused" if self.paused else "Idle"
        if self.pages_total:
            text = f"Extracting {self.pages_done} of {self.pages_total} pages"
        else:
            text = f"{self.done + self.failed + self.cancelled} of {self.total} tasks"
        if self.paused:
            return text + " · paused"
        if self.eta_seconds is not None and self.active:
            text += f" · {format_duration(self.eta_seconds)} left"
        if self.failed:
            text += f" · {self.failed} failed"
        return text


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 10:
        return "a few seconds"
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class BatchTracker:
    """Counts the tasks of a batch: from the first task after idle to the queue empty."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.done = 0
        self.failed = 0
        self.cancelled = 0
        self.pages_total = 0
        self.pages_done = 0
        self.started = time.monotonic()

    def added(self, count: int, pages: int) -> None:
        if self.total == 0:
            self.started = time.monotonic()
        self.total += count
        self.pages_total += pages

    def snapshot(self, running: int, paused: bool) -> AggregateProgress:
        finished = self.done + self.failed + self.cancelled
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = finished / elapsed * 60
        remaining = self.total - finished
        eta = remaining / (rate / 60) if rate > 0 and finished >= 2 else None
        return AggregateProgress(
            total=self.total,
            done=self.done,
            failed=self.failed,
            cancelled=self.cancelled,
            running=running,
            pages_total=self.pages_total,
            pages_done=self.pages_done,
            rate_per_minute=rate,
            eta_seconds=eta,
            paused=paused,
        )
