"""Employment spells, as several projections need "the worker's current employer".

Each projection owns its own copy of the table (named by the projection), so it never reads
another projection's tables. A worker's current employer is the open spell (not ended) that
started last, by ``since`` date and then by the order recorded (``seq``, the event's version).
"""

from __future__ import annotations

from projections.projection import RecordedEvent, iso_date, text_id
from projections.store import Transaction, check_identifier


def employment_ddl(table: str) -> str:
    check_identifier(table)
    return f"""CREATE TABLE IF NOT EXISTS {table} (
        worker_id {{key_text}} NOT NULL,
        seq BIGINT NOT NULL,
        employer_id TEXT NOT NULL,
        relation TEXT NOT NULL,
        since TEXT NOT NULL,
        until TEXT,
        PRIMARY KEY (worker_id, seq)
    )"""


def record_start(tx: Transaction, table: str, event: RecordedEvent) -> None:
    """``Worker.EmploymentStarted``."""
    tx.execute(
        f"INSERT INTO {table} (worker_id, seq, employer_id, relation, since)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            event.aggregate_id,
            event.originator_version,
            text_id(event["employer_id"]),
            event["relation"],
            iso_date(event["since"]),
        ),
    )


def record_end(tx: Transaction, table: str, event: RecordedEvent) -> None:
    """``Worker.EmploymentEnded``: ends every open spell with that employer, as the domain does."""
    tx.execute(
        f"UPDATE {table} SET until = ? WHERE worker_id = ? AND employer_id = ? AND until IS NULL",
        (iso_date(event["until"]), event.aggregate_id, text_id(event["employer_id"])),
    )


def current_employment(
    tx: Transaction, table: str, worker_id: str
) -> tuple[str | None, str | None, str | None]:
    """``(employer_id, relation, since)`` of the current employment, or three Nones."""
    found = tx.row(
        f"SELECT employer_id, relation, since FROM {table}"
        " WHERE worker_id = ? AND until IS NULL ORDER BY since DESC, seq DESC LIMIT 1",
        (worker_id,),
    )
    if found is None:
        return None, None, None
    return found[0], found[1], found[2]
