"""Organisation: a filed evaluation body, union or authority (备案的评价机构、工会、人社部门)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.certificate_number import EvaluatorPrefix
from domain.errors import DomainRuleViolation, InvalidValue
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate
from domain.skill_level import SkillLevel


class OrganisationKind(StrEnum):
    """What an organisation is, which decides what it may do."""

    EMPLOYER = "Y"  # 用人单位: evaluates its own staff, issues Y… certificates
    SOCIAL = "S"  # 社会培训评价组织: evaluates the public, issues S… certificates
    UNION = "union"  # 工会: runs competitions and honour ladders
    AUTHORITY = "authority"  # 人社部门: files bodies, approves promotions

    @property
    def evaluates(self) -> bool:
        return self in (OrganisationKind.EMPLOYER, OrganisationKind.SOCIAL)


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


Scope = dict[str, list[str]]
"""Filed scope (备案范围): occupation code → level codes the body may evaluate."""


def normalise_scope(scope: dict[str, Any]) -> Scope:
    """Validate a scope mapping and return it with sorted, known level codes."""
    normalised: Scope = {}
    for occupation_code, levels in sorted(scope.items()):
        if not isinstance(occupation_code, str) or not occupation_code:
            raise DomainRuleViolation("invalid-scope", "occupation codes must be non-empty")
        parsed = {SkillLevel.from_code(str(level)) for level in levels}
        if not parsed or any(level.is_post for level in parsed):
            raise DomainRuleViolation(
                "invalid-scope",
                f"occupation {occupation_code} needs at least one numbered level (5..1) and "
                "no enterprise post (posts are appointed, not evaluated under a filed scope)",
            )
        normalised[occupation_code] = sorted(level.code for level in parsed)
    return normalised


class Organisation(LedgerAggregate):
    """A body filed with the HR bureau, with its scope, status and signing keys."""

    TOPIC = "craftledger:Organisation"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:Organisation.Created"

    @staticmethod
    def create_id(filing_code: str, **_: Any) -> UUID:
        return natural_id("organisation", filing_code)

    @event("Filed", topic="craftledger:Organisation.Filed")
    def __init__(
        self,
        filing_code: str,
        name: str,
        kind: str,
        province_code: str,
        evaluator_prefix: str | None,
        scope: Scope,
        filed_at: datetime,
        actor: str,
    ) -> None:
        self.filing_code = filing_code
        self.name = name
        self.kind = OrganisationKind(kind)
        self.province_code = province_code
        self.evaluator_prefix = evaluator_prefix
        self.scope: Scope = scope
        self.scope_history: list[tuple[datetime, Scope]] = [(filed_at, scope)]
        self.status = OrganisationStatus.ACTIVE
        self.status_history: list[tuple[datetime, str, str]] = [(filed_at, "active", "filed")]
        self.signing_keys: dict[str, dict[str, Any]] = {}
        self.filed_by = actor

    @classmethod
    def file(
        cls,
        *,
        filing_code: str,
        name: str,
        kind: OrganisationKind,
        province_code: str,
        evaluator_prefix: str | None,
        scope: dict[str, Any],
        filed_at: datetime,
        actor: str,
    ) -> Organisation:
        """File (备案) a body. Evaluation bodies need an evaluator prefix and a scope."""
        if not name.strip():
            raise DomainRuleViolation("invalid-organisation", "a filed body needs a name")
        if kind.evaluates:
            if evaluator_prefix is None:
                raise DomainRuleViolation(
                    "evaluator-prefix-required",
                    "an evaluation body needs its 13-character evaluator prefix",
                )
            prefix = EvaluatorPrefix.parse(evaluator_prefix)
            if prefix.evaluator_type != kind.value:
                raise DomainRuleViolation(
                    "evaluator-type-mismatch",
                    f"a {kind.name.lower()} body's prefix starts with {kind.value}, "
                    f"not {prefix.evaluator_type}",
                )
            if prefix.province_code != province_code:
                raise DomainRuleViolation(
                    "evaluator-province-mismatch",
                    f"prefix province {prefix.province_code} differs from filing province "
                    f"{province_code}",
                )
            normalised = normalise_scope(scope)
        else:
            if evaluator_prefix is not None:
                raise DomainRuleViolation(
                    "evaluator-prefix-not-allowed",
                    "only employer (Y) and social (S) evaluation bodies have an evaluator prefix",
                )
            normalised = normalise_scope(scope) if scope else {}
        return cls(
            filing_code=filing_code,
            name=name.strip(),
            kind=kind.value,
            province_code=province_code,
            evaluator_prefix=evaluator_prefix,
            scope=normalised,
            filed_at=filed_at,
            actor=actor,
        )

    # -- district (区县) ---------------------------------------------------------------------

    @property
    def district_code(self) -> str | None:
        """The 6-digit district (区县) code, or None for a body filed without one."""
        return getattr(self, "_district_code", None)

    def record_district(
        self, district_code: str, at: datetime, actor: str, reason: str | None = None
    ) -> None:
        """Record the body's district (区县代码, e.g. 110105); it lies in the filing province."""
        self._refuse_if_revoked("record the district of")
        code = str(district_code).strip()
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise InvalidValue("district code", "a district code is 6 digits, e.g. 110105")
        if not code.startswith(self.province_code):
            raise DomainRuleViolation(
                "district-outside-province",
                f"district {code} is not in province {self.province_code}",
            )
        self._district_recorded(code, at, actor, reason)

    @event("DistrictRecorded", topic="craftledger:Organisation.DistrictRecorded")
    def _district_recorded(
        self, district_code: str, at: datetime, actor: str, reason: str | None
    ) -> None:
        self._district_code = district_code

    # -- scope ---------------------------------------------------------------------------

    def amend_scope(self, scope: dict[str, Any], at: datetime, actor: str, reason: str) -> None:
        """Amend the filed scope; the old scope stays in the history for verifiers."""
        self._refuse_if_revoked("amend the scope of")
        self._scope_amended(normalise_scope(scope), at, actor, reason)

    @event("ScopeAmended", topic="craftledger:Organisation.ScopeAmended")
    def _scope_amended(self, scope: Scope, at: datetime, actor: str, reason: str) -> None:
        self.scope = scope
        self.scope_history.append((at, scope))

    def covers(self, occupation_code: str, level: SkillLevel) -> bool:
        """Whether the current filed scope covers this occupation and level."""
        return level.code in self.scope.get(occupation_code, [])

    def covered_at(self, occupation_code: str, level: SkillLevel, at: datetime) -> bool:
        """Whether the scope in force at ``at`` covered this occupation and level."""
        in_force: Scope = {}
        for since, scope in self.scope_history:
            if since <= at:
                in_force = scope
        return level.code in in_force.get(occupation_code, [])

    # -- status --------------------------------------------------------------------------

    def suspend(self, at: datetime, actor: str, reason: str) -> None:
        """Suspend (暂停) the body: it may issue nothing until reinstated."""
        self._refuse_if_revoked("suspend")
        if self.status is OrganisationStatus.SUSPENDED:
            raise DomainRuleViolation("already-suspended", f"{self.name} is already suspended")
        self._suspended(at, actor, reason)

    @event("Suspended", topic="craftledger:Organisation.Suspended")
    def _suspended(self, at: datetime, actor: str, reason: str) -> None:
        self._become(OrganisationStatus.SUSPENDED, at, reason)

    def reinstate(self, at: datetime, actor: str, reason: str) -> None:
        self._refuse_if_revoked("reinstate")
        if self.status is not OrganisationStatus.SUSPENDED:
            raise DomainRuleViolation("not-suspended", f"{self.name} is not suspended")
        self._reinstated(at, actor, reason)

    @event("Reinstated", topic="craftledger:Organisation.Reinstated")
    def _reinstated(self, at: datetime, actor: str, reason: str) -> None:
        self._become(OrganisationStatus.ACTIVE, at, reason)

    def revoke(self, at: datetime, actor: str, reason: str) -> None:
        """Revoke (撤销) the filing. Final."""
        self._refuse_if_revoked("revoke")
        self._revoked(at, actor, reason)

    @event("Revoked", topic="craftledger:Organisation.Revoked")
    def _revoked(self, at: datetime, actor: str, reason: str) -> None:
        self._become(OrganisationStatus.REVOKED, at, reason)

    def status_at(self, at: datetime) -> OrganisationStatus:
        status = OrganisationStatus.ACTIVE
        for since, value, _ in self.status_history:
            if since <= at:
                status = OrganisationStatus(value)
        return status

    def _become(self, status: OrganisationStatus, at: datetime, reason: str) -> None:
        """Apply a status event: the new status, and its entry in the status history."""
        self.status = status
        self.status_history.append((at, status.value, reason))

    def _refuse_if_revoked(self, action: str) -> None:
        if self.status is OrganisationStatus.REVOKED:
            raise DomainRuleViolation(
                "organisation-revoked", f"cannot {action} {self.name}: its filing is revoked"
            )

    # -- signing keys --------------------------------------------------------------------

    def add_signing_key(
        self, key_id: str, public_key_multibase: str, at: datetime, actor: str
    ) -> None:
        """Publish a new signing key; the key in use until now is retired at ``at`` (rotation)."""
        self._refuse_if_revoked("add a key to")
        if key_id in self.signing_keys:
            raise DomainRuleViolation("duplicate-key", f"key {key_id} is already published")
        self._signing_key_added(key_id, public_key_multibase, at, actor)

    @event("SigningKeyAdded", topic="craftledger:Organisation.SigningKeyAdded")
    def _signing_key_added(
        self, key_id: str, public_key_multibase: str, at: datetime, actor: str
    ) -> None:
        for key in self.signing_keys.values():
            if key["valid_until"] is None:
                key["valid_until"] = at
        self.signing_keys[key_id] = {
            "key_id": key_id,
            "public_key_multibase": public_key_multibase,
            "valid_from": at,
            "valid_until": None,
            "compromised_at": None,
        }

    def mark_key_compromised(
        self, key_id: str, compromised_at: datetime, actor: str, reason: str
    ) -> None:
        """Record that a key leaked: proofs created after ``compromised_at`` no longer verify."""
        if key_id not in self.signing_keys:
            raise DomainRuleViolation("unknown-key", f"no key {key_id} on {self.name}")
        self._signing_key_compromised(key_id, compromised_at, actor, reason)

    @event("SigningKeyCompromised", topic="craftledger:Organisation.SigningKeyCompromised")
    def _signing_key_compromised(
        self, key_id: str, compromised_at: datetime, actor: str, reason: str
    ) -> None:
        self.signing_keys[key_id]["compromised_at"] = compromised_at

    @property
    def current_key_id(self) -> str | None:
        for key_id, key in self.signing_keys.items():
            if key["valid_until"] is None and key["compromised_at"] is None:
                return key_id
        return None

    # -- document signing (PDF) ---------------------------------------------------------------

    @property
    def document_signing_certificates(self) -> Mapping[str, dict[str, Any]]:
        """The X.509 certificates of the organisation's document-signing keys (PDF signatures),
        by key id, oldest first. Empty until the first is published (also when loaded from a
        snapshot older than that event)."""
        return MappingProxyType(getattr(self, "_document_signing", {}))

    def publish_document_signing_certificate(
        self, key_id: str, certificate_pem: str, at: datetime, actor: str
    ) -> None:
        """Publish the X.509 certificate of a new document-signing key (PEM; the private key is
        in the key store)."""
        self._refuse_if_revoked("publish a document-signing certificate of")
        if key_id in self.document_signing_certificates:
            raise DomainRuleViolation("duplicate-key", f"key {key_id} is already published")
        self._document_signing_certificate_published(key_id, certificate_pem, at, actor)

    @event(
        "DocumentSigningCertificatePublished",
        topic="craftledger:Organisation.DocumentSigningCertificatePublished",
    )
    def _document_signing_certificate_published(
        self, key_id: str, certificate_pem: str, at: datetime, actor: str
    ) -> None:
        self._document_signing = {
            **self.document_signing_certificates,
            key_id: {"key_id": key_id, "certificate_pem": certificate_pem, "published_at": at},
        }
