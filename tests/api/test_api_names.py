"""The API's sources and hits carry every name a document was imported under."""

from __future__ import annotations

import shutil
from pathlib import Path

import qasync

from app.api.server import ApiServer
from tests.api.test_api import call, served, wait_for
from tests.docs import pdf_with_metadata

__all__ = ["served"]


def test_sources_and_hits_give_every_imported_name(
    served: tuple[ApiServer, qasync.QEventLoop], tmp_path: Path
) -> None:
    server, loop = served
    report = pdf_with_metadata(tmp_path / "report.pdf", text="walrus", author=None)
    copy = tmp_path / "copies" / "annual copy.pdf"
    copy.parent.mkdir()
    shutil.copyfile(report, copy)
    for path in (report, copy):
        status, _queued = call(server, loop, "POST", "/api/v1/sources", json={"path": str(path)})
        assert status == 202
        wait_for(loop, server.manager.is_idle)
    status, sources = call(server, loop, "GET", "/api/v1/sources")
    assert status == 200
    (source,) = sources
    assert source["name"] == "report.pdf"
    assert source["names"] == ["report.pdf", "annual copy.pdf"]
    assert (source["title"], source["author"], source["pageSize"]) == (
        "Annual report 2024",
        None,
        "Letter",
    )
    status, hits = call(server, loop, "GET", "/api/v1/search?q=walrus")
    assert status == 200 and hits[0]["sourceNames"] == ["report.pdf", "annual copy.pdf"]
    status, doc = call(server, loop, "GET", "/api/v1/openapi.json")
    assert "names" in doc["components"]["schemas"]["Source"]["properties"]
