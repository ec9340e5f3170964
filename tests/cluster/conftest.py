"""A real Dask cluster on this machine: `dask scheduler` and two `dask worker` processes.

The cluster tests skip, saying why, only where Folio's cluster extra is not installed;
dev.sh and CI install it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.conftest import REPO

pytest.importorskip(
    "distributed", reason='the cluster extra is not installed (pip install -e ".[cluster]")'
)

DASK = [sys.executable, "-m", "distributed.cli.dask_worker"]


@dataclass
class LocalDask:
    """A scheduler and workers started as processes, and a client of the test's own."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    client: Any = None

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self.workers if w.poll() is None]

    def folio_workers(self) -> list[int]:
        """Folio worker processes the cluster's workers started."""
        found = []
        for pid in self.worker_pids():
            with contextlib.suppress(psutil.NoSuchProcess):
                for p in psutil.Process(pid).children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        if "app.extraction.worker" in " ".join(p.cmdline()):
                            found.append(p.pid)
        return found

    def stats(self) -> dict[str, int]:
        from app.cluster.remote import stats

        total: dict[str, int] = {}
        for one in self.client.run(stats).values():
            for key, value in one.items():
                total[key] = total.get(key, 0) + value
        return total

    def drain(self) -> None:
        """Stop the Folio worker processes on the cluster (each test ends clean)."""
        from app.cluster.remote import close_pool

        with contextlib.suppress(Exception):
            self.client.run(close_pool)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("FOLIO_CLUSTER_SEND_FILES", None)
    # Tasks beyond the workers' threads wait on the scheduler (not in a worker's queue).
    env["DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION"] = "1.0"
    return env


def start_dask(folder: Path, workers: int = 2, threads: int = 2) -> LocalDask:

    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    with (folder / "dask.log").open("ab") as log:
        return _start(folder, port, address, log, workers, threads)


def _start(
    folder: Path, port: int, address: str, log: Any, workers: int, threads: int
) -> LocalDask:
    from distributed import Client

    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
        ],
        stdout=log,
        stderr=log,
        env=_env(),
        cwd=folder,
    )
    cluster = LocalDask(address, scheduler)
    try:
        for n in range(workers):
            cluster.workers.append(
                subprocess.Popen(
                    [
                        *DASK,
                        address,
                        "--nthreads",
                        str(threads),
                        "--no-nanny",
                        "--no-dashboard",
                        "--name",
                        f"w{n}",
                        "--local-directory",
                        str(folder / f"w{n}"),
                    ],
                    stdout=log,
                    stderr=log,
                    env=_env(),
                    cwd=folder,
                )
            )
        cluster.client = Client(address, timeout=30, set_as_default=False)
        cluster.client.wait_for_workers(workers, timeout=60)
    except BaseException:
        stop_dask(cluster)
        raise
    return cluster


def stop_dask(cluster: LocalDask) -> None:
    cluster.drain()
    if cluster.client is not None:
        with contextlib.suppress(Exception):
            cluster.client.close(timeout=10)
    for proc in [*cluster.workers, cluster.scheduler]:
        if proc.poll() is None:
            proc.terminate()
    for proc in [*cluster.workers, cluster.scheduler]:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalDask]:
    cluster = start_dask(tmp_path_factory.mktemp("dask"))
    yield cluster
    stop_dask(cluster)


@pytest.fixture
def cluster(dask_cluster: LocalDask) -> Iterator[LocalDask]:
    """The module's cluster, its Folio worker processes stopped after each test."""
    yield dask_cluster
    dask_cluster.drain()
    deadline = time.monotonic() + 10
    while dask_cluster.folio_workers() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[LocalDask]:
    """A cluster for one test (one that kills a worker)."""
    cluster = start_dask(tmp_path / "dask")
    yield cluster
    stop_dask(cluster)


def folio(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**_env(), **(env or {})},
    )


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
