"""The runner's own tables (投影状态): each projection's position, version and status, and the
poison event that stopped it. Rows are written only inside the runner's transactions."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from projections.projection import Projection
from projections.store import Transaction

STATE_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS projection_state (
        name {key_text} PRIMARY KEY,
        position BIGINT NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS projection_failure (
        name {key_text} PRIMARY KEY,
        position BIGINT NOT NULL,
        topic TEXT NOT NULL,
        originator_id TEXT,
        originator_version BIGINT,
        error TEXT NOT NULL,
        detail TEXT NOT NULL,
        failed_at TEXT NOT NULL
    )""",
)

OK = "ok"
FAILED = "failed"


@dataclass(frozen=True)
class ProjectionFailure:
    """A poison event that stopped one projection."""

    name: str
    position: int
    topic: str
    originator_id: str | None
    originator_version: int | None
    error: str
    failed_at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "position": self.position,
            "topic": self.topic,
            "originator_id": self.originator_id,
            "originator_version": self.originator_version,
            "error": self.error,
            "failed_at": self.failed_at,
        }


@dataclass(frozen=True)
class ProjectionState:
    name: str
    position: int
    version: int
    status: str
    updated_at: str


def stamp() -> str:
    """Now, as the state tables write it (UTC, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def reset_state(tx: Transaction, projection: Projection) -> None:
    """Drop and recreate ``projection``'s tables, at position 0 with no failure."""
    projection.drop_tables(tx)
    projection.create_tables(tx)
    tx.upsert(
        "projection_state",
        ("name",),
        {
            "name": projection.name,
            "position": 0,
            "version": projection.version,
            "status": OK,
            "updated_at": stamp(),
        },
    )
    tx.execute("DELETE FROM projection_failure WHERE name = ?", (projection.name,))


def stored_version(tx: Transaction, name: str, for_update: str) -> int | None:
    """The version ``name``'s tables were built by (None: never built), its row locked."""
    found = tx.row("SELECT version FROM projection_state WHERE name = ?" + for_update, (name,))
    return None if found is None else int(found[0])


def read_states(tx: Transaction) -> dict[str, ProjectionState]:
    rows = tx.rows("SELECT name, position, version, status, updated_at FROM projection_state")
    return {
        row[0]: ProjectionState(row[0], int(row[1]), int(row[2]), row[3], row[4]) for row in rows
    }


def read_failures(tx: Transaction, open_sealed: Any) -> list[ProjectionFailure]:
    """Every recorded failure, its sealed error opened with ``open_sealed``."""
    rows = tx.rows(
        "SELECT name, position, topic, originator_id, originator_version, error,"
        " failed_at FROM projection_failure ORDER BY name"
    )
    return [
        ProjectionFailure(
            r[0],
            int(r[1]),
            r[2],
            r[3],
            None if r[4] is None else int(r[4]),
            open_sealed(r[5]),
            r[6],
        )
        for r in rows
    ]


def lock_state(tx: Transaction, name: str, for_update: str) -> tuple[int, str] | None:
    """``name``'s position and status, its row locked for the transaction."""
    found = tx.row(
        "SELECT position, status FROM projection_state WHERE name = ?" + for_update, (name,)
    )
    return None if found is None else (int(found[0]), found[1])


def set_position(tx: Transaction, name: str, position: int) -> None:
    tx.execute(
        "UPDATE projection_state SET position = ?, updated_at = ? WHERE name = ?",
        (position, stamp(), name),
    )


def record_failure(tx: Transaction, name: str, bad: Any, cause: BaseException) -> None:
    """Mark ``name`` failed at the stored notification ``bad``, which raised ``cause``."""
    tx.execute("UPDATE projection_state SET status = ? WHERE name = ?", (FAILED, name))
    tx.upsert(
        "projection_failure",
        ("name",),
        {
            "name": name,
            "position": bad.id,
            "topic": bad.topic,
            "originator_id": str(bad.originator_id),
            "originator_version": bad.originator_version,
            # an error may quote the event (a name, a reason): sealed like them
            "error": tx.seal(f"{type(cause).__name__}: {cause}"),
            "detail": tx.seal("".join(traceback.format_exception(cause))[-4000:]),
            "failed_at": stamp(),
        },
    )


def clear_failure(tx: Transaction, name: str) -> None:
    """Set ``name`` going again: status ok, its failure forgotten."""
    tx.execute(
        "UPDATE projection_state SET status = ?, updated_at = ? WHERE name = ?",
        (OK, stamp(), name),
    )
    tx.execute("DELETE FROM projection_failure WHERE name = ?", (name,))
