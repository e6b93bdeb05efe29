"""The transparency log: one RFC 9162 Merkle leaf per stored event, in log order (透明日志).

``TransparencyLog`` is a projection like the others (its tracked position commits in the same
transaction as the leaves it appends, so every event becomes exactly one leaf), but it reads the
*stored* form of each event, undecoded, through the runner's ``apply_notifications`` hook: the
leaf is the event as the database holds it, so changing, deleting or reordering a stored row
afterwards no longer matches the log.

Leaf data (the bytes hashed as ``SHA-256(0x00 || data)``) is the RFC 8785 (JCS) canonical JSON
of the stored event's five columns::

    {"originator_id":"<uuid, lowercase, hyphenated>","originator_version":<int>,
     "position":<notification id>,"state":"<standard base64 of the stored state bytes>",
     "topic":"<topic>"}

on one line, UTF-8, keys in that (sorted) order, no whitespace. ``state`` is the stored bytes
exactly -- compressed or encrypted if the ledger is configured so -- so anyone holding the
database (or an auditor's export of it) can recompute every leaf without the ledger's keys. The
position is part of the leaf, so moving an event to another position changes its leaf.

Leaf index ``i`` (counting from 0) is the ``i``-th stored event in log order; positions may
have gaps (PostgreSQL sequences skip ids of rolled-back inserts), so ``transparency_leaf``
maps leaf indexes to positions and to the event's aggregate and version.

Tables (both in the projection store)::

    transparency_node (level, idx, hash)     -- complete subtrees, see tree_store
    transparency_leaf (leaf_index PRIMARY KEY, position UNIQUE,
                       originator_id, originator_version)

The leaf map is not indexed by aggregate: that index (random UUID keys) would cost a third of
the projection's speed on SQLite. Finding an event's leaf goes through the event store's own
primary key for its position, then the leaf map by position, whose aggregate and version must
agree (``service.audit``).

``TransparencyLogQuery`` answers sizes, roots and proofs at any size from one read snapshot.
Signed tree heads are not part of the projection (they carry a signing time, so they are not a
function of the log): ``service.audit`` keeps them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from projections.projection import Projection
from projections.store import ProjectionStore, Transaction
from projections.transparency.merkle import (
    consistency_proof_ranges,
    inclusion_path_ranges,
    leaf_hash,
)
from projections.transparency.tree_store import (
    AppendOnlyTree,
    NodeStore,
    PostgresNodeStore,
    SQLiteNodeStore,
)

__all__ = [
    "LEAF_TABLE",
    "NODE_TABLE",
    "LeafRecord",
    "TransparencyLog",
    "TransparencyLogQuery",
    "leaf_data",
    "leaf_data_of",
    "node_store",
]

NAME = "transparency_log"
NODE_TABLE = "transparency_node"
LEAF_TABLE = "transparency_leaf"

_json_string = json.JSONEncoder(ensure_ascii=False).encode


def leaf_data(
    position: int,
    originator_id: UUID | str,
    originator_version: int,
    topic: str,
    state: bytes | str,
) -> bytes:
    """The canonical bytes of one stored event (see the module docstring).

    Written out field by field: for this fixed shape (ASCII keys in sorted order, integers,
    and strings escaped as JSON with ``ensure_ascii=False``, which escapes exactly what
    RFC 8785 escapes) the result is the RFC 8785 serialisation, at a fraction of the cost of a
    general canonicaliser on the hot path of a 1,000,000-event rebuild.
    """
    if isinstance(position, bool) or isinstance(originator_version, bool):
        raise TypeError("position and version are integers")
    oid = _json_string(str(originator_id))
    raw = state.encode("utf-8", "surrogatepass") if isinstance(state, str) else bytes(state)
    state_b64 = base64.b64encode(raw).decode("ascii")
    return (
        f'{{"originator_id":{oid},"originator_version":{int(originator_version)},'
        f'"position":{int(position)},"state":"{state_b64}","topic":{_json_string(topic)}}}'
    ).encode()


def leaf_data_of(notification: Any) -> bytes:
    """The leaf data of a stored notification (``eventsourcing`` ``Notification``)."""
    return leaf_data(
        notification.id,
        notification.originator_id,
        notification.originator_version,
        notification.topic,
        notification.state,
    )


_TOPICS: dict[str, str] = {}


def _leaf_rows(
    notifications: Sequence[Any], start: int
) -> tuple[list[bytes], list[tuple[int, int, str, int]]]:
    """Leaf data and leaf-map rows of a page, on the projection's hot path: the same bytes as
    ``leaf_data`` (the tests hold them equal), with each aggregate id and topic encoded once."""
    data: list[bytes] = []
    rows: list[tuple[int, int, str, int]] = []
    topics = _TOPICS
    b64 = binascii.b2a_base64
    for offset, n in enumerate(notifications):
        state = n.state
        topic = topics.get(n.topic)
        if topic is None or isinstance(state, str) or isinstance(n.originator_version, bool):
            data.append(leaf_data_of(n))
            if topic is None and len(topics) < 10_000:
                topics[n.topic] = _json_string(n.topic)
            rows.append((start + offset, n.id, str(n.originator_id), n.originator_version))
            continue
        oid = str(n.originator_id)  # hex digits and hyphens: nothing to escape
        version = int(n.originator_version)
        data.append(
            (
                f'{{"originator_id":"{oid}","originator_version":{version},'
                f'"position":{int(n.id)},"state":"{b64(state, newline=False).decode()}",'
                f'"topic":{topic}}}'
            ).encode()
        )
        rows.append((start + offset, n.id, oid, version))
    return data, rows


def node_store(tx: Transaction) -> NodeStore:
    """The tree's node store on the transaction's own connection (never commits itself)."""
    if tx.store.dialect == "postgresql":
        return PostgresNodeStore(tx.connection, NODE_TABLE)
    return SQLiteNodeStore(tx.connection, NODE_TABLE)


@dataclass(frozen=True)
class LeafRecord:
    """Which stored event leaf ``leaf_index`` is."""

    leaf_index: int
    position: int
    originator_id: str
    originator_version: int


def _leaf_schema(dialect: str) -> tuple[str, ...]:
    index_type = "BIGINT" if dialect == "postgresql" else "INTEGER"
    key_text = 'TEXT COLLATE "C"' if dialect == "postgresql" else "TEXT"
    return (
        f"CREATE TABLE IF NOT EXISTS {LEAF_TABLE} ("
        f"leaf_index {index_type} PRIMARY KEY, "
        "position BIGINT NOT NULL, "
        f"originator_id {key_text} NOT NULL, "
        "originator_version BIGINT NOT NULL)",
    )


class TransparencyLog(Projection):
    """Appends one leaf per stored event (all topics, known or not), in log order."""

    name: ClassVar[str] = NAME
    version: ClassVar[int] = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        NODE_TABLE: ("level", "idx"),
        LEAF_TABLE: ("leaf_index",),
    }
    query_indexes: ClassVar[tuple[str, ...]] = (
        # Appending never reads by position, so a rebuild from zero builds this once, at the end.
        f"CREATE UNIQUE INDEX IF NOT EXISTS {LEAF_TABLE}_position ON {LEAF_TABLE} (position)",
        # An aggregate's leaves (its history, a certificate's issuance) without a scan.
        f"CREATE INDEX IF NOT EXISTS {LEAF_TABLE}_event"
        f" ON {LEAF_TABLE} (originator_id, originator_version)",
    )

    def create_tables(self, tx: Transaction) -> None:
        store = node_store(tx)
        assert isinstance(store, SQLiteNodeStore | PostgresNodeStore)
        store.create_table()
        for statement in _leaf_schema(tx.store.dialect):
            tx.execute(statement)
        self.create_query_indexes(tx)

    def apply_notifications(self, tx: Transaction, notifications: Sequence[Any]) -> None:
        """Append a leaf for each notification after the last one already in the log."""
        if not notifications:
            return
        last = tx.value(
            f"SELECT position FROM {LEAF_TABLE} ORDER BY leaf_index DESC LIMIT 1", default=0
        )
        fresh = [n for n in notifications if n.id > last]
        if not fresh:
            return
        tree = AppendOnlyTree(node_store(tx))
        start = tree.size()
        data, rows = _leaf_rows(fresh, start)
        tree.append_entries(data)
        if tx.store.dialect == "postgresql":
            with (
                tx.connection.cursor() as cursor,
                cursor.copy(
                    f"COPY {LEAF_TABLE} (leaf_index, position, originator_id, originator_version)"
                    " FROM STDIN (FORMAT BINARY)"
                ) as copy,
            ):
                copy.set_types(["int8", "int8", "text", "int8"])
                for row in rows:
                    copy.write_row(row)
        else:
            tx.connection.executemany(
                f"INSERT INTO {LEAF_TABLE} (leaf_index, position, originator_id,"
                " originator_version) VALUES (?, ?, ?, ?)",
                rows,
            )


class TransparencyLogQuery:
    """Reads of the transparency log, each from one consistent snapshot of the store."""

    def __init__(self, store: ProjectionStore) -> None:
        self.store = store
        self._ready = False

    @contextmanager
    def snapshot(self) -> Iterator[tuple[Transaction, AppendOnlyTree]]:
        """A read transaction and the tree over it (several reads that must agree)."""
        with self.store.read() as tx:
            yield tx, AppendOnlyTree(node_store(tx))

    def ready(self) -> bool:
        """Whether the projection's tables exist (its runner has started once). Once they
        do, that is remembered: asking PostgreSQL's catalogue on every proof was 70 % of a
        national-query check's time there (benchmarks/bench_http.py)."""
        if not self._ready:
            self._ready = {NODE_TABLE, LEAF_TABLE} <= self.store.table_names()
        return self._ready

    def size(self) -> int:
        with self.snapshot() as (_, tree):
            return tree.size()

    def root(self, size: int | None = None) -> tuple[int, bytes]:
        """The size (default: the whole tree) and its root hash."""
        with self.snapshot() as (_, tree):
            size = tree.size() if size is None else size
            return size, tree.root(size)

    def inclusion(self, index: int, size: int) -> tuple[bytes, list[bytes]]:
        """The leaf hash at ``index`` and PATH(index, D[0:size]), in one read of O(log n)
        nodes (the proof latency path). ``ValueError`` unless ``0 <= index < size``;
        ``LookupError`` if the log has fewer than ``size`` leaves: the leaf and the path's
        subtrees partition ``[0, size)``, so a node is missing exactly then."""
        # The leaf is the one-leaf range [index, index + 1): it and the path come in one read.
        ranges = [(index, index + 1), *inclusion_path_ranges(index, size)]
        with self.snapshot() as (_, tree):
            try:
                leaf, *path = tree.range_roots(ranges)
            except KeyError:
                raise LookupError(f"the log has fewer than {size} leaves") from None
        return leaf, path

    def consistency(self, first: int, second: int) -> list[bytes]:
        """PROOF(first, D[0:second]) in one read; errors as ``inclusion``."""
        # The last leaf [second - 1, second) is read too, so a short log is a LookupError.
        ranges = [(second - 1, second), *consistency_proof_ranges(first, second)]
        with self.snapshot() as (_, tree):
            try:
                _, *proof = tree.range_roots(ranges)
            except KeyError:
                raise LookupError(f"the log has fewer than {second} leaves") from None
        return proof

    def leaf_hashes(self, start: int, end: int) -> list[bytes]:
        """Stored leaf hashes of leaves ``[start, end)`` (fewer if the tree is shorter)."""
        with self.snapshot() as (tx, _):
            rows = tx.rows(
                f"SELECT hash FROM {NODE_TABLE} WHERE level = 0 AND idx >= ? AND idx < ?"
                " ORDER BY idx",
                (start, end),
            )
        return [bytes(row[0]) for row in rows]

    @staticmethod
    def _records(rows: list[tuple[Any, ...]]) -> list[LeafRecord]:
        return [LeafRecord(int(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]

    _COLUMNS = "leaf_index, position, originator_id, originator_version"

    def leaves(self, start: int, limit: int) -> list[LeafRecord]:
        """Leaf records from index ``start`` on, at most ``limit``."""
        with self.store.read() as tx:
            rows = tx.rows(
                f"SELECT {self._COLUMNS} FROM {LEAF_TABLE} WHERE leaf_index >= ?"
                " ORDER BY leaf_index LIMIT ?",
                (start, limit),
            )
        return self._records(rows)

    def leaves_at_positions(self, positions: Sequence[int]) -> dict[int, LeafRecord]:
        """The leaf records of these positions (those in the log), by position."""
        if not positions:
            return {}
        low, high = min(positions), max(positions)
        with self.store.read() as tx:
            rows = tx.rows(
                f"SELECT {self._COLUMNS} FROM {LEAF_TABLE} WHERE position >= ? AND position <= ?"
                " ORDER BY position",
                (low, high),
            )
        wanted = set(positions)
        return {r.position: r for r in self._records(rows) if r.position in wanted}

    def leaf(self, index: int) -> LeafRecord | None:
        with self.store.read() as tx:
            rows = tx.rows(
                f"SELECT {self._COLUMNS} FROM {LEAF_TABLE} WHERE leaf_index = ?", (index,)
            )
        found = self._records(rows)
        return found[0] if found else None

    def leaf_at_position(self, position: int) -> LeafRecord | None:
        with self.store.read() as tx:
            rows = tx.rows(
                f"SELECT {self._COLUMNS} FROM {LEAF_TABLE} WHERE position = ?", (position,)
            )
        found = self._records(rows)
        return found[0] if found else None

    def leaves_of(self, originator_id: UUID | str) -> list[LeafRecord]:
        """Every leaf of one aggregate, by version (indexed)."""
        with self.store.read() as tx:
            rows = tx.rows(
                f"SELECT {self._COLUMNS} FROM {LEAF_TABLE} WHERE originator_id = ?"
                " ORDER BY originator_version",
                (str(originator_id),),
            )
        return self._records(rows)

    def leaf_of_event(
        self, originator_id: UUID | str, originator_version: int
    ) -> LeafRecord | None:
        """The leaf of one event (an aggregate's version), if it is in the log yet (indexed)."""
        with self.store.read() as tx:
            rows = tx.rows(
                f"SELECT {self._COLUMNS} FROM {LEAF_TABLE}"
                " WHERE originator_id = ? AND originator_version = ? ORDER BY leaf_index LIMIT 1",
                (str(originator_id), originator_version),
            )
        found = self._records(rows)
        return found[0] if found else None


def leaf_hash_of(notification: Any) -> bytes:
    """The leaf hash of a stored notification."""
    return leaf_hash(leaf_data_of(notification))
