"""The PostgreSQL event recorder, inserting without psycopg's pipeline mode.

``eventsourcing``'s ``PostgresApplicationRecorder.insert_events`` sends the table lock, the
NOTIFY and the INSERT (all events of one atomic ``save`` as one array parameter) in psycopg
pipeline mode. With a large save -- confirming a 5,000-candidate session writes about 19,000
events, some 15 MB -- the pipeline deadlocks: the client waits in ``pipeline.sync()`` while the
server waits in ``ClientRead`` (reproduced with psycopg 3.3.9 on PostgreSQL 15: 20,000 events of
1 kB hang; 5,000 of 1 kB sometimes). The same statements in one ordinary transaction do not
block and are no slower (20,000 events of 1 kB: 3.5 s; pipelined, when it does not hang: 4 s).

Everything else is the library's: the table lock that keeps notification ids in commit order,
the NOTIFY, the single INSERT of the whole save (one transaction: all or nothing), error
mapping and retries. Selected with ``APPLICATION_RECORDER_TOPIC`` (``service.config``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry

__all__ = ["UnpipelinedApplicationRecorder"]


class UnpipelinedApplicationRecorder(PostgresApplicationRecorder):
    """``PostgresApplicationRecorder`` whose inserts run in a plain transaction."""

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return []
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
