"""Files and folders made to hang or crash an import: each ends with a sentence."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import FolioError
from app.extraction import filetype
from app.extraction.filetype import MAX_FILE_BYTES, sniff
from app.services.walk import MAX_DEPTH, collect_files
from tests.conftest import SAMPLES

PDF = SAMPLES / "001-trivial" / "minimal-document.pdf"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


def folio(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


@needs_fifo
def test_a_named_pipe_beside_a_pdf_does_not_hang_the_import(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(PDF, folder / "good.pdf")
    os.mkfifo(folder / "x.pdf")
    library = tmp_path / "Library"
    done = folio("--library", library, "import", folder, "--wait", timeout=90)
    assert done.returncode == 0, done.stderr
    assert f"{folder / 'x.pdf'} is a named pipe" in done.stderr
    listed = folio("--library", library, "sources", "--json")
    assert [s["name"] for s in json.loads(listed.stdout)] == ["good.pdf"]


@needs_fifo
def test_a_named_pipe_given_by_name_fails_its_task_with_a_sentence(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "scan.pdf")
    done = folio("--library", tmp_path / "Library", "import", tmp_path / "scan.pdf", "--wait")
    assert done.returncode == 1
    assert "scan.pdf is a named pipe, not a document file" in done.stderr


@needs_fifo
def test_sniff_refuses_a_pipe_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "x.pdf"
    os.mkfifo(pipe)
    outcome: list[FolioError] = []

    def read_head() -> None:
        try:
            sniff(pipe)
        except FolioError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read_head, daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # unblock the reader before failing
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    assert not reader.is_alive(), "reading a named pipe waited for a writer"
    assert outcome and "named pipe" in outcome[0].message


@needs_fifo
def test_a_pipe_swapped_in_after_the_check_is_refused_unread(tmp_path: Path) -> None:
    """The open never blocks: what is opened is checked again before reading."""
    pipe = tmp_path / "x.pdf"
    os.mkfifo(pipe)
    fd = os.open(pipe, filetype._OPEN_FLAGS)  # would wait for a writer if it could block
    try:
        with pytest.raises(FolioError, match="named pipe"):
            filetype.check_readable(pipe, os.fstat(fd))
    finally:
        os.close(fd)


def test_a_file_above_the_size_cap_is_refused_with_its_name(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    with open(huge, "wb") as fh:
        fh.write(PDF.read_bytes())
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: no real disk space used
    with pytest.raises(FolioError, match=r"huge\.pdf is larger than 2 GiB") as refused:
        sniff(huge)
    assert "split it" in refused.value.message
    done = folio("--library", tmp_path / "Library", "import", huge, "--wait")
    assert done.returncode == 1
    assert "huge.pdf is larger than 2 GiB" in done.stderr


@pytest.fixture
def deep_tree() -> Iterator[Path]:
    """Where a deep tree goes: outside pytest's folders (its clean-up recurses), removed
    bottom up."""
    base = Path(tempfile.mkdtemp(prefix="folio-deep-"))
    top = base / "drop"
    yield top
    here = os.getcwd()
    try:
        os.chdir(top)
        depth = 0
        while os.path.isdir("d"):
            os.chdir("d")
            depth += 1
        for _ in range(depth):
            for name in os.listdir("."):
                if name != "d":
                    os.unlink(name)
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(here)
        shutil.rmtree(base, ignore_errors=True)


def _nest(top: Path, depth: int) -> Path:
    """`top/d/d/…` `depth` folders deep (made relative to stay within path limits)."""
    here = os.getcwd()
    top.mkdir(parents=True)
    os.chdir(top)
    try:
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        shutil.copy(PDF, "deep.pdf")
    finally:
        os.chdir(here)
    return top.joinpath(*["d"] * depth)


def test_a_folder_nested_a_thousand_deep_is_skipped_with_a_sentence(deep_tree: Path) -> None:
    top = deep_tree
    _nest(top, 1000)
    shutil.copy(PDF, top / "top.pdf")
    for check_named in (False, True):
        found = collect_files([top], check_named=check_named)
        assert found.files == [top / "top.pdf"]
        ((folder, sentence),) = found.folders.items()
        assert folder == top.joinpath(*["d"] * (MAX_DEPTH + 1))
        assert sentence.startswith(f"Skipped the folder {folder}: it lies more than")
        assert sentence in found.notes()


def test_folders_within_the_depth_cap_are_walked_in_name_order(deep_tree: Path) -> None:
    top = deep_tree
    deepest = _nest(top, MAX_DEPTH)
    (top / "b").mkdir()
    shutil.copy(PDF, top / "b" / "2.pdf")
    (top / "a").mkdir()
    shutil.copy(PDF, top / "a" / "1.pdf")
    (top / "link").symlink_to(top / "a")  # links to folders are not followed
    found = collect_files([top])
    assert found.files == [top / "a" / "1.pdf", top / "b" / "2.pdf", deepest / "deep.pdf"]
    assert not found.folders


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_is_named(tmp_path: Path) -> None:
    locked = tmp_path / "drop" / "locked"
    locked.mkdir(parents=True)
    locked.chmod(0)
    try:
        found = collect_files([tmp_path / "drop"])
    finally:
        locked.chmod(0o700)
    sentence = f"Folio may not read the folder {locked}; check its permissions."
    assert found.folders == {locked: sentence}
