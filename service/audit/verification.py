"""``audit verify`` (审计核验): recompute the transparency log from the stored events and compare.

``craftledger audit verify`` reads every stored event (the recorder's ``select_notifications``,
in pages), recomputes its leaf and the tree, and

1. compares each stored event with the log's leaf at the same position (merge by position):
   *changed* (same position, different bytes), *reordered* (the bytes of another logged
   position), *deleted* (in the log, no longer stored), *inserted* (stored, never logged);
2. checks every signed tree head: its signature with the ledger's public key, and its root
   against the root recomputed from the stored events and against the stored tree;
3. reports the first position where stored data and the log disagree. Stored events after the
   end of the log are *pending* (not yet projected), not an error.

It only reads: the event store through its recorder, the log through ``TransparencyLogQuery``
and the heads through ``TreeHeads``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from projections.store import ProjectionStore
from projections.transparency.merkle import EMPTY_ROOT, leaf_hash, node_hash
from projections.transparency.tree_head import verify_tree_head
from projections.transparency_log import TransparencyLogQuery, leaf_data, leaf_data_of
from service.audit.tree_heads import StoredHead, TreeHeads
from service.credentials.key_store import LEDGER_KEY_ID, LEDGER_OWNER
from service.signing.multikey import decode_public_key

__all__ = ["AuditReport", "Disagreement", "HeadCheck", "verify_log"]

_PAGE = 5_000
MAX_REPORTED = 100
"""Disagreements listed in a report (all are counted)."""


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
    if not query.ready():
        report.warnings.append("the transparency log has not been built: nothing to compare")
        return report
    heads: list[StoredHead] = TreeHeads(store, ledger.credentials.key_store).history(limit=None)
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
