"""Random and mutated bytes through the real readers: always an answer or a sentence."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import FolioError
from app.extraction.client import PAGE_TIMEOUT, PROBE_TIMEOUT, WorkerPool
from app.extraction.protocol import PageRequest, ProbeRequest
from tests.conftest import SAMPLES

SEEDS = [
    (SAMPLES / "001-trivial" / "minimal-document.pdf").read_bytes(),
    (SAMPLES / "026-latex-multicolumn" / "multicolumn.pdf").read_bytes(),
    (SAMPLES / "007-imagemagick-images" / "smile.png").read_bytes(),
    (SAMPLES / "007-imagemagick-images" / "smile.tiff").read_bytes(),
    (SAMPLES / "007-imagemagick-images" / "smile.jpg").read_bytes(),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[at : at + draw(st.integers(1, 4096))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif data:
            data[at : at + 64] = bytes(min(64, len(data) - at))
    return bytes(data)


def read_everything(pool: WorkerPool, path: Path) -> None:
    try:
        with pool.worker() as w:
            info = w.request(ProbeRequest(str(path), path.name), PROBE_TIMEOUT)
            for number in range(1, min(int(info["pages"]), 3) + 1):
                try:
                    w.request(
                        PageRequest(str(path), path.name, str(info["kind"]), number, "never"),
                        PAGE_TIMEOUT,
                    )
                except FolioError as exc:
                    assert exc.message.endswith("."), exc.message
    except FolioError as exc:
        assert exc.message.endswith("."), exc.message


def test_mutated_documents_never_crash_the_caller() -> None:
    pool = WorkerPool(keep_idle=1)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(mutated(), st.binary(max_size=2048)))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "fuzzed.pdf"
            path.write_bytes(data)
            read_everything(pool, path)

    try:
        check()
    finally:
        pool.close()
