"""Documents as the CLI and the API give them out: the record plus how far reading came."""

from __future__ import annotations

from typing import Any

from app.core.models import Source
from app.core.states import SourceState


def source_json(source: Source, state: SourceState | None) -> dict[str, Any]:
    """A source's JSON with `pagesWithText` and `pagesFailed`."""
    item = source.to_json()
    item["pagesWithText"] = state.completed if state else 0
    item["pagesFailed"] = state.failed if state else 0
    return item
