"""The desktop's side of a Dask cluster: connect, send each document once, read pages there.

`ClusterPool` stands where a `WorkerPool` stands (`app.extraction.readers`): a job borrows
a `ClusterWorker`, asks it for a probe or a page, and kills it on cancel. Each ask is
one Dask task running `app.cluster.remote.read` in a Folio worker process on some
cluster machine. A pending task is cancelled on the scheduler (it never starts); a
running one is stopped by setting its Dask Event, on which the cluster side kills its
worker process. A lost cluster worker's tasks are rescheduled by Dask itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.cluster import MISSING_SENTENCE, ClusterError, load_distributed
from app.core.errors import FolioError
from app.core.locked import PasswordNeeded
from app.extraction.client import ReaderTimeout, WorkerCancelled
from app.extraction.lifetime import DEFAULT_CPU_SECONDS
from app.extraction.protocol import (
    PageRequest,
    ProbeRequest,
    parse_locked,
    parse_reply,
    request_name,
    to_wire,
)
from app.extraction.worker import DEFAULT_MEMORY_MB

log = logging.getLogger(__name__)

#: Seconds to wait for the scheduler when connecting.
CONNECT_TIMEOUT = 10.0
#: Seconds to wait for the scheduler, if not CONNECT_TIMEOUT.
ENV_TIMEOUT = "FOLIO_CLUSTER_TIMEOUT"
#: Send documents' bytes even where the cluster could read the same path (tests).
ENV_SEND_FILES = "FOLIO_CLUSTER_SEND_FILES"
#: Documents kept known to the cluster once no page of them is being read (a batch
#: probes many files before reading their pages), within a budget of scattered bytes.
KEEP_SENT = 256
KEEP_SENT_BYTES = 512 * 1024 * 1024
#: Seconds between two looks at how many threads the cluster's workers have.
SLOTS_EVERY = 2.0
#: Times a page is sent again when the cluster lost the document's bytes.
RESENDS = 3

__all__ = ["MISSING_SENTENCE", "ClusterError", "ClusterPool", "ClusterWorker", "connect"]


def unreachable(address: str, why: object = None, *, here: bool = False) -> str:
    """The sentence for a scheduler that cannot be reached; `here`: pages are read locally."""
    detail = f" ({why})" if why else ""
    if here:
        return (
            f"Folio could not reach the Dask scheduler at {address}{detail}, so pages are read "
            "on this computer; check that `dask scheduler` runs there."
        )
    return (
        f"Folio could not reach the Dask scheduler at {address}{detail}; check that "
        "`dask scheduler` runs there and that this computer may connect to it."
    )


def lost(address: str) -> str:
    return (
        f"The Dask scheduler at {address} stopped answering; pages are read on this computer again."
    )


@dataclass(slots=True)
class _Sent:
    """A document as the cluster knows it: a shared path, or bytes scattered once."""

    ref: dict[str, Any]
    data: Any  # a Dask Future of the bytes, or None when the cluster reads the path
    users: int = 0
    #: Bytes held on the cluster for it.
    size: int = 0


class ClusterPool:
    """A connected Dask client, lending `ClusterWorker`s to any thread."""

    def __init__(
        self,
        client: Any,
        address: str,
        *,
        memory_mb: int = DEFAULT_MEMORY_MB,
        cpu_seconds: int = DEFAULT_CPU_SECONDS,
        send_files: bool | None = None,
    ) -> None:
        self.client = client
        self.address = address
        self.memory_mb = memory_mb
        self.cpu_seconds = cpu_seconds
        self.send_files = bool(os.environ.get(ENV_SEND_FILES)) if send_files is None else send_files
        self._sent: OrderedDict[str, _Sent] = OrderedDict()
        #: Documents being sent now, by the thread that sends them.
        self._sending: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        #: Documents whose bytes were scattered, and documents read from a shared path.
        self.scatters = 0
        self.shared = 0
        self._closed = False
        # Cancelling talks to the scheduler: never on the caller's (GUI) thread.
        self._cancels = ThreadPoolExecutor(1, thread_name_prefix="cluster-cancel")
        # How many pages the cluster reads at once, asked every few seconds off the
        # GUI thread (workers come and go).
        self._slots = self._count_slots()
        self._stop = threading.Event()
        self._watcher = threading.Thread(
            target=self._watch_slots, name="cluster-slots", daemon=True
        )
        self._watcher.start()

    # -- the pool ---------------------------------------------------------------------

    @contextlib.contextmanager
    def worker(self) -> Iterator[ClusterWorker]:
        if self._closed:
            raise FolioError("Folio is shutting down; the task will resume at the next start.")
        yield ClusterWorker(self)

    def slots(self) -> int:
        """Pages the cluster reads at once: the threads of its workers (at least 1)."""
        return self._slots

    def _count_slots(self) -> int:
        try:
            return max(1, sum(int(n) for n in self.client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a gone scheduler reads one page at a time
            return 1

    def _watch_slots(self) -> None:
        while not self._stop.wait(SLOTS_EVERY):
            if self.connected:
                self._slots = self._count_slots()

    @property
    def connected(self) -> bool:
        return str(getattr(self.client, "status", "")) == "running"

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        self._cancels.shutdown(wait=True)
        with contextlib.suppress(Exception):
            self.client.close(timeout=5)

    # -- documents ----------------------------------------------------------------------

    def _document(self, path: str) -> tuple[str, _Sent]:
        """The document at `path` as the cluster will see it, sent at most once."""
        file = Path(path)
        st = file.stat()
        key = f"{file.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        while True:
            with self._lock:
                waiting = self._sending.get(key)
                if waiting is None:
                    known = self._sent.get(key)
                    if known is not None:
                        known.users += 1
                        self._sent.move_to_end(key)
                        return key, known
                    # This thread sends it; others asking meanwhile wait for it.
                    self._sending[key] = threading.Event()
                    break
            waiting.wait()
        try:
            sent = self._send(file)
        except BaseException:
            with self._lock:
                self._sending.pop(key).set()
            raise
        with self._lock:
            sent.users += 1
            self._sent[key] = sent
            self._sending.pop(key).set()
            self._trim()
        return key, sent

    def _send(self, file: Path) -> _Sent:
        data = file.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        ref = {"path": str(file.resolve()), "size": len(data), "sha256": sha}
        if not self.send_files and self._cluster_sees(ref):
            self.shared += 1
            return _Sent(ref, None)
        # On every worker (copied worker to worker): pages spread by load, not by
        # where the bytes are, and a lost worker loses no document.
        future = self.client.scatter(data, hash=False, broadcast=True)
        self.scatters += 1
        return _Sent(ref, future, size=len(data))

    def _cluster_sees(self, ref: dict[str, Any]) -> bool:
        from app.cluster.remote import sees

        try:
            answers = self.client.run(sees, ref["path"], ref["size"], ref["sha256"])
        except Exception:  # noqa: BLE001 - then the bytes are sent
            return False
        return bool(answers) and all(answers.values())

    def _release(self, key: str) -> None:
        with self._lock:
            sent = self._sent.get(key)
            if sent is not None:
                sent.users -= 1
            self._trim()

    def _forget(self, key: str) -> None:
        """The cluster lost the document's bytes (or a new worker cannot see its path)."""
        with self._lock:
            self._sent.pop(key, None)

    def _trim(self) -> None:
        """Forget the documents no page is being read of, oldest first, beyond the budget."""
        idle = [k for k, s in self._sent.items() if s.users <= 0 and k not in self._sending]
        held = sum(s.size for s in self._sent.values())
        for key in idle[: max(0, len(idle) - KEEP_SENT)]:
            held -= self._sent.pop(key).size  # dropping the Future frees the bytes there
        for key in idle[max(0, len(idle) - KEEP_SENT) :]:
            if held <= KEEP_SENT_BYTES:
                break
            held -= self._sent.pop(key).size

    def cancel_later(self, future: Any, stop: str) -> None:
        """Take a page off the scheduler and stop it where it runs, off this thread."""

        def cancel() -> None:
            with contextlib.suppress(Exception):
                future.cancel()
            with contextlib.suppress(Exception):
                load_distributed().Event(stop, client=self.client).set()

        with contextlib.suppress(RuntimeError):  # closed: the client's close cancels all
            self._cancels.submit(cancel)


class ClusterWorker:
    """One request at a time on the cluster; `kill` cancels it there."""

    def __init__(self, pool: ClusterPool) -> None:
        self.pool = pool
        self._pid = 0
        #: The machine that answered the last request.
        self.host: str | None = None
        self._killed = threading.Event()
        self._lock = threading.Lock()
        self._current: tuple[Any, str] | None = None

    @property
    def pid(self) -> int:
        """The process id of the cluster's Folio worker that answered last (0: none yet)."""
        return self._pid

    def kill(self, reason: str = "cancelled") -> None:
        self._killed.set()
        with self._lock:
            current = self._current
        if current is not None:
            self.pool.cancel_later(*current)

    def ask(
        self,
        request: ProbeRequest | PageRequest,
        timeout: float,
        progress: Callable[[float, str], None] | None = None,
    ) -> Any:
        if self._killed.is_set():
            raise WorkerCancelled()
        if progress is not None:
            progress(0.02, f"Reading on the cluster at {self.pool.address}")
        kind = "probe" if isinstance(request, ProbeRequest) else "page"
        wire = {k: v for k, v in to_wire(request).items() if k not in ("op", "path")}
        for _attempt in range(RESENDS + 1):
            try:
                key, sent = self.pool._document(request.path)
            except OSError as exc:
                raise FolioError(
                    f"{request_name(request)} could not be read to send it to the cluster "
                    f"({exc.strerror or exc}); check the file."
                ) from None
            try:
                answer = self._run(kind, sent, wire, timeout)
            finally:
                self.pool._release(key)
            if answer is None or answer.get("missing"):
                self.pool._forget(key)  # its bytes were lost, or a worker cannot see the path
                continue
            return self._reply(request, answer)
        raise FolioError(
            f"The cluster at {self.pool.address} kept losing {request_name(request)}; "
            "retry, and check that its workers stay up."
        )

    def _run(
        self, kind: str, sent: _Sent, wire: dict[str, Any], timeout: float
    ) -> dict[str, Any] | None:
        """The cluster's answer; None when the document's bytes were lost there."""
        from app.cluster.remote import read

        distributed = load_distributed()
        stop = f"folio-stop-{uuid.uuid4().hex}"
        pool = self.pool
        try:
            future = pool.client.submit(
                read,
                kind,
                sent.ref,
                sent.data,
                wire,
                stop,
                timeout,
                pool.memory_mb,
                pool.cpu_seconds,
                key=f"folio-{kind}-{uuid.uuid4().hex}",
                pure=False,
            )
        except Exception as exc:
            raise ClusterError(lost(pool.address)) from exc
        finished = threading.Event()
        future.add_done_callback(lambda _f: finished.set())
        with self._lock:
            self._current = (future, stop)
        try:
            while not finished.wait(0.1):
                if self._killed.is_set():
                    raise WorkerCancelled()
                if not pool.connected:
                    raise ClusterError(lost(pool.address))
            if self._killed.is_set():
                raise WorkerCancelled()
            try:
                answer: dict[str, Any] = future.result()
            except distributed.CancelledError:
                if not pool.connected:
                    raise ClusterError(lost(pool.address)) from None
                return None  # cancelled by the cluster: its input was lost
            except Exception as exc:  # noqa: BLE001 - the task failed on every worker it tried
                if not pool.connected:
                    raise ClusterError(lost(pool.address)) from None
                raise FolioError(
                    f"The cluster at {pool.address} could not read the page "
                    f"({type(exc).__name__}: {str(exc)[:160]}); retry it."
                ) from None
            return answer
        except WorkerCancelled:
            pool.cancel_later(future, stop)
            raise
        finally:
            with self._lock:
                self._current = None

    def _reply(self, request: ProbeRequest | PageRequest, answer: dict[str, Any]) -> Any:
        self.host = str(answer.get("host") or "") or None
        if answer.get("cancelled"):
            raise WorkerCancelled()
        if "error" in answer:
            if answer.get("hung"):
                raise ReaderTimeout(str(answer["error"]))
            locked = parse_locked(answer)
            if locked is not None:
                raise PasswordNeeded(request_name(request), wrong=locked.wrong)
            raise FolioError(str(answer["error"]))
        self._pid = int(answer.get("pid") or 0)
        try:
            return parse_reply(request, answer["reply"])
        except (KeyError, ValueError):
            raise FolioError(
                f"Reading {request_name(request)} on the cluster gave a garbled answer; "
                "retry, and check that its workers run the same Folio."
            ) from None


def connect(
    address: str,
    *,
    timeout: float | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    cpu_seconds: int = DEFAULT_CPU_SECONDS,
    send_files: bool | None = None,
    here: bool = False,
) -> ClusterPool:
    """A pool reading on the scheduler at `address`; ClusterError (one sentence) if not
    (`here`: the sentence says pages are read on this computer instead)."""
    address = address.strip()
    if not address:
        raise ClusterError("No Dask scheduler address was given; use e.g. tcp://10.0.0.5:8786.")
    distributed = load_distributed()
    try:
        client = distributed.Client(
            address,
            timeout=_connect_timeout() if timeout is None else timeout,
            set_as_default=False,
            name="folio",
        )
    except Exception as exc:  # noqa: BLE001 - every failure is one sentence
        raise ClusterError(unreachable(address, _short(exc), here=here)) from None
    pool = ClusterPool(
        client, address, memory_mb=memory_mb, cpu_seconds=cpu_seconds, send_files=send_files
    )
    if not pool.client.scheduler_info().get("workers"):
        log.warning("the Dask scheduler at %s has no workers yet", address)
    return pool


def _connect_timeout() -> float:
    try:
        return float(os.environ.get(ENV_TIMEOUT) or CONNECT_TIMEOUT)
    except ValueError:
        return CONNECT_TIMEOUT


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
