"""Pure-Python domain: sources, pages, tasks, the SQLite library and the file store."""
