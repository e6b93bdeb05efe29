"""What the API's views share within one app: the ledger, the idempotency store, read models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from service.api.problems import Problem
from service.competitions.leaderboard import Leaderboards
from service.ledger import Ledger

__all__ = ["Services", "leaderboards", "ledger", "services"]


@dataclass
class Services:
    """Held in ``app.extensions["craftledger"]``; one per app, shared by its threads."""

    ledger: Ledger
    idempotency: Any
    idempotency_seal: Any
    directory: Any | None = None
    evaluation_sessions: Any | None = None
    runner: Any | None = None
    limiter: Any | None = None
    projection_store: Any | None = None
    owns_ledger: bool = False

    def close(self) -> None:
        """Stop the runner and close what this app opened (not a ledger it was given)."""
        if self.runner is not None:
            self.runner.stop()
        if self.projection_store is not None:
            self.projection_store.close()
        if getattr(self.idempotency, "close", None) is not None:
            self.idempotency.close()
        if self.owns_ledger:
            self.ledger.close()


def services() -> Services:
    return current_app.extensions["craftledger"]  # type: ignore[no-any-return]


def ledger() -> Ledger:
    return services().ledger


def leaderboards() -> Leaderboards:
    """The leaderboard reads (``service.competitions.leaderboard``); 503 until the read model
    is available."""
    store = services().projection_store
    if store is None:
        raise Problem(503, "read-model-unavailable", "the leaderboard is not available yet")
    return Leaderboards(store)
