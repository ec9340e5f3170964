"""Every name a document was imported under, renaming, and the document's own metadata
(the library's side: no Qt)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.docinfo import DocumentInfo, clean_meta, image_page_size, page_size_label
from app.core.library import Library
from app.core.names import InvalidNameError, checked_name, name_problem
from app.core.query import parse_query
from app.services.listing import source_json


def add(lib: Library, sha: str, name: str, path: str) -> int:
    with lib.transaction() as db:
        source, _pages = lib.add_source(
            sha256=sha * 64,
            name=name,
            original_path=path,
            kind="pdf",
            size=10,
            page_count=1,
            db=db,
        )
    return source.id


def import_again(lib: Library, source_id: int, name: str, path: str) -> bool:
    with lib.transaction() as db:
        return lib.add_source_name(db, source_id, name, path)


@pytest.fixture
def lib(library_dir: Path) -> Iterator[Library]:
    library = Library(library_dir)
    yield library
    library.close()


def test_a_document_keeps_every_name_it_was_imported_under(lib: Library) -> None:
    report = add(lib, "a", "report.pdf", "/home/u/report.pdf")
    other = add(lib, "b", "letter.pdf", "/home/u/letter.pdf")
    assert import_again(lib, report, "annual copy.pdf", "/mnt/usb/annual copy.pdf")
    assert import_again(lib, report, "Résumé 2024.pdf", "/home/u/cv/Résumé 2024.pdf")
    # The same file from the same place again adds nothing.
    assert not import_again(lib, report, "annual copy.pdf", "/mnt/usb/annual copy.pdf")
    # The same name from another folder is one name (listed once), two imports.
    assert import_again(lib, report, "report.pdf", "/backup/report.pdf")

    entries = lib.source_names(report)
    assert [e.original_path for e in entries] == [
        "/home/u/report.pdf",
        "/mnt/usb/annual copy.pdf",
        "/home/u/cv/Résumé 2024.pdf",
        "/backup/report.pdf",
    ]
    assert lib.imported_names([report, other]) == {
        report: ["report.pdf", "annual copy.pdf", "Résumé 2024.pdf"],
        other: ["letter.pdf"],
    }
    assert lib.other_names() == {report: ("annual copy.pdf", "Résumé 2024.pdf")}
    source = lib.source(report)
    assert source is not None and source.name == "report.pdf"  # the shown name stays


def test_search_finds_a_document_by_each_of_its_names_folded(lib: Library) -> None:
    report = add(lib, "a", "report.pdf", "/home/u/report.pdf")
    add(lib, "b", "letter.pdf", "/home/u/letter.pdf")
    import_again(lib, report, "annual copy.pdf", "/mnt/annual copy.pdf")
    import_again(lib, report, "Résumé Müller.pdf", "/mnt/Résumé Müller.pdf")

    def found(text: str) -> list[tuple[str, str | None]]:
        return [(d.name, d.matched_as) for d in lib.sources_named(parse_query(text))]

    assert found("report") == [("report.pdf", None)]
    assert found("annual") == [("report.pdf", "annual copy.pdf")]
    assert found("ANNUAL copy") == [("report.pdf", "annual copy.pdf")]
    assert found("resume muller") == [("report.pdf", "Résumé Müller.pdf")]
    assert found("letter OR annual") == [("letter.pdf", None), ("report.pdf", "annual copy.pdf")]
    # Each name is judged alone: "annual copy.pdf" holds no "report", so it answers.
    assert found("annual -report") == [("report.pdf", "annual copy.pdf")]
    assert found("annual -copy") == []


def test_rename_changes_the_shown_name_and_keeps_the_imported_ones(lib: Library) -> None:
    report = add(lib, "a", "report.pdf", "/home/u/report.pdf")
    import_again(lib, report, "annual copy.pdf", "/mnt/annual copy.pdf")
    assert lib.rename_source(report, "  Annual report 2024  ") == "Annual report 2024"
    source = lib.source(report)
    assert source is not None and source.name == "Annual report 2024"
    assert lib.imported_names([report])[report] == ["report.pdf", "annual copy.pdf"]
    # Now both imported names are "other" names, and each still finds it.
    assert lib.other_names() == {report: ("report.pdf", "annual copy.pdf")}
    assert [d.matched_as for d in lib.sources_named(parse_query("report"))] == [None]
    assert [d.matched_as for d in lib.sources_named(parse_query("copy"))] == ["annual copy.pdf"]
    json = source_json(source, None, lib.imported_names([report])[report])
    assert json["name"] == "Annual report 2024"
    assert json["names"] == ["report.pdf", "annual copy.pdf"]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "A name cannot be empty."),
        ("   ", "A name cannot be empty."),
        ("two\nlines", "A name is one line; remove the line breaks."),
        ("tab\x07bell", "A name cannot hold control characters."),
        ("x" * 256, "A name is at most 255 characters long (this one has 256)."),
    ],
)
def test_a_rename_is_refused_with_a_sentence(lib: Library, typed: str, problem: str) -> None:
    report = add(lib, "a", "report.pdf", "/home/u/report.pdf")
    assert name_problem(typed) == problem
    with pytest.raises(InvalidNameError, match=problem.split(" (")[0].rstrip(".")):
        lib.rename_source(report, typed)
    source = lib.source(report)
    assert source is not None and source.name == "report.pdf"


def test_renaming_a_document_that_is_gone_says_so(lib: Library) -> None:
    with pytest.raises(Exception, match="There is no document 42"):
        lib.rename_source(42, "new.pdf")
    assert checked_name(" é.pdf ") == "é.pdf"


def test_document_metadata_is_stored_and_filled_in_only_where_missing(lib: Library) -> None:
    report = add(lib, "a", "report.pdf", "/home/u/report.pdf")
    source = lib.source(report)
    assert source is not None
    assert (source.title, source.author, source.page_width) == (None, None, None)
    with lib.transaction() as db:
        lib.set_document_info(db, report, DocumentInfo(None, "Jane", 612, 792), only_missing=True)
    with lib.transaction() as db:
        info = DocumentInfo("Annual report", "Someone else", 595.28, 841.89)
        lib.set_document_info(db, report, info, only_missing=True)
    source = lib.source(report)
    assert source is not None
    assert (source.title, source.author) == ("Annual report", "Jane")
    assert (source.page_width, source.page_height) == (612, 792)
    out = source.to_json()
    assert out["title"] == "Annual report" and out["author"] == "Jane"
    assert out["pageSize"] == "Letter" and out["pageWidth"] == 612


@pytest.mark.parametrize(
    ("width", "height", "label"),
    [
        (595.28, 841.89, "A4"),
        (595, 842, "A4"),
        (841.89, 595.28, "A4 landscape"),
        (612, 792, "Letter"),
        (612, 1008, "Legal"),
        (419.53, 595.28, "A5"),
        (500, 500, "176 × 176 mm"),
        (283.46, 425.2, "100 × 150 mm"),
        (None, 792, ""),
    ],
)
def test_page_sizes_are_named_as_people_name_them(
    width: float | None, height: float | None, label: str
) -> None:
    assert page_size_label(width, height) == label


def test_metadata_is_cleaned_and_image_sizes_need_a_believable_resolution() -> None:
    assert clean_meta("  Annual\x00 report\n\t2024 ") == "Annual report 2024"
    assert clean_meta("   ") is None and clean_meta(b"x") is None
    assert len(clean_meta("x" * 2000) or "") == 500
    assert image_page_size((2480, 3508), (300, 300)) == pytest.approx((595.2, 841.92))
    assert image_page_size((2480, 3508), (1, 1)) is None  # a JPEG's bare aspect ratio
    assert image_page_size((2480, 3508), None) is None
    info = DocumentInfo.from_values("T", 7, float("nan"), 10)
    assert info == DocumentInfo("T", None, None, None)
