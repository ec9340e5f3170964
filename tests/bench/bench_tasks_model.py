"""The Tasks page under load: 100,000 tasks while 1,000 status changes a second arrive.

Worker threads send task changes (plain data keyed by task id) to the GUI thread as
queued signals; there they update the shared task objects and go through the
manager's own coalescing (tasksChanged every 50 ms) into the page's model, proxy,
chips, buttons and a visible table. A precise 5 ms timer on the GUI thread measures
how late the event loop runs, first with no updates (the baseline), then under load,
then under load with the table sorted by status and filtered to active tasks.

Run: python -m tests.bench.bench_tasks_model [--tasks N] [--rate R] [--seconds S]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil
from PySide6.QtCore import QEventLoop, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from app.core.library import Library
from app.core.models import BackgroundTask, TaskStatus, TaskType, now_iso
from app.tasks.manager import ExtractionManager
from app.ui.tasks.cells import Column
from app.ui.tasks.filter import StatusFilter
from app.ui.tasks.model import TasksTableModel
from app.ui.tasks.page import TasksPage

PROBE_MS = 5


def rss() -> int:
    return int(psutil.Process().memory_info().rss)


def peak_rss() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # KiB on Linux


class Applier(QObject):
    """The GUI-thread end of the feed: applies each change the way the manager does.

    The manager's own entry points need running jobs and worker processes; this
    writes the same fields and hands them to the manager's coalescing (`_mark`).
    """

    def __init__(self, manager: ExtractionManager) -> None:
        super().__init__()
        self.manager = manager
        self.tasks = {t.id: t for t in manager.tasks()}
        self.applied = 0

    @Slot(int, str, float, str)
    def apply(self, task_id: int, status: str, progress: float, message: str) -> None:
        task = self.tasks[task_id]
        new = TaskStatus(status)
        fields = ["progress", "message"]
        if new is not task.status:
            task.status = new
            fields.append("status")
            if new is TaskStatus.IN_PROGRESS:
                task.started_at = now_iso()
                fields.append("started_at")
            else:
                task.finished_at = now_iso()
                fields.append("finished_at")
                if new is TaskStatus.FAILED:
                    task.error = f"Page {task.page_number} could not be read; try OCR."
                    fields.append("error")
        task.progress = progress
        task.message = message
        self.manager._mark(task_id, *fields)
        self.applied += 1


class Feed(QObject):
    """Emitted from worker threads; delivered queued to the Applier on the GUI thread.

    Signals:
        changed(int, str, float, str): task id, status, progress, message.
    """

    changed = Signal(int, str, float, str)


def feed(emitter: Feed, ids: list[int], rate: float, stop: threading.Event) -> None:
    """Walk tasks through in progress, progress, completed (2 % failed) at `rate` per second."""
    step = 0
    start = time.perf_counter()
    sent = 0
    while not stop.is_set():
        index, stage = divmod(step, 3)
        task_id = ids[index % len(ids)]
        if stage == 0:
            emitter.changed.emit(task_id, TaskStatus.IN_PROGRESS.value, 0.0, "Starting")
        elif stage == 1:
            emitter.changed.emit(task_id, TaskStatus.IN_PROGRESS.value, 0.5, "OCR, page 1 of 1")
        else:
            failed = index % 50 == 0
            status = TaskStatus.FAILED if failed else TaskStatus.COMPLETED
            emitter.changed.emit(task_id, status.value, 1.0, "Failed" if failed else "42 words")
        step += 1
        sent += 1
        delay = start + sent / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def lateness(app: QApplication, seconds: float) -> list[float]:
    """Run the event loop for `seconds`; how late (ms) each tick of a 5 ms timer fired."""
    samples: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        samples.append(max(0.0, (now - last[0]) * 1000 - PROBE_MS))
        last[0] = now

    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(PROBE_MS)
    probe.timeout.connect(tick)
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    last[0] = time.perf_counter()
    probe.start()
    loop.exec()
    probe.stop()
    return samples


def run_events(app: QApplication, ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def timed(label: str, fn: object, results: list[str]) -> None:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    results.append(f"{label}: {time.perf_counter() - started:.2f} s")


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 100 else max(values)


def make_tasks(count: int) -> list[BackgroundTask]:
    stamp = now_iso()
    return [
        BackgroundTask(
            id=0,
            task_type=TaskType.TEXT_EXTRACTION,
            status=TaskStatus.PENDING,
            scheduled_at=stamp,
            message="Waiting",
            source_name=f"scan-{i // 100:04d}.pdf",
            page_number=i % 100 + 1,
        )
        for i in range(count)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="changes per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    app = QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp(prefix="folio-bench-"))
    library = Library(folder / "Library")
    library.acquire_writer_lock()
    manager = ExtractionManager(library)
    manager.pause()  # not started either: nothing runs, no worker process is spawned
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    page = TasksPage(manager, settings=settings)
    page.resize(1400, 900)
    page.show()
    run_events(app, 300)
    notes: list[str] = []

    base_rss = rss()
    tasks = make_tasks(args.tasks)
    started = time.perf_counter()
    manager.register(tasks)
    notes.append(
        f"record {args.tasks:,} tasks in the library: {time.perf_counter() - started:.2f} s"
    )
    timed(f"add {args.tasks:,} tasks to the page", manager.flush_now, notes)
    run_events(app, 500)
    assert page.model.rowCount() == args.tasks, page.model.rowCount()
    loaded_rss = rss()

    before = rss()
    spare = TasksTableModel(manager)
    model_share = (rss() - before) / args.tasks
    spare.deleteLater()

    view = page.view
    timed(
        "sort by status (header click)",
        lambda: view.sortByColumn(Column.STATUS, Qt.SortOrder.AscendingOrder),
        notes,
    )
    timed("filter to Active", lambda: page.set_status_filter(StatusFilter.ACTIVE), notes)
    timed("back to All", lambda: page.set_status_filter(StatusFilter.ALL), notes)
    timed(
        "sort back to creation order",
        lambda: view.sortByColumn(-1, Qt.SortOrder.AscendingOrder),
        notes,
    )
    timed("select all and update the buttons", view.selectAll, notes)
    view.clearSelection()
    run_events(app, 300)

    counted = {"tasksChanged": 0, "dataChanged": 0}
    manager.tasksChanged.connect(
        lambda _c: counted.__setitem__("tasksChanged", counted["tasksChanged"] + 1)
    )
    page.model.dataChanged.connect(
        lambda *_a: counted.__setitem__("dataChanged", counted["dataChanged"] + 1)
    )
    applier = Applier(manager)
    emitter = Feed()
    emitter.changed.connect(applier.apply)
    # Tasks in a random order: changes land on rows far apart, the worst case for
    # gathering them into few dataChanged ranges.
    ids = [t.id for t in tasks]
    random.Random(4).shuffle(ids)

    def under_load(label: str) -> list[float]:
        stop = threading.Event()
        share = args.rate / args.threads
        threads = [
            threading.Thread(target=feed, args=(emitter, ids[k :: args.threads], share, stop))
            for k in range(args.threads)
        ]
        applied = applier.applied
        for t in threads:
            t.start()
        samples = lateness(app, args.seconds)
        stop.set()
        for t in threads:
            t.join()
        run_events(app, 200)
        rate = (applier.applied - applied) / args.seconds
        notes.append(f"{label}: {applier.applied - applied:,} changes applied ({rate:,.0f}/s)")
        return samples

    phases: list[tuple[str, list[float]]] = []
    phases.append(("no updates (baseline)", lateness(app, args.seconds)))
    phases.append((f"{args.rate:,.0f} changes/s", under_load("load")))
    view.sortByColumn(Column.STATUS, Qt.SortOrder.AscendingOrder)
    page.set_status_filter(StatusFilter.ACTIVE)
    run_events(app, 500)
    phases.append(
        (f"{args.rate:,.0f}/s, sorted by status, Active", under_load("load, sorted + filtered"))
    )
    peak = peak_rss()

    print(
        f"Tasks page: {args.tasks:,} tasks, {args.rate:,.0f} status changes/s from"
        f" {args.threads} worker threads, {args.seconds:g} s per phase"
    )
    for line in notes:
        print(f"  {line}")
    signals = f"{counted['tasksChanged']:,} tasksChanged, {counted['dataChanged']:,} dataChanged"
    print(f"  signals under load: {signals}")
    print(f"\n  GUI event-loop lateness, ms ({PROBE_MS} ms timer)    median     p99     max")
    base_median = statistics.median(phases[0][1])
    base_p99 = p99(phases[0][1])
    for label, samples in phases:
        print(
            f"    {label:<40} {statistics.median(samples):7.2f} {p99(samples):7.2f}"
            f" {max(samples):7.1f}"
        )
    for label, samples in phases[1:]:
        print(
            f"  {label} vs baseline: median {statistics.median(samples) - base_median:+.2f} ms,"
            f" p99 {p99(samples) - base_p99:+.2f} ms"
        )
    print(
        f"\n  memory: {peak / 2**20:.0f} MiB peak RSS; {(peak - base_rss) / args.tasks:,.0f} bytes"
        f" per task at peak (task objects, model, page; {(loaded_rss - base_rss) / args.tasks:,.0f}"
        f" once loaded), of which the model's own {model_share:,.0f} bytes"
    )
    page.close()
    manager.shutdown()
    library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
