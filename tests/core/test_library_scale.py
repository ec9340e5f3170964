"""Library state kept by the database itself, and query plans that do not grow per page."""

from __future__ import annotations

import os
import random
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app.core.library import Library
from app.core.models import BackgroundTask, TaskStatus, TaskType, TextMethod, now_iso
from app.core.schema import MIGRATIONS, split_sql
from app.core.states import SourceState
from tests.core.test_library import add_pdf

#: The whole-library aggregate the counters replace: the truth they must equal.
REFERENCE = """
SELECT p.source_id, COUNT(*),
       SUM(pt.page_id IS NOT NULL),
       SUM(pt.page_id IS NULL AND lt.status = 'failed'),
       SUM(lt.status IN ('pending', 'in_progress')),
       SUM(pt.page_id IS NULL AND lt.status = 'cancelled')
FROM pages p
LEFT JOIN page_text pt ON pt.page_id = p.id
LEFT JOIN tasks lt ON lt.id = (SELECT MAX(id) FROM tasks WHERE page_id = p.id)
GROUP BY p.source_id
"""


def reference_states(db: sqlite3.Connection) -> dict[int, SourceState]:
    return {
        row[0]: SourceState(row[1], row[2] or 0, row[3] or 0, row[4] or 0, row[5] or 0)
        for row in db.execute(REFERENCE)
    }


def page_task(source_id: int, page_id: int, status: TaskStatus) -> BackgroundTask:
    return BackgroundTask(
        0, TaskType.TEXT_EXTRACTION, status, now_iso(), source_id=source_id, page_id=page_id
    )


def test_counters_equal_the_aggregate_through_random_changes(library_dir: Path) -> None:
    rng = random.Random(7)
    with Library(library_dir) as lib:
        live: dict[int, list[int]] = {}
        tasks: list[BackgroundTask] = []
        for step in range(400):
            action = rng.random()
            with lib.transaction() as db:
                if action < 0.08 or not live:
                    source, pages = add_pdf(
                        lib, db, f"d{step}.pdf", rng.randint(0, 6), f"{step:02x}"
                    )
                    live[source.id] = [p.id for p in pages]
                elif action < 0.12:
                    gone = rng.choice(list(live))
                    del live[gone]
                    db.execute("DELETE FROM sources WHERE id = ?", (gone,))
                    tasks = [t for t in tasks if t.source_id != gone]
                elif action < 0.45:
                    source_id = rng.choice(list(live))
                    if live[source_id]:
                        page_id = rng.choice(live[source_id])
                        task = page_task(source_id, page_id, rng.choice(list(TaskStatus)))
                        lib.insert_tasks([task], db)
                        tasks.append(task)
                elif action < 0.75 and tasks:
                    task = rng.choice(tasks)
                    task.status = rng.choice(list(TaskStatus))
                    lib.update_task(task, ("status",), db)
                elif action < 0.95:
                    source_id = rng.choice(list(live))
                    if live[source_id]:
                        page_id = rng.choice(live[source_id])
                        method = rng.choice(list(TextMethod))
                        lib.save_page_text(db, page_id, f"words {step}", method, 80.0)
                else:
                    source_id = rng.choice(list(live))
                    if live[source_id]:
                        page_id = rng.choice(live[source_id])
                        db.execute("DELETE FROM page_text WHERE page_id = ?", (page_id,))
            truth = reference_states(lib._db)
            counters = {k: v for k, v in lib.source_states().items() if v.total}
            assert counters == truth, step
        # Each page's own state agrees with its text and newest task.
        for source_id, page_ids in live.items():
            states = lib.page_states(source_id)
            assert [s.page_id for s in states] == page_ids
            for state in states:
                page = lib.page(state.page_id)
                newest = lib.latest_task_for_page(state.page_id)
                assert page is not None
                assert state.has_text == (page.text is not None)
                assert state.method == page.method
                assert state.task_id == (newest.id if newest else None)
                assert state.task_status == (newest.status if newest else None)


def test_an_older_library_gets_its_counters_when_opened(library_dir: Path) -> None:
    library_dir.mkdir()
    db = sqlite3.connect(library_dir / "library.sqlite3", isolation_level=None)
    for statement in split_sql(MIGRATIONS[0]):
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO sources VALUES (1, 'aa', 'old.pdf', '/x/old.pdf', 'pdf', 1, 3, '2026-01-01')"
    )
    db.executemany(
        "INSERT INTO pages(id, source_id, number) VALUES (?, 1, ?)", [(1, 1), (2, 2), (3, 3)]
    )
    db.execute("INSERT INTO page_text VALUES (1, 'hello', 'text-layer', NULL, '2026-01-01')")
    for page_id, status in [(1, "completed"), (2, "failed"), (2, "pending"), (3, "cancelled")]:
        db.execute(
            "INSERT INTO tasks(task_type, status, source_id, page_id, scheduled_at) "
            "VALUES ('text_extraction', ?, 1, ?, '2026-01-01')",
            (status, page_id),
        )
    db.close()
    with Library(library_dir) as lib:
        assert lib.source_state(1) == SourceState(3, 1, 0, 1, 1)
        assert lib.source_state(1) == reference_states(lib._db)[1]
        states = lib.page_states(1)
        assert [s.task_status for s in states] == [
            TaskStatus.COMPLETED,
            TaskStatus.PENDING,
            TaskStatus.CANCELLED,
        ]
        assert [s.has_text for s in states] == [True, False, False]
        assert states[0].method is TextMethod.TEXT_LAYER
        assert (library_dir / "backups").is_dir()  # a copy was kept before the upgrade


def plans_of(lib: Library, calls: list[Callable[[], object]]) -> dict[str, list[str]]:
    """The query plan of every SELECT the calls ran."""
    statements: list[str] = []
    lib._db.set_trace_callback(statements.append)
    try:
        for call in calls:
            call()
    finally:
        lib._db.set_trace_callback(None)
    plans: dict[str, list[str]] = {}
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            plans[sql] = [row[3] for row in lib._db.execute("EXPLAIN QUERY PLAN " + sql)]
    return plans


WHOLE_TABLE = re.compile(
    r"^SCAN (p|pages|pt|page_text|t|tasks|lt)\b"
    r"(?! USING (COVERING )?INDEX (tasks_retry_of|tasks_in_view))"
)


def test_hot_queries_never_scan_pages_or_tasks(library_dir: Path) -> None:
    with Library(library_dir) as lib:
        with lib.transaction() as db:
            sources = [add_pdf(lib, db, f"d{i}.pdf", 40, f"{i:02x}") for i in range(30)]
            for source, pages in sources:
                lib.insert_tasks(
                    [page_task(source.id, p.id, TaskStatus.COMPLETED) for p in pages], db
                )
            # As in a long-used library: most finished tasks are cleared from view.
        lib.hide_finished_beyond(100)
        lib._db.execute("ANALYZE")
        source, pages = sources[5]
        plans = plans_of(
            lib,
            [
                lambda: lib.source_state(source.id),
                lambda: lib.source_states([source.id, sources[6][0].id]),
                lambda: lib.page_states(source.id),
                lambda: lib.page(pages[3].id),
                lambda: lib.latest_task_for_page(pages[3].id),
                lambda: lib.sources(),
                lambda: lib.tasks(include_hidden=False),
                lambda: lib.retried_task_ids(),
                lambda: lib.source_by_sha(source.sha256),
                lambda: lib.sidebar_counts(),
                lambda: lib.sources(50, collection_id=1),
                lambda: lib.trashed_sources(),
            ],
        )
        assert len(plans) >= 12
        for sql, plan in plans.items():
            for step in plan:
                # A scan of every page or task makes a view's cost grow with the library
                # (the partial index of retried tasks holds only those).
                assert not WHOLE_TABLE.match(step), (sql, plan)
        # The list leaves the trash out while walking the index of dates (no sort).
        sources_sql = next(
            sql for sql in plans if "FROM sources WHERE trashed_at IS NULL ORDER BY" in sql
        )
        assert not any("TEMP B-TREE" in step for step in plans[sources_sql]), plans[sources_sql]


def test_scheduled_backups_only_when_changed_and_a_day_old(library_dir: Path) -> None:
    from datetime import timedelta

    from app.core.backup import backup_due, backups, make_backup

    with Library(library_dir) as lib:
        with lib.transaction() as db:
            add_pdf(lib, db, "a.pdf", 2, "aa")
        db_path = lib.db_path
        start = datetime.now(UTC)
        assert backup_due(db_path, start)  # no copy yet
        make_backup(db_path, "scheduled")
        made = backups(library_dir)[0].made_at
        # Unchanged: never due, however old the copy.
        for path in library_dir.glob("library.sqlite3*"):
            os.utime(path, (made.timestamp() - 60, made.timestamp() - 60))
        assert not backup_due(db_path, made + timedelta(days=30))
        # Changed: due once a day has passed, not before.
        with lib.transaction() as db:
            add_pdf(lib, db, "b.pdf", 2, "bb")
        later = made.timestamp() + 3600
        os.utime(db_path.with_name("library.sqlite3-wal"), (later, later))
        assert not backup_due(db_path, made + timedelta(hours=20))
        assert backup_due(db_path, made + timedelta(days=1, hours=1))
