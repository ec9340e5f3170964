"""Pages read on a real Dask cluster (a scheduler and two workers on this machine).

Checked: the same text as a local run; no local worker process for `folio extract
--cluster`; each document sent once; cancelling a pending page takes it off the
scheduler and a running one kills its worker process there; a killed cluster worker's
pages are read elsewhere; an unreachable scheduler is one sentence naming it.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from app.cluster.client import ClusterPool, ClusterWorker, connect
from app.core.models import OcrMode
from app.extraction.batch import BatchExtractor
from app.extraction.client import WorkerCancelled
from app.extraction.protocol import PageRequest
from tests.cluster.conftest import LocalDask, folio, free_port, json_lines
from tests.conftest import SAMPLES

FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
HANGS = SAMPLES / "017-unreadable-meta-data" / "unreadablemetadata.pdf"


def local_texts(paths: list[Path], ocr: OcrMode = OcrMode.AUTO) -> dict[str, list[Any]]:
    with BatchExtractor(ocr, "eng", None, 2) as batch:
        return {r.file: [(p.number, p.text, p.method) for p in r.pages] for r in batch.run(paths)}


def cluster_texts(
    pool: ClusterPool, paths: list[Path], ocr: OcrMode = OcrMode.AUTO
) -> dict[str, list[Any]]:
    with BatchExtractor(ocr, "eng", None, 2 * pool.slots(), workers=pool) as batch:
        return {r.file: [(p.number, p.text, p.method) for p in r.pages] for r in batch.run(paths)}


def test_folio_extract_on_the_cluster_matches_local_and_starts_no_local_worker(
    cluster: LocalDask, scanned_pdf: Path
) -> None:
    paths = [FOUR_PAGES, TRIVIAL, scanned_pdf]
    proc = folio(
        "extract",
        *paths,
        "--cluster",
        cluster.address,
        "--json",
        "--lang",
        "eng",
        env={"FOLIO_CLUSTER_SEND_FILES": "1"},
    )
    local_workers: set[int] = set()
    while proc.poll() is None:
        # Any worker process of the app itself would be its child.
        try:
            for child in psutil.Process(proc.pid).children(recursive=True):
                if "app.extraction.worker" in " ".join(child.cmdline()):
                    local_workers.add(child.pid)
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.02)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert not local_workers, "the app started worker processes of its own"
    got = {
        r["file"]: [(p["number"], p["text"], p["method"]) for p in r["pages"]]
        for r in json_lines(out)
    }
    want = local_texts(paths)
    assert got == {str(k): [list(p) for p in v] for k, v in want.items()} or got == {
        k: [tuple(p) for p in v] for k, v in want.items()
    }
    assert any(m == "ocr" for _n, _t, m in got[str(scanned_pdf)])
    # Each document crossed to the cluster once and was written there at most once a worker.
    stats = cluster.stats()
    assert stats["pages"] == 4 + 1 + 1
    assert 3 <= stats["written"] <= 3 * 2


def test_each_document_is_scattered_once_not_once_a_page(
    cluster: LocalDask, tmp_path: Path
) -> None:
    # More documents than a batch keeps in flight: none is sent twice.
    copies = []
    for n in range(40):
        copy = tmp_path / f"copy {n}.pdf"
        copy.write_bytes(FOUR_PAGES.read_bytes() + f"\n% copy {n}\n".encode())
        copies.append(copy)
    written = cluster.stats().get("written", 0)
    pool = connect(cluster.address, send_files=True)
    try:
        texts = cluster_texts(pool, [FOUR_PAGES, TRIVIAL, *copies])
        assert pool.scatters == 42
        assert pool.shared == 0
        assert [n for n, _t, _m in texts[str(FOUR_PAGES)]] == [1, 2, 3, 4]
        assert texts == local_texts([FOUR_PAGES, TRIVIAL, *copies])
    finally:
        pool.close()
    # Each worker wrote each document at most once.
    assert cluster.stats()["written"] - written <= 2 * 42


def test_a_path_the_cluster_sees_is_read_there_and_not_sent(cluster: LocalDask) -> None:
    before = cluster.stats()
    pool = connect(cluster.address, send_files=False)
    try:
        texts = cluster_texts(pool, [FOUR_PAGES])
        assert (pool.scatters, pool.shared) == (0, 1)
    finally:
        pool.close()
    after = cluster.stats()
    assert after["written"] == before.get("written", 0)
    assert after["shared"] - before.get("shared", 0) == 5  # the probe and four pages
    assert texts == local_texts([FOUR_PAGES])


def _ask_in_thread(worker: ClusterWorker, request: PageRequest) -> dict[str, Any]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["reply"] = worker.ask(request, 60)
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    outcome["thread"] = thread
    return outcome


def _scheduler_keys(cluster: LocalDask) -> set[str]:
    return set(
        cluster.client.run_on_scheduler(
            lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks]
        )
    )


def _wait(predicate: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_cancel_takes_a_pending_page_off_the_cluster_and_kills_a_running_one(
    cluster: LocalDask,
) -> None:
    from app.cluster.remote import running

    pool = connect(cluster.address, send_files=True)
    try:
        # Page 2 of this file hangs PDFium: four of them fill the cluster's four threads.
        hang = PageRequest(str(HANGS), HANGS.name, "pdf", 2, "auto", "eng")
        busy = [ClusterWorker(pool) for _ in range(4)]
        asks = [_ask_in_thread(w, hang) for w in busy]

        def all_running() -> bool:
            return sum(len(r) for r in cluster.client.run(running).values()) == 4

        _wait(all_running)
        pages_before = cluster.stats()["pages"]
        waiting = [ClusterWorker(pool) for _ in range(3)]
        pending = [_ask_in_thread(w, hang) for w in waiting]
        _wait(lambda: all(w._current is not None for w in waiting))
        keys = {str(w._current[0].key) for w in waiting}  # type: ignore[index]
        _wait(lambda: keys <= _scheduler_keys(cluster))
        time.sleep(0.5)  # they would have started by now if they could

        for w in waiting:
            w.kill()
        for ask in pending:
            ask["thread"].join(5)
            assert isinstance(ask.get("error"), WorkerCancelled)
        _wait(lambda: not keys & _scheduler_keys(cluster), timeout=5)

        # The running ones: their worker processes on the cluster are killed at once.
        pids = [pid for r in cluster.client.run(running).values() for pid in r.values()]
        assert len(pids) == 4
        started = time.monotonic()
        for w in busy:
            w.kill()
        _wait(lambda: not any(psutil.pid_exists(p) and _alive(p) for p in pids), timeout=5)
        assert time.monotonic() - started < 3
        for ask in asks:
            ask["thread"].join(5)
            assert isinstance(ask.get("error"), WorkerCancelled)
        # None of the cancelled pending pages ever started.
        assert cluster.stats()["pages"] == pages_before
    finally:
        pool.close()


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_killed_cluster_worker_s_pages_are_read_by_another(
    own_cluster: LocalDask, long_scan: Path
) -> None:
    from app.cluster.remote import running

    pool = connect(own_cluster.address, send_files=True)
    victim = own_cluster.workers[0]
    pids = own_cluster.client.run(os.getpid)
    (victim_address,) = [a for a, pid in pids.items() if pid == victim.pid]
    killed = threading.Event()

    def kill_when_busy() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                busy = own_cluster.client.run(running)
            except Exception:  # noqa: BLE001 - the cluster is being changed
                busy = {}
            # Only once the victim is reading a page (the other may have read some).
            if busy.get(victim_address):
                victim.send_signal(signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.05)

    try:
        killer = threading.Thread(target=kill_when_busy, daemon=True)
        killer.start()
        texts = cluster_texts(pool, [long_scan], OcrMode.ALWAYS)
        killer.join(5)
        assert killed.is_set(), "the worker was never seen reading"
        pages = texts[str(long_scan)]
        assert [n for n, _t, _m in pages] == list(range(1, 13))
        assert all(t and m == "ocr" for _n, t, m in pages), pages
        # Every page read the same, whichever worker read it.
        assert len({t for _n, t, _m in pages}) == 1
    finally:
        pool.close()
    victim.wait(10)


def test_an_unreachable_scheduler_is_one_sentence_naming_it(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    proc = folio("extract", TRIVIAL, "--cluster", address, env={"FOLIO_CLUSTER_TIMEOUT": "2"})
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("folio: Folio could not reach the Dask scheduler at " + address)
    assert out == ""


@pytest.mark.parametrize("command", ["extract", "import"])
def test_without_the_extra_folio_says_how_to_get_it(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, qapp: object
) -> None:
    import sys

    from app.cli import run

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    code = run(["--library", str(tmp_path / "lib"), command, str(TRIVIAL), "--cluster", "x:1"])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "folio: Reading pages on a Dask cluster needs Folio's cluster extra; "
        'install it with pip install "folio[cluster]".'
    ]
