"""`folio extract`'s scheduler: one page per job over every worker, results in order.

Real worker processes and real documents; what is observed is what the scheduler
reports of its own work (which worker process read each page, how many of a file's
pages were inside workers at once) and what it takes from the list of files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.models import BackgroundTask, OcrMode, TaskStatus, TaskType, now_iso
from app.core.scheduling import JobKind, order_key, page_age, page_jobs, task_order_key
from app.extraction.batch import FILES_PER_JOB, BatchExtractor, FileOutput
from tests.conftest import SAMPLES

LONG = SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf"
FOUR = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"
#: PDFium hangs drawing pages 2-4 of this damaged file for OCR (each stopped at its limit).
HANGS = SAMPLES / "017-unreadable-meta-data" / "unreadablemetadata.pdf"


def extract(
    paths: list[Path], jobs: int, pages: set[int] | None = None, ocr: OcrMode = OcrMode.NEVER
) -> list[FileOutput]:
    with BatchExtractor(ocr, "eng", pages, jobs) as batch:
        return list(batch.run(paths))


def task(task_id: int, task_type: TaskType, priority: int = 0) -> BackgroundTask:
    return BackgroundTask(task_id, task_type, TaskStatus.PENDING, now_iso(), priority=priority)


def test_the_order_rule_is_the_managers() -> None:
    page = task(3, TaskType.TEXT_EXTRACTION)
    imp = task(9, TaskType.IMPORT)
    urgent = task(12, TaskType.TEXT_EXTRACTION, priority=5)
    assert sorted([page, imp, urgent], key=task_order_key) == [urgent, imp, page]
    # A document's pages run in page order, and before any page of a later document.
    later = order_key(0, JobKind.PAGE, page_age(1, 1))
    assert order_key(0, JobKind.PAGE, page_age(0, 117)) < later
    assert order_key(0, JobKind.OPEN, 5) < order_key(0, JobKind.PAGE, page_age(0, 1))
    assert page_jobs([3, 1, 2, 2]) == [1, 2, 3]  # one job per page, never chunks


def test_one_document_is_read_by_two_workers_at_once() -> None:
    (spread,) = extract([LONG], jobs=2)
    (alone,) = extract([LONG], jobs=1)
    assert spread.error is None
    assert len(spread.pages) == 117
    assert len({p.worker for p in spread.pages}) == 2
    assert spread.most_at_once == 2
    assert alone.most_at_once == 1
    assert [p.to_json() for p in spread.pages] == [p.to_json() for p in alone.pages]


def test_results_in_file_and_page_order() -> None:
    paths = [LONG, TRIVIAL, FOUR, TRIVIAL, FOUR, LONG]
    results = extract(paths, jobs=2, pages={4, 1, 3})
    assert [r.file for r in results] == [str(p) for p in paths]
    for r in results:
        numbers = [p.number for p in r.pages]
        assert numbers == [1, 3, 4]
    assert results[2].error is None and "no page" in str(results[1].error)


def test_first_result_comes_before_the_list_is_read_through() -> None:
    taken = 0
    total = 60

    def paths() -> Iterator[Path]:
        nonlocal taken
        for _ in range(total):
            taken += 1
            yield TRIVIAL

    jobs = 2
    with BatchExtractor(OcrMode.NEVER, "eng", None, jobs) as batch:
        results = batch.run(paths())
        first = next(results)
        # Only a window of files is taken in at once; the first is out before the rest.
        assert first.error is None and first.pages[0].text
        assert taken <= jobs * FILES_PER_JOB + 1 < total
        rest = list(results)
    assert len(rest) == total - 1


@pytest.mark.slow
def test_a_file_whose_pages_hang_is_given_up_after_two() -> None:
    # Pages 2 and 3 hang at the same time on the two workers; page 4 is not started.
    (result,) = extract([HANGS], jobs=2, ocr=OcrMode.AUTO)
    by_number = {p.number: p for p in result.pages}
    assert sorted(by_number) == [1, 2, 3, 4]
    hung = [p for p in result.pages if p.hung]
    skipped = [p for p in result.pages if "skipped" in str(p.error)]
    assert len(hung) == 2 and len(skipped) == 1
    assert "hung the reader" in str(skipped[0].error)
    assert str(HANGS) in str(skipped[0].error)
    assert result.error is not None and result.error.startswith("3 of 4 pages failed")


def test_command_prints_files_and_pages_in_order(tmp_path: Path) -> None:
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(FOUR.read_bytes())
    proc = subprocess.run(
        [sys.executable, "-m", "app", "extract", "--jobs", "2", FOUR, TRIVIAL, copy],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    headers = [line.split(" (")[0] for line in proc.stdout.splitlines() if line.startswith("==> ")]
    assert headers == [
        *(f"==> {FOUR} · page {n}" for n in range(1, 5)),
        f"==> {TRIVIAL} · page 1",
        *(f"==> {copy} · page {n}" for n in range(1, 5)),
    ]
