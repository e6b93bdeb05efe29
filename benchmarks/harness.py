"""What the benchmarks share: a scratch store to measure on, a stopwatch and the raw baseline.

Imported by the ``bench_*.py`` scripts, which run as ``python benchmarks/bench_….py`` (so this
folder is on ``sys.path``).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import StoredEvent

from domain.id_number import IdNumber
from domain.worker import EmploymentRelation, Worker
from service.config import Settings
from service.signing.canonical_json import canonicalize

POSTGRES_URL = os.environ.get(
    "CRAFTLEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


@contextmanager
def scratch_store(postgres: bool) -> Iterator[Settings]:
    """Settings for a store that is gone afterwards: SQLite in a temporary directory, or a
    fresh schema of the server named by ``CRAFTLEDGER_TEST_POSTGRES``."""
    with tempfile.TemporaryDirectory() as directory:
        if not postgres:
            yield Settings(data_dir=Path(directory))
            return
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield Settings(
                data_dir=Path(directory), database_url=POSTGRES_URL, postgres_schema=schema
            )
        finally:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def timed(action: Any) -> tuple[float, Any]:
    """Wall seconds ``action()`` took, and what it returned."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


@dataclass(frozen=True)
class Took:
    """Wall and process CPU seconds (CPU leaves out a busy machine's waiting, and on
    PostgreSQL the server's work)."""

    wall: float
    cpu: float

    def __add__(self, other: Took) -> Took:
        return Took(self.wall + other.wall, self.cpu + other.cpu)


def took(action: Any) -> tuple[Took, Any]:
    """Wall and CPU time ``action()`` took, and what it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return Took(time.perf_counter() - wall, time.process_time() - cpu), result


def median(runs: list[Took]) -> Took:
    """Median wall and median CPU time of ``runs``."""
    return Took(statistics.median(t.wall for t in runs), statistics.median(t.cpu for t in runs))


def median_took(action: Any, runs: int = 3) -> Took:
    """Median wall and CPU time of ``runs`` runs (baselines repeat; the measured command
    usually cannot: a session is confirmed once)."""
    return median([took(action)[0] for _ in range(runs)])


def rekeyed(events: list[StoredEvent], salt: str) -> list[StoredEvent]:
    """The same topics and states under new aggregate ids (nothing clashes)."""
    return [
        StoredEvent(
            originator_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{salt}:{e.originator_id}"),
            originator_version=e.originator_version,
            topic=e.topic,
            state=e.state,
        )
        for e in events
    ]


def events_since(ledger: Any, position: int) -> list[StoredEvent]:
    """The stored events written after log position ``position``."""
    return [
        StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
        for n in ledger.notifications(start=position + 1)
    ]


def unsigned(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The credentials without their proofs."""
    return [{k: v for k, v in d.items() if k != "proof"} for d in documents]


def raw_sign(documents: list[dict[str, Any]]) -> None:
    """One Ed25519 signature over the JCS bytes of each (unsigned) document."""
    key = Ed25519PrivateKey.generate()
    for document in documents:
        key.sign(canonicalize(document))


def raw_append_then(
    ledger: Any, written: list[StoredEvent], then: Any, runs: int = 3
) -> tuple[Took, Took]:
    """The raw baseline, median of ``runs``: ``written`` under new aggregate ids (re-keyed
    before the clock starts: preparing the copy is not the append) in one
    ``recorder.insert_events``, then ``then()``. Returns the whole and the append alone."""
    wholes: list[Took] = []
    appends: list[Took] = []
    for _ in range(runs):
        append, _ = took(partial(ledger.recorder.insert_events, rekeyed(written, uuid.uuid4().hex)))
        rest, _ = took(then)
        wholes.append(append + rest)
        appends.append(append)
    return median(wholes), median(appends)


class Clock:
    """A ledger's clock in a benchmark: a microsecond further on every reading, from
    ``start``; ``china_day`` moves it to 10:00 China time of a day."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)
        return self.now

    def china_day(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def id_number(serial: int, area: str, born_from: date) -> IdNumber:
    """A valid resident ID number, one per ``serial``: 1,000 per birth date from
    ``born_from`` on, in the 6-digit ``area``."""
    return IdNumber.resident(area, born_from + timedelta(days=serial // 1000), serial % 1000)


def hire_staff(
    ledger: Any, employer_id: uuid.UUID, staff: list[tuple[IdNumber, str]]
) -> list[Worker]:
    """Register each ``(ID number, name)`` with its sealed identifier and employ them as staff
    since 2015 -- saved 1,000 aggregates at a time (setup, not measured)."""
    workers: list[Worker] = []
    pending: list[Any] = []
    for number, name in staff:
        worker = Worker.register(
            identity_hash=ledger.identity_hash(number),
            id_kind=number.kind.value,
            masked_id_number=number.masked,
            name=name,
            actor="bench",
        )
        worker.start_employment(employer_id, EmploymentRelation.STAFF, date(2015, 1, 1), "bench")
        workers.append(worker)
        pending += [worker, *ledger.credentials.subject_identifier_for(worker, number)]
        if len(pending) >= 1000:
            ledger.save(*pending)
            pending = []
    if pending:
        ledger.save(*pending)
    return workers
