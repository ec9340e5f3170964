"""A file's type is told by its content, not its name."""

from pathlib import Path

import pytest

from app.core.errors import FolioError
from app.extraction.filetype import FileKind, sniff
from tests.conftest import HOSTILE, SAMPLES


def test_pdf_named_fuzz_is_a_pdf() -> None:
    fuzz = next(p for p in sorted((HOSTILE / "qpdf-fuzz").iterdir()) if sniff_ok(p))
    assert sniff(fuzz) is FileKind.PDF


def sniff_ok(path: Path) -> bool:
    try:
        return sniff(path) is FileKind.PDF
    except FolioError:
        return False


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("007-imagemagick-images/smile.png", FileKind.PNG),
        ("007-imagemagick-images/smile.jpg", FileKind.JPEG),
        ("007-imagemagick-images/smile.tiff", FileKind.TIFF),
        ("001-trivial/minimal-document.pdf", FileKind.PDF),
    ],
)
def test_corpus_kinds(rel: str, kind: FileKind) -> None:
    assert sniff(SAMPLES / rel) is kind


def test_text_file_named_png_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "list.png"
    fake.write_text("/etc/passwd\n/etc/hostname\n")
    with pytest.raises(FolioError, match=r"list\.png is not a PDF or an image") as refused:
        sniff(fake)
    # Named like an image: the advice is not "convert it to PDF".
    assert "damaged or another kind of file" in refused.value.message
    other = tmp_path / "notes.txt"
    other.write_text("just notes")
    with pytest.raises(FolioError, match=r"notes\.txt .*; convert it to PDF to import it\."):
        sniff(other)


def test_empty_file_says_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(FolioError, match="empty"):
        sniff(empty)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FolioError, match="does not exist"):
        sniff(tmp_path / "nope.pdf")


def test_renamed_image_is_still_an_image(tmp_path: Path) -> None:
    renamed = tmp_path / "photo.pdf"
    renamed.write_bytes((SAMPLES / "007-imagemagick-images/smile.png").read_bytes())
    assert sniff(renamed) is FileKind.PNG
