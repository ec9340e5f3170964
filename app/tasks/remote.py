"""Pages read elsewhere: what the manager needs of a cluster (app.cluster provides it).

The manager stays the only writer of task state: a remote job reports through the same
signals as a local one, and its page's text is stored by `_complete_page` as always.
"""

from __future__ import annotations

from typing import Protocol

from app.tasks.jobs import Job, PageJob


class RemotePages(Protocol):
    def page_job(self, job: PageJob) -> Job:
        """The job that reads `job`'s page elsewhere (and here again if that fails)."""
        ...

    def slots(self) -> int:
        """How many pages are read at once there."""
        ...

    def close(self) -> None: ...
