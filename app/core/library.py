"""The SQLite library: one folder's database (sources, pages, text, tasks) and file store."""

from __future__ import annotations

from app.core.collections import Collection, CollectionsTable
from app.core.database import DB_NAME, LOCK_NAME, LibraryDatabase, folder_lock
from app.core.names import NamesTable
from app.core.page_words import PageWordsTable
from app.core.schema import SCHEMA_VERSION
from app.core.search import HIT_END, HIT_START, SearchCount, SearchHit, SearchTable
from app.core.sources import SourcesTable
from app.core.tasks_table import TasksTable
from app.core.trash import TrashedSource, TrashTable

__all__ = [
    "DB_NAME",
    "HIT_END",
    "HIT_START",
    "LOCK_NAME",
    "SCHEMA_VERSION",
    "Collection",
    "Library",
    "LibraryDatabase",
    "SearchCount",
    "SearchHit",
    "TrashedSource",
    "folder_lock",
]


class Library(
    SourcesTable,
    NamesTable,
    SearchTable,
    TasksTable,
    PageWordsTable,
    TrashTable,
    CollectionsTable,
):
    """One library folder: `library.sqlite3` and the file store `files/`.

    Its parts: the connection, lock and settings (database.py), documents and their
    pages (sources.py), the names they were imported under and their own metadata
    (names.py), searching their text (search.py), the task history (tasks_table.py),
    where each word of a page is (page_words.py), the trash (trash.py) and
    collections (collections.py).
    """
