"""Employment spells, as several projections need "the worker's current employer".

Each projection owns its own copy of the table (named by the projection), so it never reads
another projection's tables. A worker's current employer is the open spell (not ended) that
started last, by ``since`` date and then by the order recorded (``seq``, the event's version).
"""

from __future__ import annotations

from typing import Any

from projections.projection import Projection, RecordedEvent, handles, iso_date, text_id
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


def spell_insert(table: str) -> str:
    """The statement inserting a ``spell_row`` into the employment table ``table``."""
    return (
        f"INSERT INTO {check_identifier(table)} (worker_id, seq, employer_id, relation, since)"
        " VALUES (?, ?, ?, ?, ?)"
    )


def spell_row(event: RecordedEvent) -> tuple[Any, ...]:
    """The employment-table row of a ``Worker.EmploymentStarted``."""
    return (
        event.aggregate_id,
        event.originator_version,
        text_id(event["employer_id"]),
        event["relation"],
        iso_date(event["since"]),
    )


def record_start(tx: Transaction, table: str, event: RecordedEvent) -> None:
    """``Worker.EmploymentStarted``."""
    tx.execute(spell_insert(table), spell_row(event))


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


class WorkerEmployers:
    """A projection's table of workers carrying their current employer (``employer_id``,
    ``employed_since`` and, with ``relation``, ``employer_relation``), kept from the ``Worker``
    events with the spells in the projection's own employment table (``employment_ddl``).

    Workers registered in a batch are inserted at its end (``flush``), with what the batch's
    later events (employment, name corrections) made of them: one write instead of several.
    The batch's new employment spells are inserted together (executemany) at its end, or
    before an ``EmploymentEnded`` reads the spells.
    The owning projection (a :class:`WorkerEmployersProjection`) calls ``start_batch``/``flush``
    from its own and forwards the four ``Worker`` events to ``registered``, ``renamed``,
    ``employment_started`` and ``employment_ended``.
    """

    def __init__(
        self,
        worker_table: str,
        employment_table: str,
        registered_columns: tuple[str, ...],
        relation: bool,
    ) -> None:
        employer_columns = ["employer_id", "employed_since"]
        if relation:
            employer_columns.insert(1, "employer_relation")
        columns = ["id", "name", *registered_columns, *employer_columns]
        for identifier in (worker_table, employment_table, *columns):
            check_identifier(identifier)
        self.employment_table = employment_table
        self._spell_insert = spell_insert(employment_table)
        self._relation = relation
        self._employer_at = 2 + len(registered_columns)  # the row's employer_id; since is last
        self._no_employer = [None] * len(employer_columns)
        self._insert = (
            f"INSERT INTO {worker_table} ({', '.join(columns)})"
            f" VALUES ({', '.join('?' * len(columns))})"
        )
        self._rename = f"UPDATE {worker_table} SET name = ? WHERE id = ?"
        assignments = ", ".join(f"{column} = ?" for column in employer_columns)
        self._set_employer = f"UPDATE {worker_table} SET {assignments} WHERE id = ?"
        # The new spell is the latest recorded: it is current unless an open one started later.
        self._start_employer = (
            f"{self._set_employer} AND (employed_since IS NULL OR employed_since <= ?)"
        )
        self.start_batch()

    def start_batch(self) -> None:
        self._new: dict[str, list[Any]] = {}
        # Spells started in the batch, inserted together before anything reads the table.
        self._spells: list[tuple[Any, ...]] = []

    def flush(self, tx: Transaction) -> None:
        self._write_spells(tx)
        if self._new:
            for row in self._new.values():
                row[1] = tx.seal(row[1])  # the name
            tx.executemany(self._insert, self._new.values())
        self.start_batch()

    def _write_spells(self, tx: Transaction) -> None:
        if self._spells:
            tx.executemany(self._spell_insert, self._spells)
            self._spells = []

    def registered(self, event: RecordedEvent, *registered_values: Any) -> None:
        """``Worker.Registered``: ``registered_values`` in the order of ``registered_columns``."""
        if event.aggregate_id in self._new:
            raise ValueError(f"worker {event.aggregate_id} registered twice")
        self._new[event.aggregate_id] = [
            event.aggregate_id,
            event["name"],
            *registered_values,
            *self._no_employer,
        ]

    def renamed(self, tx: Transaction, event: RecordedEvent) -> None:
        """``Worker.NameCorrected``."""
        new = self._new.get(event.aggregate_id)
        if new is not None:
            new[1] = event["name"]
            return
        tx.execute(self._rename, (tx.seal(event["name"]), event.aggregate_id))

    def employment_started(self, tx: Transaction, event: RecordedEvent) -> None:
        """``Worker.EmploymentStarted``."""
        spell = spell_row(event)
        if None in spell:  # refused here, not at a later write: the poison is this event
            raise ValueError(f"employment spell with a missing value: {spell}")
        self._spells.append(spell)
        since = iso_date(event["since"])
        employer = self._employer(text_id(event["employer_id"]), event["relation"], since)
        new = self._new.get(event.aggregate_id)
        if new is not None:
            if new[-1] is None or new[-1] <= since:
                new[self._employer_at :] = employer
            return
        tx.execute(self._start_employer, (*employer, event.aggregate_id, since))

    def employment_ended(self, tx: Transaction, event: RecordedEvent) -> None:
        """``Worker.EmploymentEnded``: the current employer is recomputed from the spells."""
        self._write_spells(tx)
        record_end(tx, self.employment_table, event)
        worker_id = event.aggregate_id
        employer = self._employer(*current_employment(tx, self.employment_table, worker_id))
        new = self._new.get(worker_id)
        if new is not None:
            new[self._employer_at :] = employer
            return
        tx.execute(self._set_employer, (*employer, worker_id))

    def _employer(
        self, employer_id: str | None, relation: str | None, since: str | None
    ) -> list[Any]:
        return [employer_id, relation, since] if self._relation else [employer_id, since]


class WorkerEmployersProjection(Projection):
    """A projection keeping a :class:`WorkerEmployers` table in ``_workers``: it forwards the
    batch calls and the ``Worker`` events whose handling is the same for every such table;
    ``Worker.Registered`` (which columns a projection keeps) is its own handler."""

    _workers: WorkerEmployers

    def start_batch(self) -> None:
        self._workers.start_batch()

    def flush(self, tx: Transaction) -> None:
        self._workers.flush(tx)

    @handles("craftledger:Worker.NameCorrected")
    def worker_renamed(self, tx: Transaction, event: RecordedEvent) -> None:
        self._workers.renamed(tx, event)

    @handles("craftledger:Worker.EmploymentStarted")
    def employment_started(self, tx: Transaction, event: RecordedEvent) -> None:
        self._workers.employment_started(tx, event)

    @handles("craftledger:Worker.EmploymentEnded")
    def employment_ended(self, tx: Transaction, event: RecordedEvent) -> None:
        self._workers.employment_ended(tx, event)
