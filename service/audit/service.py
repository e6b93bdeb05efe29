"""The audit service over one ledger and its projection store: its parts, and the background
work that keeps the transparency log and its signed heads current.

Reads go to the parts, which never write: ``heads`` (``TreeHeads``: the signed head history and
the ledger's key), ``proofs`` (``Proofs``: inclusion and consistency proofs against signed heads)
and ``histories`` (``Histories``: the log and aggregates' histories for auditors). Writes are
``ensure_ready`` (tables, at start-up), ``catch_up`` (append leaves) and ``publish`` /
``publish_due`` / ``refresh`` (sign a head): the projection runner's thread and listener, and
``craftledger audit publish``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from projections.transparency.tree_head import now_ms
from projections.transparency_log import TransparencyLog, TransparencyLogQuery
from service.audit.histories import Histories
from service.audit.proofs import Proofs
from service.audit.tree_heads import HeadPolicy, StoredHead, TreeHeads

__all__ = ["Audit"]


class Audit:
    """Tree heads, proofs and histories over one ledger and projection store."""

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
        self.log = TransparencyLogQuery(store)
        self.heads = TreeHeads(store, ledger.credentials.key_store, policy=policy, clock=clock)
        self.histories = Histories(ledger, self.log)
        self.proofs = Proofs(self.log, self.heads, self.histories)
        self.runner = ProjectionRunner(ledger, store, [TransparencyLog()])
        self._ready = False
        self._lock = threading.Lock()

    # -- background work (the only writers) ------------------------------------------------------

    def ensure_ready(self) -> None:
        """The transparency log's tables and the head history table exist."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self.runner.ensure_ready()
            self.heads.create()
            self._ready = True

    def catch_up(self, limit: int | None = None) -> int:
        """Append the log's newest events as leaves (what the projection runner does)."""
        self.ensure_ready()
        return self.runner.catch_up(limit=limit)

    def publish(self, *, force: bool = False) -> StoredHead | None:
        """Sign a head now if one is due (or ``force``); see ``TreeHeads.publish``."""
        self.ensure_ready()
        return self.heads.publish(force=force)

    def publish_due(self, read: int = 0) -> StoredHead | None:
        """The projection runner's listener: a head if one is due, reading first."""
        return self.heads.publish_due(read)

    def refresh(self, *, catch_up_limit: int | None = None) -> StoredHead:
        """Append new events, sign a head if due (the first is always due); the newest head."""
        self.catch_up(limit=catch_up_limit)
        self.publish()
        latest = self.heads.latest()
        assert latest is not None
        return latest
