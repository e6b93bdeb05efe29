"""Direct tampering with stored event rows, the way an insider with database access would:
``stored_events`` in the ledger's SQLite file (by rowid) or ``craftledger_events`` in the test
schema (by notification id)."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

from service.ledger import Ledger
from tests.support.stores import POSTGRES_URL


class StoredRows:
    """Direct access to the ledger's stored event rows, by log position."""

    def __init__(self, ledger: Ledger) -> None:
        settings = ledger.settings
        self.postgres = settings.database_url is not None
        self.schema = settings.postgres_schema
        self.path = settings.data_dir / "ledger.sqlite3"

    def _run(self, sql_sqlite: str, sql_postgres: str, params: tuple[Any, ...]) -> list[Any]:
        if self.postgres:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
                connection.execute(f'SET search_path TO "{self.schema}"')
                cursor = connection.execute(sql_postgres, params)
                return cursor.fetchall() if cursor.description else []
        connection = sqlite3.connect(self.path)
        try:
            with connection:
                cursor = connection.execute(sql_sqlite, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def row(self, position: int) -> tuple[str, bytes]:
        """(topic, state) of the row at ``position``."""
        (found,) = self._run(
            "SELECT topic, state FROM stored_events WHERE rowid = ?",
            "SELECT topic, state FROM craftledger_events WHERE notification_id = %s",
            (position,),
        )
        return found[0], bytes(found[1])

    def set_state(self, position: int, state: bytes, topic: str | None = None) -> None:
        current_topic, _ = self.row(position)
        self._run(
            "UPDATE stored_events SET state = ?, topic = ? WHERE rowid = ?",
            "UPDATE craftledger_events SET state = %s, topic = %s WHERE notification_id = %s",
            (state, topic or current_topic, position),
        )

    def delete(self, position: int) -> None:
        self._run(
            "DELETE FROM stored_events WHERE rowid = ?",
            "DELETE FROM craftledger_events WHERE notification_id = %s",
            (position,),
        )

    def swap(self, first: int, second: int) -> None:
        """Exchange two rows' data (topic and state), leaving their positions."""
        one, two = self.row(first), self.row(second)
        self.set_state(first, two[1], two[0])
        self.set_state(second, one[1], one[0])
