"""The Search section: documents best first, expandable to their pages, found by name too,
every query off the GUI thread, outdated answers dropped; the Library filter folds names."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import TextMethod
from app.core.search import SearchTable
from app.tasks.manager import ExtractionManager
from app.ui.library.sources_model import Column
from app.ui.library.sources_proxy import SourcesProxy
from app.ui.search import results_model
from app.ui.search.results_model import NAMES_HEADING, RowKind, SearchRole
from app.ui.search.search_view import SearchView
from tests.ui.searching import search_and_wait

DOCUMENTS = {
    "fables.pdf": ["a fox here", "another fox there", "no animal", "the fox again"],
    "Résumé 2024.pdf": ["fox fox fox fox fox", "nothing"],
    "zoo.pdf": ["bears only"],
    "invoices.pdf": ["invoice one", "invoice two"],
}


def add_document(library: Library, name: str, texts: list[str]) -> None:
    with library.transaction() as db:
        n = len(library.sources())
        _source, pages = library.add_source(
            sha256=f"{n:064x}",
            name=name,
            original_path=f"/docs/{name}",
            kind="pdf",
            size=10,
            page_count=len(texts),
            db=db,
        )
        for page, text in zip(pages, texts, strict=True):
            library.save_page_text(db, page.id, text, TextMethod.TEXT_LAYER, None)


@pytest.fixture
def view(qtbot: QtBot, library: Library, manager: ExtractionManager) -> SearchView:
    for name, texts in DOCUMENTS.items():
        add_document(library, name, texts)
    widget = SearchView(library, manager)
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def rows(view: SearchView, parent: QModelIndex | None = None) -> list[str]:
    model, parent = view.model, parent or QModelIndex()
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def test_documents_are_listed_best_first_and_expand_to_their_pages(
    qtbot: QtBot, view: SearchView, qtmodeltester: object
) -> None:
    hits = search_and_wait(qtbot, view, "fox")
    assert [h.source_name for h in hits] == ["Résumé 2024.pdf", "fables.pdf"]
    assert view.count_label.text() == "4 pages in 2 documents match “fox”"
    shown = rows(view)
    assert shown[0].startswith("Résumé 2024.pdf — page 1: fox fox")
    assert shown[1].startswith("fables.pdf — 3 pages: page ")
    model = view.model
    single, several = model.index(0, 0), model.index(1, 0)
    assert not model.hasChildren(single)  # its row is its one page
    assert model.hasChildren(several) and model.rowCount(several) == 0  # not loaded yet
    view.results.expand(several)
    qtbot.waitUntil(lambda: model.rowCount(several) == 3)
    pages = rows(view, several)
    assert pages[0].startswith(f"page {hits[1].page_number}: ")  # the best page first
    assert sorted(p.split(":")[0] for p in pages) == ["page 1", "page 2", "page 4"]
    assert "<b>fox</b>" in model.index(0, 0, several).data(SearchRole.HTML)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_opening_a_document_opens_its_best_page_and_a_page_that_page(
    qtbot: QtBot, view: SearchView
) -> None:
    hits = search_and_wait(qtbot, view, "fox")
    with qtbot.waitSignal(view.openPageRequested) as opened:
        view.open_result(1)
    assert opened.args == [hits[1].page_id, "fox"]
    several = view.model.index(1, 0)
    view.results.expand(several)
    qtbot.waitUntil(lambda: view.model.rowCount(several) == 3)
    child = view.model.index(2, 0, several)
    with qtbot.waitSignal(view.openPageRequested) as opened:
        view.results.setCurrentIndex(child)
        qtbot.keyClick(view.results, Qt.Key.Key_Return)
    assert opened.args == [child.data(SearchRole.PAGE_ID), "fox"]


def test_documents_named_like_the_query_come_first(qtbot: QtBot, view: SearchView) -> None:
    search_and_wait(qtbot, view, "resume")  # in no page's text, in one name
    model = view.model
    assert rows(view) == [f"{NAMES_HEADING} (1)"]
    heading = model.index(0, 0)
    assert model.kind(heading) is RowKind.NAMES and view.results.isExpanded(heading)
    assert rows(view, heading) == ["Résumé 2024.pdf — document of 2 pages"]
    assert view.count_label.text() == "No page contains “resume”; 1 document is named like it."
    with qtbot.waitSignal(view.openSourceRequested) as opened:
        view.open_result(0, heading)
    assert opened.args == [model.index(0, 0, heading).data(SearchRole.SOURCE_ID)]

    search_and_wait(qtbot, view, "invoice")  # both: the name, then the text
    assert rows(view)[0] == f"{NAMES_HEADING} (1)"
    assert rows(view)[1].startswith("invoices.pdf — 2 pages")
    assert view.count_label.text() == (
        "2 pages in 1 document match “invoice”; 1 document is named like it"
    )


def test_nothing_found_and_a_query_that_cannot_mean_anything(
    qtbot: QtBot, view: SearchView
) -> None:
    assert search_and_wait(qtbot, view, "walrus") == []
    assert view.count_label.text().startswith("No page contains “walrus”.")
    assert search_and_wait(qtbot, view, "-fox") == []
    assert "needs at least one word" in view.count_label.text()
    assert search_and_wait(qtbot, view, "") == []
    assert view.stack.currentWidget() is view.hint


def test_queries_run_off_the_gui_thread_and_outdated_answers_are_dropped(
    qtbot: QtBot, view: SearchView, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    original = SearchTable.search_documents

    def recording(self: SearchTable, *args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SearchTable, "search_documents", recording)
    view.search("fox")
    assert view.busy()  # answered later, not inside search()
    hits = search_and_wait(qtbot, view, "invoice")
    qtbot.waitUntil(lambda: not view.runner.busy())  # the "fox" jobs too
    assert [h.source_name for h in hits] == ["invoices.pdf"]
    assert [h.source_name for h in view.hits()] == ["invoices.pdf"]
    assert "“invoice”" in view.count_label.text()
    assert threads and threading.main_thread() not in threads


def test_documents_load_a_batch_at_a_time(
    qtbot: QtBot, view: SearchView, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results_model, "DOCUMENT_BATCH", 3)
    for n in range(7):
        add_document(library, f"extra {n}.pdf", ["a fox and more"])
    model = view.model
    inserted: list[int] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append(last - first + 1))
    hits = search_and_wait(qtbot, view, "fox")
    # The first batch, and any the view has asked for since (its viewport is not full):
    # whole batches of three (the batches counted below show none came all at once).
    assert len(hits) in (3, 6, 9)
    assert view.count_label.text() == "11 pages in 9 documents match “fox”"
    # The view asks for more while its viewport is not full; scrolling would, too.
    while model.rowCount() < 9:
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not view.runner.busy())
    assert not model.canFetchMore(QModelIndex())
    assert inserted and max(inserted) <= 3
    assert len({h.source_id for h in view.hits()}) == 9


def test_new_text_refreshes_the_results(
    qtbot: QtBot, view: SearchView, library: Library, manager: ExtractionManager
) -> None:
    search_and_wait(qtbot, view, "walrus")
    add_document(library, "arctic.pdf", ["a walrus on the ice"])
    page = library.search("walrus")[0]
    manager.pageTextReady.emit(page.source_id, page.page_id)
    qtbot.waitUntil(lambda: [h.source_name for h in view.hits()] == ["arctic.pdf"], timeout=5000)
    qtbot.waitUntil(lambda: "1 page in 1 document matches" in view.count_label.text())


def test_down_arrow_moves_from_the_field_into_the_results(qtbot: QtBot, view: SearchView) -> None:
    search_and_wait(qtbot, view, "fox")
    view.focus_field()
    qtbot.waitUntil(view.field.hasFocus)
    qtbot.keyClick(view.field, Qt.Key.Key_Down)
    assert view.results.hasFocus()
    assert view.results.currentIndex() == view.model.index(0, 0)


def test_the_library_filter_folds_accents_and_case(qtbot: QtBot) -> None:
    model = QStandardItemModel(0, Column.NAME + 1)
    names = ["Résumé.pdf", "resume-old.PDF", "Müller.pdf", "invoice.pdf"]
    for name in names:
        items = [QStandardItem("") for _ in range(Column.NAME + 1)]
        items[Column.NAME] = QStandardItem(name)
        model.appendRow(items)
    proxy = SourcesProxy()
    proxy.setSourceModel(model)

    def shown(text: str) -> list[str]:
        proxy.set_name_filter(text)
        return [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]

    assert shown("resume") == ["Résumé.pdf", "resume-old.PDF"]
    assert shown("RÉSUMÉ") == ["Résumé.pdf", "resume-old.PDF"]
    assert shown("muller") == ["Müller.pdf"]
    assert shown("  voice ") == ["invoice.pdf"]  # anywhere in the name, as before
    assert shown("") == names


def test_the_tree_model_passes_the_model_tester_with_names_and_pages(
    qtbot: QtBot, view: SearchView, qtmodeltester: object
) -> None:
    search_and_wait(qtbot, view, "fox OR resume OR invoice")
    model = view.model
    assert model.kind(model.index(0, 0)) is RowKind.NAMES
    for row in range(1, model.rowCount()):
        view.results.expand(model.index(row, 0))
    qtbot.waitUntil(lambda: not view.runner.busy())
    qtmodeltester.check(model)  # type: ignore[attr-defined]
