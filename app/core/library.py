"""The SQLite library: one folder's database (sources, pages, text, tasks) and file store."""

from __future__ import annotations

from app.core.database import DB_NAME, LOCK_NAME, LibraryDatabase, folder_lock
from app.core.schema import SCHEMA_VERSION
from app.core.sources import HIT_END, HIT_START, SearchHit, SourcesTable, fts_query
from app.core.tasks_table import TasksTable

__all__ = [
    "DB_NAME",
    "HIT_END",
    "HIT_START",
    "LOCK_NAME",
    "SCHEMA_VERSION",
    "Library",
    "LibraryDatabase",
    "SearchHit",
    "folder_lock",
    "fts_query",
]


class Library(SourcesTable, TasksTable):
    """One library folder: `library.sqlite3` and the file store `files/`.

    Its parts: the connection, lock and settings (database.py), documents and their
    pages (sources.py) and the task history (tasks_table.py).
    """
