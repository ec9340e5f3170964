"""The library's SQLite schema, as migrations from one version to the next."""

from __future__ import annotations

import sqlite3

_SCHEMA_V1 = """
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    original_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    page_count INTEGER NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    UNIQUE (source_id, number)
);
CREATE TABLE page_text (
    page_id INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    method TEXT NOT NULL,
    confidence REAL,
    extracted_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE page_fts USING fts5(
    text, content='page_text', content_rowid='page_id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER page_text_ai AFTER INSERT ON page_text BEGIN
    INSERT INTO page_fts(rowid, text) VALUES (new.page_id, new.text);
END;
CREATE TRIGGER page_text_ad AFTER DELETE ON page_text BEGIN
    INSERT INTO page_fts(page_fts, rowid, text) VALUES ('delete', old.page_id, old.text);
END;
CREATE TRIGGER page_text_au AFTER UPDATE ON page_text BEGIN
    INSERT INTO page_fts(page_fts, rowid, text) VALUES ('delete', old.page_id, old.text);
    INSERT INTO page_fts(rowid, text) VALUES (new.page_id, new.text);
END;
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_type TEXT NOT NULL,
    status TEXT NOT NULL,
    source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    page_id INTEGER REFERENCES pages(id) ON DELETE SET NULL,
    scheduled_at TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    started_at TEXT,
    finished_at TEXT,
    error TEXT,
    attempt INTEGER NOT NULL DEFAULT 1,
    retry_of INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
    interrupted INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL DEFAULT '{}',
    hidden INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_status ON tasks(status);
CREATE INDEX tasks_page ON tasks(page_id);
CREATE INDEX tasks_source ON tasks(source_id);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


#: Active statuses of a page's newest task (SQL list).
_ACTIVE = "('pending', 'in_progress')"


def _counts(row: str) -> dict[str, str]:
    """SQL for what one page row adds to its source's counters (0 or 1 each)."""
    status = f"IFNULL({row}.task_status, '')"
    return {
        "completed": f"{row}.has_text",
        "failed": f"({row}.has_text = 0 AND {status} = 'failed')",
        "active": f"({status} IN {_ACTIVE})",
        "cancelled": f"({row}.has_text = 0 AND {status} = 'cancelled')",
    }


_NEW, _OLD = _counts("new"), _counts("old")

# Version 2: each page keeps its state (has text, how it was read, its newest task), and
# each source its counters, kept up to date by triggers in the same transaction as the
# change itself. Views read one source's state or one document's page states without
# aggregating the whole library or touching page text.
_SCHEMA_V2 = f"""
ALTER TABLE pages ADD COLUMN has_text INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN method TEXT;
ALTER TABLE pages ADD COLUMN confidence REAL;
ALTER TABLE pages ADD COLUMN task_id INTEGER;
ALTER TABLE pages ADD COLUMN task_status TEXT;
CREATE TABLE source_stats (
    source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    total INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 0,
    cancelled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_hidden ON tasks(hidden);
CREATE INDEX tasks_in_view ON tasks(id) WHERE hidden = 0;
CREATE INDEX tasks_retry_of ON tasks(retry_of) WHERE retry_of IS NOT NULL;
CREATE INDEX sources_added ON sources(added_at DESC, id DESC);
CREATE INDEX pages_unqueued ON pages(source_id, number) WHERE task_id IS NULL;
UPDATE pages SET
    has_text = EXISTS (SELECT 1 FROM page_text WHERE page_id = pages.id),
    method = (SELECT method FROM page_text WHERE page_id = pages.id),
    confidence = (SELECT confidence FROM page_text WHERE page_id = pages.id),
    task_id = (SELECT MAX(id) FROM tasks WHERE page_id = pages.id);
UPDATE pages SET task_status = (SELECT status FROM tasks WHERE id = pages.task_id)
    WHERE task_id IS NOT NULL;
INSERT INTO source_stats(source_id, total, completed, failed, active, cancelled)
    SELECT s.id, COUNT(p.id), IFNULL(SUM({_counts("p")["completed"]}), 0),
           IFNULL(SUM({_counts("p")["failed"]}), 0), IFNULL(SUM({_counts("p")["active"]}), 0),
           IFNULL(SUM({_counts("p")["cancelled"]}), 0)
    FROM sources s LEFT JOIN pages p ON p.source_id = s.id GROUP BY s.id;
CREATE TRIGGER sources_stats_ai AFTER INSERT ON sources BEGIN
    INSERT INTO source_stats(source_id) VALUES (new.id);
END;
CREATE TRIGGER pages_stats_ai AFTER INSERT ON pages BEGIN
    UPDATE source_stats SET total = total + 1,
        completed = completed + {_NEW["completed"]}, failed = failed + {_NEW["failed"]},
        active = active + {_NEW["active"]}, cancelled = cancelled + {_NEW["cancelled"]}
    WHERE source_id = new.source_id;
END;
CREATE TRIGGER pages_stats_ad AFTER DELETE ON pages BEGIN
    UPDATE source_stats SET total = total - 1,
        completed = completed - {_OLD["completed"]}, failed = failed - {_OLD["failed"]},
        active = active - {_OLD["active"]}, cancelled = cancelled - {_OLD["cancelled"]}
    WHERE source_id = old.source_id;
END;
CREATE TRIGGER pages_stats_au AFTER UPDATE OF has_text, task_status ON pages BEGIN
    UPDATE source_stats SET
        completed = completed + {_NEW["completed"]} - {_OLD["completed"]},
        failed = failed + {_NEW["failed"]} - {_OLD["failed"]},
        active = active + {_NEW["active"]} - {_OLD["active"]},
        cancelled = cancelled + {_NEW["cancelled"]} - {_OLD["cancelled"]}
    WHERE source_id = new.source_id;
END;
CREATE TRIGGER page_text_state_ai AFTER INSERT ON page_text BEGIN
    UPDATE pages SET has_text = 1, method = new.method, confidence = new.confidence
    WHERE id = new.page_id;
END;
CREATE TRIGGER page_text_state_au AFTER UPDATE ON page_text BEGIN
    UPDATE pages SET has_text = 1, method = new.method, confidence = new.confidence
    WHERE id = new.page_id;
END;
CREATE TRIGGER page_text_state_ad AFTER DELETE ON page_text BEGIN
    UPDATE pages SET has_text = 0, method = NULL, confidence = NULL WHERE id = old.page_id;
END;
CREATE TRIGGER tasks_page_state_ai AFTER INSERT ON tasks WHEN new.page_id IS NOT NULL BEGIN
    UPDATE pages SET task_id = new.id, task_status = new.status WHERE id = new.page_id;
END;
CREATE TRIGGER tasks_page_state_au AFTER UPDATE OF status ON tasks
WHEN new.page_id IS NOT NULL BEGIN
    UPDATE pages SET task_status = new.status WHERE id = new.page_id AND task_id = new.id;
END;
"""


def _to_check(row: str) -> str:
    """SQL: 1 when a page has text that Folio doubts (to be checked by a person)."""
    return f"({row}.has_text AND {row}.doubt)"


# Version 3: a page's text may come with a doubt (a sentence: "Read by OCR, 34 %
# confidence — check this page…") and the turn applied before reading it; each page
# knows whether it is to be checked and which turn the user chose for it, and each
# source counts its pages to check, kept by the same triggers as the other counters.
_SCHEMA_V3 = f"""
ALTER TABLE page_text ADD COLUMN doubt TEXT;
ALTER TABLE page_text ADD COLUMN rotation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN doubt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN user_rotation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE source_stats ADD COLUMN to_check INTEGER NOT NULL DEFAULT 0;
CREATE INDEX pages_to_check ON pages(source_id) WHERE doubt = 1;
DROP TRIGGER page_text_state_ai;
DROP TRIGGER page_text_state_au;
DROP TRIGGER page_text_state_ad;
DROP TRIGGER pages_stats_ai;
DROP TRIGGER pages_stats_ad;
DROP TRIGGER pages_stats_au;
CREATE TRIGGER page_text_state_ai AFTER INSERT ON page_text BEGIN
    UPDATE pages SET has_text = 1, method = new.method, confidence = new.confidence,
        doubt = new.doubt IS NOT NULL
    WHERE id = new.page_id;
END;
CREATE TRIGGER page_text_state_au AFTER UPDATE ON page_text BEGIN
    UPDATE pages SET has_text = 1, method = new.method, confidence = new.confidence,
        doubt = new.doubt IS NOT NULL
    WHERE id = new.page_id;
END;
CREATE TRIGGER page_text_state_ad AFTER DELETE ON page_text BEGIN
    UPDATE pages SET has_text = 0, method = NULL, confidence = NULL, doubt = 0
    WHERE id = old.page_id;
END;
CREATE TRIGGER pages_stats_ai AFTER INSERT ON pages BEGIN
    UPDATE source_stats SET total = total + 1,
        completed = completed + {_NEW["completed"]}, failed = failed + {_NEW["failed"]},
        active = active + {_NEW["active"]}, cancelled = cancelled + {_NEW["cancelled"]},
        to_check = to_check + {_to_check("new")}
    WHERE source_id = new.source_id;
END;
CREATE TRIGGER pages_stats_ad AFTER DELETE ON pages BEGIN
    UPDATE source_stats SET total = total - 1,
        completed = completed - {_OLD["completed"]}, failed = failed - {_OLD["failed"]},
        active = active - {_OLD["active"]}, cancelled = cancelled - {_OLD["cancelled"]},
        to_check = to_check - {_to_check("old")}
    WHERE source_id = old.source_id;
END;
CREATE TRIGGER pages_stats_au AFTER UPDATE OF has_text, task_status, doubt ON pages BEGIN
    UPDATE source_stats SET
        completed = completed + {_NEW["completed"]} - {_OLD["completed"]},
        failed = failed + {_NEW["failed"]} - {_OLD["failed"]},
        active = active + {_NEW["active"]} - {_OLD["active"]},
        cancelled = cancelled + {_NEW["cancelled"]} - {_OLD["cancelled"]},
        to_check = to_check + {_to_check("new")} - {_to_check("old")}
    WHERE source_id = new.source_id;
END;
"""

# Version 4: a document keeps every name it was imported under (the same content dropped
# as "report.pdf" and "annual copy.pdf" is one source with two names); a page keeps the
# position of each word on it (for drawing search hits on the page image); a source keeps
# the document's own title, author and page size, may be in the trash, and may belong to
# any number of collections. A rename changes `sources.name`; the imported names stay.
_SCHEMA_V4 = """
CREATE TABLE source_names (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    original_path TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (source_id, original_path)
) WITHOUT ROWID;
CREATE INDEX source_names_name ON source_names(name);
INSERT OR IGNORE INTO source_names(source_id, name, original_path, added_at)
    SELECT id, name, original_path, added_at FROM sources;
CREATE TABLE page_words (
    page_id INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
    words TEXT NOT NULL
);
ALTER TABLE sources ADD COLUMN title TEXT;
ALTER TABLE sources ADD COLUMN author TEXT;
ALTER TABLE sources ADD COLUMN page_width REAL;
ALTER TABLE sources ADD COLUMN page_height REAL;
ALTER TABLE sources ADD COLUMN trashed_at TEXT;
CREATE INDEX sources_trashed ON sources(trashed_at) WHERE trashed_at IS NOT NULL;
CREATE TABLE collections (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);
CREATE TABLE collection_sources (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    PRIMARY KEY (collection_id, source_id)
) WITHOUT ROWID;
CREATE INDEX collection_sources_source ON collection_sources(source_id);
"""

#: Each entry migrates from version i to i + 1.
MIGRATIONS: list[str] = [_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3, _SCHEMA_V4]
SCHEMA_VERSION = len(MIGRATIONS)


def split_sql(script: str) -> list[str]:
    """Split a schema script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.strip().splitlines():
        current.append(line)
        joined = "\n".join(current).strip()
        if sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    return statements
