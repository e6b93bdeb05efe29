"""Audit (审计): signed tree heads, histories, state at any version or date, and ``audit verify``.

Signed tree heads
-----------------
The transparency log (``projections.transparency_log``) is a projection: one RFC 9162 leaf per
stored event, in log order, appended in the same transaction as its tracked position. A *signed
tree head* is the ledger's Ed25519 signature over ``(tree_size, timestamp, root)`` in the
layout of ``projections.transparency.tree_head``, made with the ledger's own key: the key store's
reserved owner ``craftledger:ledger``, key id ``ledger-key-1``, generated (sealed with the
key-encryption key like every issuer key) the first time a head is signed. Its public half is
published as a ``Multikey`` at ``GET /api/v1/audit/public-key``.

Every head ever signed is kept in ``transparency_tree_head`` (in the projection store, next to
the tree, but not one of the projection's tables: a rebuild of the tree never drops the heads
that were handed out)::

    tree_size BIGINT PRIMARY KEY     -- one head per size; the first one signed wins
    signed_at BIGINT                 -- the head's timestamp (ms since the epoch, UTC)
    root_hash, signature             -- 32 and 64 bytes
    key_id, public_key_multibase     -- which ledger key signed it
    log_position                     -- position of the last event in the tree

Heads are only ever inserted: sizes and timestamps both increase along the history (a head is
signed under a table lock, after the newest one, and never for a smaller tree). On PostgreSQL
the insert commits with ``synchronous_commit`` on, so a head a client has seen survives a crash.

When heads are published (``HeadPolicy``): after a projection catch-up that grew the tree (the
runner's listener), and when someone asks for the current head, a new head is signed if the
tree grew and either ``every_events`` leaves or ``every_seconds`` have passed since the last
one -- so the newest events wait at most that long for a signed head. A verifier that needs a
head covering a newer leaf (a freshly issued certificate) gets one signed on demand.

Verifying (``verify_log``)
--------------------------
``craftledger audit verify`` reads every stored event, recomputes its leaf and the tree, and

1. compares each stored event with the log's leaf at the same position (merge by position):
   *changed* (same position, different bytes), *reordered* (the bytes of another logged
   position), *deleted* (in the log, no longer stored), *inserted* (stored, never logged);
2. checks every signed tree head: its signature with the ledger's public key, and its root
   against the root recomputed from the stored events and against the stored tree;
3. reports the first position where stored data and the log disagree. Stored events after the
   end of the log are *pending* (not yet projected), not an error.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import Notification

from domain.certificate import Certificate
from projections.as_of import end_of_day
from projections.runner import EventDecoder, ProjectionRunner
from projections.store import ProjectionStore
from projections.transparency.merkle import (
    EMPTY_ROOT,
    InvalidProofError,
    check_inclusion,
    leaf_hash,
    node_hash,
)
from projections.transparency.proof_json import ConsistencyProof, InclusionProof, encode_hash
from projections.transparency.tree_head import (
    SignedTreeHead,
    now_ms,
    sign_tree_head,
    verify_tree_head,
)
from projections.transparency.tree_store import AppendOnlyTree
from projections.transparency_log import (
    LEAF_TABLE,
    LeafRecord,
    TransparencyLog,
    TransparencyLogQuery,
    leaf_data,
    leaf_data_of,
    node_store,
)
from service.credentials.key_store import LEDGER_KEY_ID, LEDGER_OWNER
from service.event_json import event_to_json, event_type, jsonable, mask_id_numbers
from service.signing.credential_verifier import Check
from service.signing.multikey import decode_public_key

__all__ = [
    "HEAD_TABLE",
    "Audit",
    "AuditReport",
    "Disagreement",
    "HeadCheck",
    "HeadPolicy",
    "LogUnavailable",
    "OutOfRange",
    "StoredHead",
    "parse_moment",
    "verify_log",
]

log = logging.getLogger(__name__)

HEAD_TABLE = "transparency_tree_head"
_PAGE = 5_000
MAX_REPORTED = 100
"""Disagreements listed in a report (all are counted)."""


class LogUnavailable(RuntimeError):
    """The transparency log cannot answer (not built yet, or no such size); the message says
    what is missing."""


class OutOfRange(ValueError):
    """A leaf index or tree size outside the log (HTTP 404/422); the message says which."""


@dataclass(frozen=True)
class HeadPolicy:
    """When a new tree head is due: the tree grew, and ``every_events`` leaves or
    ``every_seconds`` have passed since the last head (whichever comes first)."""

    every_seconds: float = 60.0
    every_events: int = 1_000


@dataclass(frozen=True)
class StoredHead:
    """A signed tree head as kept in the history."""

    head: SignedTreeHead
    key_id: str
    public_key_multibase: str
    log_position: int

    @property
    def tree_size(self) -> int:
        return self.head.tree_size

    def to_json(self) -> dict[str, Any]:
        """RFC 6962 ``get-sth`` names (and nothing else: the offline verifier reads these)."""
        return self.head.to_json()

    def to_history_json(self) -> dict[str, Any]:
        return {
            **self.head.to_json(),
            "key_id": self.key_id,
            "log_position": self.log_position,
        }


def _head_schema(dialect: str) -> str:
    blob = "BYTEA" if dialect == "postgresql" else "BLOB"
    return (
        f"CREATE TABLE IF NOT EXISTS {HEAD_TABLE} ("
        "tree_size BIGINT PRIMARY KEY, "
        "signed_at BIGINT NOT NULL, "
        f"root_hash {blob} NOT NULL, "
        f"signature {blob} NOT NULL, "
        "key_id TEXT NOT NULL, "
        "public_key_multibase TEXT NOT NULL, "
        "log_position BIGINT NOT NULL)"
    )


_HEAD_COLUMNS = (
    "tree_size, signed_at, root_hash, signature, key_id, public_key_multibase, log_position"
)


def _stored_head(row: Sequence[Any]) -> StoredHead:
    size, signed_at, root, signature, key_id, public, position = row
    return StoredHead(
        SignedTreeHead(int(size), int(signed_at), bytes(root), bytes(signature)),
        str(key_id),
        str(public),
        int(position),
    )


def _plain(value: Any) -> Any:
    """Aggregate or event values as JSON (ID-shaped strings masked)."""
    return json.loads(json.dumps(jsonable(value), ensure_ascii=False, default=str))


def parse_moment(text: str) -> datetime:
    """``YYYY-MM-DD`` (the end of that day, UTC) or an ISO 8601 date-time with a zone."""
    text = text.strip()
    try:
        if len(text) == 10:
            return end_of_day(date.fromisoformat(text))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expected YYYY-MM-DD or an ISO 8601 date-time with a zone") from None
    if moment.tzinfo is None:
        raise ValueError("a date-time needs a zone (Z or +08:00)")
    return moment.astimezone(UTC)


class Audit:
    """The audit service over one ledger and its projection store."""

    def __init__(
        self,
        ledger: Any,
        store: ProjectionStore,
        *,
        policy: HeadPolicy | None = None,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.ledger = ledger
        self.store = store
        self.policy = policy or HeadPolicy()
        self.clock = clock
        self.log = TransparencyLogQuery(store)
        self.runner = ProjectionRunner(ledger, store, [TransparencyLog()])
        self._ready = False
        self._lock = threading.Lock()

    # -- set-up -------------------------------------------------------------------------------

    def ensure_ready(self) -> None:
        """The transparency log's tables and the head history table exist."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self.runner.ensure_ready()
            with self.store.transaction() as tx:
                if self.store.schema_lock:  # processes starting together create it in turn
                    tx.execute(self.store.schema_lock)
                tx.execute(_head_schema(self.store.dialect))
            self._ready = True

    def catch_up(self, limit: int | None = None) -> int:
        """Append the log's newest events as leaves (what the projection runner does)."""
        self.ensure_ready()
        return self.runner.catch_up(limit=limit)

    # -- the ledger's key -----------------------------------------------------------------------

    def _signing_key(self) -> tuple[str, str, Any]:
        stored, private_key = self.ledger.credentials.key_store.ledger_key()
        return stored.key_id, stored.public_key_multibase, private_key

    def public_key_multibase(self) -> str:
        """The ledger's public key (Multikey ``z6Mk…``), generating the key pair on first use."""
        stored = self.ledger.credentials.key_store.get(LEDGER_OWNER, LEDGER_KEY_ID)
        if stored is None:
            return self._signing_key()[1]
        return str(stored.public_key_multibase)

    def public_key(self) -> Ed25519PublicKey:
        return decode_public_key(self.public_key_multibase())

    def public_key_document(self, base_url: str) -> dict[str, Any]:
        """The ledger's key as a W3C ``Multikey`` verification method."""
        controller = base_url.rstrip("/") + "/api/v1/audit/public-key"
        return {
            "@context": "https://w3id.org/security/multikey/v1",
            "id": f"{controller}#{LEDGER_KEY_ID}",
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": self.public_key_multibase(),
        }

    # -- tree heads -------------------------------------------------------------------------------

    def latest_head(self) -> StoredHead | None:
        self.ensure_ready()
        with self.store.read() as tx:
            row = tx.row(
                f"SELECT {_HEAD_COLUMNS} FROM {HEAD_TABLE} ORDER BY tree_size DESC LIMIT 1"
            )
        return None if row is None else _stored_head(row)

    def head_of_size(self, size: int) -> StoredHead | None:
        """The head signed for exactly ``size`` leaves, if one was published."""
        self.ensure_ready()
        with self.store.read() as tx:
            row = tx.row(f"SELECT {_HEAD_COLUMNS} FROM {HEAD_TABLE} WHERE tree_size = ?", (size,))
        return None if row is None else _stored_head(row)

    def heads(self, after: int = -1, limit: int = 100) -> list[StoredHead]:
        """The history of signed heads by size, from sizes above ``after``."""
        self.ensure_ready()
        with self.store.read() as tx:
            rows = tx.rows(
                f"SELECT {_HEAD_COLUMNS} FROM {HEAD_TABLE} WHERE tree_size > ?"
                " ORDER BY tree_size LIMIT ?",
                (after, limit),
            )
        return [_stored_head(row) for row in rows]

    def nearest_sizes(self, size: int) -> list[int]:
        """Published head sizes just below and above ``size`` (for helpful 404s)."""
        self.ensure_ready()
        with self.store.read() as tx:
            below = tx.value(
                f"SELECT max(tree_size) FROM {HEAD_TABLE} WHERE tree_size < ?", (size,)
            )
            above = tx.value(
                f"SELECT min(tree_size) FROM {HEAD_TABLE} WHERE tree_size > ?", (size,)
            )
        return [int(s) for s in (below, above) if s is not None]

    def _due(self, latest: StoredHead | None, size: int, now: int) -> bool:
        if latest is None:
            return True
        if size <= latest.tree_size:
            return False
        grown = size - latest.tree_size
        waited = now - latest.head.timestamp
        return grown >= self.policy.every_events or waited >= self.policy.every_seconds * 1000

    def publish(self, *, force: bool = False) -> StoredHead | None:
        """Sign a head for the tree as it is now, if one is due (or ``force``) and the tree
        grew since the last one; the new head, or None when nothing was signed."""
        self.ensure_ready()
        key_id, public, private_key = self._signing_key()
        with self.store.transaction() as tx:
            if self.store.dialect == "postgresql":
                tx.execute("SET LOCAL synchronous_commit TO on")
                tx.execute(f"LOCK TABLE {HEAD_TABLE} IN SHARE ROW EXCLUSIVE MODE")
            row = tx.row(
                f"SELECT {_HEAD_COLUMNS} FROM {HEAD_TABLE} ORDER BY tree_size DESC LIMIT 1"
            )
            latest = None if row is None else _stored_head(row)
            tree = AppendOnlyTree(node_store(tx))
            size = tree.size()
            now = self.clock()
            if latest is not None and size <= latest.tree_size:
                return None
            if not force and not self._due(latest, size, now):
                return None
            root = tree.root(size) if size else EMPTY_ROOT
            timestamp = max(now, latest.head.timestamp if latest else 0)
            head = sign_tree_head(private_key, size, root, timestamp)
            position = (
                tx.value(f"SELECT position FROM {LEAF_TABLE} WHERE leaf_index = ?", (size - 1,))
                if size
                else 0
            )
            tx.execute(
                f"INSERT INTO {HEAD_TABLE} ({_HEAD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (size, timestamp, root, head.signature, key_id, public, int(position or 0)),
            )
        stored = StoredHead(head, key_id, public, int(position or 0))
        log.info("signed tree head: size %s root %s", size, encode_hash(root))
        return stored

    def publish_due(self, _read: int = 0) -> StoredHead | None:
        """Publish a head if one is due (the projection runner's listener)."""
        return self.publish()

    def current_head(self, *, catch_up_limit: int | None = 10_000) -> StoredHead:
        """The newest signed head, after appending new events and signing one if due."""
        self.catch_up(limit=catch_up_limit)
        self.publish()
        latest = self.latest_head()
        if latest is None:  # the first head (even of the empty tree) is always due
            latest = self.publish(force=True) or self.latest_head()
        assert latest is not None
        return latest

    def head_covering(self, leaf_index: int) -> StoredHead:
        """A signed head whose tree holds ``leaf_index``: the newest, or a new one."""
        latest = self.latest_head()
        if latest is None or latest.tree_size <= leaf_index:
            latest = self.publish(force=True) or self.latest_head()
        if latest is None or latest.tree_size <= leaf_index:
            raise LogUnavailable(f"leaf {leaf_index} is not in the transparency log yet")
        return latest

    # -- proofs ---------------------------------------------------------------------------------

    def inclusion_proof(self, index: int, size: int | None = None) -> InclusionProof:
        """PATH(index, D[0:size]); ``size`` defaults to the newest signed head's."""
        self.ensure_ready()
        if size is None:
            size = self.current_head().tree_size
        if not 0 <= index < size:
            raise OutOfRange(f"leaf index {index} is not below tree size {size}")
        try:
            leaf, path = self.log.inclusion(index, size)
        except LookupError:
            raise LogUnavailable(f"the log has {self.log.size()} leaves, not {size}") from None
        return InclusionProof(index, size, leaf, path)

    def consistency_proof(self, first: int, second: int | None = None) -> ConsistencyProof:
        """PROOF(first, D[0:second]); ``second`` defaults to the newest signed head's."""
        self.ensure_ready()
        if second is None:
            second = self.current_head().tree_size
        if not 0 < first <= second:
            raise OutOfRange(f"no consistency proof from size {first} to size {second}")
        try:
            path = self.log.consistency(first, second)
        except LookupError:
            raise LogUnavailable(f"the log has {self.log.size()} leaves, not {second}") from None
        return ConsistencyProof(first, second, path)

    # -- stored events --------------------------------------------------------------------------

    def notification_at(self, position: int) -> Notification | None:
        page = self.ledger.recorder.select_notifications(start=position, limit=1, stop=position)
        return page[0] if page else None

    def leaf_record(self, index: int) -> dict[str, Any]:
        """One leaf: its position, the stored event's canonical bytes and whether they still
        hash to the log's leaf (auditors recompute with these bytes).

        The bytes must be exact to hash, so they cannot be masked: when the stored event holds
        something shaped like an ID number (typed into a free-text reason, say), they are
        withheld (``leaf_data`` null, ``withheld`` true) -- ``matches_log`` still says whether
        they hash to the leaf, and ``craftledger audit verify`` checks them where they are."""
        self.ensure_ready()
        record = self.log.leaf(index)
        if record is None:
            raise OutOfRange(f"no leaf {index}: the log has {self.log.size()} leaves")
        (logged,) = self.log.leaf_hashes(index, index + 1)
        notification = self.notification_at(record.position)
        data = None if notification is None else leaf_data_of(notification)
        withheld = data is not None and _holds_id_number(notification)
        return {
            "leaf_index": index,
            "position": record.position,
            "aggregate_id": record.originator_id,
            "aggregate_version": record.originator_version,
            "leaf_hash": encode_hash(logged),
            "leaf_data": None if data is None or withheld else _b64(data),
            "withheld": withheld,
            "matches_log": data is not None and leaf_hash(data) == logged,
        }

    def _event_json(self, notification: Notification) -> dict[str, Any]:
        try:
            return event_to_json(self.ledger.mapper, notification)
        except Exception as error:  # a topic this version cannot decode: show the raw state
            try:
                data = EventDecoder(self.ledger.mapper)(notification).data
            except Exception:
                data = None
            return {
                "position": notification.id,
                "aggregate_id": str(notification.originator_id),
                "aggregate_version": notification.originator_version,
                "topic": notification.topic,
                "type": event_type(notification.topic),
                "timestamp": None,
                "actor": None,
                "reason": None,
                "data": _plain(data),
                "decode_error": f"{type(error).__name__}: {error}",
            }

    def _with_leaves(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each event with its leaf index and leaf hash in the log (None: not logged yet)."""
        records = self.log.leaves_at_positions([e["position"] for e in events])
        hashes: dict[int, bytes] = {}
        if records:
            indexes = [r.leaf_index for r in records.values()]
            low, high = min(indexes), max(indexes)
            if high - low < 10 * len(indexes):
                found = self.log.leaf_hashes(low, high + 1)
                hashes = {low + offset: value for offset, value in enumerate(found)}
        for event in events:
            record = records.get(event["position"])
            event["leaf_index"] = None if record is None else record.leaf_index
            value = None if record is None else hashes.get(record.leaf_index)
            event["leaf_hash"] = None if value is None else encode_hash(value)
        return events

    def events(self, after: int = 0, limit: int = 100) -> dict[str, Any]:
        """The log from position ``after`` + 1, at most ``limit`` events, in log order."""
        self.catch_up(limit=10_000)
        head = self.ledger.log_position
        page = self.ledger.recorder.select_notifications(start=after + 1, limit=limit)
        events = self._with_leaves([self._event_json(n) for n in page])
        more = bool(page) and page[-1].id < head
        return {
            "items": events,
            "next_after": page[-1].id if more else None,
            "log_position": head,
        }

    def _leaves_of(self, aggregate_id: UUID, version: int | None = None) -> dict[int, LeafRecord]:
        """The logged leaves of an aggregate's stored events, by version: positions from the
        event store's primary key, leaves by position, kept only where the log agrees that the
        leaf is that aggregate's that version."""
        positions = event_positions(self.ledger, aggregate_id, version)
        records = self.log.leaves_at_positions(list(positions.values()))
        found = {}
        for stored_version, position in positions.items():
            record = records.get(position)
            if (
                record is not None
                and record.originator_id == str(aggregate_id)
                and record.originator_version == stored_version
            ):
                found[stored_version] = record
        return found

    def leaf_of_event(self, aggregate_id: UUID, version: int) -> LeafRecord | None:
        """The leaf of one stored event, if the log has it at the event's position."""
        return self._leaves_of(aggregate_id, version).get(version)

    def aggregate_events(
        self, aggregate_id: UUID, after_version: int = 0, limit: int = 100
    ) -> dict[str, Any]:
        """One aggregate's events after ``after_version``, oldest first."""
        self.catch_up(limit=10_000)
        stored = self.ledger.recorder.select_events(
            aggregate_id, gt=after_version or None, limit=limit + 1
        )
        if not stored and not after_version and not self.ledger.exists(aggregate_id):
            raise LookupError(f"no aggregate {aggregate_id}")
        more = len(stored) > limit
        stored = stored[:limit]
        leaves = self._leaves_of(aggregate_id)
        events = []
        for event in stored:
            record = leaves.get(event.originator_version)
            notification = Notification(
                id=record.position if record else 0,
                originator_id=event.originator_id,
                originator_version=event.originator_version,
                topic=event.topic,
                state=event.state,
            )
            item = self._event_json(notification)
            item["position"] = record.position if record else None
            events.append(item)
        return {
            "aggregate_id": str(aggregate_id),
            "items": self._with_leaves(events),
            "next_after": stored[-1].originator_version if more and stored else None,
        }

    def version_at(self, aggregate_id: UUID, moment: datetime) -> int | None:
        """The aggregate's last version recorded at or before ``moment`` (None: none yet)."""
        decode = EventDecoder(self.ledger.mapper)
        found = None
        for event in self.ledger.recorder.select_events(aggregate_id):
            notification = Notification(
                id=0,
                originator_id=event.originator_id,
                originator_version=event.originator_version,
                topic=event.topic,
                state=event.state,
            )
            timestamp = decode(notification).timestamp
            if timestamp is not None and timestamp <= moment:
                found = event.originator_version
            elif timestamp is not None and timestamp > moment:
                break
        return found

    def aggregate_state(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]:
        """The aggregate as it was at ``version`` or at ``as_of`` (default: now)."""
        self.catch_up(limit=10_000)
        newest = self.ledger.recorder.select_events(aggregate_id, desc=True, limit=1)
        if not newest:
            raise LookupError(f"no aggregate {aggregate_id}")
        latest = newest[0].originator_version
        if version is not None and as_of is not None:
            raise ValueError("give version or as_of, not both")
        if as_of is not None:
            version = self.version_at(aggregate_id, as_of)
            if version is None:
                raise LookupError(f"aggregate {aggregate_id} did not exist yet at {as_of}")
        if version is not None and not 1 <= version <= latest:
            raise LookupError(f"aggregate {aggregate_id} has versions 1 to {latest}, not {version}")
        aggregate = self.ledger.repository.get(aggregate_id, version=version)
        state = {
            name: value
            for name, value in vars(aggregate).items()
            if not name.startswith("_") and not callable(value)
        }
        record = self.leaf_of_event(aggregate_id, aggregate.version)
        return {
            "id": str(aggregate_id),
            "type": getattr(type(aggregate), "TOPIC", type(aggregate).__name__),
            "version": aggregate.version,
            "latest_version": latest,
            "as_of": None if as_of is None else as_of.isoformat(),
            "created_on": _plain(aggregate.created_on),
            "modified_on": _plain(aggregate.modified_on),
            "position": None if record is None else record.position,
            "leaf_index": None if record is None else record.leaf_index,
            "state": _plain(state),
        }

    # -- certificates ---------------------------------------------------------------------------

    def event_inclusion(self, aggregate_id: UUID, version: int) -> dict[str, Any]:
        """The inclusion of one stored event in the log, against a signed head covering it:
        ``{position, leaf_index, tree_head, inclusion_proof}``. Checks that the stored event
        still hashes to its leaf and that the proof leads to the head's root."""
        self.ensure_ready()
        record = self.leaf_of_event(aggregate_id, version)
        if record is None:
            self.catch_up(limit=50_000)
            record = self.leaf_of_event(aggregate_id, version)
        if record is None:
            raise LogUnavailable(f"event {aggregate_id} v{version} is not in the log")
        head = self.head_covering(record.leaf_index)
        proof = self.inclusion_proof(record.leaf_index, head.tree_size)
        notification = self.notification_at(record.position)
        if notification is None or leaf_hash(leaf_data_of(notification)) != proof.leaf_hash:
            raise InvalidProofError(
                f"the stored event at position {record.position} no longer matches its leaf"
            )
        check_inclusion(
            proof.leaf_hash,
            proof.leaf_index,
            proof.tree_size,
            proof.audit_path,
            head.head.root_hash,
        )
        return {
            "position": record.position,
            "leaf_index": record.leaf_index,
            "tree_head": head.to_json(),
            "inclusion_proof": proof.to_json(),
        }

    def certificate_inclusion(self, number: str) -> dict[str, Any]:
        """The certificate's issuance event (its version 1) in the log."""
        return self.event_inclusion(Certificate.create_id(number=number), 1)

    def log_inclusion_check(self, credential: Mapping[str, Any]) -> Check:
        """The ``log_inclusion`` check of a credential's verification report."""
        name = "log_inclusion"
        subject = credential.get("credentialSubject")
        number = subject.get("licenseNumber") if isinstance(subject, Mapping) else None
        if not isinstance(number, str):
            return Check(name, "skipped", "only certificate credentials are checked in the log")
        try:
            found = self.certificate_inclusion(number)
        except InvalidProofError as error:
            return Check(name, "failed", str(error))
        except (LogUnavailable, LookupError, ValueError) as error:
            return Check(name, "unknown", f"the transparency log cannot answer: {error}")
        except Exception as error:
            log.exception("log inclusion check failed")
            return Check(name, "unknown", f"the transparency log cannot answer: {error}")
        return Check(
            name,
            "passed",
            f"the issuance of {number} is leaf {found['leaf_index']} (position "
            f"{found['position']}) of the signed tree of {found['tree_head']['tree_size']}",
            data={"log_inclusion": found},
        )


def event_positions(ledger: Any, aggregate_id: UUID, version: int | None = None) -> dict[int, int]:
    """Log positions of an aggregate's stored events, by version, from the event store's own
    primary key (``eventsourcing``'s ``stored_events`` rowid on SQLite, ``notification_id`` of
    the ``<app>_events`` table on PostgreSQL)."""
    recorder = ledger.recorder
    table = recorder.events_table_name
    if ledger.settings.uses_postgres:
        from psycopg.sql import SQL, Identifier

        statement = SQL(
            "SELECT originator_version, notification_id FROM {}.{} WHERE originator_id = %s"
        ).format(Identifier(recorder.datastore.schema), Identifier(table))
        params: list[Any] = [aggregate_id]
        if version is not None:
            statement += SQL(" AND originator_version = %s")
            params.append(version)
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            return {
                int(row["originator_version"]): int(row["notification_id"])
                for row in cursor.fetchall()
            }
    sql = f"SELECT originator_version, rowid FROM {table} WHERE originator_id = ?"
    params = [aggregate_id.hex]
    if version is not None:
        sql += " AND originator_version = ?"
        params.append(version)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(sql, params)
        return {int(row[0]): int(row[1]) for row in cursor.fetchall()}


def _holds_id_number(notification: Notification) -> bool:
    """Whether a stored event's topic or (readable) state holds an ID-number-shaped string."""
    state = notification.state
    text = state if isinstance(state, str) else bytes(state).decode("utf-8", "replace")
    text = f"{notification.topic}\n{text}"
    return mask_id_numbers(text) != text


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- audit verify ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """One place where the stored events and the transparency log differ."""

    position: int
    leaf_index: int | None
    kind: str
    detail: str


@dataclass(frozen=True)
class HeadCheck:
    """One signed tree head, checked."""

    tree_size: int
    timestamp: int
    signature: str  # valid, invalid, unknown
    root: str  # matches, differs, not-reached (the stored events are fewer)
    detail: str

    @property
    def ok(self) -> bool:
        return self.signature == "valid" and self.root == "matches"


@dataclass
class AuditReport:
    """What ``verify_log`` found."""

    events_checked: int = 0
    log_size: int = 0
    pending: int = 0
    heads: list[HeadCheck] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    disagreement_count: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def first(self) -> Disagreement | None:
        return min(self.disagreements, key=lambda d: d.position) if self.disagreements else None

    @property
    def ok(self) -> bool:
        return not self.disagreement_count and all(head.ok for head in self.heads)

    def to_dict(self) -> dict[str, Any]:
        first = self.first
        return {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "log_size": self.log_size,
            "pending": self.pending,
            "first_disagreement": None if first is None else asdict(first),
            "disagreement_count": self.disagreement_count,
            "disagreements": [asdict(d) for d in self.disagreements],
            "heads_checked": len(self.heads),
            "heads_failed": [asdict(h) for h in self.heads if not h.ok],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class _Stored:
    position: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes | str
    hash: bytes
    error: str | None = None


@dataclass(frozen=True)
class _Logged:
    leaf_index: int
    position: int
    originator_id: str
    originator_version: int
    hash: bytes


def _stored(n: Any) -> _Stored:
    try:
        return _Stored(
            n.id,
            str(n.originator_id),
            int(n.originator_version),
            str(n.topic),
            n.state if isinstance(n.state, str) else bytes(n.state),
            leaf_hash(leaf_data_of(n)),
        )
    except (TypeError, ValueError) as error:  # a column altered to another type
        return _unreadable(n.id, error)


def _unreadable(position: int, error: Exception) -> _Stored:
    return _Stored(position, "", -1, "", b"", b"", f"{type(error).__name__}: {error}")


def _stored_events(ledger: Any, batch: int) -> Iterator[_Stored]:
    """Every stored event in log order, with its recomputed leaf hash. A row the recorder
    cannot even read (an id altered to garbage) is reported as unreadable, not a crash."""
    recorder = ledger.recorder
    start = 1
    while True:
        try:
            page = recorder.select_notifications(start=start, limit=batch)
        except Exception:
            page = None
        if page is None:  # find the unreadable rows one position at a time
            last = start + batch - 1
            for position in range(start, last + 1):
                try:
                    single = recorder.select_notifications(start=position, limit=1, stop=position)
                except Exception as error:
                    yield _unreadable(position, error)
                    continue
                yield from (_stored(n) for n in single)
            start = last + 1
            if start > (recorder.max_notification_id() or 0):
                return
            continue
        if not page:
            return
        yield from (_stored(n) for n in page)
        start = page[-1].id + 1


def _logged_leaves(query: TransparencyLogQuery, size: int, batch: int) -> Iterator[_Logged]:
    start = 0
    while start < size:
        records = query.leaves(start, min(batch, size - start))
        if not records:
            return
        hashes = query.leaf_hashes(start, start + len(records))
        for record, value in zip(records, hashes, strict=False):
            yield _Logged(
                record.leaf_index,
                record.position,
                record.originator_id,
                record.originator_version,
                value,
            )
        start += len(records)


class _Roots:
    """MTH of every prefix, computed incrementally (O(log n) memory)."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def add(self, value: bytes) -> None:
        height, node = 0, value
        while self._stack and self._stack[-1][0] == height:
            node = node_hash(self._stack.pop()[1], node)
            height += 1
        self._stack.append((height, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


def _classify(
    mismatches: list[tuple[_Stored, _Logged]], query: TransparencyLogQuery
) -> dict[int, tuple[str, str]]:
    """Changed rows whose bytes belong to another logged position are *reordered*."""
    found: dict[int, tuple[str, str]] = {}
    for stored, logged in mismatches[:MAX_REPORTED]:
        for _, other in mismatches[:MAX_REPORTED]:
            if other.position == stored.position:
                continue
            for originator, version in (
                (stored.originator_id, stored.originator_version),
                (other.originator_id, other.originator_version),
            ):
                moved = leaf_data(other.position, originator, version, stored.topic, stored.state)
                if leaf_hash(moved) == other.hash:
                    found[stored.position] = (
                        "reordered",
                        f"holds the event the log has at position {other.position}",
                    )
                    break
            if stored.position in found:
                break
        if stored.position not in found and (
            stored.originator_id,
            stored.originator_version,
        ) != (logged.originator_id, logged.originator_version):
            elsewhere = query.leaf_of_event(stored.originator_id, stored.originator_version)
            if elsewhere is not None and elsewhere.position != stored.position:
                found[stored.position] = (
                    "reordered",
                    f"holds the event the log has at position {elsewhere.position}",
                )
    return found


def verify_log(
    ledger: Any,
    store: ProjectionStore,
    public_key: Ed25519PublicKey | None = None,
    *,
    batch: int = _PAGE,
) -> AuditReport:
    """Recompute the transparency log from the stored events and compare (module docstring).

    ``public_key`` defaults to the ledger's key in the key store; give the published key to
    check the heads independently of the server's own stores.
    """
    report = AuditReport()
    query = TransparencyLogQuery(store)
    tables = store.table_names()
    if not query.ready():
        report.warnings.append("the transparency log has not been built: nothing to compare")
        return report
    heads: list[StoredHead] = []
    if HEAD_TABLE in tables:
        with store.read() as tx:
            heads = [
                _stored_head(row)
                for row in tx.rows(f"SELECT {_HEAD_COLUMNS} FROM {HEAD_TABLE} ORDER BY tree_size")
            ]
    if not heads:
        report.warnings.append("no signed tree heads yet: only the stored tree is compared")
    if public_key is None and heads:
        try:
            stored_key = ledger.credentials.key_store.get(LEDGER_OWNER, LEDGER_KEY_ID)
            public_key = decode_public_key(stored_key.public_key_multibase) if stored_key else None
        except Exception as error:  # the key store cannot be read: heads stay unchecked
            report.warnings.append(f"the ledger's public key is not available: {error}")
    with query.snapshot() as (_, tree):
        size = tree.size()
        tree_roots = {h.tree_size: tree.root(h.tree_size) for h in heads if h.tree_size <= size}
    report.log_size = size

    recomputed: dict[int, bytes] = {}
    wanted = {h.tree_size for h in heads}
    roots = _Roots()
    if 0 in wanted:
        recomputed[0] = EMPTY_ROOT
    mismatches: list[tuple[_Stored, _Logged]] = []
    found: list[Disagreement] = []

    def disagree(position: int, leaf_index: int | None, kind: str, detail: str) -> None:
        report.disagreement_count += 1
        if len(found) < MAX_REPORTED:
            found.append(Disagreement(position, leaf_index, kind, detail))

    stored_events = _stored_events(ledger, batch)
    logged_leaves = _logged_leaves(query, size, batch)
    a = next(stored_events, None)
    b = next(logged_leaves, None)
    while a is not None or b is not None:
        if b is None:
            assert a is not None
            report.pending += 1
            report.events_checked += 1
            roots.add(a.hash)
            if roots.size in wanted:
                recomputed[roots.size] = roots.root()
            a = next(stored_events, None)
            continue
        if a is None or a.position > b.position:
            disagree(
                b.position,
                b.leaf_index,
                "deleted",
                f"the log's event at position {b.position} (aggregate {b.originator_id}"
                f" v{b.originator_version}) is no longer stored",
            )
            b = next(logged_leaves, None)
            continue
        report.events_checked += 1
        roots.add(a.hash)
        if roots.size in wanted:
            recomputed[roots.size] = roots.root()
        if a.position < b.position:
            disagree(
                a.position,
                None,
                "inserted",
                f"the stored event at position {a.position} (aggregate {a.originator_id}"
                f" v{a.originator_version}) was never in the log",
            )
            a = next(stored_events, None)
            continue
        if a.error is not None:
            disagree(
                a.position,
                b.leaf_index,
                "changed",
                f"the stored event at position {a.position} cannot be read ({a.error});"
                f" the log has aggregate {b.originator_id} v{b.originator_version} there",
            )
        elif a.hash != b.hash:
            mismatches.append((a, b))
            disagree(
                a.position,
                b.leaf_index,
                "changed",
                f"the stored event at position {a.position} differs from leaf {b.leaf_index}"
                f" (the log has aggregate {b.originator_id} v{b.originator_version})",
            )
        a = next(stored_events, None)
        b = next(logged_leaves, None)

    if mismatches:
        kinds = _classify(mismatches, query)
        found = [
            Disagreement(d.position, d.leaf_index, *kinds[d.position])
            if d.kind == "changed" and d.position in kinds
            else d
            for d in found
        ]
    report.disagreements = found

    previous_ok = 0
    for stored_head in heads:
        head = stored_head.head
        if public_key is None:
            signature, why = "unknown", "no public key to check the signature with"
        else:
            valid = verify_tree_head(public_key, head)
            signature = "valid" if valid else "invalid"
            why = "" if valid else "the signature does not verify with the ledger's key"
        ours = recomputed.get(head.tree_size)
        if ours is None:
            root, detail = "not-reached", f"only {roots.size} events are stored"
        elif ours == head.root_hash:
            root, detail = "matches", "the stored events give this root"
        else:
            root, detail = "differs", "the stored events give another root"
        if tree_roots.get(head.tree_size, head.root_hash) != head.root_hash:
            detail += "; the stored tree's root differs too"
            root = "differs" if root == "matches" else root
        check = HeadCheck(
            head.tree_size,
            head.timestamp,
            signature,
            root,
            "; ".join(part for part in (why, detail) if part),
        )
        report.heads.append(check)
        if check.ok:
            previous_ok = head.tree_size
        elif root != "matches" and not report.disagreement_count:
            # The leaves agree with the stored tree, yet not with the signed head: the tree was
            # rebuilt from altered events. The head brackets where.
            disagree(
                _position_after(query, previous_ok),
                previous_ok,
                "tree-head",
                f"the signed head of size {head.tree_size} does not match the stored events:"
                f" a leaf between index {previous_ok} and {head.tree_size - 1} was altered",
            )
            report.disagreements = found
    return report


def _position_after(query: TransparencyLogQuery, leaf_index: int) -> int:
    record = query.leaf(leaf_index)
    return record.position if record else leaf_index + 1
