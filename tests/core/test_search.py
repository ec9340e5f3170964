"""Search does what people type: phrases, OR, exclusions, prefixes, folding, honest counts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.library import Library
from app.core.query import parse_query
from tests.conftest import add_document

#: (document name, page texts): sentences a user knows, so expectations are readable.
DOCUMENTS = {
    "fables.pdf": ["The quick brown fox jumps over the lazy dog.", "A lazy fox sleeps all day."],
    "zoo.pdf": ["The fox is lazy but the dog is not.", "Chapter 3 begins with the bears."],
    "manual.pdf": ["See page 3 of the chapter on bears.", "Grundsteuer und Grundbuch."],
    "letters.pdf": ["Die Miete für März.", "Mein Résumé, Jürgen Müller, ﬁnal version."],
    "invoices.pdf": ["Invoice 1 for the office.", "Invoice 2, paid by e-mail."],
}


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "Library") as lib:
        for n, (name, texts) in enumerate(DOCUMENTS.items()):
            add_document(lib, name, texts, f"{n:02d}")
        yield lib


def found(library: Library, query: str) -> set[tuple[str, int]]:
    return {(h.source_name, h.page_number) for h in library.search(query)}


def test_all_words_must_occur_anywhere(library: Library) -> None:
    assert found(library, "lazy fox") == {("fables.pdf", 1), ("fables.pdf", 2), ("zoo.pdf", 1)}


def test_a_quoted_phrase_is_exact(library: Library) -> None:
    assert found(library, '"lazy fox"') == {("fables.pdf", 2)}
    assert found(library, '"chapter 3"') == {("zoo.pdf", 2)}  # not "page 3 of the chapter"


def test_or_takes_either(library: Library) -> None:
    assert found(library, "Miete OR résumé") == {("letters.pdf", 1), ("letters.pdf", 2)}
    # OR joins the two words beside it; "office" must still occur.
    assert found(library, "bears OR invoice office") == {("invoices.pdf", 1)}


def test_minus_and_not_leave_pages_out(library: Library) -> None:
    assert found(library, "fox -dog") == {("fables.pdf", 2)}
    assert found(library, "fox NOT dog") == {("fables.pdf", 2)}
    assert found(library, 'lazy -"lazy fox"') == {("fables.pdf", 1), ("zoo.pdf", 1)}


def test_prefixes_accents_case_and_ligatures_fold(library: Library) -> None:
    assert found(library, "grund*") == {("manual.pdf", 2)}
    assert found(library, "resume") == {("letters.pdf", 2)}
    assert found(library, "MULLER juergen OR jurgen") == {("letters.pdf", 2)}
    assert found(library, "final") == {("letters.pdf", 2)}
    assert found(library, "e-mail") == {("invoices.pdf", 2)}


@pytest.mark.parametrize(
    "typed",
    [
        '"lazy',
        'lazy"',
        '""',
        "(lazy",
        "lazy)",
        "OR",
        "AND",
        "NOT",
        "-",
        "*",
        "lazy OR",
        "^lazy",
        "NEAR(lazy fox)",
        "lazy:fox",
        "{lazy}",
        "lazy AND fox",
        "'lazy'",
    ],
)
def test_anything_typed_is_never_an_error(library: Library, typed: str) -> None:
    library.search(typed)  # no exception
    library.search_count(typed)


def test_stray_quotes_and_operators_still_find_what_was_meant(library: Library) -> None:
    assert found(library, '"lazy fox') == {("fables.pdf", 2)}  # an unclosed phrase
    assert found(library, "(lazy) fox") == found(library, "lazy fox")
    assert found(library, "OR lazy fox OR") == found(library, "lazy fox")


def test_a_query_of_only_exclusions_gets_a_sentence() -> None:
    query = parse_query("-dog NOT cat")
    assert query.empty and query.problem is not None
    assert "at least one word" in query.problem and "dog" in query.problem


def test_counts_are_every_match_in_pages_and_documents(library: Library) -> None:
    count = library.search_count("the")
    assert (count.pages, count.documents) == (5, 4)
    assert count.summary("the") == "5 pages in 4 documents match “the”"
    every = library.search("the")
    assert len(every) == 5  # no silent cap
    first, rest = library.search("the", 1), library.search("the", -1, 1)
    assert [h.page_id for h in first + rest] == [h.page_id for h in every]


def folio(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_line_prints_every_hit_and_says_how_many(library: Library) -> None:
    folder = library.folder
    library.close()
    many = [f"Invoice {n} of the month." for n in range(250)]
    with Library(folder) as lib:
        add_document(lib, "year.pdf", many, "ff")
    every = folio("--library", folder, "search", "invoice", "--json")
    assert every.returncode == 0, every.stderr
    assert len(json.loads(every.stdout)) == 252
    assert "252 pages in 2 documents match “invoice”." in every.stderr
    some = folio("--library", folder, "search", "invoice", "--limit", "5")
    assert len(some.stdout.splitlines()) == 5
    assert "252 pages in 2 documents match “invoice”; the best 5 shown." in some.stderr
    phrase = folio("--library", folder, "search", '"of the month"', "--json")
    assert len(json.loads(phrase.stdout)) == 250
    nothing = folio("--library", folder, "search", "--", "-invoice")
    assert nothing.returncode == 2 and "at least one word" in nothing.stderr
