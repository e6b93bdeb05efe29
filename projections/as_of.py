"""Projections "as of" a log position or a date, built into a separate, fresh store.

- ``build_as_of(ledger, store, projections, position=N)``: apply events 1..N.
- ``build_as_of(ledger, store, projections, on=date)``: apply the log prefix that ends at the
  last event whose timestamp is at or before the end of that day in China (23:59:59.999999
  UTC+8, 15:59:59.999999 UTC).

The result is always a prefix of the log -- a state the live projections really passed through
-- never a filtered subset. Event timestamps come from the writers' clocks a moment before the
commit, so they are in log order up to that moment; ``position_at`` therefore finds the boundary
by bisection over the log and then scans forward, tolerating up to ``CLOCK_SKEW`` of disorder.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.china_time import end_of_china_day
from projections.projection import Projection
from projections.runner import EventDecoder, ProjectionRunner
from projections.store import ProjectionStore, SQLiteProjectionStore

CLOCK_SKEW = timedelta(minutes=5)


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` on the China calendar (UTC+8), the calendar of every date."""
    return end_of_china_day(day)


def _timestamp_at(ledger: Any, decode: EventDecoder, position: int) -> tuple[int, datetime] | None:
    """The first stored event at or after ``position``: its id and timestamp."""
    page = ledger.recorder.select_notifications(start=position, limit=1)
    if not page:
        return None
    event = decode(page[0])
    return page[0].id, event.timestamp


def position_at(ledger: Any, moment: datetime) -> int:
    """The log position of the last event recorded at or before ``moment`` (0: none)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware (UTC)")
    decode = EventDecoder(ledger.mapper)
    head = ledger.log_position
    low, high = 0, head  # the largest p whose first event at or after p is not after moment
    while low < high:
        middle = (low + high + 1) // 2
        found = _timestamp_at(ledger, decode, middle)
        if found is not None and found[1] <= moment:
            low = middle
        else:
            high = middle - 1
    # Scan forward over events whose timestamps may be out of order with the log.
    best = low
    for notification in ledger.notifications(low + 1, head, 500):
        timestamp = decode(notification).timestamp
        if timestamp <= moment:
            best = notification.id
        elif timestamp > moment + CLOCK_SKEW:
            break
    return best


@dataclass
class AsOfBuild:
    """A fresh store holding projections as of ``position`` (and ``moment``, when by date)."""

    store: ProjectionStore
    runner: ProjectionRunner
    position: int
    moment: datetime | None
    events_read: int

    def row_counts(self) -> dict[str, dict[str, int]]:
        return {
            name: projection.row_counts(self.store)
            for name, projection in self.runner.projections.items()
        }


def build_as_of(
    ledger: Any,
    store: ProjectionStore,
    projections: Iterable[Projection],
    *,
    position: int | None = None,
    on: date | None = None,
    batch_size: int = 20000,
) -> AsOfBuild:
    """Build ``projections`` from zero into ``store`` (which should be fresh) up to a position
    or to the end of a day (exactly one of them). With the ledger's cipher key the store seals
    personal values as the live one does (``projections.sealing``)."""
    if (position is None) == (on is None):
        raise ValueError("give exactly one of position= or on=")
    if not store.sealed:
        store.use_cipher_key(getattr(getattr(ledger, "settings", None), "cipher_key", None))
    moment = None
    if on is not None:
        moment = end_of_day(on)
        position = position_at(ledger, moment)
    assert position is not None
    if position < 0:
        raise ValueError("position must be >= 0")
    runner = ProjectionRunner(ledger, store, projections, batch_size=batch_size)
    if any(runner.positions().values()) or runner.failures():
        runner.reset()  # not fresh after all: start from zero
    read = runner.catch_up(stop=position) if position > 0 else 0
    return AsOfBuild(store, runner, position, moment, read)


def fresh_sqlite_store(directory: Path | None = None) -> SQLiteProjectionStore:
    """A new, empty SQLite projection store in ``directory`` (a new temporary one by default)."""
    base = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="craftledger-as-of-"))
    base.mkdir(parents=True, exist_ok=True)
    path = base / "projections.sqlite3"
    if path.exists():
        raise FileExistsError(f"{path} exists; an as-of build needs a fresh store")
    return SQLiteProjectionStore(path)


@dataclass
class TableDiff:
    """How one table differs between two stores, keyed by primary key."""

    table: str
    only_in_first: int
    only_in_second: int
    changed: int
    examples: list[str]

    @property
    def identical(self) -> bool:
        return not (self.only_in_first or self.only_in_second or self.changed)


def diff_stores(
    projections: Iterable[Projection], first: ProjectionStore, second: ProjectionStore
) -> list[TableDiff]:
    """Compare every table of ``projections`` in two stores, row by row (by primary key)."""
    diffs = []
    for projection in projections:
        for table, key in projection.tables.items():
            a = _keyed(first, table, key)
            b = _keyed(second, table, key)
            only_a = sorted(set(a) - set(b), key=repr)
            only_b = sorted(set(b) - set(a), key=repr)
            changed = sorted((k for k in set(a) & set(b) if a[k] != b[k]), key=repr)
            examples = (
                [f"only in first: {k}" for k in only_a[:3]]
                + [f"only in second: {k}" for k in only_b[:3]]
                + [f"changed: {k}" for k in changed[:3]]
            )
            diffs.append(TableDiff(table, len(only_a), len(only_b), len(changed), examples))
    return diffs


def _keyed(store: ProjectionStore, table: str, key: tuple[str, ...]) -> dict[Any, Any]:
    with store.read() as tx:
        names = tx.columns(table)
    positions = [names.index(column) for column in key]
    return {tuple(row[i] for i in positions): row for row in store.dump(table, key)}
