"""What a projection is: tables it owns, the event topics it handles, and one handler per topic.

A projection subclass declares

- ``name``: stable, used as the key of its tracked position;
- ``version``: bump it when the tables or the handlers change meaning; the runner then drops
  and rebuilds the projection from zero on its next start;
- ``tables``: ``{table: (primary-key columns...)}`` -- every table it owns, so it can be dropped,
  dumped and compared;
- ``schema``: DDL statements (``{key_text}`` for byte-ordered text keys, see ``projections.store``);
- ``query_indexes``: ``CREATE [UNIQUE] INDEX IF NOT EXISTS name ON ...`` statements for indexes
  that only queries use (no handler reads through them). A catch-up from position 0 (rebuilds,
  "as of" builds) drops them first and builds them once at the end, which is much cheaper than
  maintaining them row by row; ``ensure_ready`` recreates any that an interrupted rebuild left
  missing;
- handlers: methods decorated with ``@handles("craftledger:Certificate.Issued", ...)`` taking
  ``(self, tx, event)``;
- optionally ``start_batch()`` / ``flush(tx)``: the runner calls them around each batch's
  handlers in the batch's transaction, so a projection can fold repeated writes of one row
  into one write at the end of the batch (and keep batch-local copies of rows it wrote instead
  of reading them back).

Handlers see a ``RecordedEvent``: the log ``position``, the event ``topic``, ``originator_id``,
``originator_version``, ``timestamp`` and the event's attributes in ``data`` (decoded and
upcast by the ledger's mapper; UUIDs and datetimes as Python objects). A handler must be a pure
function of the tables and the event -- no wall-clock time, no randomness, no reads of another
projection's tables -- so that a live build, a rebuild in any batch sizes and an "as of" build
give identical tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.china_time import china_date
from projections.store import ProjectionStore, Transaction, check_identifier

Handler = Callable[[Any, Transaction, "RecordedEvent"], None]
_INDEX_NAME = re.compile(r"INDEX\s+IF\s+NOT\s+EXISTS\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


class RecordedEvent(dict[str, Any]):
    """One event of the log as projections see it: the event's attributes as a dict (``event["x"]``,
    ``event.get("x")`` -- plain dict lookups, the hottest operation of every handler) with the
    log ``position``, ``topic``, ``originator_id``, ``originator_version``, ``timestamp`` and
    ``aggregate_id`` (``originator_id`` as stored text, computed once) as attributes."""

    __slots__ = (
        "aggregate_id",
        "originator_id",
        "originator_version",
        "position",
        "timestamp",
        "topic",
    )

    def __init__(
        self,
        position: int,
        topic: str,
        originator_id: UUID,
        originator_version: int,
        timestamp: datetime,
        data: Mapping[str, Any],
        aggregate_id: str = "",
    ) -> None:
        super().__init__(data)
        self.position = position
        self.topic = topic
        self.originator_id = originator_id
        self.originator_version = originator_version
        self.timestamp = timestamp
        self.aggregate_id = aggregate_id

    @property
    def data(self) -> Mapping[str, Any]:
        """The event's attributes (this mapping itself)."""
        return self

    def __repr__(self) -> str:
        return (
            f"RecordedEvent(position={self.position!r}, topic={self.topic!r},"
            f" originator_id={self.originator_id!r}, data={dict(self)!r})"
        )


def handles(*topics: str) -> Callable[[Handler], Handler]:
    """Mark a method as the handler of events with these topics."""

    def mark(method: Handler) -> Handler:
        method.__handles__ = topics  # type: ignore[attr-defined]
        return method

    return mark


class Projection:
    """Base class of read models; see the module docstring."""

    name: ClassVar[str] = ""
    version: ClassVar[int] = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {}
    schema: ClassVar[tuple[str, ...]] = ()
    query_indexes: ClassVar[tuple[str, ...]] = ()
    _handlers: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                for topic in getattr(value, "__handles__", ()):
                    found[topic] = attribute
        cls._handlers = found
        for table, key in cls.tables.items():
            check_identifier(table)
            for column in key:
                check_identifier(column)

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def handler_for(self, topic: str) -> Callable[[Transaction, RecordedEvent], None] | None:
        attribute = self._handlers.get(topic)
        return None if attribute is None else getattr(self, attribute)

    # -- batches ---------------------------------------------------------------------------

    def start_batch(self) -> None:
        """Called by the runner as each batch transaction starts: forget batch-local state
        (a previous batch may have been rolled back)."""

    def flush(self, tx: Transaction) -> None:
        """Called by the runner after a batch's events, before the position is stored, in the
        same transaction: write what the handlers folded in memory (default: nothing)."""

    # -- tables ----------------------------------------------------------------------------

    def create_tables(self, tx: Transaction) -> None:
        for statement in self.schema:
            tx.execute(tx.store.ddl(statement))
        self.create_query_indexes(tx)

    def create_query_indexes(self, tx: Transaction) -> None:
        for statement in self.query_indexes:
            tx.execute(tx.store.ddl(statement))

    def drop_query_indexes(self, tx: Transaction) -> None:
        for statement in self.query_indexes:
            found = _INDEX_NAME.search(statement)
            if found is None:
                raise ValueError(f"{self.name}: cannot find the index name in {statement!r}")
            tx.execute(f"DROP INDEX IF EXISTS {check_identifier(found.group(1))}")

    def drop_tables(self, tx: Transaction) -> None:
        for table in self.tables:
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def dump(self, store: ProjectionStore) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, in key order: equal dumps mean equal projections."""
        return {table: store.dump(table, key) for table, key in self.tables.items()}

    def row_counts(self, store: ProjectionStore) -> dict[str, int]:
        return {table: store.count(table) for table in self.tables}


# -- value helpers shared by projections ----------------------------------------------------------


_TEXT_OF: dict[Any, str] = {}
_UUID_TEXT_OF: dict[int, str] = {}


def text_id(value: Any) -> str | None:
    """A UUID (or None) as stored text (memoised by the UUID's integer: the same ids recur in
    every batch, and an int is hashed and compared in C, a UUID in Python)."""
    if value is None:
        return None
    if type(value) is UUID:
        key = value.int
        text = _UUID_TEXT_OF.get(key)
        if text is None:
            if len(_UUID_TEXT_OF) > 200_000:
                _UUID_TEXT_OF.clear()
            text = _UUID_TEXT_OF[key] = str(value)
        return text
    text = _TEXT_OF.get(value)
    if text is None:
        if len(_TEXT_OF) > 200_000:
            _TEXT_OF.clear()
        text = _TEXT_OF[value] = str(value)
    return text


_ISO_DATETIME_OF: dict[datetime, str] = {}
_ISO_DATE_OF: dict[Any, str] = {}


def iso_datetime(value: datetime | None) -> str | None:
    """A UTC ISO-8601 timestamp with microseconds, so text order is time order (memoised:
    several projections format the same event's times)."""
    if value is None:
        return None
    text = _ISO_DATETIME_OF.get(value)
    if text is None:
        if len(_ISO_DATETIME_OF) > 50_000:
            _ISO_DATETIME_OF.clear()
        utc = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value
        text = _ISO_DATETIME_OF[value] = utc.isoformat(timespec="microseconds") + "Z"
    return text


def iso_date(value: date | datetime | str | None) -> str | None:
    """An ISO date; a datetime's (or an ISO date-time text's) date in China, UTC+8: the date of
    a fact (``domain.china_time``; memoised like ``iso_datetime``)."""
    if value is None:
        return None
    if type(value) is str:
        if len(value) <= 10:
            return value
        try:
            return china_date(datetime.fromisoformat(value)).isoformat()
        except ValueError:
            return value[:10]
    text = _ISO_DATE_OF.get(value)
    if text is None:
        if len(_ISO_DATE_OF) > 50_000:
            _ISO_DATE_OF.clear()
        if isinstance(value, datetime):
            text = china_date(value).isoformat()
        elif isinstance(value, date):
            text = value.isoformat()
        else:
            text = str(value)[:10]
        _ISO_DATE_OF[value] = text
    return text


def to_json(value: Any) -> str:
    """Deterministic JSON text (sorted keys, UUIDs and dates as strings)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
