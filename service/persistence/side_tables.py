"""The service's own tables beside the ledger's events (idempotency keys, jobs).

Each is written in SQL that both SQLite and PostgreSQL accept: ``{t}`` names the table and ``%s``
is a placeholder (``?`` for SQLite). On SQLite a table lives in its own file, one connection per
thread, each use one ``BEGIN IMMEDIATE`` transaction; on PostgreSQL in the ledger's schema,
through the ledger's connection pool, created holding the schema lock
(``service.persistence.postgres_recorder.schema_creation``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

__all__ = ["PostgresSideTable", "SQLiteFileSideTable", "SideTable", "sqlite_transaction"]


class SideTable:
    """A table in SQL both stores accept; a subclass names ``table`` and gives ``_cursor``."""

    table: str
    placeholder = "?"

    @contextmanager
    def _cursor(self) -> Iterator[Any]:  # pragma: no cover - overridden
        raise NotImplementedError
        yield

    def _sql(self, statement: str) -> str:
        return statement.replace("{t}", self.table).replace("%s", self.placeholder)

    def create_table(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class PostgresSideTable(SideTable):
    """The table in the ledger's PostgreSQL schema, through the ledger's connection pool."""

    placeholder = "%s"

    def __init__(self, datastore: Any) -> None:
        from service.persistence.postgres_recorder import schema_creation

        self.datastore = datastore
        schema = datastore.schema.replace('"', '""')
        self.table = f'"{schema}".{self.table}'
        from projections.store import read_only_database

        with datastore.get_connection() as connection:
            if read_only_database(connection):
                return  # a read replica: the primary made the table
        with schema_creation(datastore):  # workers start together: one creates, others wait
            self.create_table()

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as cursor:
            yield cursor


class SQLiteFileSideTable(SideTable):
    """The table in its own SQLite file, made 0600 before SQLite opens it (and so its -wal and
    -shm); a connection per use, for tables written rarely (token last use, account secrets)."""

    def __init__(self, path: Path) -> None:
        from projections.store import private_file

        super().__init__()  # a table's own state (e.g. TokenUsage's), next in the MRO
        self.path = private_file(path)
        self.create_table()

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        with closing(connection), sqlite_transaction(connection) as cursor:
            yield cursor


@contextmanager
def sqlite_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
    """A cursor in one ``BEGIN IMMEDIATE`` transaction: committed, or rolled back on any error."""
    cursor = connection.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    try:
        yield cursor
    except BaseException:
        connection.rollback()
        raise
    else:
        connection.commit()
    finally:
        cursor.close()
