"""`--password`, the terminal's question, and the sentence when nobody can be asked."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.library import Library
from tests.cli.test_cli import assert_clean_stderr
from tests.locked import PASSWORD, make_locked, starts_right


def folio(
    *args: str | Path, stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    """The command as a script runs it: no terminal on stdin."""
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )


def at_terminal(*args: str | Path, typed: list[str]) -> subprocess.CompletedProcess[str]:
    """The command run with a terminal on stdin; each of `typed` is typed at a question.

    A line is typed only once its question shows: getpass drops what was typed before.
    """
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", *map(str, args)],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        # No controlling terminal: getpass asks on stdin (this pty), never on the
        # terminal the tests may run in.
        start_new_session=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    out, err = b"", b""
    answers = iter(typed)
    asked = 0
    deadline = time.monotonic() + 240
    try:
        streams = {proc.stdout.fileno(): "out", proc.stderr.fileno(): "err"}
        while streams and time.monotonic() < deadline:
            ready, _, _ = select.select(list(streams), [], [], 1.0)
            for fd in ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    del streams[fd]
                elif streams[fd] == "out":
                    out += chunk
                else:
                    err += chunk
            while err.count(b"Password for ") > asked:
                asked += 1
                answer = next(answers, None)
                if answer is not None:
                    os.write(controller, f"{answer}\n".encode())
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        os.close(controller)
        os.close(terminal)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode(), err.decode())


@pytest.fixture(params=["AES-256", "RC4-128"])
def locked(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return make_locked(tmp_path / "locked.pdf", algorithm=str(request.param))


def pages_of(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The text of each page `folio extract` printed."""
    chunks = proc.stdout.split("==> ")[1:]
    return [chunk.split("<==\n", 1)[1].strip() for chunk in chunks]


def test_extract_with_the_password_reads_every_page(locked: Path) -> None:
    proc = folio("extract", locked, "--password", PASSWORD)
    assert proc.returncode == 0, proc.stderr
    assert starts_right(pages_of(proc))  # type: ignore[arg-type]


def test_extract_with_a_wrong_password_names_the_file_and_fails(locked: Path) -> None:
    proc = folio("extract", locked, "--password", "not it")
    assert proc.returncode == 1
    assert_clean_stderr(proc)
    assert proc.stderr.strip() == (
        f"folio: The password given does not open {locked}; pass the right one with --password."
    )
    assert proc.stdout == ""


def test_without_a_terminal_it_says_to_pass_the_password(locked: Path) -> None:
    proc = folio("extract", locked)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"folio: {locked} is protected by a password; pass it with --password "
        "(or run in a terminal)."
    )


def test_at_a_terminal_it_asks_again_after_a_wrong_password(locked: Path) -> None:
    proc = at_terminal("extract", locked, typed=["wrong guess", PASSWORD])
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("Password for locked.pdf: ") == 2
    assert "That password does not open locked.pdf — try again." in proc.stderr
    assert starts_right(pages_of(proc))  # type: ignore[arg-type]
    assert PASSWORD not in proc.stdout + proc.stderr


def test_at_a_terminal_it_gives_up_after_three_tries(locked: Path) -> None:
    proc = at_terminal("extract", locked, typed=["one", "two", "three", PASSWORD])
    assert proc.returncode == 1
    assert proc.stderr.count("Password for locked.pdf: ") == 3
    assert f"None of the passwords tried opens {locked}" in proc.stderr


def test_import_with_the_password_then_the_text_is_in_the_library(
    locked: Path, tmp_path: Path
) -> None:
    library = tmp_path / "lib"
    wrong = folio("--library", library, "import", locked, "--password", "nope")
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == (
        "folio: The password given does not open locked.pdf; pass the right one with --password."
    )
    right = folio("--library", library, "import", locked, "--password", PASSWORD)
    assert right.returncode == 0, right.stderr
    lib = Library(library, readonly=True)
    try:
        (source,) = lib.sources()
        assert starts_right([p.text for p in lib.pages(source.id)])
    finally:
        lib.close()
    for path in library.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_import_without_a_terminal_fails_with_one_sentence(locked: Path, tmp_path: Path) -> None:
    proc = folio("--library", tmp_path / "lib", "import", locked)
    assert proc.returncode == 1
    assert_clean_stderr(proc)
    assert (
        "folio: locked.pdf is protected by a password; pass it with --password "
        "(or run in a terminal)."
    ) in proc.stderr.splitlines()
    # A script tells the waiting task by a field, not by its wording.
    listed = folio("--library", tmp_path / "lib", "tasks", "--all", "--json")
    (task,) = json.loads(listed.stdout)
    assert task["status"] == "failed" and task["needsPassword"] is True


def test_import_at_a_terminal_asks_and_reads_every_page(locked: Path, tmp_path: Path) -> None:
    library = tmp_path / "lib"
    proc = at_terminal("--library", library, "import", locked, typed=["guess", PASSWORD])
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("Password for locked.pdf: ") == 2
    lib = Library(library, readonly=True)
    try:
        (source,) = lib.sources()
        assert starts_right([p.text for p in lib.pages(source.id)])
    finally:
        lib.close()


def test_searchable_pdf_with_the_password_stays_locked(locked: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "searchable.pdf"
    proc = folio("searchable-pdf", locked, out, "--password", PASSWORD, "--lang", "eng")
    assert proc.returncode == 0, proc.stderr
    reader = PdfReader(out)
    assert reader.is_encrypted and not reader.decrypt("")
    assert reader.decrypt(PASSWORD)
    assert starts_right([page.extract_text() for page in reader.pages])
    refused = folio("searchable-pdf", locked, tmp_path / "other.pdf")
    assert refused.returncode == 1 and "pass it with --password" in refused.stderr
