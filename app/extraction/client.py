"""The parent's side of the worker processes: spawn, ask, time out, kill, respawn."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, overload

from app.core.errors import FolioError
from app.core.locked import PasswordNeeded
from app.extraction.lifetime import DEFAULT_CPU_SECONDS, ENV_CPU_SECONDS, ENV_PARENT_PID
from app.extraction.protocol import (
    PageReply,
    PageRequest,
    PingReply,
    PingRequest,
    ProbeReply,
    ProbeRequest,
    RenderReply,
    RenderRequest,
    SearchablePageReply,
    SearchablePageRequest,
    WorkerReply,
    WorkerRequest,
    parse_locked,
    parse_reply,
    request_name,
    to_wire,
)
from app.extraction.worker import DEFAULT_MEMORY_MB, ENV_LIFELINE, ENV_MEMORY_MB, ENV_WORK_DIR

log = logging.getLogger(__name__)

#: Seconds a request may take before its worker is killed. A page request starts
#: with PAGE_TIMEOUT; each phase it reports (text layer, render, OCR) sets its own.
PROBE_TIMEOUT = 60.0
PAGE_TIMEOUT = 30.0
WATCHDOG_PERIOD = 0.05
#: Largest reply line read from a worker. A page's text is cut at 1,000,000 characters
#: in the worker; as JSON that is at most 12 bytes a character (an escaped pair of
#: surrogates), so 16 MB holds any honest reply.
MAX_REPLY_BYTES = 16 * 1024 * 1024

ProgressCallback = Callable[[float, str], None]


class WorkerCancelled(Exception):
    """The request was stopped because its task was cancelled."""


#: Worker scratch folders are named after the process that made them.
WORK_PREFIX = "folio-work-"


def sweep_stale_work_dirs() -> int:
    """Remove scratch folders left by Folio processes that were killed."""
    removed = 0
    for entry in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"):
        try:
            owner = int(entry.name[len(WORK_PREFIX) :].split("-", 1)[0])
        except ValueError:
            continue
        if owner != os.getpid() and not _pid_alive(owner):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class ReaderTimeout(FolioError):
    """A request ran past its time limit and its worker was killed."""


class _Spawner:
    """Starts every worker from one thread that lasts as long as Folio.

    Linux delivers a child's parent-death signal when the *thread* that started it
    ends, not the process: a worker started from a pool thread that later expires
    would be killed with it. One long-lived thread starts them all.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[
            tuple[Future[subprocess.Popen[bytes]], list[str], dict[str, Any]]
        ] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def popen(self, args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="worker-spawner", daemon=True
                )
                self._thread.start()
        done: Future[subprocess.Popen[bytes]] = Future()
        self._jobs.put((done, args, kwargs))
        return done.result()

    def _run(self) -> None:
        while True:
            done, args, kwargs = self._jobs.get()
            try:
                done.set_result(subprocess.Popen(args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                done.set_exception(exc)


_SPAWNER = _Spawner()


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, "--worker"]
    return [sys.executable, "-m", "app.extraction.worker"]


class WorkerProcess:
    """One worker process, used by one thread at a time."""

    def __init__(
        self,
        memory_mb: int = DEFAULT_MEMORY_MB,
        cpu_seconds: int = DEFAULT_CPU_SECONDS,
        max_reply_bytes: int = MAX_REPLY_BYTES,
    ) -> None:
        read_end, self._lifeline = os.pipe()
        # mkdtemp makes it 0700: the worker's (and Tesseract's) temporary files live here.
        self.work_dir = tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-")
        env = dict(os.environ)
        env[ENV_WORK_DIR] = self.work_dir
        for temp in ("TMPDIR", "TEMP", "TMP"):
            env[temp] = self.work_dir
        env[ENV_MEMORY_MB] = str(memory_mb)
        env[ENV_CPU_SECONDS] = str(cpu_seconds)
        env[ENV_PARENT_PID] = str(os.getpid())
        env[ENV_LIFELINE] = str(read_end)
        env["OMP_THREAD_LIMIT"] = "1"
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        debug = bool(os.environ.get("FOLIO_DEBUG_WORKERS"))
        kwargs: dict[str, Any] = {}
        if os.name == "posix":
            # Its own process group, so a kill takes any running Tesseract with it.
            kwargs["start_new_session"] = True
            kwargs["pass_fds"] = (read_end,)
        self.memory_mb = memory_mb
        self.cpu_seconds = cpu_seconds
        self.max_reply_bytes = max_reply_bytes
        self.proc = _SPAWNER.popen(
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if debug else subprocess.DEVNULL,
            env=env,
            **kwargs,
        )
        os.close(read_end)
        self._kill_reason: str | None = None
        self._lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._closed = False
        # One watchdog per worker (not a timer thread per request): it kills the
        # worker when the current request runs past its deadline.
        self._deadline: float | None = None
        threading.Thread(target=self._watchdog, name=f"watchdog-{self.pid}", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None and self._kill_reason is None

    def _watchdog(self) -> None:
        while self.proc.poll() is None and self._kill_reason is None:
            deadline = self._deadline
            if deadline is not None and time.monotonic() > deadline:
                self.kill("timeout")
                return
            time.sleep(WATCHDOG_PERIOD)

    def kill(self, reason: str = "cancelled") -> None:
        """Stop the worker and everything it started, at once."""
        with self._lock:
            if self._kill_reason is None:
                self._kill_reason = reason
            if self.proc.poll() is not None:
                return
            try:
                if os.name == "posix":
                    os.killpg(self.proc.pid, signal.SIGKILL)
                else:
                    self.proc.kill()
            except ProcessLookupError:
                pass

    def close(self) -> None:
        """Stop the worker and remove its scratch folder; safe to call twice, from any thread.

        Closing twice must not close the lifeline descriptor twice: by then its
        number may belong to another thread's file.
        """
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self.kill("closed")
        with contextlib.suppress(OSError):
            os.close(self._lifeline)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        shutil.rmtree(self.work_dir, ignore_errors=True)

    @overload
    def ask(
        self, request: PingRequest, timeout: float, progress: ProgressCallback | None = None
    ) -> PingReply: ...
    @overload
    def ask(
        self, request: ProbeRequest, timeout: float, progress: ProgressCallback | None = None
    ) -> ProbeReply: ...
    @overload
    def ask(
        self, request: PageRequest, timeout: float, progress: ProgressCallback | None = None
    ) -> PageReply: ...
    @overload
    def ask(
        self, request: RenderRequest, timeout: float, progress: ProgressCallback | None = None
    ) -> RenderReply: ...
    @overload
    def ask(
        self,
        request: SearchablePageRequest,
        timeout: float,
        progress: ProgressCallback | None = None,
    ) -> SearchablePageReply: ...
    def ask(
        self,
        request: WorkerRequest,
        timeout: float,
        progress: ProgressCallback | None = None,
    ) -> WorkerReply:
        """`request`, its answer read into the reply class the protocol gives it."""
        result = self.request(request, timeout, progress)
        try:
            return parse_reply(request, result)
        except ValueError:
            fields = sorted(result) if isinstance(result, dict) else type(result).__name__
            log.warning("worker %s answered %s with %s", self.pid, request.op, fields)
            self.kill("garbled")
            raise FolioError(
                f"Reading {request_name(request)} gave a garbled answer and was stopped; "
                "retry, and re-save the file if it happens again."
            ) from None

    def request(
        self,
        request: WorkerRequest,
        timeout: float,
        progress: ProgressCallback | None = None,
    ) -> dict[str, Any]:
        """Send one request and wait for its reply; errors become FolioError sentences."""
        name = request_name(request)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        budget = timeout
        self._deadline = time.monotonic() + budget
        try:
            try:
                self.proc.stdin.write((json.dumps(to_wire(request)) + "\n").encode())
                self.proc.stdin.flush()
            except OSError:
                pass  # the read below reports why the worker is gone
            while True:
                try:
                    line = self.proc.stdout.readline(self.max_reply_bytes + 1)
                except ValueError:  # closed meanwhile (Folio is quitting): no reply
                    line = b""
                if not line:
                    break
                if len(line) > self.max_reply_bytes:
                    # The rest of the line is still in the pipe: this worker is done.
                    self.kill("flooded")
                    raise FolioError(
                        f"Reading {name} produced more than {self.max_reply_bytes:,} bytes for "
                        "one request and was stopped; the file may be damaged — try re-saving it."
                    )
                try:
                    reply = json.loads(line)
                except ValueError:
                    self.kill("garbled")
                    raise FolioError(
                        f"Reading {name} gave a garbled answer and was stopped; "
                        "retry, and re-save the file if it happens again."
                    ) from None
                if "progress" in reply:
                    if reply.get("budget"):
                        budget = float(reply["budget"])
                        self._deadline = time.monotonic() + budget
                    if progress is not None:
                        progress(float(reply["progress"]), str(reply.get("message", "")))
                    continue
                if reply.get("ok"):
                    result: dict[str, Any] = reply["result"]
                    return result
                locked = parse_locked(reply)
                if locked is not None:
                    raise PasswordNeeded(name, wrong=locked.wrong)
                raise FolioError(str(reply.get("error")))
        finally:
            self._deadline = None
        # No reply: the worker died or was killed.
        self.proc.wait()
        reason = self._kill_reason
        if reason == "cancelled":
            raise WorkerCancelled()
        if reason == "timeout":
            raise ReaderTimeout(
                f"Reading {name} took longer than {budget:.0f} s and was stopped; "
                "the file may be damaged or too complex — try re-saving it."
            )
        code = self.proc.returncode
        xcpu = getattr(signal, "SIGXCPU", None)
        if xcpu is not None and code == -xcpu:
            raise ReaderTimeout(
                f"Reading {name} used more than {self.cpu_seconds} s of processor time and "
                "was stopped; the file may be damaged or too complex — try re-saving it."
            )
        raise FolioError(
            f"Reading {name} crashed the reader (exit {code}), likely a damaged file or one "
            f"needing more than {self.memory_mb} MB; re-save it in another program and retry."
        )


class WorkerPool:
    """Idle worker processes kept for reuse; any thread may borrow one."""

    def __init__(
        self,
        memory_mb: int = DEFAULT_MEMORY_MB,
        keep_idle: int = 4,
        cpu_seconds: int = DEFAULT_CPU_SECONDS,
    ) -> None:
        self.memory_mb = memory_mb
        self.cpu_seconds = cpu_seconds
        self.keep_idle = keep_idle
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._warmers: list[threading.Thread] = []
        sweep_stale_work_dirs()

    @contextlib.contextmanager
    def worker(self) -> Iterator[WorkerProcess]:
        w = self._acquire()
        try:
            yield w
        finally:
            self._release(w)

    def _acquire(self) -> WorkerProcess:
        with self._lock:
            if self._closed:
                raise FolioError("Folio is shutting down; the task will resume at the next start.")
            while self._idle:
                w = self._idle.pop()
                if w.alive:
                    self._busy.add(w)
                    return w
                w.close()
        w = WorkerProcess(self.memory_mb, self.cpu_seconds)
        with self._lock:
            self._busy.add(w)
        return w

    def _release(self, w: WorkerProcess) -> None:
        with self._lock:
            self._busy.discard(w)
            if w.alive and not self._closed and len(self._idle) < self.keep_idle:
                self._idle.append(w)
                return
        w.close()

    def warm(self, count: int) -> None:
        """Start up to `count` idle workers in the background, so the first pages wait less."""

        def spawn() -> None:
            for _ in range(count):
                with self._lock:
                    if self._closed or len(self._idle) + len(self._busy) >= count:
                        return
                worker = WorkerProcess(self.memory_mb, self.cpu_seconds)
                with self._lock:
                    if self._closed:
                        closing = True
                    else:
                        closing = False
                        self._idle.append(worker)
                if closing:
                    worker.close()
                    return

        thread = threading.Thread(target=spawn, name="warm-workers", daemon=True)
        with self._lock:
            self._warmers = [t for t in self._warmers if t.is_alive()]
            self._warmers.append(thread)
            thread.start()

    def pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in (*self._idle, *self._busy)]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle.clear()
            warmers = list(self._warmers)
        for w in workers:
            w.close()
        # A worker being started in the background is closed by its own thread
        # once it sees the pool closed; wait for that so none outlives close().
        for thread in warmers:
            thread.join(timeout=10)
