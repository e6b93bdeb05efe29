"""When each API token was last used: a side table, not events.

Recording a use as an event would make every authenticated read write to the log (and the
audit trail would be mostly "token used"). Instead ``token_usage`` (token id, last-used time)
sits beside the ledger like the idempotency keys: in its own SQLite file, or in the ledger's
PostgreSQL schema. It is written at most once a minute per token and process (and an older time
never overwrites a newer one), so a busy client costs one small upsert a minute. The time is
therefore accurate to a minute; it is a convenience for spotting unused tokens, not a record.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from service.persistence.side_tables import (
    PostgresSideTable,
    SideTable,
    SQLiteFileSideTable,
)

__all__ = ["TokenUsage", "usage_for"]

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60.0
"""A token's use is written at most this often per process."""


class TokenUsage(SideTable):
    table = "token_usage"

    def __init__(self) -> None:
        self._written: dict[UUID, float] = {}
        self._lock = threading.Lock()

    def create_table(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {t} ("
                    "token_id TEXT PRIMARY KEY, last_used_at TEXT NOT NULL)"
                )
            )

    def touch(self, token_id: UUID, at: datetime | None = None) -> bool:
        """Note that ``token_id`` was used at ``at`` (now); False when written too recently.
        A failure to write is logged, never raised: the request it belongs to goes on."""
        now = time.monotonic()
        with self._lock:
            last = self._written.get(token_id)
            if last is not None and now - last < INTERVAL_SECONDS:
                return False
            self._written[token_id] = now
        moment = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        try:
            with self._cursor() as cursor:
                cursor.execute(
                    self._sql(
                        "INSERT INTO {t} (token_id, last_used_at) VALUES (%s, %s) "
                        "ON CONFLICT (token_id) DO UPDATE SET last_used_at = "
                        "excluded.last_used_at WHERE {t}.last_used_at < excluded.last_used_at"
                    ),
                    (str(token_id), moment),
                )
        except Exception:  # a statistic: never fail the request for it
            with self._lock:
                self._written.pop(token_id, None)
            log.warning("could not record the use of token %s", token_id, exc_info=True)
            return False
        return True

    def last_used(self, token_id: UUID) -> datetime | None:
        with self._cursor() as cursor:
            cursor.execute(
                self._sql("SELECT last_used_at FROM {t} WHERE token_id = %s"), (str(token_id),)
            )
            row = cursor.fetchone()
        if row is None:
            return None
        value = row[0] if not isinstance(row, dict) else row["last_used_at"]
        return datetime.fromisoformat(value)


class SQLiteTokenUsage(SQLiteFileSideTable, TokenUsage):
    """The table in its own SQLite file; a connection per use (writes are rare)."""


class PostgresTokenUsage(PostgresSideTable, TokenUsage):
    """The table in the ledger's PostgreSQL schema, through the ledger's connection pool."""

    def __init__(self, datastore: Any) -> None:
        TokenUsage.__init__(self)
        PostgresSideTable.__init__(self, datastore)


def usage_for(ledger: Any) -> TokenUsage:
    """PostgreSQL when the ledger records there, otherwise ``token-usage.sqlite3``."""
    datastore = getattr(ledger.recorder, "datastore", None)
    if datastore is not None and type(datastore).__name__ == "PostgresDatastore":
        return PostgresTokenUsage(datastore)
    return SQLiteTokenUsage(Path(ledger.settings.data_dir) / "token-usage.sqlite3")
