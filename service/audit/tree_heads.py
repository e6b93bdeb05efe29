"""Signed tree heads (签名树头): the ledger's Ed25519 signature over ``(tree_size, timestamp,
root)`` of the transparency log, kept as an append-only history.

Heads are signed with the ledger's own key: the key store's reserved owner
``craftledger:ledger``, key id ``ledger-key-1``, generated (sealed with the key-encryption key
like every issuer key) when the first head is signed. Its public half is published as a
``Multikey`` at ``GET /api/v1/audit/public-key``.

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

Only background work signs (``publish``/``publish_due``: the projection runner's listener, and
``craftledger audit publish``); reads (``latest_head``, ``head_of_size``, ``heads``) never write.
A new head is due when the tree grew and ``every_events`` leaves or ``every_seconds`` have passed
since the last one (``HeadPolicy``) -- so the newest events wait at most that long for a head.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from projections.store import ProjectionStore
from projections.transparency.merkle import EMPTY_ROOT
from projections.transparency.proof_json import encode_hash
from projections.transparency.tree_head import SignedTreeHead, now_ms, sign_tree_head
from projections.transparency.tree_store import AppendOnlyTree
from projections.transparency_log import LEAF_TABLE, TransparencyLogQuery, node_store
from service.audit.errors import LogUnavailable
from service.credentials.key_store import LEDGER_KEY_ID, LEDGER_OWNER
from service.signing.multikey import decode_public_key

__all__ = ["HEAD_TABLE", "HeadPolicy", "StoredHead", "TreeHeads"]

log = logging.getLogger(__name__)

HEAD_TABLE = "transparency_tree_head"


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


class TreeHeads:
    """The history of signed tree heads and the ledger's signing key."""

    def __init__(
        self,
        store: ProjectionStore,
        key_store: Any,
        *,
        policy: HeadPolicy | None = None,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.store = store
        self.key_store = key_store
        self.policy = policy or HeadPolicy()
        self.clock = clock
        self._created = False
        self._log_ready = False
        self._lock = threading.Lock()

    # -- set-up (writes; never on a read) ------------------------------------------------------

    def create(self) -> None:
        """The head history table exists (the ledger's key pair is generated by the first
        ``publish``, which needs it anyway: start-up never opens the private key)."""
        if self._created:
            return
        with self._lock:
            if self._created:
                return
            if self.store.read_only:  # a read replica: the primary made it
                self._created = True
                return
            with self.store.transaction() as tx:
                if self.store.schema_lock:  # processes starting together create it in turn
                    tx.execute(self.store.schema_lock)
                tx.execute(_head_schema(self.store.dialect))
            self._created = True

    def _exists(self) -> bool:
        if not self._created:
            self._created = HEAD_TABLE in self.store.table_names()
        return self._created

    # -- the ledger's key ------------------------------------------------------------------------

    def public_key_multibase(self) -> str:
        """The ledger's public key (Multikey ``z6Mk…``); LogUnavailable before the first head
        was signed (the background signs it on its first pass)."""
        stored = self.key_store.get(LEDGER_OWNER, LEDGER_KEY_ID)
        if stored is None:
            raise LogUnavailable("the ledger has not made its tree-head key yet")
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

    # -- reads ------------------------------------------------------------------------------------

    def latest(self) -> StoredHead | None:
        """The newest signed head (None before the first)."""
        if not self._exists():
            return None
        with self.store.read() as tx:
            row = tx.row(
                f"SELECT {_HEAD_COLUMNS} FROM {HEAD_TABLE} ORDER BY tree_size DESC LIMIT 1"
            )
        return None if row is None else _stored_head(row)

    def of_size(self, size: int) -> StoredHead | None:
        """The head signed for exactly ``size`` leaves, if one was published."""
        if not self._exists():
            return None
        with self.store.read() as tx:
            row = tx.row(f"SELECT {_HEAD_COLUMNS} FROM {HEAD_TABLE} WHERE tree_size = ?", (size,))
        return None if row is None else _stored_head(row)

    def history(self, after: int = -1, limit: int | None = 100) -> list[StoredHead]:
        """The signed heads by size, from sizes above ``after`` (all with ``limit`` None)."""
        if not self._exists():
            return []
        sql = f"SELECT {_HEAD_COLUMNS} FROM {HEAD_TABLE} WHERE tree_size > ? ORDER BY tree_size"
        params: tuple[int, ...] = (after,)
        if limit is not None:
            sql += " LIMIT ?"
            params = (after, limit)
        with self.store.read() as tx:
            rows = tx.rows(sql, params)
        return [_stored_head(row) for row in rows]

    def nearest_sizes(self, size: int) -> list[int]:
        """Published head sizes just below and above ``size`` (for helpful 404s)."""
        if not self._exists():
            return []
        with self.store.read() as tx:
            below = tx.value(
                f"SELECT max(tree_size) FROM {HEAD_TABLE} WHERE tree_size < ?", (size,)
            )
            above = tx.value(
                f"SELECT min(tree_size) FROM {HEAD_TABLE} WHERE tree_size > ?", (size,)
            )
        return [int(s) for s in (below, above) if s is not None]

    # -- signing (background work) ----------------------------------------------------------------

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
        self.create()
        stored_key, private_key = self.key_store.ledger_key()
        key_id, public = stored_key.key_id, stored_key.public_key_multibase
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
        """Publish a head if one is due (the projection runner's listener, called after every
        catch-up, idle ones included). Looks first with a read, so an idle pass writes nothing
        and does not open the key."""
        query = TransparencyLogQuery(self.store)
        if not self._log_ready:
            self._log_ready = query.ready()
            if not self._log_ready:
                return None
        if not self._due(self.latest(), query.size(), self.clock()):
            return None
        return self.publish()
