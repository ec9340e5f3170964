"""The manager's cluster: connect to the address in the library's settings, fall back here.

The window connects in the background (its pages are read here meanwhile); `folio
import --cluster` connects before it starts. An unreachable scheduler, a missing extra
or a scheduler that stops answering is one sentence (`notice`), and the manager then
reads pages on this computer again.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.cluster import SETTING_CLUSTER, ClusterError
from app.cluster.client import ClusterPool, connect, lost
from app.cluster.jobs import ClusterPageJob
from app.tasks.jobs import Job, PageJob
from app.tasks.manager import ExtractionManager

log = logging.getLogger(__name__)


class ClusterLink(QObject):
    """Attaches a `ClusterPool` to a manager (as its `remote`) and detaches it on failure.

    Signals:
        notice(str): a sentence for the person: the cluster in use, or why it is not.
    """

    notice = Signal(str)
    _reached = Signal(object, str, int)  # pool or None, sentence, attempt
    _lost = Signal(str)

    def __init__(self, manager: ExtractionManager) -> None:
        super().__init__(manager)
        self.manager = manager
        self.pool: ClusterPool | None = None
        self.address = ""
        self._attempt = 0
        self._reached.connect(self._on_reached, Qt.ConnectionType.QueuedConnection)
        self._lost.connect(self._on_lost, Qt.ConnectionType.QueuedConnection)

    # -- RemotePages -----------------------------------------------------------------

    def page_job(self, job: PageJob) -> Job:
        pool = self.pool
        if pool is None:
            return job
        return ClusterPageJob(job, pool, self._lost.emit)

    def slots(self) -> int:
        return self.pool.slots() if self.pool is not None else 1

    def close(self, *, wait: bool = True) -> None:
        self._attempt += 1  # a connection still being made is closed when it arrives
        pool, self.pool = self.pool, None
        if self.manager.remote is self:
            self.manager.use_remote(None)
        if pool is None:
            return
        if wait:
            pool.close()
        else:
            threading.Thread(target=pool.close, name="cluster-close", daemon=True).start()

    # -- connecting ------------------------------------------------------------------

    def use(self, address: str, *, remember: bool = True) -> None:
        """Read pages on the scheduler at `address` ("" for this computer), connecting in
        the background; `remember` stores it as the library's setting."""
        address = address.strip()
        if remember:
            self.manager.library.set_setting(SETTING_CLUSTER, address)
        if address == self.address and (self.pool is not None or not address):
            return
        self.close()
        self.address = address
        if not address:
            return
        attempt = self._attempt
        memory_mb = self.manager.workers.memory_mb
        cpu_seconds = self.manager.workers.cpu_seconds

        def run() -> None:
            try:
                pool = connect(address, memory_mb=memory_mb, cpu_seconds=cpu_seconds, here=True)
            except ClusterError as exc:
                self._reached.emit(None, exc.message, attempt)
            else:
                self._reached.emit(pool, "", attempt)

        threading.Thread(target=run, name="cluster-connect", daemon=True).start()

    def connect_now(self, address: str) -> None:
        """Connect before returning (the command line); raises ClusterError."""
        self.close()
        self.address = address.strip()
        workers = self.manager.workers
        pool = connect(self.address, memory_mb=workers.memory_mb, cpu_seconds=workers.cpu_seconds)
        self._attach(pool)

    def _attach(self, pool: ClusterPool) -> None:
        self.pool = pool
        self.manager.use_remote(self)
        log.info("reading pages on the Dask cluster at %s", pool.address)

    @Slot(object, str, int)
    def _on_reached(self, pool: ClusterPool | None, sentence: str, attempt: int) -> None:
        if attempt != self._attempt:
            if pool is not None:
                threading.Thread(target=pool.close, daemon=True).start()
            return
        if pool is None:
            self.notice.emit(sentence)
            return
        self._attach(pool)
        self.notice.emit(f"Reading pages on the Dask cluster at {pool.address}.")

    @Slot(str)
    def _on_lost(self, sentence: str) -> None:
        if self.pool is None:
            return  # said already
        pool = self.pool
        self.close(wait=False)
        self.address = ""
        self.notice.emit(sentence or lost(pool.address))


def link_for(manager: ExtractionManager) -> ClusterLink:
    """The manager's cluster link (made on first use)."""
    found = manager.findChild(ClusterLink)
    return found if isinstance(found, ClusterLink) else ClusterLink(manager)


def attach_from_setting(manager: ExtractionManager) -> ClusterLink:
    """Start using the cluster named in the library's settings, if any."""
    link = link_for(manager)
    address = manager.library.setting(SETTING_CLUSTER, "") or ""
    if address:
        link.use(address, remember=False)
    return link
