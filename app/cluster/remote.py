"""The cluster's side: what a Dask worker runs for Folio, in Folio's own worker processes.

Each Dask worker process keeps one `WorkerPool` (the same class, memory and time limits
as on the desktop), so a hostile document is contained there as it is here. A document
arrives once per worker: either as bytes the desktop scattered (written once to a
private scratch file), or as a path on a shared disk this machine sees with the same
size and SHA-256. Nothing here imports Qt.

Every function returns a plain dict (never raises for a document's fault), so the
desktop turns each outcome into the same sentences as a local read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import tempfile
import threading
from collections import OrderedDict
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.core.errors import FolioError
from app.core.locked import PasswordNeeded
from app.extraction.client import (
    WORK_PREFIX,
    ReaderTimeout,
    WorkerCancelled,
    WorkerPool,
)
from app.extraction.protocol import LockedReply, PageRequest, ProbeRequest

#: Documents kept as scratch files per Dask worker (the oldest go first): more than a
#: desktop keeps in flight, so none is written twice while its pages are read.
KEEP_FILES = 256
#: How often a running page looks whether the desktop cancelled it.
CANCEL_POLL = 0.2

_lock = threading.Lock()
_pool: WorkerPool | None = None
_files: OrderedDict[str, Path] = OrderedDict()
_scratch: Path | None = None
#: (path, size, mtime) → SHA-256 of a shared file this worker looked at.
_seen: dict[tuple[str, int, int], str] = {}
#: What crossed to this worker and what it did (read by tests and the benchmark).
_stats = {"written": 0, "shared": 0, "pages": 0, "probes": 0, "cancelled": 0}
#: Pages being read now: Dask key → pid of the Folio worker reading it.
_running: dict[str, int] = {}


def host() -> str:
    return socket.gethostname()


def stats() -> dict[str, int]:
    with _lock:
        return dict(_stats)


def running() -> dict[str, int]:
    with _lock:
        return dict(_running)


def _worker_pool(memory_mb: int, cpu_seconds: int) -> WorkerPool:
    global _pool
    with _lock:
        if _pool is None or (_pool.memory_mb, _pool.cpu_seconds) != (memory_mb, cpu_seconds):
            old, _pool = _pool, WorkerPool(memory_mb, _threads(), cpu_seconds)
            if old is not None:
                old.close()
        return _pool


def _threads() -> int:
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return max(1, os.cpu_count() or 1)


def close_pool() -> int:
    """Stop this Dask worker's Folio worker processes and drop its scratch files."""
    global _pool, _scratch
    with _lock:
        pool, _pool = _pool, None
        scratch, _scratch = _scratch, None
        _files.clear()
        _seen.clear()
    if pool is not None:
        pool.close()
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    return os.getpid()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sees(path: str, size: int, sha256: str) -> bool:
    """Whether this machine sees the desktop's file at `path` with the same content."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if st.st_size != size:
        return False
    key = (path, st.st_size, st.st_mtime_ns)
    with _lock:
        known = _seen.get(key)
    if known is None:
        try:
            known = _sha256(Path(path))
        except OSError:
            return False
        with _lock:
            _seen[key] = known
    return known == sha256


def _local_file(ref: dict[str, Any], data: bytes | None) -> Path | None:
    """The document as a file on this machine; None when it is not here (send it)."""
    global _scratch
    sha = str(ref["sha256"])
    if data is None:
        if not sees(str(ref["path"]), int(ref["size"]), sha):
            return None
        with _lock:
            _stats["shared"] += 1
        return Path(str(ref["path"]))
    with _lock:
        known = _files.get(sha)
        if known is not None and known.exists():
            _files.move_to_end(sha)
            return known
        if _scratch is None:
            # Named like a worker's scratch folder, so a killed worker's is swept later.
            _scratch = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-files-"))
        target = _scratch / sha
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.chmod(0o400)
        partial.replace(target)
        _files[sha] = target
        _stats["written"] += 1
        while len(_files) > KEEP_FILES:
            _sha, old = _files.popitem(last=False)
            with contextlib.suppress(OSError):
                old.unlink()
        return target


def read(
    kind: str,
    ref: dict[str, Any],
    data: bytes | None,
    request: dict[str, Any],
    stop: str,
    timeout: float,
    memory_mb: int,
    cpu_seconds: int,
) -> dict[str, Any]:
    """Probe a document (kind "probe") or read one page (kind "page") in a Folio worker.

    `stop` names a Dask Event the desktop sets to cancel: the worker process reading
    is then killed at once (with any Tesseract it started), as on the desktop.
    """
    here = host()
    path = _local_file(ref, data)
    if path is None:
        return {"missing": True, "host": here}
    fields = {**request, "path": str(path)}
    req: ProbeRequest | PageRequest = (
        ProbeRequest(**fields) if kind == "probe" else PageRequest(**fields)
    )
    with _lock:
        _stats["probes" if kind == "probe" else "pages"] += 1
    key = _task_key()
    event = _stop_event(stop)
    stopped = threading.Event()
    done = threading.Event()
    pool = _worker_pool(memory_mb, cpu_seconds)
    try:
        with pool.worker() as w:
            with _lock:
                _running[key] = w.pid
            watcher = threading.Thread(
                target=_watch, args=(event, w.kill, stopped, done), name="folio-stop", daemon=True
            )
            watcher.start()
            try:
                reply = w.ask(req, timeout)
            finally:
                done.set()
                with _lock:
                    _running.pop(key, None)
        return {"reply": asdict(reply), "host": here, "pid": w.pid}
    except WorkerCancelled:
        with _lock:
            _stats["cancelled"] += 1
        return {"cancelled": True, "host": here}
    except ReaderTimeout as exc:
        return {"error": exc.message, "hung": True, "host": here}
    except PasswordNeeded as exc:
        return {**LockedReply(wrong=exc.wrong).to_wire(exc.message), "host": here}
    except FolioError as exc:
        return {"error": exc.message, "host": here}


def _task_key() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().get_current_task())
    except (ImportError, ValueError):
        return f"local-{threading.get_ident()}"


def _stop_event(stop: str) -> Any:
    """The Dask Event the desktop sets to cancel (made here, on the task's own thread)."""
    try:
        import distributed

        make: Any = distributed.Event
        return make(stop, client=distributed.get_client())
    except (ImportError, ValueError):
        return None


def _watch(event: Any, kill: Any, stopped: threading.Event, done: threading.Event) -> None:
    """Kill the page's worker process as soon as the desktop sets the stop event."""
    if event is None:
        return
    while not done.is_set():
        try:
            if event.wait(CANCEL_POLL):
                stopped.set()
                kill("cancelled")
                return
        except Exception:  # noqa: BLE001 - the scheduler went away: Dask ends the task
            return
