"""Where each word of a page is, stored beside its text (table `page_words`); part of Library."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from app.core.database import LibraryDatabase
from app.core.words import WordBox, decode_words, encode_words


class PageWordsTable(LibraryDatabase):
    """The word boxes of each page (see app.core.words for their form)."""

    def save_page_words(
        self, db: sqlite3.Connection, page_id: int, boxes: Sequence[WordBox] | None
    ) -> None:
        """Store a page's boxes in the caller's transaction (the one storing its text).

        None (the read found no positions) removes any boxes of an earlier read, which
        would no longer fit the page's new text.
        """
        if boxes is None:
            db.execute("DELETE FROM page_words WHERE page_id = ?", (page_id,))
            return
        db.execute(
            "INSERT INTO page_words(page_id, words) VALUES (?, ?) "
            "ON CONFLICT(page_id) DO UPDATE SET words = excluded.words",
            (page_id, encode_words(boxes)),
        )

    def page_words(self, page_id: int) -> list[WordBox] | None:
        """A page's boxes, in text order; None when none are kept (read before Folio kept
        them, or by a reader that gives none)."""
        rows = self._query("SELECT words FROM page_words WHERE page_id = ?", (page_id,))
        return decode_words(rows[0][0]) if rows else None
