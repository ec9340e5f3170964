"""folio delete / trash / collections and --collection, as a user runs them (real processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.library import Library
from tests.cli.test_cli import assert_clean_stderr, folio
from tests.conftest import add_document


@pytest.fixture
def stocked(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A library of three documents, two of them in the collection “Taxes 2024”."""
    folder = tmp_path / "Library"
    with Library(folder) as lib:
        add_document(lib, "rent.pdf", ["the monthly rent for the flat"], "a1")
        add_document(lib, "invoice.pdf", ["invoice: rent of a van"], "b2")
        add_document(lib, "letter.pdf", ["a letter about the rent increase"], "c3")
        ids = {s.name: s.id for s in lib.sources()}
        taxes = lib.create_collection("Taxes 2024")
        lib.add_to_collection(taxes.id, [ids["rent.pdf"], ids["invoice.pdf"]])
    return folder, ids


def hits_of(proc: object) -> set[str]:
    return {str(h["sourceName"]) for h in json.loads(proc.stdout)}  # type: ignore[attr-defined]


def test_search_and_sources_keep_to_a_collection(stocked: tuple[Path, dict[str, int]]) -> None:
    folder, _ids = stocked
    everywhere = folio("--library", folder, "search", "rent", "--json")
    assert hits_of(everywhere) == {"rent.pdf", "invoice.pdf", "letter.pdf"}
    # The name is matched without regard to case, as the window does.
    taxes = folio("--library", folder, "search", "rent", "--collection", "taxes 2024", "--json")
    assert taxes.returncode == 0, taxes.stderr
    assert hits_of(taxes) == {"rent.pdf", "invoice.pdf"}
    assert "2 pages in 2 documents match" in taxes.stderr
    listed = folio("--library", folder, "sources", "--collection", "Taxes 2024", "--json")
    assert {s["name"] for s in json.loads(listed.stdout)} == {"rent.pdf", "invoice.pdf"}

    missing = folio("--library", folder, "search", "rent", "--collection", "Holidays")
    assert missing.returncode == 1 and missing.stdout == ""
    assert_clean_stderr(missing)
    assert missing.stderr.count("\n") == 1  # one sentence, naming what there is
    assert "no collection named “Holidays”" in missing.stderr
    assert "“Taxes 2024”" in missing.stderr

    listing = folio("--library", folder, "collections", "--json")
    assert json.loads(listing.stdout) == [
        {"id": 1, "name": "Taxes 2024", "documents": 2},
    ]


def test_delete_moves_to_the_trash_and_restore_brings_back(
    stocked: tuple[Path, dict[str, int]],
) -> None:
    folder, ids = stocked
    rent = ids["rent.pdf"]
    deleted = folio("--library", folder, "delete", str(rent), "999")
    assert deleted.returncode == 1
    assert_clean_stderr(deleted)
    assert "there is no document 999" in deleted.stderr
    assert f"folio trash restore {rent}" in deleted.stdout
    # Gone from the list and the search (everywhere and in its collection).
    listed = folio("--library", folder, "sources", "--json")
    assert {s["name"] for s in json.loads(listed.stdout)} == {"invoice.pdf", "letter.pdf"}
    assert hits_of(folio("--library", folder, "search", "monthly", "--json")) == set()
    taxes = folio("--library", folder, "search", "rent", "--collection", "Taxes 2024", "--json")
    assert hits_of(taxes) == {"invoice.pdf"}
    trash = folio("--library", folder, "trash", "--json")
    assert [t["name"] for t in json.loads(trash.stdout)] == ["rent.pdf"]
    again = folio("--library", folder, "delete", str(rent))
    assert again.returncode == 1 and "already in the trash" in again.stderr

    restored = folio("--library", folder, "trash", "restore", str(rent))
    assert restored.returncode == 0, restored.stderr
    assert "Restored 1 document from the trash: rent.pdf." in restored.stdout
    assert hits_of(folio("--library", folder, "search", "monthly", "--json")) == {"rent.pdf"}


def test_emptying_the_trash_asks_for_yes_and_deletes_for_good(
    stocked: tuple[Path, dict[str, int]],
) -> None:
    folder, ids = stocked
    assert folio("--library", folder, "delete", str(ids["letter.pdf"])).returncode == 0
    refused = folio("--library", folder, "trash", "empty")  # no terminal to ask on
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    emptied = folio("--library", folder, "trash", "empty", "--yes")
    assert emptied.returncode == 0, emptied.stderr
    assert "Deleted 1 document for good" in emptied.stdout
    with Library(folder) as lib:
        assert lib.source(ids["letter.pdf"]) is None and lib.trash_count() == 0
    assert folio("--library", folder, "trash").stdout.strip() == "The trash is empty."
