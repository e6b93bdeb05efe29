"""Worker (产业工人): a person, known by a keyed hash of their ID number, never the number."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.china_time import china_date
from domain.errors import DomainRuleViolation
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate
from domain.skill_level import SkillLevel


class EmploymentRelation(StrEnum):
    """How a worker belongs to an employer; all count as "own staff" for Y certificates."""

    STAFF = "staff"  # 本单位职工
    DISPATCHED = "dispatched"  # 劳务派遣
    OUTSOURCED = "outsourced"  # 业务外包
    AFFILIATED = "affiliated"  # 平台/挂靠 (e.g. riders of a platform)


class CareerEntryKind(StrEnum):
    """Entries of the career record (职业坐标体系 evidence)."""

    TRAINING = "training"  # 职业培训
    STUDIO = "studio"  # 创新工作室 membership
    REPRESENTATIVE = "representative"  # 人大代表 / 政协委员 / 工会代表 roles
    MENTORSHIP = "mentorship"  # 师带徒


class Worker(LedgerAggregate):
    """A worker's identity, employment history, career record and certificates held."""

    TOPIC = "craftledger:Worker"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:Worker.Created"

    @staticmethod
    def create_id(identity_hash: str, **_: Any) -> UUID:
        return natural_id("worker", identity_hash)

    @event("Registered", topic="craftledger:Worker.Registered")
    def __init__(
        self,
        identity_hash: str,
        id_kind: str,
        masked_id_number: str,
        name: str,
        actor: str,
        registered_by: UUID | None = None,
        registered_on: str | None = None,
    ) -> None:
        """``registered_by``: the organisation that registered the worker (``None``: an
        administrator, or history recorded before it was noted); ``registered_on``: the ledger
        clock's date (``None`` in older history: the event's own date is used)."""
        self.identity_hash = identity_hash
        self.id_kind = id_kind
        self.masked_id_number = masked_id_number
        self.name = name
        self.registered_by = registered_by
        self.registered_on = registered_on
        self.employments: list[dict[str, Any]] = []
        self.pending_employments: list[dict[str, Any]] = []
        self.career: list[dict[str, Any]] = []
        self.certificates: dict[str, dict[str, Any]] = {}
        self.external_certificates: dict[str, dict[str, Any]] = {}

    @classmethod
    def register(
        cls,
        *,
        identity_hash: str,
        id_kind: str,
        masked_id_number: str,
        name: str,
        actor: str,
        registered_by: UUID | None = None,
        registered_on: date | None = None,
    ) -> Worker:
        if not name.strip():
            raise DomainRuleViolation("invalid-worker", "a worker needs a name")
        return cls(
            identity_hash=identity_hash,
            id_kind=id_kind,
            masked_id_number=masked_id_number,
            name=name.strip(),
            actor=actor,
            registered_by=registered_by,
            registered_on=None if registered_on is None else registered_on.isoformat(),
        )

    @property
    def registration_date(self) -> str:
        """The ISO date the worker was registered in the ledger."""
        return self.registered_on or china_date(self.created_on).isoformat()

    @event("NameCorrected", topic="craftledger:Worker.NameCorrected")
    def correct_name(self, name: str, actor: str, reason: str) -> None:
        self.name = name

    # -- employment ----------------------------------------------------------------------

    def start_employment(
        self,
        employer_id: UUID,
        relation: EmploymentRelation,
        since: date,
        actor: str,
        *,
        claimant: UUID | None = None,
    ) -> bool:
        """Record an employment; answer whether it is in effect now.

        ``claimant`` is the organisation making the claim (``None``: an administrator, who
        records it at once). A body's claim for a worker it did not register stays pending --
        it gives the body nothing -- until the worker or an administrator confirms it.
        """
        if self.employer_on(since) == employer_id:
            raise DomainRuleViolation(
                "already-employed", f"already employed by {employer_id} on {since}"
            )
        if claimant is not None and claimant != employer_id:
            raise DomainRuleViolation(
                "claim-for-own-organisation", "a body claims employment only with itself"
            )
        if claimant is None or claimant == self.registered_by:
            self._employment_started(employer_id, relation.value, since.isoformat(), actor)
            return True
        if self.pending_employment(employer_id) is not None:
            raise DomainRuleViolation(
                "employment-claim-pending",
                f"a claim by {employer_id} already awaits the worker's confirmation",
            )
        self._employment_claimed(employer_id, relation.value, since.isoformat(), actor)
        return False

    @event("EmploymentClaimed", topic="craftledger:Worker.EmploymentClaimed")
    def _employment_claimed(self, employer_id: UUID, relation: str, since: str, actor: str) -> None:
        self.pending_employments.append(
            {"employer_id": employer_id, "relation": relation, "since": since, "claimed_by": actor}
        )

    def pending_employment(self, employer_id: UUID) -> dict[str, Any] | None:
        """The claim by ``employer_id`` awaiting confirmation, if any."""
        return next((c for c in self.pending_employments if c["employer_id"] == employer_id), None)

    def _claim_awaiting(self, employer_id: UUID) -> dict[str, Any]:
        claim = self.pending_employment(employer_id)
        if claim is None:
            raise DomainRuleViolation(
                "no-pending-claim", f"no employment claim by {employer_id} awaits confirmation"
            )
        return claim

    def confirm_employment(self, employer_id: UUID, actor: str) -> None:
        """The worker (or an administrator) confirms a pending claim: it takes effect."""
        claim = self._claim_awaiting(employer_id)
        self._employment_confirmed(employer_id, actor)
        if self.employer_on(date.fromisoformat(claim["since"])) != employer_id:
            self._employment_started(employer_id, claim["relation"], claim["since"], actor)

    @event("EmploymentConfirmed", topic="craftledger:Worker.EmploymentConfirmed")
    def _employment_confirmed(self, employer_id: UUID, actor: str) -> None:
        self.pending_employments = [
            c for c in self.pending_employments if c["employer_id"] != employer_id
        ]

    def decline_employment(self, employer_id: UUID, actor: str, reason: str) -> None:
        """The worker (or an administrator) declines a pending claim: nothing takes effect."""
        self._claim_awaiting(employer_id)
        if not reason.strip():
            raise DomainRuleViolation("reason-required", "declining a claim needs a reason")
        self._employment_declined(employer_id, reason.strip(), actor)

    @event("EmploymentDeclined", topic="craftledger:Worker.EmploymentDeclined")
    def _employment_declined(self, employer_id: UUID, reason: str, actor: str) -> None:
        self.pending_employments = [
            c for c in self.pending_employments if c["employer_id"] != employer_id
        ]

    def employment_is_declared(self, employment: dict[str, Any]) -> bool:
        """Whether an employment began before registration: as declared, not confirmed."""
        return bool(employment["since"] < self.registration_date)

    @event("EmploymentStarted", topic="craftledger:Worker.EmploymentStarted")
    def _employment_started(self, employer_id: UUID, relation: str, since: str, actor: str) -> None:
        self.employments.append(
            {"employer_id": employer_id, "relation": relation, "since": since, "until": None}
        )

    def end_employment(self, employer_id: UUID, until: date, actor: str) -> None:
        for employment in self.employments:
            if employment["employer_id"] == employer_id and employment["until"] is None:
                if until.isoformat() < employment["since"]:
                    raise DomainRuleViolation(
                        "employment-ends-before-start",
                        f"employment began {employment['since']}, cannot end {until}",
                    )
                self._employment_ended(employer_id, until.isoformat(), actor)
                return
        raise DomainRuleViolation("not-employed", f"no current employment with {employer_id}")

    @event("EmploymentEnded", topic="craftledger:Worker.EmploymentEnded")
    def _employment_ended(self, employer_id: UUID, until: str, actor: str) -> None:
        for employment in self.employments:
            if employment["employer_id"] == employer_id and employment["until"] is None:
                employment["until"] = until

    def employer_on(self, day: date) -> UUID | None:
        """The employer on ``day`` (the most recent employment covering it)."""
        found = None
        iso = day.isoformat()
        for employment in self.employments:
            until = employment["until"]
            if employment["since"] <= iso and (until is None or iso <= until):
                found = employment["employer_id"]
        return found

    def is_staff_of(self, employer_id: UUID, day: date) -> bool:
        """Whether the worker is own staff (incl. dispatched/outsourced/affiliated) on ``day``."""
        iso = day.isoformat()
        return any(
            e["employer_id"] == employer_id
            and e["since"] <= iso
            and (e["until"] is None or iso <= e["until"])
            for e in self.employments
        )

    # -- career record -------------------------------------------------------------------

    def record_career_entry(
        self,
        kind: CareerEntryKind,
        title: str,
        on: date,
        actor: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        if not title.strip():
            raise DomainRuleViolation("invalid-career-entry", "a career entry needs a title")
        self._career_entry_recorded(kind.value, title.strip(), on.isoformat(), details or {}, actor)

    @event("CareerEntryRecorded", topic="craftledger:Worker.CareerEntryRecorded")
    def _career_entry_recorded(
        self, kind: str, title: str, on: str, details: dict[str, Any], actor: str
    ) -> None:
        self.career.append({"kind": kind, "title": title, "on": on, "details": details})

    # -- certificates ----------------------------------------------------------------------

    @event("CertificateReceived", topic="craftledger:Worker.CertificateReceived")
    def receive_certificate(
        self,
        number: str,
        occupation_code: str,
        level: str,
        issuer_id: UUID,
        issued_on: str,
        actor: str,
    ) -> None:
        """Note a ledger certificate as held (its status lives on the Certificate)."""
        self.certificates[number] = {
            "number": number,
            "occupation_code": occupation_code,
            "level": level,
            "issuer_id": issuer_id,
            "issued_on": issued_on,
        }

    def declare_external_certificate(
        self,
        number: str,
        issuer_name: str,
        occupation_code: str,
        level: SkillLevel,
        issued_on: date,
        actor: str,
    ) -> None:
        """Declare a certificate from outside the ledger; it stays "external" until checked."""
        if number in self.external_certificates or number in self.certificates:
            raise DomainRuleViolation("duplicate-certificate", f"{number} is already declared")
        if not level.is_numbered:
            raise DomainRuleViolation("not-a-certificate-level", f"{level.name_zh} is a post")
        self._external_certificate_declared(
            number, issuer_name, occupation_code, level.code or "", issued_on.isoformat(), actor
        )

    @event("ExternalCertificateDeclared", topic="craftledger:Worker.ExternalCertificateDeclared")
    def _external_certificate_declared(
        self,
        number: str,
        issuer_name: str,
        occupation_code: str,
        level: str,
        issued_on: str,
        actor: str,
    ) -> None:
        self.external_certificates[number] = {
            "number": number,
            "issuer_name": issuer_name,
            "occupation_code": occupation_code,
            "level": level,
            "issued_on": issued_on,
            "check": "unchecked",
        }

    def check_external_certificate(
        self, number: str, confirmed: bool, actor: str, note: str
    ) -> None:
        """Record the outcome of checking a declared certificate (e.g. on the national query)."""
        if number not in self.external_certificates:
            raise DomainRuleViolation("unknown-certificate", f"{number} was not declared")
        self._external_certificate_checked(number, confirmed, actor, note)

    @event("ExternalCertificateChecked", topic="craftledger:Worker.ExternalCertificateChecked")
    def _external_certificate_checked(
        self, number: str, confirmed: bool, actor: str, note: str
    ) -> None:
        self.external_certificates[number]["check"] = "confirmed" if confirmed else "rejected"

    def confirmed_external_levels(self, occupation_code: str) -> list[SkillLevel]:
        return [
            SkillLevel.from_code(c["level"])
            for c in self.external_certificates.values()
            if c["occupation_code"] == occupation_code and c["check"] == "confirmed"
        ]
