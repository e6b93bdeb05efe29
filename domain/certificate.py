"""Certificate: one skill-grade certificate (职业技能等级证书), its id derived from its number."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.china_time import china_date
from domain.errors import DomainRuleViolation
from domain.free_text import require_reason
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate
from domain.skill_level import SkillLevel


class BasisKind(StrEnum):
    """Why the certificate was issued."""

    EVALUATION = "evaluation"  # 自主评价 / 社会化评价
    COMPETITION = "competition"  # 以赛代评
    DIRECT_RECOGNITION = "direct_recognition"  # 直接认定


class Bypass(StrEnum):
    """Recorded routes that allow a level to be reached out of order (with evidence)."""

    DIRECT_RECOGNITION = "direct_recognition"  # 直接认定
    FAST_TRACK = "fast_track"  # 破格晋升
    COMPETITION_PROMOTION = "competition_promotion"  # 竞赛晋升
    ENTRY_ROUTE = "entry_route"  # an eligibility route that needs no lower certificate


class CertificateStatus(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


STATUS_AFTER_TOPIC: dict[str, str] = {
    "craftledger:Certificate.Suspended": CertificateStatus.SUSPENDED.value,
    "craftledger:Certificate.Reinstated": CertificateStatus.VALID.value,
    "craftledger:Certificate.Revoked": CertificateStatus.REVOKED.value,
}
"""The status a certificate has after each status-changing event, by the event's topic (for
read models, which see recorded events, not the aggregate)."""


class Certificate(LedgerAggregate):
    """A certificate's life: issued, suspended, reinstated, revoked (final)."""

    TOPIC = "craftledger:Certificate"

    flags: tuple[dict[str, Any], ...] = ()
    """Review flags (a certificate it depended on was revoked); never an automatic revocation."""

    class Created(Aggregate.Created):
        TOPIC = "craftledger:Certificate.Created"

    @staticmethod
    def create_id(number: str, **_: Any) -> UUID:
        return natural_id("certificate", number)

    @event("Issued", topic="craftledger:Certificate.Issued")
    def __init__(
        self,
        number: str,
        worker_id: UUID,
        holder_name: str,
        masked_id_number: str,
        issuer_id: UUID,
        issuer_name: str,
        occupation_code: str,
        occupation_name: str,
        level: str,
        basis: dict[str, Any],
        issued_at: datetime,
        actor: str,
    ) -> None:
        self.number = number
        self.worker_id = worker_id
        self.holder_name = holder_name
        self.masked_id_number = masked_id_number
        self.issuer_id = issuer_id
        self.issuer_name = issuer_name
        self.occupation_code = occupation_code
        self.occupation_name = occupation_name
        self.level_code = level
        self.basis = basis
        self.issued_at = issued_at
        self.issued_by = actor
        self.status = CertificateStatus.VALID
        self.history: list[dict[str, Any]] = [
            {"at": issued_at, "status": "valid", "actor": actor, "reason": "issued"}
        ]

    @property
    def level(self) -> SkillLevel:
        return SkillLevel.from_code(self.level_code)

    @property
    def issued_on(self) -> str:
        return china_date(self.issued_at).isoformat()

    def suspend(self, at: datetime, actor: str, reason: str) -> None:
        """Suspend (暂停): the certificate does not count until reinstated."""
        reason = self._status_change_reason(reason)
        if self.status is CertificateStatus.SUSPENDED:
            raise DomainRuleViolation("already-suspended", f"{self.number} is already suspended")
        self._suspended(at, actor, reason)

    @event("Suspended", topic="craftledger:Certificate.Suspended")
    def _suspended(self, at: datetime, actor: str, reason: str) -> None:
        self._become(CertificateStatus.SUSPENDED, at, actor, reason)

    def reinstate(self, at: datetime, actor: str, reason: str) -> None:
        reason = self._status_change_reason(reason)
        if self.status is not CertificateStatus.SUSPENDED:
            raise DomainRuleViolation("not-suspended", f"{self.number} is not suspended")
        self._reinstated(at, actor, reason)

    @event("Reinstated", topic="craftledger:Certificate.Reinstated")
    def _reinstated(self, at: datetime, actor: str, reason: str) -> None:
        self._become(CertificateStatus.VALID, at, actor, reason)

    def revoke(self, at: datetime, actor: str, reason: str) -> None:
        """Revoke (撤销). Final: a revoked certificate is never reinstated."""
        reason = self._status_change_reason(reason)
        self._revoked(at, actor, reason)

    @event("Revoked", topic="craftledger:Certificate.Revoked")
    def _revoked(self, at: datetime, actor: str, reason: str) -> None:
        self._become(CertificateStatus.REVOKED, at, actor, reason)

    def flag_dependency(
        self,
        at: datetime,
        actor: str,
        *,
        revoked_number: str,
        reason: str,
        kind: str,
        via: str,
    ) -> None:
        """Flag for human review: ``revoked_number`` (revoked for ``reason``) was what this
        certificate depended on, directly (``via`` is the same number) or through ``via``.
        ``kind``: ``levels_in_order`` or ``competition_promotion``. Flagged, not revoked."""
        reason = require_reason(reason, "a status change")
        if any(flag["revoked_number"] == revoked_number for flag in self.flags):
            return
        self._dependency_flagged(at, actor, revoked_number, reason, kind, via)

    @event("DependencyFlagged", topic="craftledger:Certificate.DependencyFlagged")
    def _dependency_flagged(
        self, at: datetime, actor: str, revoked_number: str, reason: str, kind: str, via: str
    ) -> None:
        entry = {
            "at": at,
            "actor": actor,
            "revoked_number": revoked_number,
            "reason": reason,
            "kind": kind,
            "via": via,
        }
        self.flags = (*self.flags, entry)

    def status_at(self, at: datetime) -> CertificateStatus | None:
        """Status at a moment, or None if not yet issued then."""
        status = None
        for entry in self.history:
            if entry["at"] <= at:
                status = CertificateStatus(entry["status"])
        return status

    def _status_change_reason(self, reason: str) -> str:
        """The reason of a status change (required), refused when the certificate is revoked."""
        reason = require_reason(reason, "a status change")
        self._refuse_if_revoked()
        return reason

    def _become(self, status: CertificateStatus, at: datetime, actor: str, reason: str) -> None:
        """Apply a status event: the new status, and its line in the history."""
        self.status = status
        self.history.append({"at": at, "status": status.value, "actor": actor, "reason": reason})

    def _refuse_if_revoked(self) -> None:
        if self.status is CertificateStatus.REVOKED:
            raise DomainRuleViolation(
                "revoked-is-final", f"{self.number} is revoked; that is final"
            )
