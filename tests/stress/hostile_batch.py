"""Import the whole hostile corpus through the manager; print outcomes, times and memory.

Run: .venv/bin/python -m tests.stress.hostile_batch
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil
from PySide6.QtCore import QCoreApplication, QTimer

from app.core.library import Library
from app.core.models import TaskStatus
from app.tasks.manager import ExtractionManager
from tests.corpus import hostile_files

#: How much the app process may grow over the batch (it holds no document data).
APP_GROWTH_LIMIT = 100 * 2**20


def main() -> None:
    app = QCoreApplication([])
    files = hostile_files()
    me = psutil.Process()
    start_rss = me.memory_info().rss
    peaks = {"app": start_rss, "worker": 0}

    def sample() -> None:
        peaks["app"] = max(peaks["app"], me.memory_info().rss)
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                peaks["worker"] = max(peaks["worker"], child.memory_info().rss)

    timer = QTimer()
    timer.timeout.connect(sample)
    timer.start(20)
    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Path(tmp) / "Library")
        manager = ExtractionManager(library, memory_mb=768)
        manager.idle.connect(app.quit)
        manager.start()
        began = time.perf_counter()
        manager.import_files(files)
        app.exec()
        took = time.perf_counter() - began
        manager.flush_now()
        tasks = manager.tasks()
        kinds: Counter[str] = Counter()
        for t in tasks:
            if t.status is TaskStatus.FAILED:
                kind = (t.error or "").split(";")[0]
                for name in (t.source_name, str(t.payload.get("name", ""))):
                    if name:
                        kind = kind.replace(name, "FILE")
                kinds[re.sub(r"\d+", "N", kind)[:90]] += 1
        manager.shutdown()
        library.close()
    status = Counter(f"{t.task_type.value}/{t.status.value}" for t in tasks)
    print(f"{len(files)} hostile files, {len(tasks)} tasks in {took:.1f} s: {dict(status)}")
    print("failures by kind:")
    for kind, n in kinds.most_common():
        print(f"  {n:4}  {kind}")
    print(
        f"peak memory: app {peaks['app'] / 2**20:.0f} MB (start {start_rss / 2**20:.0f} MB), "
        f"largest worker {peaks['worker'] / 2**20:.0f} MB (limit 768 MB)"
    )
    problems = [
        f"task {t.id} ({t.source_name}) ended {t.status.value}"
        for t in tasks
        if t.status not in (TaskStatus.COMPLETED, TaskStatus.FAILED)
    ]
    problems += [
        f"task {t.id} ({t.source_name}) failed without a sentence"
        for t in tasks
        if t.status is TaskStatus.FAILED and not (t.error or "").strip().endswith(".")
    ]
    if peaks["worker"] > 768 * 2**20:
        problems.append("a worker went past its memory limit")
    if peaks["app"] - start_rss > APP_GROWTH_LIMIT:
        problems.append(f"the app grew by {(peaks['app'] - start_rss) / 2**20:.0f} MB")
    if problems:
        raise SystemExit("hostile batch: " + "; ".join(problems[:10]))


if __name__ == "__main__":
    main()
