"""The headless CLI as a user runs it: real processes, real corpus, exit codes, stderr."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import HOSTILE, SAMPLES

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"


def folio(*args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )


def assert_clean_stderr(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr
    for line in proc.stderr.splitlines():
        assert line.startswith("folio: "), line


def json_lines(proc: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in proc.stdout.splitlines()]


@pytest.fixture(scope="module")
def sample_run() -> subprocess.CompletedProcess[str]:
    return folio("extract", "--json", SAMPLES)


@pytest.mark.slow
def test_extract_json_on_the_sample_corpus(sample_run: subprocess.CompletedProcess[str]) -> None:
    assert sample_run.returncode == 1  # the password-protected file fails, the rest is done
    assert_clean_stderr(sample_run)
    results = json_lines(sample_run)
    files = {Path(str(r["file"])).name: r for r in results}
    expected = {
        p.name for p in SAMPLES.rglob("*") if p.suffix.lower() in {".pdf", ".png", ".jpg", ".tiff"}
    }
    assert set(files) == expected
    locked = str(files["libreoffice-writer-password.pdf"]["error"])
    assert "libreoffice-writer-password.pdf is protected by a password; pass it with" in locked
    crazy = files["crazyones-pdfa.pdf"]
    assert crazy["error"] is None
    assert "misfits" in crazy["pages"][0]["text"]  # type: ignore[index]
    assert crazy["pages"][0]["method"] == "text-layer"  # type: ignore[index]
    ticket = files["page-0-QuickPDFImd32aa1ab.png"]["pages"][0]  # type: ignore[index]
    assert ticket["method"] == "ocr" and "ticket" in ticket["text"]
    assert "skipped" in sample_run.stderr and "README.md" in sample_run.stderr


@pytest.mark.slow
def test_extract_json_on_hostile_files() -> None:
    proc = folio("extract", "--json", HOSTILE)
    assert proc.returncode == 1
    assert_clean_stderr(proc)
    results = json_lines(proc)
    assert len(results) >= 100
    for r in results:
        assert r["error"] is None or (isinstance(r["error"], str) and r["error"].endswith("."))
        if r["error"] is None:
            assert r["pages"]
    # every .pdf named file is reported (a .fuzz file that is not a PDF is skipped with a note)
    reported = {Path(str(r["file"])).name for r in results}
    assert {p.name for p in (HOSTILE / "qpdf-damaged").glob("*.pdf")} <= reported


def test_plain_text_output_and_page_ranges() -> None:
    proc = folio("extract", "--pages", "2,4", SAMPLES / "004-pdflatex-4-pages/pdflatex-4-pages.pdf")
    assert proc.returncode == 0, proc.stderr
    assert "page 2 (text-layer)" in proc.stdout and "page 4 (text-layer)" in proc.stdout
    assert "page 1 (" not in proc.stdout and "page 3 (" not in proc.stdout


def test_usage_errors_exit_2() -> None:
    assert folio("extract").returncode == 2
    bad = folio("extract", "--pages", "3-1", TRIVIAL)
    assert bad.returncode == 2 and "--pages" in bad.stderr
    assert folio("tasks", "cancel").returncode == 2


def test_unknown_command_is_a_usage_error_not_a_window(tmp_path: Path) -> None:
    # Without the check, the window opens and tries to import three "files".
    proc = folio("--library", tmp_path / "lib", "searchable-pdfs", "a.pdf", "b.pdf", timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "folio: unknown command 'searchable-pdfs' (see folio --help)"
    assert not (tmp_path / "lib").exists()


def test_missing_path_and_odd_names(tmp_path: Path) -> None:
    odd = tmp_path / "résumé final (copy).pdf"
    shutil.copy(TRIVIAL, odd)
    proc = folio("extract", "--json", odd, tmp_path / "nope.pdf")
    assert proc.returncode == 1
    assert_clean_stderr(proc)
    first, second = json_lines(proc)
    assert first["file"] == str(odd) and first["error"] is None
    assert "nope.pdf does not exist" in str(second["error"])


def test_folder_with_thousands_of_files(tmp_path: Path) -> None:
    for i in range(3000):
        (tmp_path / f"note-{i:04}.txt").write_text("not a document")
    for i in range(5):
        shutil.copy(TRIVIAL, tmp_path / f"doc-{i}.pdf")
    proc = folio("extract", "--json", tmp_path)
    assert proc.returncode == 0
    assert len(json_lines(proc)) == 5
    assert "skipped 3000 files" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1


def test_import_wait_then_tasks_search_sources(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    docs = tmp_path / "docs"
    docs.mkdir()
    for rel in ("021-pdfa/crazyones-pdfa.pdf", "004-pdflatex-4-pages/pdflatex-4-pages.pdf"):
        shutil.copy(SAMPLES / rel, docs)
    (docs / "fake.png").write_text("/etc/passwd")
    proc = folio("--library", lib, "import", docs, "--wait", "--json")
    assert proc.returncode == 1  # fake.png fails, the rest imports
    assert_clean_stderr(proc)
    tasks = json.loads(proc.stdout)
    listed = json.loads(folio("tasks", "--all", "--json", "--library", lib).stdout)
    count = Counter((t["taskType"], t["status"]) for t in tasks)
    assert count == Counter((t["taskType"], t["status"]) for t in listed)
    assert count[("text_extraction", "completed")] == 5
    assert count[("import", "failed")] == 1
    for t in tasks:
        assert set(t) >= {
            "id",
            "taskType",
            "status",
            "sourceId",
            "pageId",
            "scheduledAt",
            "canCancel",
        }
        assert t["canCancel"] is False
    hits = json.loads(folio("--library", lib, "search", "misfits", "--json").stdout)
    assert [(h["sourceName"], h["pageNumber"]) for h in hits] == [("crazyones-pdfa.pdf", 1)]
    sources = json.loads(folio("--library", lib, "sources", "--json").stdout)
    assert sorted(s["pageCount"] for s in sources) == [1, 4]
    failed_id = next(t["id"] for t in tasks if t["status"] == "failed")
    retried = folio("--library", lib, "tasks", "retry", "--failed", "--json")
    assert retried.returncode == 1
    assert [t["retryOf"] for t in json.loads(retried.stdout)] == [failed_id]
    cancel = folio("--library", lib, "tasks", "cancel", str(failed_id))
    assert cancel.returncode == 0 and "already failed" in cancel.stdout
    assert folio("--library", lib, "tasks", "cancel", "99999").returncode == 1
