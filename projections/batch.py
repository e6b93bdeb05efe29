"""One page of the log applied to one projection (一批): in one transaction with its position,
exactly once, or not at all; a handler that raises marks its event poison, and the events
before it are applied and committed without it.

A projection's ``flush`` writes what it folded in memory; when it fails, the batch is applied
again with a flush after each event to find the event that made it fail. Database outages
(busy, lost connection) are not poison: they propagate, for the runner to retry later.
"""

from __future__ import annotations

import bisect
import logging
import sqlite3
from dataclasses import dataclass
from typing import Any

from projections.event_decoding import PageEvents
from projections.projection import Projection, RecordedEvent
from projections.projection_state import OK, lock_state, record_failure, set_position
from projections.store import ProjectionStore, Transaction

log = logging.getLogger(__name__)


class _Poison(Exception):
    def __init__(self, index: int, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.index = index
        self.cause = cause


class _FlushFailed(Exception):
    """A projection's ``flush`` raised: some event of the batch is poison, not known which."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _Rollback(Exception):
    """Leave a transaction without committing it."""


class _Reset(Exception):
    """Someone else moved the position backwards (a rebuild); re-read from the new one."""


def _transient(error: BaseException) -> bool:
    """Database trouble that says nothing about the event: retry later, do not mark poison."""
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return "locked" in message or "busy" in message or "disk i/o" in message
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency of the postgres extra
        return False
    return isinstance(error, psycopg.OperationalError)


@dataclass(frozen=True)
class _Batch:
    """One page's events for one projection: what each pass over them needs."""

    store: ProjectionStore
    projection: Projection
    handlers: dict[str, Any]
    indexes: list[int]
    reached: int
    committed: int
    event_at: PageEvents

    def locked(self, tx: Transaction) -> int | None:
        """The projection's position, locked in ``tx``; None if it is not to be continued."""
        locked = lock_state(tx, self.projection.name, self.store.for_update)
        if locked is None or locked[1] != OK:
            return None
        return locked[0]

    def begin(self, locked: int) -> int:
        """Index of the first event to apply (``_begin``)."""
        return _begin(self.event_at.ids, self.reached, self.committed, locked)

    def run(self, tx: Transaction, begin: int, end: int) -> None:
        """Apply the handled events in [begin, end) (``_run``)."""
        _run(tx, self.handlers, self.indexes, begin, end, self.event_at)

    def apply_notifications(self, tx: Transaction, begin: int, end: int) -> None:
        """Hand the page's events in [begin, end) to a projection that stores them itself."""
        apply_stored = getattr(self.projection, "apply_notifications", None)
        if apply_stored is not None:
            apply_stored(tx, self.event_at.page[begin:end])


def apply_batch(
    store: ProjectionStore,
    projection: Projection,
    handlers: dict[str, Any],
    indexes: list[int],
    reached: int,
    committed: int,
    event_at: PageEvents,
) -> int | None:
    """Apply the page's events after ``reached`` in one transaction; the new position, or
    None when the projection is not to be continued in this catch-up."""
    batch = _Batch(store, projection, handlers, indexes, reached, committed, event_at)
    ids = event_at.ids
    try:
        with store.transaction() as tx:
            locked = batch.locked(tx)
            if locked is None:
                return None
            begin = batch.begin(locked)
            if begin >= len(ids):
                return locked
            projection.start_batch()
            batch.run(tx, begin, len(ids))
            try:
                projection.flush(tx)  # batch-folded writes
            except Exception as error:
                if _transient(error):
                    raise
                raise _FlushFailed(error) from error
            batch.apply_notifications(tx, begin, len(ids))
            set_position(tx, projection.name, ids[-1])
            return ids[-1]
    except _Reset:
        return None
    except _FlushFailed as failed:
        found = _find_poison(batch)
        if found is None:
            raise failed.cause from None
        poison = found
    except _Poison as caught:
        poison = caught
    if _transient(poison.cause):
        raise poison.cause from None
    _record_poison(batch, poison)
    return None


def _find_poison(batch: _Batch) -> _Poison | None:
    """Which event made a batch's ``flush`` fail: apply the batch again, flushing after
    each event (batches of one give the same tables), and roll it all back."""
    projection = batch.projection
    try:
        with batch.store.transaction() as tx:
            locked = batch.locked(tx)
            if locked is None:
                raise _Rollback()
            begin = batch.begin(locked)
            projection.start_batch()
            for index in batch.indexes[bisect.bisect_left(batch.indexes, begin) :]:
                batch.run(tx, index, index + 1)
                try:
                    projection.flush(tx)
                except Exception as error:
                    raise _Poison(index, error) from error
                projection.start_batch()  # each event a batch of its own, whatever flush left
            raise _Rollback()
    except _Poison as poison:
        return poison
    except (_Rollback, _Reset):
        return None


def _begin(ids: list[int], reached: int, committed: int, locked: int) -> int:
    """Index of the first event to apply, given the position locked in the transaction.

    Positions only move forward, except when a projection is reset: a locked position below
    the one we know was committed means that happened, and this page is not enough.
    Otherwise apply what lies after both what we reached and what is stored.
    """
    if locked < committed:
        raise _Reset()
    return bisect.bisect_right(ids, max(reached, locked))


def _run(
    tx: Transaction,
    handlers: dict[str, Any],
    indexes: list[int],
    begin: int,
    end: int,
    event_at: PageEvents,
) -> None:
    """Apply the handled events at ``indexes`` (page indexes, ascending) in [begin, end)."""
    page = event_at.page
    events = event_at.events  # the hot loop reads decoded events straight from the list
    for index in indexes[bisect.bisect_left(indexes, begin) : bisect.bisect_left(indexes, end)]:
        try:
            event = events[index]
            if type(event) is not RecordedEvent:  # not decoded yet, or failed to decode
                event = event_at(index)
            handlers[page[index].topic](tx, event)
        except Exception as error:
            raise _Poison(index, error) from error


def _record_poison(batch: _Batch, poison: _Poison) -> None:
    name = batch.projection.name
    page, ids = batch.event_at.page, batch.event_at.ids
    bad = page[poison.index]
    cause = poison.cause
    with batch.store.transaction() as tx:
        locked = batch.locked(tx)
        if locked is None:
            return
        try:
            begin = batch.begin(locked)
        except _Reset:
            return
        try:
            batch.projection.start_batch()
            batch.run(tx, begin, poison.index)
            batch.projection.flush(tx)
            batch.apply_notifications(tx, begin, poison.index)
        except _Poison as again:  # the handlers are not deterministic
            raise RuntimeError(
                f"projection {name}: replaying the events before the poison event failed"
            ) from again.cause
        position = ids[poison.index - 1] if poison.index > 0 else max(batch.reached, locked)
        set_position(tx, name, max(position, locked))
        record_failure(tx, name, bad, cause)
    log.error(
        "projection %s stopped at position %s (%s): %s: %s",
        name,
        bad.id,
        bad.topic,
        type(cause).__name__,
        cause,
    )
