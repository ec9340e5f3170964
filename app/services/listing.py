"""Documents as the CLI and the API give them out: the record plus how far reading came."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.core.models import Source
from app.core.states import SourceState


def source_json(
    source: Source, state: SourceState | None, names: Sequence[str] = ()
) -> dict[str, Any]:
    """A source's JSON with `pagesWithText`, `pagesFailed` and `names`: every name it
    was imported under, the first first (the shown `name` differs after a rename)."""
    item = source.to_json()
    item["pagesWithText"] = state.completed if state else 0
    item["pagesFailed"] = state.failed if state else 0
    item["names"] = list(names) or [source.name]
    return item


def hits_json(hits: Sequence[Any], names: dict[int, list[str]]) -> list[dict[str, Any]]:
    """Search hits' JSON, each with `sourceNames`: the names its document was imported under."""
    out = []
    for hit in hits:
        item = hit.to_json()
        item["sourceNames"] = names.get(hit.source_id) or [hit.source_name]
        out.append(item)
    return out
