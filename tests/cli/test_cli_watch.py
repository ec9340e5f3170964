"""`folio watch DIR` as a user runs it: a real process, a file dropped in, Ctrl+C."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import psutil
import pytest

from app.core.library import Library
from tests.cli.test_cli import folio
from tests.conftest import REPO, SAMPLES

PDF = SAMPLES / "001-trivial" / "minimal-document.pdf"


def lines_of(stream: IO[str]) -> queue.Queue[str | None]:
    """The stream's lines as they come (None at its end), read on a thread."""
    out: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            out.put(line.rstrip("\n"))
        out.put(None)

    threading.Thread(target=read, daemon=True).start()
    return out


def next_line(lines: queue.Queue[str | None], seen: list[str], timeout: float = 60) -> str:
    line = lines.get(timeout=timeout)
    assert line is not None, f"the output ended; before: {seen}"
    seen.append(line)
    return line


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_watch_imports_a_dropped_file_and_stops_cleanly(
    tmp_path: Path, signum: signal.Signals
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    library_dir = tmp_path / "Library"
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "watch", "--library", str(library_dir), str(inbox)],
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers: list[psutil.Process] = []
    try:
        assert proc.stdout is not None and proc.stderr is not None
        out, err = lines_of(proc.stdout), lines_of(proc.stderr)
        said: list[str] = []
        assert next_line(err, said) == f"folio: watching {inbox} (Ctrl+C stops)."
        # Dropped in after it started (a partial download beside it is left alone).
        shutil.copy(PDF, inbox / "other.pdf.part")
        shutil.copy(PDF, inbox / "letter.pdf")
        printed: list[str] = []
        assert next_line(out, printed) == f"{inbox / 'letter.pdf'}: Imported 1 page"
        workers = psutil.Process(proc.pid).children(recursive=True)
        assert workers, "the import ran in no worker process"
        proc.send_signal(signum)
        assert proc.wait(timeout=30) == 0
        assert next_line(err, said) == "folio: stopped watching."
        assert err.get(timeout=10) is None and out.get(timeout=10) is None, said
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    _gone, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, f"left running: {alive}"
    with Library(library_dir, readonly=True) as library:
        assert [s.name for s in library.sources()] == ["letter.pdf"]


def test_watch_refuses_what_is_not_a_folder(tmp_path: Path) -> None:
    proc = folio("watch", "--library", tmp_path / "Library", tmp_path / "missing")
    assert proc.returncode == 2
    missing = tmp_path / "missing"
    assert proc.stderr == f"folio: {missing} does not exist; give the folders to watch.\n"


@pytest.mark.parametrize("command", ["import", "watch"])
def test_ocr_languages_not_installed_are_one_sentence_before_any_work(
    tmp_path: Path, command: str
) -> None:
    """`folio import` and `folio watch` refuse an OCR language that is not installed alike."""
    folder = tmp_path / "in"
    folder.mkdir()
    proc = folio(command, "--library", tmp_path / "Library", folder, "--lang", "xxx")
    assert proc.returncode == 2
    assert proc.stderr.startswith("folio: ") and "xxx" in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "Library" / "files").exists() or not any(
        (tmp_path / "Library" / "files").iterdir()
    )
