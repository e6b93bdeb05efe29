"""Approving (核准) or rejecting a finalised competition's promotion proposals.

Approving asks the promotion engine again with today's facts, so a promotion granted
meanwhile by another competition caps this one, and issues the certificate from the
competition's issuing body with the competition as its basis, saved with the approval, the
workers and the number series in one atomic save.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from domain.certificate import Certificate
from domain.china_time import china_year
from domain.competition import ProposalStatus
from domain.competition_submission import is_submitted
from domain.errors import DomainRuleViolation
from domain.issuance import IssueRequest, issue_certificates
from domain.skill_level import SkillLevel
from projections.garbage_collection import pausing_collection
from service.capabilities import CertificateRecords
from service.commands import Recorded, retried
from service.competitions.collaborators import CredentialIssuer
from service.competitions.promotion_facts import PromotionFacts
from service.ledger_store import LedgerStore

__all__ = ["PromotionDecisions"]


class PromotionDecisions:
    """The HR bureau's decisions on promotion proposals (核准 / 不予核准)."""

    def __init__(
        self,
        ledger: LedgerStore,
        *,
        credentials: CredentialIssuer,
        certificates: CertificateRecords,
        facts: PromotionFacts,
    ) -> None:
        self._ledger = ledger
        self._credentials = credentials
        self._certificates = certificates
        self._facts = facts

    @retried
    @pausing_collection
    def approve_promotions(
        self,
        competition_id: UUID,
        worker_ids: Sequence[UUID] | None = None,
        *,
        actor: str,
        note: str = "",
    ) -> Recorded:
        """Approve (核准) proposals -- the named ones, or every submitted pending one -- all or
        nothing.

        For each, the engine is asked again with today's facts (yearly cap, current level);
        then the issuing body issues the certificate with the competition as its basis. The
        competition, certificates, workers and number series are saved in one atomic save;
        the issuer's signing key is checked before it, so an issuer that cannot sign refuses
        the approval (credentials are signed when fetched). Approving thousands at once is one large
        batch: the garbage collector waits for it.
        """
        ledger = self._ledger
        competition = ledger.competition(competition_id)
        competition.require_final()
        if worker_ids is None:
            worker_ids = [
                UUID(key)
                for key, p in competition.proposals.items()
                if p["status"] == ProposalStatus.PROPOSED and is_submitted(p)
            ]
        if competition.issuing_body_id is None:  # pragma: no cover - announce requires one
            raise DomainRuleViolation("promotion-needs-issuing-body", "no issuing body")
        issuer = ledger.organisation(competition.issuing_body_id)
        occupation = ledger.occupation(competition.occupation_code)
        at = ledger.clock()
        years: dict[str, int | None] = {}
        by_level: dict[SkillLevel, list[tuple[UUID, IssueRequest]]] = {}
        workers, held_certificates = self._facts.workers_and_certificates(list(worker_ids))
        for worker_id in worker_ids:
            worker = workers[worker_id]
            held = tuple(self._facts.held_levels(worker, occupation.code, held_certificates))
            level = competition.approvable_level(
                worker_id,
                current_level=max(held, default=None),
                promotions_granted=self._facts.competition_promotions_granted(
                    worker, competition.year, years, held_certificates
                ),
            )
            basis = competition.promotion_basis(worker_id, at=at, actor=actor)
            by_level.setdefault(level, []).append(
                (worker_id, IssueRequest(worker=worker, basis=basis, held_levels=held))
            )
        touched: list[Any] = []
        issued: list[Certificate] = []
        for level, requests in sorted(by_level.items(), key=lambda item: item[0].rank):
            if not issuer.evaluator_prefix:  # pragma: no cover - announce requires a body
                raise DomainRuleViolation(
                    "not-an-evaluation-body", f"{issuer.name} is not a filed evaluation body"
                )
            series = self._certificates.number_series(issuer, china_year(at), level)
            certificates = issue_certificates(
                issuer=issuer,
                occupation=occupation,
                level=level,
                series=series,
                requests=[request for _, request in requests],
                issued_at=at,
                actor=actor,
            )
            for (worker_id, request), certificate in zip(requests, certificates, strict=True):
                competition.approve_promotion(
                    worker_id,
                    level=level,
                    certificate_number=certificate.number,
                    note=note,
                    at=at,
                    actor=actor,
                )
                touched += [certificate, request.worker]
                issued.append(certificate)
            touched.append(series)
        return self._credentials.record_issue(issuer, issued, competition, *touched, actor=actor)

    @retried
    def reject_promotion(
        self, competition_id: UUID, worker_id: UUID, *, reason: str, actor: str
    ) -> Recorded:
        """Do not approve a proposal (不予核准), with the reason."""
        ledger = self._ledger
        competition = ledger.competition(competition_id)
        competition.reject_promotion(worker_id, reason=reason, at=ledger.clock(), actor=actor)
        return ledger.record(competition)
