"""SIGKILL during import and extraction: the library stays intact and the work resumes."""

from pathlib import Path

import pytest

from tests.stress.kill_loop import run


@pytest.mark.slow
def test_killed_three_times_then_everything_finishes(tmp_path: Path) -> None:
    # The 30-round version: python -m tests.stress.kill_loop (see README).
    result = run(rounds=3, seed=7, library=tmp_path / "Library", log=False)
    assert result["kills"] >= 2
    # Every page has text, except one whose task gave up after three interruptions.
    assert result["pages"] - result["texts"] <= result.get("failed", 0)
    assert result.get("in_progress", 0) == 0 and result.get("pending", 0) == 0
