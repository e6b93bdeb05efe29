"""What one app's API views and pages share: the ledger, the idempotency store, the read models
(the directory, their store and runner) and the audit service. Pages and API views both import
this; it imports neither."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from service.audit import Audit
from service.certificate_lookup import CertificateLookup
from service.competitions.leaderboard import Leaderboards
from service.evaluations.confirmation import CONFIRM_JOB
from service.jobs import Job, JobRunner, default_handlers, job_store_for
from service.ledger import Ledger
from service.national_query import NationalQuery
from service.problems import Problem

__all__ = [
    "Services",
    "caught_up",
    "caught_up_store",
    "certificate_lookup",
    "current_audit",
    "job_runner",
    "leaderboards",
    "ledger",
    "national_query",
    "services",
    "submit_confirmation",
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
    #: The live boards' watcher (``service.pages.competition_live``), made on the first stream.
    live_boards: Any | None = None

    def close(self) -> None:
        """Stop the runner and close what this app opened (not a ledger it was given)."""
        if self.live_boards is not None:
            self.live_boards.stop()
        if self.runner is not None:
            if self.runner.wake in self.ledger.saved_listeners:
                self.ledger.saved_listeners.remove(self.runner.wake)
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


JOBS_EXTENSION = "craftledger_jobs"
_jobs_lock = threading.Lock()


def job_runner(app: Flask | None = None) -> JobRunner:
    """This app's job runner (made on first use; its thread runs only while jobs are pending):
    the API's ``/api/v1/jobs`` and the console's progress pages read the same jobs."""
    app = app or current_app
    runner: JobRunner | None = app.extensions.get(JOBS_EXTENSION)
    if runner is None:
        with _jobs_lock:
            runner = app.extensions.get(JOBS_EXTENSION)
            if runner is None:
                ledger = app.extensions["craftledger"].ledger
                runner = JobRunner(ledger, job_store_for(ledger), default_handlers())
                app.extensions[JOBS_EXTENSION] = runner
    return runner


def submit_confirmation(evaluation: Any, actor: str) -> tuple[Job, bool]:
    """Queue the ``confirm-evaluation`` job of ``evaluation`` (checked confirmable by the caller,
    ``Evaluations.check_confirmation``) on this app's runner, owned by its body; while one is
    queued or running, answer that one (``created`` False). The API's confirm and the
    console's both start here."""
    return job_runner().submit(
        CONFIRM_JOB,
        {"evaluation_id": str(evaluation.id), "actor": actor},
        actor=actor,
        owner=str(evaluation.body_id),
        dedupe_key=f"{CONFIRM_JOB}:{evaluation.id}",
    )


def submit_archive(evaluation: Any, actor: str, shown: str = "masked") -> tuple[Job, bool]:
    """Queue the ``certificate-archive`` job of ``evaluation`` (its certificates' PDFs in one
    ZIP), owned by its body; while one is queued or running, answer that one."""
    from service.certificate_pdf.archive import ARCHIVE_JOB

    return job_runner().submit(
        ARCHIVE_JOB,
        {"evaluation_id": str(evaluation.id), "actor": actor, "shown": shown},
        actor=actor,
        owner=str(evaluation.body_id),
        dedupe_key=f"{ARCHIVE_JOB}:{evaluation.id}:{shown}",
    )


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


def caught_up(*names: str) -> None:
    """Wait (up to ``READ_WAIT_SECONDS``) for the read models ``names`` to reach the log's head,
    when their runner is running: a page read right after a command shows what it recorded."""
    shared = services()
    if shared.runner is not None and shared.runner.running:
        _wait_for_directory(shared, names)


def caught_up_store() -> Any:
    """The read models' store, once the directory and worker ladder have reached the log's head
    (waiting up to ``READ_WAIT_SECONDS``; after that, as far as they got) -- for counts that
    must include what was just recorded."""
    shared = services()
    if shared.runner is not None and shared.runner.running:
        _wait_for_directory(shared, ("directory", "worker_ladder"))
    return shared.projection_store


def national_query() -> NationalQuery:
    """The national-query check over this app's read model and ledger."""
    return NationalQuery(certificate_lookup(), ledger())
