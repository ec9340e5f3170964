"""Shared helpers for the benchmark scripts (not tests): corpus files, words, timing."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tests.corpus import CORPUS, REPO, SAMPLES

__all__ = ["CORPUS", "REPO", "SAMPLES"]
#: PDFium hangs on pages 2-4 of this damaged file (each stopped at its time limit);
#: it measures the time limit, not speed, so benchmarks leave it out.
EXCLUDED = {"unreadablemetadata.pdf", "libreoffice-writer-password.pdf"}
_WORD = re.compile(r"\w+", re.UNICODE)


def sample_pdfs() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*.pdf") if p.name not in EXCLUDED)


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def recall(reference: Counter[str], candidate: Counter[str]) -> float:
    """Share of the reference's words (with multiplicity) that the candidate has."""
    total = sum(reference.values())
    if not total:
        return 1.0
    return sum((reference & candidate).values()) / total


def agreement(reference: Counter[str], candidate: Counter[str]) -> float:
    """Word-level F1 between two bags of words."""
    common = sum((reference & candidate).values())
    if not common:
        return 1.0 if not reference and not candidate else 0.0
    p = common / sum(candidate.values())
    r = common / sum(reference.values())
    return 2 * p * r / (p + r)


def pdftotext_pages(path: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=False
    ).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def copies(paths: Sequence[Path], count: int, folder: Path) -> list[str]:
    """`count` copies of each file under their own names (Folio reads a path once)."""
    out = []
    folder.mkdir()
    for i in range(count):
        (folder / str(i)).mkdir()
        for n, path in enumerate(paths):
            copy = folder / str(i) / f"{n:03}-{path.name}"
            shutil.copyfile(path, copy)
            out.append(str(copy))
    return out


def folio_cmd() -> list[str]:
    return [sys.executable, "-m", "app"]
