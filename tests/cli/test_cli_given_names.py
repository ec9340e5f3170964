"""The command line names the file the user gave, even when its content is already in
the library under an earlier name: real `folio` processes on a real library."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.library import Library
from app.core.models import OcrMode, TaskStatus, TaskType
from app.tasks.queue import SETTING_OCR_MODE
from tests.cli.test_cli import assert_clean_stderr, folio
from tests.conftest import SAMPLES

SMILE = SAMPLES / "007-imagemagick-images" / "smile.png"


def test_a_page_error_names_the_file_given_not_its_earlier_name(tmp_path: Path) -> None:
    library = tmp_path / "Library"
    earlier = tmp_path / "statement.png"
    given = tmp_path / "statement copy 2.png"
    shutil.copy(SMILE, earlier)
    shutil.copy(SMILE, given)
    lib = Library(library)
    # OCR off, so the page fails with a sentence that names the file.
    lib.set_setting(SETTING_OCR_MODE, OcrMode.NEVER.value)
    lib.close()
    first = folio("--library", library, "import", earlier)
    assert first.returncode == 1
    assert "statement.png is an image, and OCR is switched off" in first.stderr
    # The first run stopped before that page was read (e.g. the user pressed Ctrl+C).
    lib = Library(library)
    page_task = next(t for t in lib.tasks() if t.task_type is not TaskType.IMPORT)
    page_task.status = TaskStatus.IN_PROGRESS
    lib.update_task(page_task, ("status",))
    lib.close()
    # The same content under another name: the page is read again, and fails again.
    second = folio("--library", library, "import", given)
    assert_clean_stderr(second)
    assert second.returncode == 1
    assert "folio: statement copy 2.png is an image, and OCR is switched off" in second.stderr
    assert "statement.png" not in second.stderr
