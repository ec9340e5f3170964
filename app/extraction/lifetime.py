"""A worker's bounds: it dies with Folio, stops on runaway CPU, keeps temporary files private.

Everything here must work while the worker's Python is stuck inside C code that
holds the GIL (PDFium looping on a damaged page): only the kernel can act then.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

#: The pid of the Folio process that started the worker (set by the client).
ENV_PARENT_PID = "FOLIO_PARENT_PID"
#: Seconds of processor time one request may use before the kernel stops the worker.
ENV_CPU_SECONDS = "FOLIO_WORKER_CPU_SECONDS"

#: The per-request CPU backstop. The parent's own deadlines (text layer 20 s, drawing
#: 30 s, OCR 180 s, a probe 60 s) stop a request long before this; the backstop only
#: matters when the parent cannot act (it is gone, or stuck). A worker reads pages on
#: one thread, so a request uses at most about as much CPU as wall time: 300 s is more
#: than all of one page's phases together (230 s), so a legitimately slow page is never
#: killed, while a loop inside PDFium ends within five minutes of CPU whatever else fails.
#: Tesseract, a child of the worker, inherits the limit and has its own counter.
DEFAULT_CPU_SECONDS = 300

_PR_SET_PDEATHSIG = 1


def _prctl_pdeathsig() -> Callable[[], int] | None:
    """A call that asks the kernel to SIGKILL the calling process when its parent ends."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    sigkill = int(signal.SIGKILL)

    def call() -> int:
        return int(prctl(_PR_SET_PDEATHSIG, sigkill, 0, 0, 0))

    return call


def die_with_parent() -> bool:
    """Have the kernel kill this worker when Folio ends; True when that is arranged.

    Linux: the parent-death signal, delivered by the kernel whatever this process is
    doing. It is set after the worker started, so the parent may already be gone:
    then the worker has been adopted by another process and exits at once.

    Elsewhere this returns False and the caller watches a lifeline pipe on a thread,
    which cannot run while C code holds the GIL; there the CPU backstop
    (`CpuBackstop`) bounds such a worker. The kernel-level equivalents would be a job
    object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE on Windows and a kqueue
    NOTE_EXIT watch on macOS; neither is built, as neither can be tested here.
    """
    call = _prctl_pdeathsig()
    if call is None:
        return False
    if call() != 0:
        return False
    expected = os.environ.get(ENV_PARENT_PID)
    if expected and os.getppid() != int(expected):
        os._exit(1)
    return True


def child_dies_with_me() -> Callable[[], None] | None:
    """A `preexec_fn` for programs the worker starts (Tesseract): they die with it.

    Without it a Tesseract run would outlive a worker the kernel just killed. It runs
    between fork and exec, so it only calls one C function prepared beforehand.
    """
    call = _prctl_pdeathsig()
    if call is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        call()
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


class CpuBackstop:
    """Re-arms the kernel's CPU-time limit (RLIMIT_CPU) before each request.

    The limit counts CPU used over the whole life of the process, and a worker serves
    many requests, so each request gets `seconds` more than what was used so far.
    Only the soft limit moves (an unprivileged process cannot raise a hard limit
    again); passing it sends SIGXCPU, whose default action ends the process even while
    C code holds the GIL. Core dumps are switched off so that ending leaves no file.
    """

    def __init__(self, seconds: int | None = None) -> None:
        if seconds is None:
            seconds = int(os.environ.get(ENV_CPU_SECONDS) or DEFAULT_CPU_SECONDS)
        self.seconds = max(1, seconds)
        try:
            import resource
        except ImportError:  # Windows: the parent's deadline is the guard
            self._resource = None
            return
        self._resource = resource
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(signal.SIGXCPU, signal.SIG_DFL)

    def arm(self) -> None:
        resource = self._resource
        if resource is None:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = usage.ru_utime + usage.ru_stime
        soft = int(used) + 1 + self.seconds
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def use_private_temp(work_dir: Path) -> None:
    """Send every temporary file of this process and its children to `work_dir` (0700)."""
    work_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(work_dir, 0o700)
    for name in ("TMPDIR", "TEMP", "TMP"):
        os.environ[name] = str(work_dir)
    tempfile.tempdir = str(work_dir)
