"""A worker's record: registration (the ID number hashed, never stored), employment and its
claims, the career record, declared external certificates, and the levels held."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from domain.certificate import Certificate, CertificateStatus
from domain.certificate_number import CertificateNumber
from domain.errors import DomainRuleViolation
from domain.id_number import IdNumber
from domain.skill_level import SkillLevel
from domain.worker import CareerEntryKind, EmploymentRelation, Worker
from service.commands import Recorded, retried
from service.credentials import Credentials
from service.evaluations.imports import ImportReport
from service.ledger_store import LedgerStore
from service.workers.roster import import_staff

__all__ = ["Workers"]


class Workers:
    """Commands on workers and the reads of what they hold (``ledger.workers``); registering
    seals the holder identifier through ``credentials``."""

    def __init__(self, ledger: LedgerStore, *, credentials: Credentials) -> None:
        self._ledger = ledger
        self._credentials = credentials

    @retried
    def register_worker(
        self,
        *,
        id_number: IdNumber,
        name: str,
        actor: str,
        registered_by: UUID | None = None,
    ) -> Recorded:
        """Register a person; registering the same ID number again is refused.
        ``registered_by``: the organisation registering them (``None``: an administrator)."""
        identity_hash = self._ledger.identity_hash(id_number)
        if self._ledger.exists(Worker.create_id(identity_hash=identity_hash)):
            raise DomainRuleViolation(
                "already-registered", f"a worker with ID {id_number.masked} is registered"
            )
        worker = Worker.register(
            identity_hash=identity_hash,
            id_kind=id_number.kind.value,
            masked_id_number=id_number.masked,
            name=name,
            actor=actor,
            registered_by=registered_by,
            registered_on=self._ledger.china_today(),
        )
        return self._ledger.record(
            worker, *self._credentials.subject_identifier_for(worker, id_number)
        )

    @retried
    def start_employment(
        self,
        worker_id: UUID,
        employer_id: UUID,
        *,
        relation: EmploymentRelation = EmploymentRelation.STAFF,
        since: date,
        actor: str,
        claimant: UUID | None = None,
    ) -> Recorded:
        """Record an employment. ``claimant``: the body claiming it (``None``: an
        administrator's record, in effect at once); see :meth:`Worker.start_employment`."""
        worker = self._ledger.worker(worker_id)
        self._ledger.organisation(employer_id)
        worker.start_employment(employer_id, relation, since, actor, claimant=claimant)
        return self._ledger.record(worker)

    @retried
    def import_staff(
        self, body_id: UUID, data: bytes, *, dry_run: bool, actor: str, claimant: UUID | None
    ) -> ImportReport:
        """Register and employ a spreadsheet's people at ``body_id``, all or nothing
        (``service.workers.roster``)."""
        return import_staff(
            self._ledger,
            self._credentials,
            body_id,
            data,
            dry_run=dry_run,
            actor=actor,
            claimant=claimant,
        )

    @retried
    def confirm_employment(self, worker_id: UUID, employer_id: UUID, *, actor: str) -> Recorded:
        """The worker or an administrator confirms a pending employment claim."""
        worker = self._ledger.worker(worker_id)
        worker.confirm_employment(employer_id, actor)
        return self._ledger.record(worker)

    @retried
    def decline_employment(
        self, worker_id: UUID, employer_id: UUID, *, actor: str, reason: str
    ) -> Recorded:
        """The worker or an administrator declines a pending employment claim."""
        worker = self._ledger.worker(worker_id)
        worker.decline_employment(employer_id, actor, reason)
        return self._ledger.record(worker)

    @retried
    def end_employment(
        self, worker_id: UUID, employer_id: UUID, *, until: date, actor: str
    ) -> Recorded:
        worker = self._ledger.worker(worker_id)
        worker.end_employment(employer_id, until, actor)
        return self._ledger.record(worker)

    @retried
    def record_career_entry(
        self,
        worker_id: UUID,
        *,
        kind: CareerEntryKind,
        title: str,
        on: date,
        details: dict[str, Any] | None = None,
        actor: str,
    ) -> Recorded:
        worker = self._ledger.worker(worker_id)
        worker.record_career_entry(kind, title, on, actor, details)
        return self._ledger.record(worker)

    @retried
    def declare_external_certificate(
        self,
        worker_id: UUID,
        *,
        number: str,
        issuer_name: str,
        occupation_code: str,
        level: SkillLevel,
        issued_on: date,
        actor: str,
    ) -> Recorded:
        CertificateNumber.parse(number)
        worker = self._ledger.worker(worker_id)
        worker.declare_external_certificate(
            number, issuer_name, occupation_code, level, issued_on, actor
        )
        return self._ledger.record(worker)

    @retried
    def check_external_certificate(
        self, worker_id: UUID, *, number: str, confirmed: bool, note: str, actor: str
    ) -> Recorded:
        worker = self._ledger.worker(worker_id)
        worker.check_external_certificate(number, confirmed, actor, note)
        return self._ledger.record(worker)

    # -- reads ---------------------------------------------------------------------------------

    def held_levels(
        self,
        worker: Worker,
        occupation_code: str,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> list[SkillLevel]:
        """Levels the worker validly holds in an occupation (ledger + confirmed external).
        ``certificates``: the worker's certificates by number, when the caller loaded them."""
        levels = list(worker.confirmed_external_levels(occupation_code))
        for held in worker.certificates.values():
            if held["occupation_code"] != occupation_code:
                continue
            number = held["number"]
            certificate = (
                certificates[number]
                if certificates is not None and number in certificates
                else self._ledger.certificate(number)
            )
            if certificate.status is CertificateStatus.VALID:
                levels.append(certificate.level)
        return levels

    def certificates_of(self, worker: Worker) -> list[Certificate]:
        return [self._ledger.certificate(number) for number in sorted(worker.certificates)]
