"""The manager on a cluster: `folio import --cluster`, the task's machine, falling back here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.cli import run
from app.cluster.link import link_for
from app.core.library import Library
from app.core.models import TaskStatus, TaskType
from app.tasks.manager import ExtractionManager
from tests.cluster.conftest import LocalDask, free_port
from tests.cluster.test_cluster import FOUR_PAGES, local_texts
from tests.conftest import wait_idle


def _page_texts(folder: Path) -> tuple[list[str | None], list[dict[str, Any]]]:
    lib = Library(folder)
    try:
        (source,) = lib.sources()
        texts = [page.text for page in lib.pages(source.id)]
        payloads = [t.payload for t in lib.tasks() if t.task_type is TaskType.TEXT_EXTRACTION]
        return texts, payloads
    finally:
        lib.close()


def test_folio_import_on_the_cluster_stores_the_same_text_and_the_machine(
    cluster: LocalDask, tmp_path: Path, qapp: object, capsys: Any
) -> None:
    folder = tmp_path / "lib"
    code = run(
        [
            "--library",
            str(folder),
            "import",
            str(FOUR_PAGES),
            "--cluster",
            cluster.address,
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert {t["status"] for t in json.loads(out)} == {"completed"}
    texts, payloads = _page_texts(folder)
    want = [text for _n, text, _m in local_texts([FOUR_PAGES])[str(FOUR_PAGES)]]
    assert texts == want
    assert len(payloads) == 4 and all(p.get("ranOn") for p in payloads)
    assert cluster.stats()["pages"] >= 4


def test_an_unreachable_cluster_is_said_once_and_pages_are_read_here(
    manager: ExtractionManager, qtbot: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("FOLIO_CLUSTER_TIMEOUT", "1")
    link = link_for(manager)
    address = f"tcp://127.0.0.1:{free_port()}"
    with qtbot.waitSignal(link.notice, timeout=30_000) as said:
        link.use(address)
    sentence = said.args[0]
    assert sentence.startswith(f"Folio could not reach the Dask scheduler at {address}")
    assert "pages are read on this computer" in sentence
    assert manager.remote is None
    assert manager.library.setting("cluster.address") == address
    manager.import_files([FOUR_PAGES])
    wait_idle(qtbot, manager)
    pages = [t for t in manager.tasks() if t.task_type is TaskType.TEXT_EXTRACTION]
    assert len(pages) == 4
    assert all(t.status is TaskStatus.COMPLETED and "ranOn" not in t.payload for t in pages)


def test_the_window_s_manager_reads_on_the_cluster_and_back_here_when_it_is_cleared(
    cluster: LocalDask, manager: ExtractionManager, qtbot: Any
) -> None:
    link = link_for(manager)
    with qtbot.waitSignal(link.notice, timeout=30_000) as said:
        link.use(cluster.address)
    assert said.args[0] == f"Reading pages on the Dask cluster at {cluster.address}."
    assert manager.remote is link
    manager.import_files([FOUR_PAGES])
    wait_idle(qtbot, manager)
    pages = [t for t in manager.tasks() if t.task_type is TaskType.TEXT_EXTRACTION]
    assert all(t.status is TaskStatus.COMPLETED and t.payload.get("ranOn") for t in pages)
    # The Tasks page's details name the machine.
    from PySide6.QtGui import QPalette

    from app.ui.tasks.details import task_details_html

    shown = task_details_html(pages[0], None, QPalette(), 0.0)
    assert "<b>Read on</b>" in shown
    assert f"{pages[0].payload['ranOn']}</span> (Dask cluster)" in shown
    link.use("")
    assert manager.remote is None
    assert manager.library.setting("cluster.address") == ""
