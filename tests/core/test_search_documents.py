"""Search grouped by document (best document first, its matching pages counted), and by name."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.library import HIT_END, HIT_START, Library
from app.core.query import name_matches, parse_query
from tests.conftest import add_document

DOCUMENTS = {
    # fox on 3 of 4 pages, once each
    "fables.pdf": ["a fox here", "another fox there", "no animal", "the fox again"],
    # fox on one page, many times: the best single page
    "Résumé 2024.pdf": ["fox fox fox fox fox", "nothing"],
    "zoo_lazy_fox.pdf": ["bears only", "lions only"],
    "invoices.pdf": ["invoice one", "invoice two, by e-mail"],
}


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "Library") as lib:
        for n, (name, texts) in enumerate(DOCUMENTS.items()):
            add_document(lib, name, texts, f"{n:02d}")
        yield lib


def test_documents_come_with_their_match_count_best_first(library: Library) -> None:
    docs = library.search_documents("fox")
    assert [(d.source_name, d.pages) for d in docs] == [("Résumé 2024.pdf", 1), ("fables.pdf", 3)]
    assert docs[0].best_page_number == 1
    assert docs[0].rank <= docs[1].rank
    # The count agrees with the groups.
    count = library.search_count("fox")
    assert (count.pages, count.documents) == (sum(d.pages for d in docs), len(docs))
    # The best page of a document is the first of its pages, best first.
    pages = library.search("fox", source_id=docs[1].source_id)
    assert pages[0].page_number == docs[1].best_page_number
    assert sorted(h.page_number for h in pages) == [1, 2, 4]


def test_documents_page_with_limit_and_offset(library: Library) -> None:
    every = library.search_documents("fox OR invoice")
    assert len(every) == 3
    assert library.search_documents("fox OR invoice", 2) == every[:2]
    assert library.search_documents("fox OR invoice", 2, 2) == every[2:]
    assert library.search_documents("fox OR invoice", -1, 5) == []
    assert library.search_documents("-fox") == []  # nothing to look for


def test_a_documents_pages_page_too(library: Library) -> None:
    source = library.search_documents("fox")[1].source_id
    first = library.search("fox", 2, 0, source_id=source)
    rest = library.search("fox", 2, 2, source_id=source)
    assert len(first) == 2 and len(rest) == 1
    assert {h.page_id for h in first}.isdisjoint(h.page_id for h in rest)
    assert library.search("fox", source_id=10_000) == []


def test_snippets_mark_the_words_of_the_pages_asked_for(library: Library) -> None:
    docs = library.search_documents("invoice")
    snippets = library.snippets("invoice", [docs[0].best_page_id, 999_999])
    assert list(snippets) == [docs[0].best_page_id]
    assert f"{HIT_START}invoice{HIT_END}" in snippets[docs[0].best_page_id]


def test_names_match_folded_by_the_start_of_their_words(library: Library) -> None:
    def named(query: str) -> list[str]:
        return [d.name for d in library.sources_named(query)]

    assert named("resume") == ["Résumé 2024.pdf"]
    assert named("RÉSUMÉ") == ["Résumé 2024.pdf"]
    assert named('"lazy fox"') == ["zoo_lazy_fox.pdf"]  # underscores part words
    assert named("invoice") == ["invoices.pdf"]  # the start of a word
    assert named("voice") == []  # not its middle
    assert named("fox -zoo") == []
    assert named("pdf") == sorted(DOCUMENTS, key=str.casefold)
    assert named("-pdf") == []
    assert named("fables OR resume") == ["fables.pdf", "Résumé 2024.pdf"]


def test_name_matching_needs_something_to_look_for() -> None:
    assert not name_matches(parse_query(""), "a.pdf")
    assert not name_matches(parse_query("-a"), "b.pdf")
    assert name_matches(parse_query("muller"), "Müller, Jürgen.pdf")
    assert name_matches(parse_query("ﬁnal"), "final.pdf")


def test_a_running_query_can_be_interrupted_from_another_thread(library: Library) -> None:
    import sqlite3

    started = threading.Event()

    def slow(*_args: object) -> int:
        started.set()
        return 0

    # A query that never ends on its own (counting without end).
    library._db.create_function("slow", -1, slow)
    timer = threading.Timer(0.2, library.interrupt)
    timer.start()
    with pytest.raises(sqlite3.OperationalError, match="interrupt"):
        library._query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
            "SELECT count(*) FROM n WHERE slow(i) >= 0"
        )
    timer.join()
    assert started.is_set()
    assert library.search_documents("fox")  # the connection still answers
