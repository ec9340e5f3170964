"""The trash and collections in the library: what lists, counts and search see, and what stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import FolioError
from app.core.library import Library
from tests.conftest import add_document


def ids(library: Library, **kwargs: int) -> list[int]:
    return [s.id for s in library.sources(**kwargs)]


@pytest.fixture
def three(library: Library) -> list[int]:
    add_document(library, "alpha.pdf", ["the lazy fox", "nothing"], "a1")
    add_document(library, "beta.pdf", ["a lazy dog"], "b2")
    add_document(library, "gamma.pdf", ["lazy cats everywhere"], "c3")
    return [s.id for s in sorted(library.sources(), key=lambda s: s.id)]


def test_trashed_documents_leave_the_list_the_search_and_come_back(
    library: Library, three: list[int]
) -> None:
    alpha, beta, gamma = three
    assert library.trash_sources([beta, alpha, beta, 999]) == [beta, alpha]
    assert library.trash_sources([beta]) == []  # already there
    assert ids(library) == [gamma]
    assert [h.source_id for h in library.search("lazy")] == [gamma]
    assert library.search_count("lazy").documents == 1
    assert [m.source_id for m in library.search_documents("lazy")] == [gamma]
    assert library.sources_named("beta") == []
    assert library.trash_count() == 2
    assert {t.source.id for t in library.trashed_sources()} == {alpha, beta}
    # Still whole: its pages and text are kept while it is in the trash.
    assert library.source(alpha) is not None and library.is_trashed(alpha)
    assert library.pages(alpha)[0].text == "the lazy fox"

    restored = library.restore_sources([alpha, gamma])
    assert [s.id for s in restored] == [alpha]
    assert sorted(ids(library)) == [alpha, gamma]
    assert {h.source_id for h in library.search("lazy")} == {alpha, gamma}
    assert library.sources_named("alpha")[0].source_id == alpha


def test_collections_filter_lists_and_search(library: Library, three: list[int]) -> None:
    alpha, beta, gamma = three
    work = library.create_collection("  Work  ")
    assert work.name == "Work"
    with pytest.raises(FolioError, match="already a collection named “Work”"):
        library.create_collection("WORK")
    with pytest.raises(FolioError, match="needs a name"):
        library.create_collection("   ")
    umlaut = library.create_collection("Ärger")
    with pytest.raises(FolioError, match="already"):
        library.create_collection("ärger")  # case ignored beyond ASCII too
    assert library.add_to_collection(work.id, [alpha, gamma, gamma]) == 2
    assert library.add_to_collection(work.id, [alpha]) == 0
    assert library.add_to_collection(umlaut.id, [alpha]) == 1  # in several
    assert sorted(ids(library, collection_id=work.id)) == [alpha, gamma]
    assert {h.source_id for h in library.search("lazy", collection_id=work.id)} == {alpha, gamma}
    assert library.search_count("lazy", collection_id=umlaut.id).documents == 1
    assert library.sources_named("gamma", collection_id=umlaut.id) == []
    assert [(c.name, c.count) for c in library.collections()] == [("Ärger", 1), ("Work", 2)]
    assert library.collection_named("work") == library.collection(work.id)

    library.trash_sources([gamma])
    counts = library.sidebar_counts()
    assert counts.trash == 1 and counts.collections == {work.id: 1, umlaut.id: 1}
    assert ids(library, collection_id=work.id) == [alpha]
    assert library.collection_members(work.id) == {alpha, gamma}  # still a member
    library.restore_sources([gamma])

    renamed = library.rename_collection(work.id, "Office")
    assert renamed.name == "Office" and renamed.count == 2
    with pytest.raises(FolioError):
        library.rename_collection(work.id, "ÄRGER")
    assert library.remove_from_collection(work.id, [alpha, beta]) == 1
    library.delete_collection(work.id)
    assert [c.name for c in library.collections()] == ["Ärger"]
    assert sorted(ids(library)) == [alpha, beta, gamma]  # its documents stay


def test_trash_and_collections_survive_reopening(library_dir: Path) -> None:
    with Library(library_dir) as lib:
        add_document(lib, "kept.pdf", ["text"], "d4")
        add_document(lib, "binned.pdf", ["text"], "e5")
        kept, binned = sorted(s.id for s in lib.sources())
        lib.trash_sources([binned])
        lib.add_to_collection(lib.create_collection("Taxes").id, [kept, binned])
    with Library(library_dir) as lib:
        assert [s.id for s in lib.sources()] == [kept]
        assert [t.source.id for t in lib.trashed_sources()] == [binned]
        assert [(c.name, c.count) for c in lib.collections()] == [("Taxes", 1)]


def test_only_files_no_source_uses_are_unused(library: Library, three: list[int]) -> None:
    alpha = three[0]
    source = library.source(alpha)
    assert source is not None
    assert library.unused_hashes([source.sha256, "f" * 64]) == ["f" * 64]


def test_a_trashed_documents_names_find_nothing(library: Library, three: list[int]) -> None:
    """Every name a document was imported under leaves with it and comes back with it."""
    alpha, beta, _gamma = three
    with library.transaction() as db:
        library.add_source_name(db, beta, "annual copy.pdf", "/usb/annual copy.pdf")
    library.rename_source(alpha, "Renamed fox.pdf")
    assert [d.source_id for d in library.sources_named("annual")] == [beta]
    assert set(library.other_names()) == {alpha, beta}

    library.trash_sources([alpha, beta])
    assert library.sources_named("annual") == []
    assert library.sources_named("alpha") == []  # the name it was imported under
    assert library.other_names() == {}
    # The trash (and the API's answer for it) still knows them.
    assert library.imported_names([beta])[beta] == ["beta.pdf", "annual copy.pdf"]
    assert library.trashed_sources()[0].source.title is None  # every Source column read

    library.restore_sources([beta])
    assert [(d.source_id, d.matched_as) for d in library.sources_named("annual")] == [
        (beta, "annual copy.pdf")
    ]
    assert library.other_names() == {beta: ("annual copy.pdf",)}
