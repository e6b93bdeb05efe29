"""Running projections over the one event log: catch-up, rebuild, read-your-writes, failures.

::

    runner = ProjectionRunner(ledger, store, all_projections())
    runner.catch_up()               # process every new event; returns how many log positions
    runner.position("directory")    # last log position the projection has applied
    runner.wait_for(recorded.position, timeout=5.0)   # read-your-writes after a command
    runner.start(); ...; runner.stop()                # background polling thread (SQLite serve)
    runner.rebuild("directory")     # drop its tables, rebuild from position 0
    runner.failures()               # poison events: projection, position, topic, error
    runner.retry("directory")       # clear a failure and resume (after a fix)

Exactly once. Each projection has a row in ``projection_state`` (name, position, version,
status). Events are processed in batches: the runner reads a page of the log once, decodes each
event at most once (only when some projection handles its topic), and for each projection opens
one transaction that locks its state row, applies the page's events past its position and sets
the new position -- tables and position commit together or not at all. A page holding nothing
a projection handles opens no transaction for it; its position moves on in memory and is
written once at the end of the catch-up. Two runners (a serve
thread and a ``craftledger projections run`` process, or several workers on PostgreSQL) can
run at once: the locked position decides who applies what.

Poison events. When a handler raises, the batch is rolled back, the events before the poison
one are re-applied and committed, and the projection is marked ``failed`` with a row in
``projection_failure`` (position, topic, originator, error). Other projections carry on; the
failed one stays where it is until ``retry`` or ``rebuild``. Database outages (busy, lost
connection) are not poison: they propagate, and the background thread retries later. Writes a
projection folds in memory surface only in its ``flush``; when that fails, the batch is applied
again with a flush after each event (batches of one build the same tables) to find the event
that made it fail, and that event is reported as the poison one.

Bulk builds. A catch-up of at least ``bulk_threshold`` events that starts a projection from
position 0 (a rebuild, an "as of" build, a new projection) drops the projection's
``query_indexes`` first and builds them once at the end, and reads the log in pages of
``bulk_batch_size`` events (one transaction per page and projection) instead of ``batch_size``,
unless ``catch_up`` is given a ``batch_size``: every commit writes each page of the tables it
touched, and a build from zero touches pages all over every index, so fewer, larger commits
write far fewer pages (a 1,000,000-event rebuild commits about 4 times faster in pages of 50,000
than of 5,000). Later catch-ups use ``batch_size`` again. A crash in the middle leaves committed
batches with their position and the query indexes missing; ``ensure_ready`` (every new runner)
creates missing indexes again, and the catch-up goes on from the stored position.

Versions. A projection whose ``version`` differs from the stored one is dropped and rebuilt from
zero when the runner first touches the store.

"As of". ``projections.as_of.build_as_of`` runs a runner over a fresh store up to a log position
or to the end of a day.

Stored events. A projection with an ``apply_notifications(tx, notifications)`` method is also
given each page's stored notifications (position, originator, version, topic and the stored
state bytes, undecoded), in log order, inside the same transaction as its position -- the
transparency log hashes the stored form of every event this way.

Listeners. ``runner.listeners`` are called with the number of notifications read after each
``catch_up`` that read some (outside the runner's lock), and by the background thread with 0
after each idle pass (so work due by time, not by events, is done without a request asking);
an error in one is logged, not raised (the transparency log publishes signed tree heads this
way).
"""

from __future__ import annotations

import bisect
import logging
import sqlite3
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from eventsourcing.utils import TopicError, resolve_topic

from projections.garbage_collection import collection_paused
from projections.projection import Projection, RecordedEvent, text_id
from projections.store import ProjectionStore, Transaction

log = logging.getLogger(__name__)

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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


class EventDecoder:
    """Turns stored notifications into ``RecordedEvent``s with the ledger's mapper.

    An event whose class has never changed (``class_version`` 1, nothing to upcast) is decoded
    straight from its stored state into the dict the handlers see -- the mapper would build an
    event object around the same dict, and a projection throws that object away. So are topics
    without a class yet (events written by a newer version of the domain), so projections can
    accept them ahead of time. Other classes go through ``mapper.to_domain_event`` and its
    upcasters.
    """

    def __init__(self, mapper: Any) -> None:
        self.mapper = mapper
        self._direct: dict[str, bool] = {}  # topic -> whether its state needs no upcasting

    def __call__(self, notification: Any) -> RecordedEvent:
        topic = notification.topic
        direct = self._direct.get(topic)
        if direct is None:
            direct = self._direct[topic] = self._unversioned(topic)
        if direct:
            data = self._decode_state(notification)
            data.pop("class_version", None)
        else:
            # The event object is thrown away, so its attribute dict can be taken over.
            data = self.mapper.to_domain_event(notification).__dict__
        timestamp = data.pop("timestamp", None)
        data.pop("originator_id", None)
        data.pop("originator_version", None)
        return RecordedEvent(
            position=notification.id,
            topic=topic,
            originator_id=notification.originator_id,
            originator_version=notification.originator_version,
            timestamp=timestamp,
            data=data,
            aggregate_id=text_id(notification.originator_id) or "",
        )

    @staticmethod
    def _unversioned(topic: str) -> bool:
        try:
            return getattr(resolve_topic(topic), "class_version", 1) == 1
        except TopicError:
            return True  # no class: plain data

    def _decode_state(self, notification: Any) -> dict[str, Any]:
        state = notification.state
        if self.mapper.cipher:
            state = self.mapper.cipher.decrypt(state)
        if self.mapper.compressor:
            state = self.mapper.compressor.decompress(state)
        decoded: dict[str, Any] = self.mapper.transcoder.decode(state)
        return decoded


class _PageEvents:
    """A page's events by page index, each decoded at most once, when first wanted; calling
    it with an index gives the event or raises what decoding it raised (a poison event for
    whichever projection handles its topic)."""

    __slots__ = ("_decode", "events", "ids", "page")

    def __init__(self, page: list[Any], decode: Callable[[Any], RecordedEvent]) -> None:
        self.page = page  # the stored notifications
        self.ids = [n.id for n in page]  # their log positions
        self._decode = decode
        self.events: list[RecordedEvent | BaseException | None] = [None] * len(page)

    def __call__(self, index: int) -> RecordedEvent:
        found = self.events[index]
        if found is None:
            try:
                found = self._decode(self.page[index])
            except Exception as error:
                found = error
            self.events[index] = found
        if isinstance(found, BaseException):
            raise found
        return found


class ProjectionRunner:
    """Keeps a set of projections in one store up to date with the ledger's log."""

    def __init__(
        self,
        ledger: Any,
        store: ProjectionStore,
        projections: Iterable[Projection],
        *,
        batch_size: int = 2000,
        poll_interval: float = 0.5,
        bulk_threshold: int = 20_000,
        bulk_batch_size: int = 50_000,
    ) -> None:
        self.ledger = ledger
        self.store = store
        self.projections: dict[str, Projection] = {}
        for projection in projections:
            if not projection.name or projection.name in self.projections:
                raise ValueError(f"projection names must be unique and set: {projection.name!r}")
            self.projections[projection.name] = projection
        self._handlers = {
            name: {topic: projection.handler_for(topic) for topic in projection.topics}
            for name, projection in self.projections.items()
        }
        self._wanted = frozenset().union(*(p.topics for p in self.projections.values()))
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.bulk_threshold = bulk_threshold
        self.bulk_batch_size = bulk_batch_size
        self.decode = EventDecoder(ledger.mapper)
        self._lock = threading.RLock()
        self._ready = False
        self._progress = threading.Condition()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.listeners: list[Callable[[int], None]] = []

    # -- state -----------------------------------------------------------------------------------

    def ensure_ready(self) -> None:
        """Create the state tables and every projection's tables; rebuild changed versions."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            with self.store.transaction() as tx:
                if self.store.schema_lock:
                    # workers start together, and CREATE TABLE IF NOT EXISTS races in PostgreSQL
                    tx.execute(self.store.schema_lock)
                for statement in STATE_SCHEMA:
                    tx.execute(self.store.ddl(statement))
                for name, projection in self.projections.items():
                    found = tx.row(
                        "SELECT version FROM projection_state WHERE name = ?"
                        + self.store.for_update,
                        (name,),
                    )
                    if found is not None and found[0] == projection.version:
                        projection.create_tables(tx)
                        continue
                    if found is not None:
                        log.warning(
                            "projection %s: version %s -> %s, rebuilding from zero",
                            name,
                            found[0],
                            projection.version,
                        )
                    self._reset(tx, projection)
            self._ready = True

    def _reset(self, tx: Transaction, projection: Projection) -> None:
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
                "updated_at": _now(),
            },
        )
        tx.execute("DELETE FROM projection_failure WHERE name = ?", (projection.name,))

    def states(self) -> dict[str, ProjectionState]:
        self.ensure_ready()
        with self.store.read() as tx:
            rows = tx.rows(
                "SELECT name, position, version, status, updated_at FROM projection_state"
            )
        return {
            row[0]: ProjectionState(row[0], int(row[1]), int(row[2]), row[3], row[4])
            for row in rows
            if row[0] in self.projections
        }

    def position(self, name: str) -> int:
        """The last log position the projection ``name`` has applied (0: none)."""
        self._known(name)
        return self.states()[name].position

    def positions(self) -> dict[str, int]:
        return {name: state.position for name, state in self.states().items()}

    def failures(self) -> list[ProjectionFailure]:
        """Projections stopped by a poison event, with where and why."""
        self.ensure_ready()
        with self.store.read() as tx:
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
                self.store.sealer.open(r[5]),
                r[6],
            )
            for r in rows
            if r[0] in self.projections
        ]

    def status(self) -> list[dict[str, Any]]:
        """Per projection: position, lag behind the log head, status and any failure."""
        head = self.ledger.log_position
        failures = {f.name: f for f in self.failures()}
        report = []
        for name, state in sorted(self.states().items()):
            failure = failures.get(name)
            report.append(
                {
                    "name": name,
                    "version": state.version,
                    "position": state.position,
                    "log_position": head,
                    "lag": max(head - state.position, 0),
                    "status": state.status,
                    "updated_at": state.updated_at,
                    "failure": failure.as_dict() if failure else None,
                }
            )
        return report

    def _known(self, name: str) -> Projection:
        try:
            return self.projections[name]
        except KeyError:
            raise KeyError(
                f"no projection {name!r}; known: {', '.join(sorted(self.projections))}"
            ) from None

    # -- catching up -------------------------------------------------------------------------------

    def catch_up(
        self,
        limit: int | None = None,
        *,
        stop: int | None = None,
        names: Sequence[str] | None = None,
        batch_size: int | None = None,
    ) -> int:
        """Apply new events to every healthy projection (or only ``names``).

        Reads at most ``limit`` log positions (all when None) and nothing after ``stop`` (default:
        the log head when called). Returns the number of notifications read from the log.

        A page holding no event a projection handles opens no transaction for it: its position
        moves on in memory and is written once, at the end of the catch-up.
        """
        self.ensure_ready()
        candidates = (
            [self._known(n) for n in names]
            if names is not None
            else list(self.projections.values())
        )
        with self._lock:
            head = self.ledger.log_position if stop is None else stop
            states = self.states()
            # ``committed``: the position known to be stored; ``reached``: the position applied
            # or skipped in this run (only unhandled events lie between the two).
            committed = {
                p.name: states[p.name].position for p in candidates if states[p.name].status == OK
            }
            reached = dict(committed)
            read = 0
            span = head if limit is None else min(head, limit)
            from_zero = [
                p for p in candidates if committed.get(p.name) == 0 and span >= self.bulk_threshold
            ]
            bulk = [p for p in from_zero if p.query_indexes]
            size = batch_size or (
                max(self.batch_size, self.bulk_batch_size) if from_zero else self.batch_size
            )
            if bulk:  # building from zero: query-only indexes are built once, at the end
                with self.store.transaction() as tx:
                    for projection in bulk:
                        projection.drop_query_indexes(tx)
            try:
                while limit is None or read < limit:
                    active = [p for p in candidates if reached.get(p.name, head) < head]
                    if not active:
                        break
                    start = min(reached[p.name] for p in active) + 1
                    page_size = size if limit is None else min(size, limit - read)
                    # A page is bounded batch work that builds many small objects and frees
                    # them by reference counting: pause the cyclic collector for it.
                    with collection_paused():
                        page = list(
                            islice(self.ledger.notifications(start, head, page_size), page_size)
                        )
                        if not page:
                            # Nothing stored between the positions and the head (gaps in ids).
                            for projection in active:
                                reached[projection.name] = head
                            break
                        self._apply_page(active, reached, committed, page)
                    read += len(page)
                    with self._progress:
                        self._progress.notify_all()
            finally:
                self._flush(reached, committed)
                if bulk:
                    with self.store.transaction() as tx:
                        for projection in bulk:
                            projection.create_query_indexes(tx)
        if read:
            self._notify_listeners(read)
        return read

    def _notify_listeners(self, read: int) -> None:
        for listener in list(self.listeners):
            try:
                listener(read)
            except Exception:
                log.exception("catch-up listener %r failed", listener)

    def _flush(self, reached: dict[str, int], committed: dict[str, int]) -> None:
        """Store positions moved past pages without handled events."""
        for name, position in reached.items():
            if position <= committed[name]:
                continue
            with self.store.transaction() as tx:
                locked = self._lock_state(tx, name)
                # Unless someone reset the projection meanwhile (its position went back).
                if (
                    locked is not None
                    and locked[1] == OK
                    and committed[name] <= locked[0] < position
                ):
                    self._set_position(tx, name, position)
        with self._progress:
            self._progress.notify_all()

    def _lock_state(self, tx: Transaction, name: str) -> tuple[int, str] | None:
        found = tx.row(
            "SELECT position, status FROM projection_state WHERE name = ?" + self.store.for_update,
            (name,),
        )
        return None if found is None else (int(found[0]), found[1])

    def _set_position(self, tx: Transaction, name: str, position: int) -> None:
        tx.execute(
            "UPDATE projection_state SET position = ?, updated_at = ? WHERE name = ?",
            (position, _now(), name),
        )

    def _apply_page(
        self,
        active: list[Projection],
        reached: dict[str, int],
        committed: dict[str, int],
        page: list[Any],
    ) -> None:
        event_at = _PageEvents(page, self.decode)
        ids = event_at.ids
        at_topic: dict[str, list[int]] = {}  # page indexes of each topic's events
        for index, notification in enumerate(page):
            at_topic.setdefault(notification.topic, []).append(index)

        for projection in active:
            name = projection.name
            if reached[name] >= ids[-1]:
                continue
            lists = [at_topic[topic] for topic in self._handlers[name] if topic in at_topic]
            indexes = lists[0] if len(lists) == 1 else sorted(i for found in lists for i in found)
            first = bisect.bisect_right(ids, reached[name])
            wants_stored = getattr(projection, "apply_notifications", None) is not None
            if not wants_stored and (not indexes or indexes[-1] < first):
                reached[name] = ids[-1]
                continue
            position = self._apply(projection, indexes, reached[name], committed[name], event_at)
            if position is None:
                del reached[name]  # stopped, failed or reset elsewhere: leave it this round
                del committed[name]
            else:
                reached[name] = committed[name] = position

    def _apply(
        self,
        projection: Projection,
        indexes: list[int],
        reached: int,
        committed: int,
        event_at: _PageEvents,
    ) -> int | None:
        """Apply the page's events after ``reached`` in one transaction; the new position, or
        None when the projection is not to be continued in this catch-up."""
        page, ids = event_at.page, event_at.ids
        name = projection.name
        handlers = self._handlers[name]
        try:
            with self.store.transaction() as tx:
                locked = self._lock_state(tx, name)
                if locked is None or locked[1] != OK:
                    return None
                begin = self._begin(ids, reached, committed, locked[0])
                if begin >= len(page):
                    return locked[0]
                projection.start_batch()
                self._run(tx, handlers, indexes, begin, len(page), event_at)
                try:
                    projection.flush(tx)  # batch-folded writes
                except Exception as error:
                    if _transient(error):
                        raise
                    raise _FlushFailed(error) from error
                apply_stored = getattr(projection, "apply_notifications", None)
                if apply_stored is not None:
                    apply_stored(tx, page[begin:])
                self._set_position(tx, name, ids[-1])
                return ids[-1]
        except _Reset:
            return None
        except _FlushFailed as failed:
            found = self._find_poison(projection, indexes, reached, committed, event_at)
            if found is None:
                raise failed.cause from None
            poison = found
        except _Poison as caught:
            poison = caught
        if _transient(poison.cause):
            raise poison.cause from None
        self._record_poison(projection, indexes, reached, committed, poison, event_at)
        return None

    def _find_poison(
        self,
        projection: Projection,
        indexes: list[int],
        reached: int,
        committed: int,
        event_at: _PageEvents,
    ) -> _Poison | None:
        """Which event made a batch's ``flush`` fail: apply the batch again, flushing after
        each event (batches of one give the same tables), and roll it all back."""
        ids = event_at.ids
        handlers = self._handlers[projection.name]
        try:
            with self.store.transaction() as tx:
                locked = self._lock_state(tx, projection.name)
                if locked is None or locked[1] != OK:
                    raise _Rollback()
                begin = self._begin(ids, reached, committed, locked[0])
                projection.start_batch()
                for index in indexes[bisect.bisect_left(indexes, begin) :]:
                    self._run(tx, handlers, indexes, index, index + 1, event_at)
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

    @staticmethod
    def _begin(ids: list[int], reached: int, committed: int, locked: int) -> int:
        """Index of the first event to apply, given the position locked in the transaction.

        Positions only move forward, except when a projection is reset: a locked position below
        the one we know was committed means that happened, and this page is not enough.
        Otherwise apply what lies after both what we reached and what is stored.
        """
        if locked < committed:
            raise _Reset()
        return bisect.bisect_right(ids, max(reached, locked))

    @staticmethod
    def _run(
        tx: Transaction,
        handlers: dict[str, Any],
        indexes: list[int],
        begin: int,
        end: int,
        event_at: _PageEvents,
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

    def _record_poison(
        self,
        projection: Projection,
        indexes: list[int],
        reached: int,
        committed: int,
        poison: _Poison,
        event_at: _PageEvents,
    ) -> None:
        name = projection.name
        handlers = self._handlers[name]
        page, ids = event_at.page, event_at.ids
        bad = page[poison.index]
        cause = poison.cause
        with self.store.transaction() as tx:
            locked = self._lock_state(tx, name)
            if locked is None or locked[1] != OK:
                return
            try:
                begin = self._begin(ids, reached, committed, locked[0])
            except _Reset:
                return
            try:
                projection.start_batch()
                self._run(tx, handlers, indexes, begin, poison.index, event_at)
                projection.flush(tx)
                apply_stored = getattr(projection, "apply_notifications", None)
                if apply_stored is not None:
                    apply_stored(tx, page[begin : poison.index])
            except _Poison as again:  # the handlers are not deterministic
                raise RuntimeError(
                    f"projection {name}: replaying the events before the poison event failed"
                ) from again.cause
            position = ids[poison.index - 1] if poison.index > 0 else max(reached, locked[0])
            self._set_position(tx, name, max(position, locked[0]))
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
                    "failed_at": _now(),
                },
            )
        log.error(
            "projection %s stopped at position %s (%s): %s: %s",
            name,
            bad.id,
            bad.topic,
            type(cause).__name__,
            cause,
        )

    # -- rebuild and retry ---------------------------------------------------------------

    def reset(self, name: str | None = None) -> None:
        """Drop and recreate the tables of ``name`` (or of every projection) at position 0."""
        self.ensure_ready()
        targets = [self._known(name)] if name else list(self.projections.values())
        with self._lock:
            for projection in targets:
                with self.store.transaction() as tx:
                    self._lock_state(tx, projection.name)
                    self._reset(tx, projection)

    def rebuild(self, name: str | None = None, *, batch_size: int | None = None) -> int:
        """Drop ``name`` (or every projection) and rebuild from zero; returns events read."""
        with self._lock:
            self.reset(name)
            return self.catch_up(names=[name] if name else None, batch_size=batch_size)

    def retry(self, name: str) -> None:
        """Clear a projection's failure so the next catch-up tries the poison event again."""
        self._known(name)
        with self._lock, self.store.transaction() as tx:
            tx.execute(
                "UPDATE projection_state SET status = ?, updated_at = ? WHERE name = ?",
                (OK, _now(), name),
            )
            tx.execute("DELETE FROM projection_failure WHERE name = ?", (name,))

    # -- read-your-writes -------------------------------------------------------------------------

    def wait_for(
        self, position: int | None, timeout: float = 5.0, names: Sequence[str] | None = None
    ) -> bool:
        """Wait until every (or every named) projection has applied ``position``.

        True when they have; False on timeout or when one of them is stopped by a poison event
        before that position. Wakes the background thread if it runs; otherwise it only watches
        (another process, e.g. ``craftledger projections run``, does the work).
        """
        if not position:
            return True
        wanted = list(names) if names is not None else list(self.projections)
        for name in wanted:
            self._known(name)
        deadline = time.monotonic() + timeout
        while True:
            states = self.states()
            behind = [states[n] for n in wanted if states[n].position < position]
            if not behind:
                return True
            if any(s.status != OK for s in behind):
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._wake.set()
            with self._progress:
                self._progress.wait(min(0.05, remaining))

    # -- background thread ---------------------------------------------------------------

    def start(self) -> None:
        """Run catch-up in a daemon thread, polling every ``poll_interval`` seconds."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="projection-runner", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                read = self.catch_up()
                self.last_error = None
            except Exception as error:  # keep serving; report and retry
                read = 0
                self.last_error = f"{type(error).__name__}: {error}"
                log.exception("projection catch-up failed; retrying")
            if read == 0:
                self._notify_listeners(0)
                self._wake.wait(self.poll_interval)
                self._wake.clear()

    def close(self) -> None:
        self.stop()
