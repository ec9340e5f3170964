"""`folio sources`, `folio search --json` and `folio rename` with a document imported under
several names (real processes, real imports), and rename through a running window."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.cli.test_cli import assert_clean_stderr, folio
from tests.conftest import wait_idle, window_owning
from tests.docs import pdf_with_metadata
from tests.tasks.test_instance import run_cli


def test_sources_search_and_rename_give_every_name(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    report = pdf_with_metadata(tmp_path / "home" / "report.pdf", text="walrus", size=(595, 842))
    copy = tmp_path / "usb" / "annual copy.pdf"
    copy.parent.mkdir()
    shutil.copyfile(report, copy)
    for path in (report, copy):
        done = folio("--library", library, "import", "--wait", path)
        assert done.returncode == 0, done.stderr

    listed = folio("--library", library, "sources", "--json")
    assert listed.returncode == 0, listed.stderr
    (source,) = json.loads(listed.stdout)
    assert source["name"] == "report.pdf"
    assert source["names"] == ["report.pdf", "annual copy.pdf"]
    assert (source["title"], source["author"]) == ("Annual report 2024", "Jane Müller")
    assert source["pageSize"] == "A4"
    text = folio("--library", library, "sources")
    assert "report.pdf  (also imported as: annual copy.pdf)" in text.stdout

    hits = folio("--library", library, "search", "--json", "walrus")
    assert [h["sourceNames"] for h in json.loads(hits.stdout)] == [
        ["report.pdf", "annual copy.pdf"]
    ]

    renamed = folio("--library", library, "rename", str(source["id"]), "Bank statement")
    assert renamed.returncode == 0, renamed.stderr
    assert renamed.stdout.strip() == f"Document {source['id']} is now called Bank statement."
    (after,) = json.loads(folio("--library", library, "sources", "--json").stdout)
    assert after["name"] == "Bank statement"
    assert after["names"] == ["report.pdf", "annual copy.pdf"]

    empty = folio("--library", library, "rename", str(source["id"]), "  ")
    assert empty.returncode == 2
    assert empty.stderr.strip() == "folio: A name cannot be empty."
    missing = folio("--library", library, "rename", "999", "x")
    assert missing.returncode == 1
    assert_clean_stderr(missing)
    assert "there is no document 999" in missing.stderr


def test_rename_goes_through_the_window_that_owns_the_library(
    qtbot: QtBot, library_dir: Path, tmp_path: Path, qapp: object
) -> None:
    with window_owning(library_dir) as (manager, _server):
        with qtbot.waitSignal(manager.sourceAdded, timeout=30_000) as added:
            manager.import_files([pdf_with_metadata(tmp_path / "scan_0042.pdf")])
        wait_idle(qtbot, manager)
        source_id = added.args[0].id
        with qtbot.waitSignal(manager.sourceChanged, timeout=60_000):
            done = run_cli(qtbot, "--library", library_dir, "rename", str(source_id), "Gas bill")
        assert done.returncode == 0, done.stderr
        renamed = manager.library.source(source_id)
        assert renamed is not None and renamed.name == "Gas bill"
