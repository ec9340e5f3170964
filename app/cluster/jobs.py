"""A page task read on the cluster: `PageJob` with a `ClusterPool` for its worker pool.

Cancelling kills its `ClusterWorker` (the Dask task is cancelled when pending, its
worker process killed there when running), as a local job kills its worker process.
When the scheduler stops answering, the page is read here instead, and the link is
told so it says so once and sends later pages to this computer's workers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace

from app.cluster import ClusterError
from app.cluster.client import ClusterPool, ClusterWorker
from app.extraction.client import WorkerProcess
from app.extraction.readers import Reader
from app.tasks.jobs import Job, PageJob, PageRead


class ClusterPageJob(PageJob):
    def __init__(self, local: PageJob, cluster: ClusterPool, lost: Callable[[str], None]) -> None:
        Job.__init__(self, local.task_id, cluster)
        self.request = local.request
        self.local = local.workers
        self.cluster = cluster
        self._lost = lost
        self._host: str | None = None

    @contextlib.contextmanager
    def _borrowed(self) -> Iterator[WorkerProcess | Reader]:
        with super()._borrowed() as worker:
            try:
                yield worker
            finally:
                if isinstance(worker, ClusterWorker):
                    self._host = worker.host

    def work(self) -> PageRead:
        try:
            read = super().work()
        except ClusterError as exc:
            if self.is_cancelled:
                raise
            self._lost(exc.message)
            self.workers = self.local
            self._host = None
            return super().work()
        return replace(read, ran_on=self._host) if self.workers is self.cluster else read

    def describe(self) -> str:
        return f"task {self.task_id} (on the cluster at {self.cluster.address})"
