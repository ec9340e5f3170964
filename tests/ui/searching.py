"""Searching from a test: the view answers off the GUI thread, so wait for its signal."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.library import SearchHit
from app.ui.search.search_view import SearchView


def search_and_wait(qtbot: QtBot, view: SearchView, text: str) -> list[SearchHit]:
    """Search as if typed and Enter pressed; the documents shown, each as its best page."""
    with qtbot.waitSignal(view.searchFinished, timeout=20_000):
        view.search(text)
    return view.hits()
