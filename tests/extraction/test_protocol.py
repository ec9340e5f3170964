"""The worker protocol: typed requests, read back the same; anything else is refused."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.extraction.client import WorkerPool
from app.extraction.protocol import (
    PageReply,
    PageRequest,
    ProbeReply,
    ProbeRequest,
    WorkerRequest,
    parse_reply,
    parse_request,
    to_wire,
)
from tests.conftest import SAMPLES


def test_requests_travel_as_json_and_come_back_the_same() -> None:
    for request in (
        ProbeRequest("/x/a.pdf", "a.pdf"),
        PageRequest("/x/a.pdf", "a.pdf", "pdf", 3, ocr="always", lang="deu"),
    ):
        assert parse_request(json.loads(json.dumps(to_wire(request)))) == request


@pytest.mark.parametrize(
    "line", ["[1, 2]", '{"op": "format-disk"}', '{"op": "page", "path": "/x"}', '"probe"']
)
def test_a_worker_answers_a_bad_request_with_a_sentence_and_carries_on(line: str) -> None:
    # A real worker process (it limits its own memory, so never in this one).
    proc = subprocess.run(
        [sys.executable, "-m", "app.extraction.worker"],
        input=line + "\n" + json.dumps({"op": "ping"}) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    bad, ping = (json.loads(x) for x in proc.stdout.splitlines())
    assert bad["ok"] is False and bad["error"].startswith("Bad request: ")
    assert ping["ok"] is True


def test_a_real_worker_answers_in_the_reply_types() -> None:
    pdf = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
    pool = WorkerPool(keep_idle=1)
    try:
        with pool.worker() as worker:
            probe = worker.ask(ProbeRequest(str(pdf), pdf.name), 60)
            page = worker.ask(PageRequest(str(pdf), pdf.name, probe.kind, 2, ocr="never"), 60)
    finally:
        pool.close()
    assert isinstance(probe, ProbeReply) and (probe.kind, probe.pages) == ("pdf", 4)
    assert (probe.page_width, probe.page_height) == (595.28, 841.89)  # A4, read at the probe
    assert isinstance(page, PageReply) and page.method == "text-layer"
    assert len(page.text.split()) > 50 and page.confidence is None


@pytest.mark.parametrize(
    ("request_", "data", "why"),
    [
        (ProbeRequest("/x", "x"), [1], "JSON object"),
        (ProbeRequest("/x", "x"), {"kind": "pdf"}, "pages"),
        (ProbeRequest("/x", "x"), {"kind": "pdf", "pages": "4"}, "pages is str"),
        (ProbeRequest("/x", "x"), {"kind": "pdf", "pages": True}, "pages is bool"),
        (ProbeRequest("/x", "x"), {"kind": "pdf", "pages": -1}, "negative"),
        (PageRequest("/x", "x", "pdf", 1), {"text": "a", "method": "magic"}, "unknown method"),
        (PageRequest("/x", "x", "pdf", 1), {"text": None, "method": "ocr"}, "text is NoneType"),
    ],
)
def test_a_reply_that_is_not_one_is_refused(
    request_: WorkerRequest, data: object, why: str
) -> None:
    with pytest.raises(ValueError, match=why):
        parse_reply(request_, data)


def test_replies_keep_what_they_know_and_ignore_what_a_newer_worker_adds() -> None:
    reply = parse_reply(ProbeRequest("/x", "x"), {"kind": "tiff", "pages": 3, "colour": "red"})
    assert reply == ProbeReply(kind="tiff", pages=3)
    page = parse_reply(
        PageRequest("/x", "x", "pdf", 1), {"text": "a b", "method": "ocr", "confidence": 91}
    )
    assert page == PageReply(text="a b", method="ocr", confidence=91)
