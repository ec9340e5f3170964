"""Where the test documents are: tests/data in the repository, or FOLIO_CORPUS if set."""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS") or REPO / "tests" / "data").resolve()
SAMPLES = CORPUS / "sample-files"
HOSTILE = CORPUS / "hostile"


def sample_pdfs() -> list[dict[str, object]]:
    """Entries of files.json whose file is present."""
    data = json.loads((SAMPLES / "files.json").read_text())["data"]
    return [e for e in data if (SAMPLES / str(e["path"])).exists()]


def hostile_files() -> list[Path]:
    """Every hostile document (licence texts left out)."""
    return sorted(p for p in HOSTILE.rglob("*") if p.is_file() and not p.name.endswith(".txt"))
