"""Escape sequences in document names and text never reach the terminal through the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Clears the screen, retitles the window, rings the bell; then a C1 CSI.
HOSTILE = "\x1b[2J\x1b]0;owned\x07\x9b"


def pdf_with_text(text: bytes) -> bytes:
    """A one-page PDF whose text layer holds `text` (a PDF string's body)."""
    content = b"BT /F1 12 Tf 72 700 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def folio(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def assert_printable(done: subprocess.CompletedProcess[str]) -> None:
    for stream in (done.stdout, done.stderr):
        found = CONTROLS.search(stream)
        assert found is None, f"control character {found.group()!r} in {stream!r}"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("printable")
    document = folder / f"evil{HOSTILE}.pdf"
    document.write_bytes(pdf_with_text(b"zebra \\033[2J\\033]0;owned\\007 \\233 quagga"))
    done = folio("--library", folder / "Library", "import", document, "--wait")
    assert done.returncode == 0, done.stderr
    return folder / "Library", document


def test_names_in_listings_are_printable(library: tuple[Path, Path]) -> None:
    folder, _document = library
    listed = folio("--library", folder, "sources")
    assert_printable(listed)
    assert "evil[2J]0;owned.pdf" in listed.stdout
    tasks = folio("--library", folder, "tasks", "--all")
    assert_printable(tasks)
    assert "evil[2J]0;owned" in tasks.stdout


def test_json_keeps_the_name_but_escapes_its_controls(library: tuple[Path, Path]) -> None:
    folder, document = library
    listed = folio("--library", folder, "sources", "--json")
    assert_printable(listed)
    assert [s["name"] for s in json.loads(listed.stdout)] == [document.name]


def test_search_shows_the_text_without_its_controls(library: tuple[Path, Path]) -> None:
    folder, _document = library
    found = folio("--library", folder, "search", "quagga")
    assert_printable(found)
    assert "evil[2J]0;owned.pdf · page 1:" in found.stdout
    assert "[quagga]" in found.stdout  # the hit is still marked


def test_extract_prints_the_text_without_its_controls(library: tuple[Path, Path]) -> None:
    _folder, document = library
    plain = folio("extract", document)
    assert_printable(plain)
    assert "zebra [2J]0;owned  quagga" in plain.stdout
    as_json = folio("extract", document, "--json")
    assert_printable(as_json)
    (line,) = as_json.stdout.splitlines()
    assert json.loads(line)["pages"][0]["text"] == "zebra \x1b[2J\x1b]0;owned\x07 \x9b quagga"


def test_error_sentences_name_the_file_without_its_controls(tmp_path: Path) -> None:
    broken = tmp_path / f"broken{HOSTILE}.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a PDF\n")
    done = folio("--library", tmp_path / "Library", "import", broken, "--wait")
    assert done.returncode == 1
    assert_printable(done)
    assert "broken[2J]0;owned.pdf" in done.stderr
