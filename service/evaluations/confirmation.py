"""Confirmation (确认) and issue: every passing candidate's certificate in one atomic save, and
the ``confirm-evaluation`` job that runs it.

One attempt loads the session once and checks it once (``Evaluation.check_confirmable``; the
domain's ``confirm_and_issue`` takes what that check found and does not check again), then saves
the session (Confirmed, CertificatesIssued), every ``Certificate``, every ``Worker``, the number
series and the credentials' status list entries together. The credentials themselves are not
signed here: they are built from the stored events when asked for; that the issuer has a key
able to sign them is checked before the save, so an issuer that cannot sign issues nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from domain.china_time import china_year
from domain.errors import DomainRuleViolation
from domain.evaluation import Evaluation, EvaluationStatus
from domain.skill_level import SkillLevel
from domain.worker import Worker
from projections.garbage_collection import pausing_collection
from service.capabilities import CertificateRecords, HeldLevels
from service.commands import Recorded, retried
from service.evaluations.collaborators import CredentialRecords
from service.evaluations.evidence import load_workers
from service.ledger_store import LedgerStore

__all__ = [
    "CONFIRM_JOB",
    "Confirmation",
    "Progress",
    "confirmation_job",
]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stages ``loading``, ``checking``, ``building``,
``allocating status list entries``, ``saving``, ``saved``."""

CONFIRM_JOB = "confirm-evaluation"
ISSUED_STATES = (EvaluationStatus.ISSUED, EvaluationStatus.REPORTED)


class Confirmation:
    """Confirm a session's results and issue its certificates (the heavy command)."""

    def __init__(
        self,
        ledger: LedgerStore,
        *,
        credentials: CredentialRecords,
        certificates: CertificateRecords,
        workers: HeldLevels,
    ) -> None:
        self._ledger = ledger
        self._credentials = credentials
        self._certificates = certificates
        self._workers = workers

    def check(self, evaluation: UUID | Evaluation) -> Evaluation:
        """Refuse now what confirmation would refuse (window open, objections, status)."""
        if not isinstance(evaluation, Evaluation):
            evaluation = self._ledger.evaluation(evaluation)
        body = self._ledger.organisation(evaluation.body_id)
        evaluation.check_confirmable(body, self._ledger.china_today())
        return evaluation

    @retried
    @pausing_collection
    def confirm(
        self,
        evaluation_id: UUID,
        *,
        actor: str,
        progress: Progress | None = None,
        rerun: bool = False,
    ) -> Recorded:
        """One attempt (retried on a concurrency conflict): load, check, issue, save.

        A refusal or a failure anywhere records nothing."""
        report: Progress = progress or (lambda stage, done, total: None)
        ledger = self._ledger
        evaluation = ledger.evaluation(evaluation_id)
        if rerun and evaluation.status in ISSUED_STATES:
            return Recorded(evaluation, None)
        body = ledger.organisation(evaluation.body_id)
        confirmable = evaluation.check_confirmable(body, ledger.china_today())
        occupation = ledger.occupation(evaluation.occupation_code)
        issued_at = ledger.clock()
        series = self._certificates.number_series(body, china_year(issued_at), evaluation.level)
        passing = list(confirmable.passing)
        count = len(passing)
        total = 3 * count + 1
        loaded = load_workers(
            ledger, passing, progress=lambda done, of: report("loading", done, total)
        )
        workers: dict[UUID, Worker] = {}
        held: dict[UUID, list[SkillLevel]] = {}
        for worker_id in passing:
            worker = loaded[worker_id]
            if worker is None:
                raise DomainRuleViolation("unknown-worker", f"no worker {worker_id}")
            workers[worker_id] = worker
            held[worker_id] = self._workers.held_levels(worker, occupation.code)

        def domain_progress(done: int, of: int) -> None:
            if done % 50 == 0 or done == of:
                stage = "checking" if done <= count else "building"
                report(stage, count + done, total)

        certificates = evaluation.confirm_and_issue(
            confirmable,
            occupation=occupation,
            series=series,
            workers=workers,
            held_levels=held,
            issued_at=issued_at,
            actor=actor,
            progress=domain_progress,
        )
        report("allocating status list entries", 3 * count, total)
        records = self._credentials.credential_records_for(body, certificates, actor=actor)
        if certificates:  # an issuer that cannot sign its credentials issues nothing
            self._credentials.signing_key_for(body, issued_at)
        report("saving", 3 * count, total)
        recorded = ledger.record(evaluation, *certificates, *workers.values(), series, *records)
        report("saved", total, total)
        return recorded


def confirmation_job(ledger: Any, params: Mapping[str, Any], progress: Progress) -> dict[str, Any]:
    """The ``confirm-evaluation`` job: confirm and issue, or report what an earlier run issued.

    Safe to re-run (a job is retried after a crash): the confirming save is atomic, so either it
    happened -- the session is issued and this reports its certificates -- or nothing did.
    """
    recorded = ledger.evaluations.confirm_evaluation(
        UUID(str(params["evaluation_id"])),
        actor=str(params["actor"]),
        progress=progress,
        rerun=True,
    )
    evaluation = recorded.aggregate
    assert evaluation.issued is not None
    return {
        "evaluation_id": str(evaluation.id),
        "status": evaluation.status,
        "results": evaluation.confirmation["results"] if evaluation.confirmation else {},
        "certificates": evaluation.issued["count"],
        "first_number": evaluation.issued["first_number"],
        "last_number": evaluation.issued["last_number"],
        "log_position": recorded.position,
    }
