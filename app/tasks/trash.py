"""Moving documents to the trash and back, and emptying it: their tasks follow."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable

from PySide6.QtCore import QTimer

from app.core.models import Source
from app.tasks.control import TaskControl

log = logging.getLogger(__name__)

#: What a page task cancelled because its document went to the trash says.
TRASHED_MESSAGE = "Cancelled: the document was moved to the trash"


class TrashControl(TaskControl):
    """The trash, as the manager keeps it; part of ExtractionManager.

    A document in the trash has no task waiting or running: moving it there cancels
    them, and restoring it reads the pages left unread (the cancelled ones retried,
    the ones never queued queued). Emptying deletes the documents for good and removes
    each stored file that no other source uses.

    Its signals, sourcesTrashed and sourcesRestored, are declared on TaskQueue: Qt
    registers the signals of one line of QObject classes, and the manager's parts are
    several lines over the same queue.
    """

    def trash_sources(self, source_ids: Iterable[int]) -> list[int]:
        """Move documents to the trash; the ids moved (those not in it already)."""
        moved = self.library.trash_sources(source_ids)
        if not moved:
            return []
        gone = set(moved)
        self._to_queue = deque(entry for entry in self._to_queue if entry[0] not in gone)
        active = [t.id for t in self._tasks.values() if t.source_id in gone and t.can_cancel]
        if active:
            self.cancel_many(active, message=TRASHED_MESSAGE)
        log.info("moved %d document(s) to the trash", len(moved))
        self.sourcesTrashed.emit(moved)
        return moved

    def restore_sources(self, source_ids: Iterable[int]) -> list[Source]:
        """Take documents out of the trash and read their unread pages; the Sources restored."""
        restored = self.library.restore_sources(source_ids)
        if not restored:
            return []
        back = [s.id for s in restored]
        unread = self.library.pages_to_read_again(back)
        if unread:
            self.retry(unread)
        self._to_queue.extend((source_id, 0, "") for source_id in back)
        QTimer.singleShot(0, self._queue_pages)
        log.info("restored %d document(s) from the trash", len(restored))
        self.sourcesRestored.emit(restored)
        return restored

    def _restore_from_trash(self, source_id: int) -> bool:
        return bool(self.restore_sources([source_id]))

    def delete_forever(self, source_ids: Iterable[int]) -> list[int]:
        """Delete documents in the trash for good (any others are left); the ids deleted."""
        chosen = [i for i in dict.fromkeys(source_ids) if self.library.is_trashed(i)]
        for source_id in chosen:
            self.delete_source(source_id)
        return chosen

    def empty_trash(self) -> list[int]:
        """Delete every document in the trash for good; the ids deleted."""
        return self.delete_forever(t.source.id for t in self.library.trashed_sources())

    def delete_source(self, source_id: int) -> None:
        """Cancel a source's tasks, delete it with its pages and text, and remove its
        stored file unless another source uses it (Folio deletes only what it created)."""
        ids = [t.id for t in self._tasks.values() if t.source_id == source_id]
        self.cancel_many(ids)
        sha = self.library.delete_source(source_id)
        if sha is not None and self.library.unused_hashes([sha]):
            self.library.store.remove(sha)
        for task in self._tasks.values():
            if task.source_id == source_id:
                task.source_id = None
                task.page_id = None
                self._mark(task.id, "source_id", "page_id")
        self.sourceRemoved.emit(source_id)
