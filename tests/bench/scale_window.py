"""The real window on a large library, measured from inside (run by bench_scale, not alone).

Prints one JSON object: seconds from process start to the window shown and
answering, opening the big document, GUI stalls while a new long PDF is read with
that document open and while `folio import` of a small PDF runs, and memory.

A stall is measured as the lateness of a 10 ms timer on the GUI thread: every
moment the event loop could not run shows up as a gap between two ticks.
"""

from __future__ import annotations

import os
import time

T0 = float(os.environ.get("FOLIO_BENCH_T0", time.time()))

import asyncio  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import psutil  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer  # noqa: E402

from app.core.models import TaskStatus  # noqa: E402
from app.ui.shell.launcher import make_application, open_library, open_session  # noqa: E402

TICK_MS = 10
#: A gap longer than this is a stall a person notices.
NOTICEABLE_MS = 100


class Lateness:
    """Gaps between the ticks of a precise timer on the GUI thread."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.last = 0
        self.gaps: list[int] = []

    def start(self) -> None:
        self.gaps = []
        self.clock.start()
        self.last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        if os.environ.get("FOLIO_BENCH_VERBOSE") and now - self.last > NOTICEABLE_MS:
            say(f"stall of {now - self.last} ms")
        self.gaps.append(now - self.last)
        self.last = now

    def report(self) -> dict[str, float]:
        total = max(1, self.clock.elapsed())
        stalled = sum(g for g in self.gaps if g > NOTICEABLE_MS)
        return {
            "longest_stall_ms": max(self.gaps, default=0),
            "stalled_share": round(stalled / total, 3),
            "seconds": round(total / 1000, 1),
            "stalls_over_100ms": sum(1 for g in self.gaps if g > NOTICEABLE_MS),
        }


def say(text: str) -> None:
    print(f"[{time.time() - T0:7.1f} s] {text}", file=sys.stderr, flush=True)


async def until(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.02)
    return False


async def script(session: object, out: dict[str, object], args: dict[str, str]) -> None:
    window = session.window  # type: ignore[attr-defined]
    manager = session.manager  # type: ignore[attr-defined]
    library = session.library  # type: ignore[attr-defined]
    await asyncio.sleep(0)
    out["window_shown_s"] = round(time.time() - T0, 2)
    out["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20)
    if args.get("mode") == "start":
        window.confirm_quit = lambda active: True
        window.close()
        return
    monitor = Lateness()

    # Opening the big document (its page list and the first page with its text).
    big = int(args["big_source"])
    monitor.start()
    t = time.monotonic()
    window.open_source(big)
    view = window.document_view
    await until(lambda: view.model.rowCount() > 0 and view.viewer.page is not None, 60)
    out["open_big_document_s"] = round(time.monotonic() - t, 2)
    say(f"opened the big document in {out['open_big_document_s']} s")
    out["open_big_document"] = monitor.report()

    # A new long PDF read while the big document stays open.
    added: list[int] = []
    manager.sourceAdded.connect(lambda source: added.append(source.id))
    monitor.start()
    profile = None
    if os.environ.get("FOLIO_BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    window.import_paths([args["new_pdf"]])
    await until(lambda: bool(added), 60)
    if profile is not None:
        await asyncio.sleep(1.5)
        profile.disable()
        import pstats

        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    new_ids = list(added)
    say(f"importing {new_ids}")
    read_for = float(args["read_seconds"])
    await asyncio.sleep(read_for)
    state = library.source_state(new_ids[0]) if new_ids else None
    out["while_reading"] = monitor.report()
    out["pages_read"] = state.completed if state else 0
    out["pages_per_s"] = round((state.completed if state else 0) / read_for, 1)
    say(f"read {out['pages_read']} pages; cancelling")
    manager.cancel_all()
    await until(lambda: manager.is_idle(), 60)

    # `folio import` of a small PDF from a terminal, while the window runs.
    monitor.start()
    t = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "--library",
        str(library.folder),
        "import",
        "--wait",
        args["small_pdf"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    await proc.wait()
    returned_at = time.time()
    returned = time.monotonic() - t
    finished = [
        datetime.fromisoformat(task.finished_at).timestamp()
        for task in manager.tasks()
        if task.finished_at
        and task.status is TaskStatus.COMPLETED
        and task.source_name == Path(args["small_pdf"]).name
    ]
    out["folio_import"] = {
        "return_s": round(returned, 2),
        # From its last task's completion to the command's return.
        "after_own_work_s": round(returned_at - max(finished), 2) if finished else None,
        **monitor.report(),
    }
    out["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20)

    # Leave the library as it was for the next run.
    for source_id in added:
        manager.delete_source(source_id)
    window.confirm_quit = lambda active: True
    window.close()


def main() -> None:
    args = dict(a.split("=", 1) for a in sys.argv[1:])
    app = make_application(["folio"])
    library = open_library(Path(args["library"]))
    if library is None:
        raise SystemExit("could not open the library")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "folio.ini"), QSettings.Format.IniFormat)
        session = open_session(library, settings)
        session.window.confirm_quit = lambda active: True
        session.window.show()
        out: dict[str, object] = {}
        with loop:
            loop.run_until_complete(script(session, out, args))
        session.close()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
