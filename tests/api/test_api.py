"""The local API, served for real on an ephemeral loopback port inside the Qt event loop."""

from __future__ import annotations

import asyncio
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import qasync

from app.api.server import ApiServer, load_or_create_token
from app.core.library import Library
from app.core.models import TaskStatus
from app.tasks.manager import ExtractionManager
from tests.conftest import SAMPLES

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
TOKEN = "test-token-0123456789"


@pytest.fixture
def served(library_dir: Path, qapp: Any) -> Iterator[tuple[ApiServer, qasync.QEventLoop]]:
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    lib = Library(library_dir)
    manager = ExtractionManager(lib)
    manager.start()
    server = ApiServer(manager, TOKEN)
    loop.run_until_complete(server.start())
    yield server, loop
    loop.run_until_complete(server.stop())
    # Connection handlers end on the loop's next turns; let them, before it closes.
    pending = asyncio.all_tasks(loop)
    if pending:
        loop.run_until_complete(asyncio.wait(pending, timeout=10))
    manager.shutdown()
    lib.close()
    asyncio.set_event_loop(None)
    loop.close()


def call(
    server: ApiServer,
    loop: qasync.QEventLoop,
    method: str,
    path: str,
    *,
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> tuple[int, Any]:
    async def go() -> tuple[int, Any]:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{server.port}{path}"
            async with session.request(method, url, headers=h, **kwargs) as resp:
                return resp.status, await resp.json(content_type=None)

    return loop.run_until_complete(go())


def wait_for(loop: qasync.QEventLoop, condition: Any, timeout: float = 60) -> None:
    async def go() -> None:
        deadline = loop.time() + timeout
        while not condition():
            assert loop.time() < deadline, "timed out"
            await asyncio.sleep(0.02)

    loop.run_until_complete(go())


def test_every_endpoint(served: tuple[ApiServer, qasync.QEventLoop]) -> None:
    server, loop = served
    manager = server.manager
    manager.pause()
    status, queued = call(server, loop, "POST", "/api/v1/sources", json={"path": str(TRIVIAL)})
    assert status == 202 and queued[0]["taskType"] == "import" and queued[0]["canCancel"]
    task_id = queued[0]["id"]
    status, active = call(server, loop, "GET", "/api/v1/tasks")
    assert status == 200 and [t["id"] for t in active] == [task_id]
    assert set(active[0]) >= {
        "id",
        "taskType",
        "status",
        "sourceId",
        "pageId",
        "scheduledAt",
        "canCancel",
    }
    status, one = call(server, loop, "GET", f"/api/v1/tasks/{task_id}")
    assert status == 200 and one["status"] == "pending"
    status, cancelled = call(server, loop, "DELETE", f"/api/v1/tasks/{task_id}")
    assert status == 200 and cancelled["status"] == "cancelled"
    assert manager.get(task_id).status is TaskStatus.CANCELLED  # type: ignore[union-attr]
    status, again = call(server, loop, "DELETE", f"/api/v1/tasks/{task_id}")
    assert status == 409 and "already cancelled" in again["error"]
    status, history = call(server, loop, "GET", "/api/v1/tasks?all=1")
    assert [t["status"] for t in history] == ["cancelled"]
    status, by_status = call(server, loop, "GET", "/api/v1/tasks?status=cancelled")
    assert [t["id"] for t in by_status] == [task_id]
    manager.resume()
    call(server, loop, "POST", "/api/v1/sources", json={"path": str(TRIVIAL)})
    wait_for(loop, manager.is_idle)
    status, sources = call(server, loop, "GET", "/api/v1/sources")
    assert status == 200 and [s["name"] for s in sources] == [TRIVIAL.name]
    status, pages = call(server, loop, "GET", f"/api/v1/sources/{sources[0]['id']}/pages")
    assert status == 200 and "Lorem" in pages[0]["text"]
    status, hits = call(server, loop, "GET", "/api/v1/search?q=takimata")
    assert status == 200 and hits[0]["pageNumber"] == 1 and "[takimata]" in hits[0]["snippet"]
    status, doc = call(server, loop, "GET", "/api/v1/openapi.json")
    assert status == 200 and "/api/v1/tasks/{task_id}" in doc["paths"]


def test_cancel_many_and_all(served: tuple[ApiServer, qasync.QEventLoop]) -> None:
    server, loop = served
    server.manager.pause()
    ids = [t.id for t in server.manager.import_files([TRIVIAL] * 3)]
    status, out = call(server, loop, "DELETE", "/api/v1/tasks", json={"ids": [ids[0], 9999]})
    assert (
        status == 200 and out["cancelled"] == [ids[0]] and out["skipped"] == {"9999": "not found"}
    )
    status, out = call(server, loop, "DELETE", "/api/v1/tasks", json={"all": True})
    assert status == 200 and sorted(out["cancelled"]) == ids[1:]


@pytest.mark.parametrize(
    ("headers", "token", "code"),
    [
        ({}, None, 401),
        ({}, "wrong-token", 401),
        ({"Origin": "http://evil.example"}, TOKEN, 403),
        ({"Host": "evil.example"}, TOKEN, 403),
        ({"Host": "127.0.0.1.evil.example:80"}, TOKEN, 403),
    ],
)
def test_token_host_and_origin(
    served: tuple[ApiServer, qasync.QEventLoop],
    headers: dict[str, str],
    token: str | None,
    code: int,
) -> None:
    server, loop = served
    status, body = call(server, loop, "GET", "/api/v1/tasks", token=token, headers=headers)
    assert status == code and body["error"].endswith(".")


def test_bad_input(served: tuple[ApiServer, qasync.QEventLoop], tmp_path: Path) -> None:
    server, loop = served
    assert call(server, loop, "GET", "/api/v1/tasks/12345")[0] == 404
    assert call(server, loop, "GET", "/api/v1/tasks/abc")[0] == 400
    assert call(server, loop, "DELETE", "/api/v1/tasks/0")[0] == 404
    assert call(server, loop, "GET", "/api/v1/tasks?status=bogus")[0] == 400
    assert call(server, loop, "GET", "/api/v1/sources/77/pages")[0] == 404
    assert call(server, loop, "GET", "/api/v1/search")[0] == 400
    status, body = call(server, loop, "DELETE", "/api/v1/tasks", data=b"{not json")
    assert status == 400 and "not valid JSON" in body["error"]
    assert call(server, loop, "DELETE", "/api/v1/tasks", json=[1, 2])[0] == 400
    assert call(server, loop, "DELETE", "/api/v1/tasks", json={"ids": ["x"]})[0] == 400
    status, body = call(
        server, loop, "POST", "/api/v1/sources", json={"path": str(tmp_path / "no")}
    )
    assert status == 404 and "does not exist" in body["error"]
    assert call(server, loop, "POST", "/api/v1/sources", json={"path": "relative.pdf"})[0] == 400
    huge = b'{"ids": [' + b"1," * 2_000_000 + b"1]}"
    assert call(server, loop, "DELETE", "/api/v1/tasks", data=io.BytesIO(huge))[0] == 413


def test_token_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "api-token"
    token = load_or_create_token(path)
    assert len(token) >= 32 and load_or_create_token(path) == token
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_api_cancel_shows_in_the_open_tasks_page(
    served: tuple[ApiServer, qasync.QEventLoop], qtbot: Any, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from app.ui.tasks.cells import Column
    from app.ui.tasks.page import TasksPage

    server, loop = served
    manager = server.manager
    manager.pause()
    page = TasksPage(
        manager, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(page)
    page.show()
    (task,) = manager.import_files([TRIVIAL])
    qtbot.waitUntil(lambda: page.model.row_of(task.id) is not None, timeout=5000)
    status, _ = call(server, loop, "DELETE", f"/api/v1/tasks/{task.id}")
    assert status == 200

    def shown() -> bool:
        row = page.model.row_of(task.id)
        assert row is not None
        cell = page.model.index(row, Column.STATUS)
        return bool(
            page.model.counts().get(TaskStatus.CANCELLED) == 1
            and page.model.data(cell) == "Cancelled"
        )

    qtbot.waitUntil(shown, timeout=1000)  # the bound: within a second


def test_lists_come_a_page_at_a_time(served: tuple[ApiServer, qasync.QEventLoop]) -> None:
    server, loop = served
    manager = server.manager
    manager.pause()
    manager.import_files([TRIVIAL] * 5)  # five import tasks waiting

    async def page(path: str) -> tuple[int, Any, str | None]:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{server.port}{path}"
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with session.get(url, headers=headers) as resp:
                return resp.status, await resp.json(), resp.headers.get("X-Next-Offset")

    status, first, more = loop.run_until_complete(page("/api/v1/tasks?limit=2"))
    assert (status, len(first), more) == (200, 2, "2")
    _, rest, more = loop.run_until_complete(page("/api/v1/tasks?limit=10&offset=2"))
    assert len(rest) == 3 and more is None
    assert {t["id"] for t in first} | {t["id"] for t in rest} == {t.id for t in manager.tasks()}
    _, history, more = loop.run_until_complete(page("/api/v1/tasks?all=1&limit=4"))
    assert (len(history), more) == (4, "4")
    status, error, _ = loop.run_until_complete(page("/api/v1/tasks?limit=0"))
    assert status == 400 and "limit must be between 1 and 10000" in error["error"]


def test_trash_and_collections_through_the_api(
    served: tuple[ApiServer, qasync.QEventLoop],
) -> None:
    server, loop = served
    manager = server.manager
    call(server, loop, "POST", "/api/v1/sources", json={"path": str(TRIVIAL)})
    wait_for(loop, lambda: bool(manager.library.sources()) and manager.is_idle())
    (source,) = manager.library.sources()
    work = manager.library.create_collection("Work")
    status, hits = call(server, loop, "GET", "/api/v1/search?q=takimata&collection=work")
    assert status == 200 and hits == []
    manager.library.add_to_collection(work.id, [source.id])
    status, hits = call(server, loop, "GET", "/api/v1/search?q=takimata&collection=Work")
    assert status == 200 and [h["sourceId"] for h in hits] == [source.id]
    status, listed = call(server, loop, "GET", "/api/v1/sources?collection=Work")
    assert status == 200 and [s["id"] for s in listed] == [source.id]
    status, missing = call(server, loop, "GET", "/api/v1/sources?collection=Holidays")
    assert status == 404 and "no collection named “Holidays”" in missing["error"]

    status, trashed = call(server, loop, "DELETE", f"/api/v1/sources/{source.id}")
    assert status == 200 and trashed["id"] == source.id and trashed["trashedAt"]
    assert trashed["names"] == [TRIVIAL.name] and trashed["title"] is None  # as a Source
    assert hits[0]["sourceNames"] == [TRIVIAL.name]  # with a collection, as without
    status, again = call(server, loop, "DELETE", f"/api/v1/sources/{source.id}")
    assert status == 409 and "already in the trash" in again["error"]
    assert call(server, loop, "GET", "/api/v1/sources")[1] == []
    assert call(server, loop, "GET", "/api/v1/search?q=takimata")[1] == []
    status, pages = call(server, loop, "GET", f"/api/v1/sources/{source.id}/pages")
    assert status == 404 and "in the trash" in pages["error"]
