"""A certificate's life: its number drawn from the issuer's series, issuing it (every issuing
rule checked by the domain), suspending, reinstating and revoking it -- a revocation flags, in
the same save, the certificates that depended on it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.certificate import Certificate, CertificateStatus
from domain.china_time import china_year
from domain.errors import DomainRuleViolation
from domain.issuance import issue_certificate
from domain.number_series import CertificateNumberSeries
from domain.organisation import Organisation
from domain.skill_level import SkillLevel
from service.commands import NotFound, Recorded, retried
from service.credentials import Credentials
from service.ledger_store import LedgerStore
from service.workers import Workers

__all__ = ["Certificates"]


class Certificates:
    """Commands on certificates and the reads they need (``ledger.certificates``): issuing
    signs the credential and allocates its status entries through ``credentials``; the levels
    a worker holds come from ``workers``."""

    def __init__(self, ledger: LedgerStore, *, credentials: Credentials, workers: Workers) -> None:
        self._ledger = ledger
        self._credentials = credentials
        self._workers = workers

    def number_series(
        self, issuer: Organisation, year: int, level: SkillLevel
    ) -> CertificateNumberSeries:
        """The series for (issuer prefix, year, level), opened on first use."""
        key = {
            "evaluator_prefix": issuer.evaluator_prefix or "",
            "issue_year": f"{year % 100:02d}",
            "level": level.code,
        }
        series_id = CertificateNumberSeries.create_id(**key)
        try:
            series = self._ledger.load(CertificateNumberSeries, series_id, "number series")
        except NotFound:
            return CertificateNumberSeries(**key)
        return series  # type: ignore[no-any-return]

    @retried
    def issue_certificate(
        self,
        *,
        issuer_id: UUID,
        worker_id: UUID,
        occupation_code: str,
        level: SkillLevel,
        basis: dict[str, Any],
        actor: str,
    ) -> Recorded:
        """Issue one certificate: number allocation, certificate, worker and its credential's
        status entries saved atomically, the credential signed first (``record_issue``)."""
        issuer = self._ledger.organisation(issuer_id)
        worker = self._ledger.worker(worker_id)
        occupation = self._ledger.occupation(occupation_code)
        issued_at = self._ledger.clock()
        # before the series read
        reservation = self._credentials.reserve_status_list_entries(issuer.id, 1)
        series = (
            self.number_series(issuer, china_year(issued_at), level)
            if issuer.evaluator_prefix
            else None
        )
        if series is None:
            raise DomainRuleViolation(
                "not-an-evaluation-body", f"{issuer.name} is not a filed evaluation body"
            )
        certificate = issue_certificate(
            issuer=issuer,
            worker=worker,
            occupation=occupation,
            level=level,
            basis=basis,
            series=series,
            held_levels=self._workers.held_levels(worker, occupation.code),
            issued_at=issued_at,
            actor=actor,
        )
        return self._credentials.record_issue(
            issuer, [certificate], certificate, worker, series, actor=actor, reservation=reservation
        )

    @retried
    def change_certificate_status(
        self, number: str, action: str, *, actor: str, reason: str
    ) -> Recorded:
        """``action`` is suspend, reinstate or revoke (revoked is final)."""
        certificate = self._ledger.certificate(number)
        at = self._ledger.clock()
        getattr(certificate, action)(at, actor, reason)
        flagged: list[Certificate] = []
        if action == "revoke":  # the cascade: flag what depended on it, in the same save
            for dependent, kind, via in self.dependents_of(certificate):
                dependent.flag_dependency(
                    at, actor, revoked_number=number, reason=reason, kind=kind, via=via
                )
                flagged.append(dependent)
        return self._ledger.record(
            certificate, *self._credentials.status_list_updates_for(certificate), *flagged
        )

    def dependents_of(self, revoked: Certificate) -> list[tuple[Certificate, str, str]]:
        """Certificates that depended on ``revoked``, directly or transitively, as
        ``(certificate, kind, via)``: a later, higher certificate in the same occupation
        issued in levels order (no bypass) or by competition promotion (which went from the
        current level) whose highest lower level held when issued was a tainted certificate
        (``via``) and no untainted certificate of that level stood in for it."""
        worker = self._ledger.worker(revoked.worker_id)
        same = [
            self._ledger.certificate(number)
            for number, held in sorted(worker.certificates.items())
            if held["occupation_code"] == revoked.occupation_code
        ]
        same.sort(key=lambda c: (c.issued_at, c.number))
        external = list(worker.confirmed_external_levels(revoked.occupation_code))
        tainted = {revoked.number}
        found: list[tuple[Certificate, str, str]] = []
        for dependent in same:
            if dependent.issued_at <= revoked.issued_at or dependent.number in tainted:
                continue
            if dependent.status is CertificateStatus.REVOKED:
                continue
            bypass = dependent.basis.get("bypass")
            if bypass is None:
                kind = "levels_in_order"
            elif bypass == "competition_promotion":
                kind = "competition_promotion"
            else:
                continue  # direct recognition, fast track, entry route: no lower level needed
            prior = [
                c
                for c in same
                if c.issued_at < dependent.issued_at
                and c.level < dependent.level
                and c.status_at(dependent.issued_at) is CertificateStatus.VALID
            ]
            if not prior:
                continue
            top = max(c.level for c in prior)
            if any(top <= level < dependent.level for level in external):
                continue  # a confirmed external certificate stands in for it
            at_top = [c for c in prior if c.level == top]
            if all(c.number in tainted for c in at_top):
                tainted.add(dependent.number)
                found.append((dependent, kind, at_top[0].number))
        return found
