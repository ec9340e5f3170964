"""What a job needs of whatever reads pages: a local worker process, or one on a cluster.

`WorkerPool`/`WorkerProcess` (client.py) read pages in this computer's worker processes;
`app.cluster` reads them on a Dask cluster whose workers run those same processes. Jobs
and `folio extract` speak only to these two protocols, so either serves them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol, overload

from app.extraction.protocol import (
    PageReply,
    PageRequest,
    ProbeReply,
    ProbeRequest,
)

#: (fraction done, message) as a request goes along.
_Progress = Callable[[float, str], None]


class Reader(Protocol):
    """One reader, used by one thread at a time, killed at once on cancel."""

    @property
    def pid(self) -> int: ...

    @overload
    def ask(
        self,
        request: ProbeRequest,
        timeout: float,
        progress: _Progress | None = None,
    ) -> ProbeReply: ...
    @overload
    def ask(
        self,
        request: PageRequest,
        timeout: float,
        progress: _Progress | None = None,
    ) -> PageReply: ...
    def ask(
        self,
        request: ProbeRequest | PageRequest,
        timeout: float,
        progress: _Progress | None = None,
    ) -> ProbeReply | PageReply: ...

    def kill(self, reason: str = "cancelled") -> None: ...


class ReaderPool(Protocol):
    """Readers lent to any thread."""

    def worker(self) -> AbstractContextManager[Reader]: ...

    def close(self) -> None: ...
