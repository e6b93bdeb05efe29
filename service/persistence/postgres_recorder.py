"""The ledger's PostgreSQL persistence: the library's, with schema creation serialised and
inserts made without psycopg's pipeline mode. Selected by ``PERSISTENCE_MODULE``
(``service.config``).

**Schema creation.** ``eventsourcing`` creates its types and tables with ``CREATE TYPE`` and
``CREATE TABLE IF NOT EXISTS``, which are not safe against themselves: two processes starting on
a new database at once (``craftledger serve`` workers, ``craftledger projections run``) fail
with a duplicate ``pg_type`` row or "tuple concurrently updated". Every recorder here creates its
tables holding the schema's advisory lock (``projections.store.schema_lock_name``, the lock the
projection store and the service's own tables take too), and creates the schema if it is
missing.

**Inserts.** ``PostgresApplicationRecorder.insert_events`` sends the table lock, the NOTIFY and
the INSERT (all events of one atomic ``save`` as one array parameter) in psycopg pipeline mode.
With a large save -- confirming a 5,000-candidate session writes about 19,000 events, some 15 MB
-- the pipeline deadlocks: the client waits in ``pipeline.sync()`` while the server waits in
``ClientRead`` (reproduced with psycopg 3.3.9 on PostgreSQL 15: 20,000 events of 1 kB hang;
5,000 of 1 kB sometimes). The same statements in one ordinary transaction do not block and are
no slower (20,000 events of 1 kB: 3.5 s; pipelined, when it does not hang: 4 s). Everything else
is the library's: the table lock that keeps notification ids in commit order, the NOTIFY, the
single INSERT of the whole save (one transaction: all or nothing), error mapping and retries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import retry

from projections.store import create_schema_if_missing, schema_lock_name

__all__ = [
    "LedgerPostgresFactory",
    "SchemaLockedAggregateRecorder",
    "UnpipelinedApplicationRecorder",
    "schema_creation",
]


@contextmanager
def schema_creation(datastore: PostgresDatastore) -> Iterator[None]:
    """Hold the schema lock of ``datastore``'s schema (creating the schema if missing) while
    the body creates tables, in as many transactions as it likes: a session-level lock on a
    connection of its own, released at the end (or when that connection dies)."""
    name = schema_lock_name(datastore.schema)
    with datastore.get_connection() as connection:
        connection.execute("SELECT pg_advisory_lock(hashtext(%s))", (name,))
        try:
            create_schema_if_missing(connection, datastore.schema)
            yield
        finally:
            try:
                connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", (name,))
            except psycopg.Error:
                connection.close()  # the pool drops it; closing releases the lock


class _SchemaLocked:
    """Create the recorder's tables holding the schema lock."""

    datastore: PostgresDatastore

    def create_table(self) -> None:
        with schema_creation(self.datastore):
            super().create_table()  # type: ignore[misc]


class SchemaLockedAggregateRecorder(_SchemaLocked, PostgresAggregateRecorder):
    """The library's aggregate recorder (the ledger's snapshots)."""


class UnpipelinedApplicationRecorder(_SchemaLocked, PostgresApplicationRecorder):
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


class LedgerPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory with the recorders above."""

    aggregate_recorder_class = SchemaLockedAggregateRecorder
    application_recorder_class = UnpipelinedApplicationRecorder
