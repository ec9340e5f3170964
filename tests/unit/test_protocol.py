"""The worker protocol: typed requests, read back the same; anything else is refused."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.extraction.protocol import PageRequest, ProbeRequest, parse_request, to_wire


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
