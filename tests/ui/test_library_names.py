"""The window with documents imported under several names, renamed, and their own metadata:
the Library list, its filter and columns, the document view, search and the Tasks rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.core.models import Source
from app.ui.library.column_chooser import SETTINGS_HIDDEN
from app.ui.library.rename import RenameDialog
from app.ui.library.sources_model import Column, Role
from app.ui.library.sources_view import SourcesView
from app.ui.search.search_view import SearchRole
from app.ui.shell.launcher import Session
from app.ui.tasks.cells import Column as TaskColumn
from tests.conftest import wait_idle
from tests.docs import pdf_with_metadata
from tests.ui.searching import search_and_wait

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def import_twice(qtbot: QtBot, session: Session, tmp_path: Path) -> tuple[Source, Path, Path]:
    """report.pdf (Letter, with a title and author), the same bytes as "Résumé copy.pdf"
    from another folder, and an unrelated letter.pdf."""
    report = pdf_with_metadata(tmp_path / "home" / "report.pdf", text="walrus")
    copy = tmp_path / "usb" / "Résumé copy.pdf"
    copy.parent.mkdir()
    shutil.copyfile(report, copy)
    letter = pdf_with_metadata(
        tmp_path / "home" / "letter.pdf", title="A letter", author="Zoe", size=(595, 842)
    )
    manager = session.manager
    manager.import_files([report, letter])
    wait_idle(qtbot, manager, started=True)
    manager.import_files([copy])
    wait_idle(qtbot, manager)
    (source,) = [s for s in session.library.sources() if s.name == "report.pdf"]
    return source, report, copy


def shown(view: SourcesView) -> list[str]:
    proxy = view.proxy
    return [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]


def test_the_library_shows_and_filters_by_every_imported_name(
    qtbot: QtBot, ui_session: Session, tmp_path: Path
) -> None:
    source, _report, _copy = import_twice(qtbot, ui_session, tmp_path)
    view = ui_session.window.sources_view
    model = view.model
    row = model.row_of(source.id)
    assert row is not None
    index = model.index(row, Column.NAME)
    qtbot.waitUntil(lambda: index.data(Role.NAMES) == ("report.pdf", "Résumé copy.pdf"))
    assert index.data() == "report.pdf"
    assert "Also imported as: Résumé copy.pdf" in index.data(Qt.ItemDataRole.ToolTipRole)
    view.grab()  # the name cell paints its second line

    # Typed as a user types it: case and accents folded, on the imported name too.
    qtbot.keyClicks(view.filter_edit, "RESUME")
    qtbot.waitUntil(lambda: shown(view) == ["report.pdf"])
    assert view.count_label.text() == "1 of 2 documents shown"
    view.filter_edit.clear()
    qtbot.keyClicks(view.filter_edit, "letter")
    qtbot.waitUntil(lambda: shown(view) == ["letter.pdf"])
    view.filter_edit.clear()
    assert sorted(shown(view)) == ["letter.pdf", "report.pdf"]

    # The Tasks row of the second import names the file the user gave.
    tasks = ui_session.window.tasks_page.model
    rows = [
        r
        for r in range(tasks.rowCount())
        if tasks.task_at(r).payload.get("name") == "Résumé copy.pdf"
    ]
    assert len(rows) == 1
    assert tasks.index(rows[0], TaskColumn.SOURCE).data() == "Résumé copy.pdf"
    progress = str(tasks.index(rows[0], TaskColumn.PROGRESS).data())
    assert "Already in the library as report.pdf" in progress


def test_f2_renames_a_document_everywhere_and_its_imported_names_still_find_it(
    qtbot: QtBot, ui_session: Session, tmp_path: Path
) -> None:
    source, _report, _copy = import_twice(qtbot, ui_session, tmp_path)
    window = ui_session.window
    view = window.sources_view
    asked: list[tuple[str, tuple[str, ...]]] = []

    def answer(s: Source, others: tuple[str, ...]) -> str:
        asked.append((s.name, others))
        return "  Annual report 2024 "

    view.ask_name = answer
    assert view.select_source(source.id)
    view.view.setFocus()
    qtbot.waitUntil(view.view.hasFocus)
    assert view.rename_action.isEnabled() and view.rename_action.text() == "Rename…"
    qtbot.keyClick(view.view, Qt.Key.Key_F2)
    assert asked == [("report.pdf", ("Résumé copy.pdf",))]
    model = view.model
    row = model.row_of(source.id)
    assert row is not None
    index = model.index(row, Column.NAME)
    qtbot.waitUntil(lambda: index.data() == "Annual report 2024")
    assert index.data(Role.NAMES) == ("Annual report 2024", "report.pdf", "Résumé copy.pdf")
    assert window.library.imported_names([source.id])[source.id] == [
        "report.pdf",
        "Résumé copy.pdf",
    ]
    # The old names still find it in the Library's filter...
    qtbot.keyClicks(view.filter_edit, "report.pdf")
    qtbot.waitUntil(lambda: shown(view) == ["Annual report 2024"])
    view.filter_edit.clear()

    # ...and in search, whose page hits show the new name.
    window.show_search()
    search = window.search_view
    search_and_wait(qtbot, search, "resume copy")
    named = search.model.index(0, 0, search.model.index(0, 0))
    assert named.data() == ("Annual report 2024 — document of 1 page (imported as Résumé copy.pdf)")
    assert named.data(SearchRole.SOURCE_ID) == source.id
    hits = search_and_wait(qtbot, search, "walrus")
    assert [h.source_name for h in hits] == ["Annual report 2024"]


def test_the_document_view_shows_the_names_and_metadata_and_renames_from_its_title(
    qtbot: QtBot, ui_session: Session, tmp_path: Path
) -> None:
    source, _report, _copy = import_twice(qtbot, ui_session, tmp_path)
    window = ui_session.window
    window.open_source(source.id)
    doc = window.document_view
    qtbot.waitUntil(lambda: doc.viewer.page is not None)
    details = doc.names.details
    assert details.isVisible()
    assert details.text() == (
        "Also imported as: Résumé copy.pdf · Title: Annual report 2024 · "
        "Author: Jane Müller · Page size: Letter"
    )
    doc.names.ask_name = lambda s, others: "Report for the bank"
    doc.pages.setFocus()
    qtbot.waitUntil(doc.pages.hasFocus)
    qtbot.keyClick(doc.pages, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: doc.title.text() == "Report for the bank")
    assert details.text().startswith("Also imported as: report.pdf, Résumé copy.pdf · ")
    assert doc.source is not None and doc.source.name == "Report for the bank"
    # The Library's row follows (the document stays open).
    model = window.sources_view.model
    row = model.row_of(source.id)
    assert row is not None and model.index(row, Column.NAME).data() == "Report for the bank"
    # A name that cannot be used is refused: the dialog says why, and nothing changes.
    dialog = RenameDialog(doc.source, doc.names.others, doc)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.field.clear()
    assert not ok.isEnabled() and dialog.hint.text() == "A name cannot be empty."
    dialog.field.setText("two\nlines")
    assert not ok.isEnabled() and "one line" in dialog.hint.text()
    dialog.field.setText("Bank report.pdf")
    assert ok.isEnabled() and "are kept" in dialog.hint.text()
    dialog.show()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.new_name() == "Bank report.pdf"


def test_title_author_and_page_size_columns_are_hideable_sortable_and_remembered(
    qtbot: QtBot, ui_session: Session, tmp_path: Path
) -> None:
    import_twice(qtbot, ui_session, tmp_path)
    window = ui_session.window
    view = window.sources_view
    header = view.view.header()
    chooser = view.columns
    optional = (Column.TITLE, Column.AUTHOR, Column.PAGE_SIZE)
    # Optional: hidden until chosen in the header's menu.
    assert all(header.isSectionHidden(c) for c in optional)
    menu = chooser.menu()
    texts = [a.text() for a in menu.actions()]
    assert texts == ["Pages", "Added", "Text", "Title", "Author", "Page size"]
    for action in menu.actions():
        if action.text() in ("Title", "Page size"):
            action.trigger()
    assert not header.isSectionHidden(Column.TITLE) and header.isSectionHidden(Column.AUTHOR)

    def column(c: Column) -> list[str]:
        proxy = view.proxy
        return [proxy.index(r, c).data() for r in range(proxy.rowCount())]

    view.view.sortByColumn(Column.TITLE, Qt.SortOrder.AscendingOrder)
    assert column(Column.TITLE) == ["A letter", "Annual report 2024"]
    assert column(Column.PAGE_SIZE) == ["A4", "Letter"]
    view.view.sortByColumn(Column.PAGE_SIZE, Qt.SortOrder.DescendingOrder)
    assert column(Column.NAME) == ["letter.pdf", "report.pdf"]  # A4 is the larger page
    # Remembered: a Library opened later with the same settings shows the same columns.
    settings: QSettings = window.settings
    assert settings.value(SETTINGS_HIDDEN) == "author"
    again = SourcesView(window.library, window.manager, window.renderer, settings)
    shown_again = again.view.header()
    assert not shown_again.isSectionHidden(Column.TITLE)
    assert shown_again.isSectionHidden(Column.AUTHOR)
    assert not shown_again.isSectionHidden(Column.PAGE_SIZE)
    again.deleteLater()


def test_a_trashed_documents_names_find_nothing_and_come_back_with_it(
    qtbot: QtBot, ui_session: Session, tmp_path: Path
) -> None:
    source, _report, _copy = import_twice(qtbot, ui_session, tmp_path)
    window = ui_session.window
    view = window.sources_view
    window.trash_sources([source.id])
    assert shown(view) == ["letter.pdf"]
    qtbot.keyClicks(view.filter_edit, "RESUME")
    qtbot.waitUntil(lambda: shown(view) == [])
    view.filter_edit.clear()
    window.show_search()
    search = window.search_view
    search_and_wait(qtbot, search, "resume copy")
    assert search.model.rowCount() == 0  # no names group for a document in the trash

    # The Trash offers no Rename (F2 there does nothing); a rename made elsewhere
    # (`folio rename` through the window) shows in its list.
    trash = window.trash_view
    qtbot.waitUntil(lambda: trash.model.source_ids() == [source.id])
    assert not [a for a in trash.view.actions() if a.text().startswith("Rename")]
    window.manager.rename_source(source.id, "Kept report.pdf")
    qtbot.waitUntil(lambda: trash.model.index(0, 0).data() == "Kept report.pdf")

    window.restore_sources([source.id])
    row = view.model.row_of(source.id)
    assert row is not None
    names = view.model.index(row, Column.NAME).data(Role.NAMES)
    assert names == ("Kept report.pdf", "report.pdf", "Résumé copy.pdf")
    window.show_sources()
    qtbot.keyClicks(view.filter_edit, "RESUME")
    qtbot.waitUntil(lambda: shown(view) == ["Kept report.pdf"])
