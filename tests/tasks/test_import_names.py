"""Real imports through the manager: a document keeps every name it was imported under,
reads its own title, author and page size, and can be renamed."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image
from pytestqt.qtbot import QtBot

from app.core.library import Library
from app.core.models import ALREADY_IN_LIBRARY, TaskStatus
from app.core.query import parse_query
from app.tasks.manager import ExtractionManager
from tests.conftest import fresh, wait_idle
from tests.docs import pdf_with_metadata


def test_the_same_content_under_another_name_is_one_document_with_both_names(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    report = pdf_with_metadata(tmp_path / "home" / "report.pdf")
    copy = tmp_path / "usb" / "annual copy.pdf"
    copy.parent.mkdir()
    shutil.copyfile(report, copy)
    with qtbot.waitSignal(manager.sourceAdded, timeout=30_000) as added:
        manager.import_files([report])
    wait_idle(qtbot, manager)
    source = added.args[0]
    with qtbot.waitSignal(manager.sourceChanged, timeout=30_000) as changed:
        (again,) = manager.import_files([copy])
    wait_idle(qtbot, manager)
    assert changed.args == [source.id]

    library = manager.library
    assert [s.id for s in library.sources()] == [source.id]
    again = fresh(manager, again)
    assert again.status is TaskStatus.COMPLETED and again.payload[ALREADY_IN_LIBRARY]
    # The Tasks row names the file the user gave, and the document it already is.
    assert again.source_name == "annual copy.pdf"
    assert again.message == "Already in the library as report.pdf"
    assert [(n.name, n.original_path) for n in library.source_names(source.id)] == [
        ("report.pdf", str(report)),
        ("annual copy.pdf", str(copy)),
    ]
    # Found by each name; the history read back still names the file given.
    assert [d.source_id for d in library.sources_named(parse_query("annual copy"))] == [source.id]
    stored = Library(library.folder, readonly=True)
    try:
        task = stored.task(again.id)
        assert task is not None and task.source_name == "annual copy.pdf"
    finally:
        stored.close()


def test_an_import_reads_the_documents_title_author_and_page_size(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    pdf = pdf_with_metadata(
        tmp_path / "statement.pdf", title="Kontoauszug März", author="Bank AG", size=(595, 842)
    )
    scan = tmp_path / "scan.png"
    Image.new("L", (2550, 3300), 255).save(scan, dpi=(300, 300))  # Letter at 300 dpi
    bare = tmp_path / "photo.jpg"
    Image.new("RGB", (800, 600), "white").save(bare)  # no resolution: no page size
    manager.import_files([pdf, scan, bare])
    wait_idle(qtbot, manager)
    by_name = {s.name: s for s in manager.library.sources()}
    statement = by_name["statement.pdf"]
    assert (statement.title, statement.author) == ("Kontoauszug März", "Bank AG")
    assert (statement.page_width, statement.page_height) == (595, 842)
    assert statement.to_json()["pageSize"] == "A4"
    assert by_name["scan.png"].to_json()["pageSize"] == "Letter"
    assert by_name["scan.png"].title is None
    assert by_name["photo.jpg"].page_width is None


def test_a_document_imported_before_metadata_gets_it_when_imported_again(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    pdf = pdf_with_metadata(tmp_path / "old.pdf", title="Old title", author=None)
    with qtbot.waitSignal(manager.sourceAdded, timeout=30_000) as added:
        manager.import_files([pdf])
    wait_idle(qtbot, manager)
    source_id = added.args[0].id
    library = manager.library
    with library.transaction() as db:  # as an older Folio left it
        db.execute(
            "UPDATE sources SET title = NULL, page_width = NULL, page_height = NULL WHERE id = ?",
            (source_id,),
        )
    manager.import_files([pdf])
    wait_idle(qtbot, manager)
    source = library.source(source_id)
    assert source is not None and source.title == "Old title" and source.page_width == 612


def test_rename_shows_a_new_name_and_the_imported_names_still_find_it(
    qtbot: QtBot, manager: ExtractionManager, tmp_path: Path
) -> None:
    pdf = pdf_with_metadata(tmp_path / "scan_0042.pdf", text="walrus")
    with qtbot.waitSignal(manager.sourceAdded, timeout=30_000) as added:
        manager.import_files([pdf])
    wait_idle(qtbot, manager)
    source_id = added.args[0].id
    with qtbot.waitSignal(manager.sourceChanged) as changed:
        assert manager.rename_source(source_id, "Gas bill March") == "Gas bill March"
    assert changed.args == [source_id]
    library = manager.library
    named = library.sources_named(parse_query("scan 0042"))
    assert [(d.name, d.matched_as) for d in named] == [("Gas bill March", "scan_0042.pdf")]
    assert [h.source_name for h in library.search("walrus")] == ["Gas bill March"]
    # Imported again under its first name: "Already in the library as" the new name.
    (again,) = manager.import_files([pdf])
    wait_idle(qtbot, manager)
    again = fresh(manager, again)
    assert again.source_name == "scan_0042.pdf"
    assert again.message == "Already in the library as Gas bill March"
