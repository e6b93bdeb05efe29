"""What one app's API views and pages share: the ledger, the idempotency store, the read models
(the directory, their store and runner) and the audit service. Pages and API views both import
this; it imports neither."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from service.audit import Audit
from service.certificate_lookup import CertificateLookup
from service.competitions.leaderboard import Leaderboards
from service.ledger import Ledger
from service.national_query import NationalQuery
from service.problems import Problem

__all__ = [
    "Services",
    "caught_up",
    "caught_up_store",
    "certificate_lookup",
    "current_audit",
    "leaderboards",
    "ledger",
    "national_query",
    "services",
]


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
    audit: Audit | None = None
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


def current_audit() -> Audit:
    """The app's audit service (tree heads, proofs, histories)."""
    audit = services().audit
    if audit is None:
        raise RuntimeError("this app has no audit service (no projection store)")
    return audit


def certificate_lookup() -> CertificateLookup:
    """Certificates from the directory read model, waiting (up to ``READ_WAIT_SECONDS``) for it
    to reach the log's head only when a number is not found while it is behind."""
    shared = services()
    runner = shared.runner

    def position() -> int:
        return int(runner.position("directory")) if runner is not None else 0

    def catch_up() -> bool:
        if runner is None or position() >= shared.ledger.log_position:
            return False
        return _wait_for_directory(shared)

    return CertificateLookup(shared.directory, position, catch_up)


def _wait_for_directory(shared: Services, names: tuple[str, ...] = ("directory",)) -> bool:
    """Wait (up to ``READ_WAIT_SECONDS``) for the read models ``names`` to reach the log's
    head."""
    timeout = float(current_app.config.get("READ_WAIT_SECONDS", 5.0))
    head = shared.ledger.log_position
    return bool(shared.runner.wait_for(head, timeout=timeout, names=list(names)))


def caught_up_store() -> Any:
    """The read models' store, once the directory and worker ladder have reached the log's head
    (waiting up to ``READ_WAIT_SECONDS``; after that, as far as they got) -- for counts that
    must include what was just recorded."""
    shared = services()
    if shared.runner is not None and shared.runner.running:
        _wait_for_directory(shared, ("directory", "worker_ladder"))
    return shared.projection_store


def caught_up(*names: str) -> None:
    """Wait (up to ``READ_WAIT_SECONDS``) for the read models ``names`` to reach the log's head,
    when the runner is running -- for a page that lists what was just recorded."""
    shared = services()
    if shared.runner is not None and shared.runner.running:
        _wait_for_directory(shared, names)


def national_query() -> NationalQuery:
    """The national-query check over this app's read model and ledger."""
    return NationalQuery(certificate_lookup(), ledger())
