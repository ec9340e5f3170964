"""One rule for what an import of files and folders takes, whichever front-end asks."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.services.walk import collect_files
from tests.conftest import SAMPLES

PDF = SAMPLES / "001-trivial" / "minimal-document.pdf"
PNG = SAMPLES / "007-imagemagick-images" / "smile.png"


def test_a_folder_is_taken_by_name_or_by_content(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    (folder / "sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    shutil.copy(PDF, folder / "report.PDF")
    shutil.copy(PDF, folder / "sub" / "scan.dat")  # a PDF whatever its name says
    shutil.copy(PNG, folder / "photo")
    (folder / "notes.txt").write_text("just text")
    shutil.copy(PDF, folder / ".hidden" / "secret.pdf")
    shutil.copy(PDF, folder / ".dotfile.pdf")
    expected = [folder / "photo", folder / "report.PDF", folder / "sub" / "scan.dat"]
    for check_named in (False, True):  # the CLI and API, the window's drop
        found = collect_files([folder], check_named=check_named)
        assert found.files == expected
        assert found.unsupported == [folder / "notes.txt"]
        assert "notes.txt" in found.reasons[folder / "notes.txt"]


def test_named_files_are_checked_only_where_asked(tmp_path: Path) -> None:
    text = tmp_path / "letter.txt"
    text.write_text("not a document")
    gone = tmp_path / "gone.pdf"
    headless = collect_files([text, gone, PDF])
    assert headless.files == [text, gone, PDF]  # each import then says what is wrong
    window = collect_files([text, gone, PDF], check_named=True)
    assert window.files == [PDF]
    assert window.unsupported == [text] and window.missing == [gone]
