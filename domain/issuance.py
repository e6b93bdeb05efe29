"""Issuing a certificate: the rules that span issuer, worker, occupation and number series.

A pure domain service. The application loads the aggregates, this function checks every
invariant and returns the new ``Certificate`` (the worker and series are mutated in place), and
the application saves all three in one atomic ``save``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.certificate import BasisKind, Bypass, Certificate
from domain.errors import DomainRuleViolation
from domain.number_series import CertificateNumberSeries
from domain.occupation import Occupation
from domain.organisation import Organisation, OrganisationKind, OrganisationStatus
from domain.skill_level import SkillLevel
from domain.worker import Worker


def next_level_in_order(occupation: Occupation, held: Iterable[SkillLevel]) -> SkillLevel:
    """The level a worker may take next without a bypass: the lowest allowed level above the
    highest held one, or the occupation's lowest level when none is held."""
    allowed = sorted(occupation.allowed_levels)
    held_levels = [level for level in held if level in occupation.allowed_levels]
    if not held_levels:
        return allowed[0]
    highest = max(held_levels)
    above = [level for level in allowed if level > highest]
    if not above:
        raise DomainRuleViolation(
            "highest-level-held", f"already holds the highest level of {occupation.name}"
        )
    return above[0]


def check_basis(basis: dict[str, Any]) -> None:
    """A basis names its kind and reference; a bypass needs evidence."""
    try:
        BasisKind(str(basis.get("kind")))
    except ValueError:
        raise DomainRuleViolation(
            "invalid-basis",
            f"basis kind must be one of {', '.join(k.value for k in BasisKind)}",
        ) from None
    bypass = basis.get("bypass")
    if bypass is not None:
        try:
            Bypass(bypass)
        except ValueError:
            raise DomainRuleViolation(
                "invalid-bypass", f"bypass must be one of {', '.join(b.value for b in Bypass)}"
            ) from None
        if not str(basis.get("evidence") or "").strip():
            raise DomainRuleViolation(
                "bypass-needs-evidence", f"the {bypass} bypass must be recorded with evidence"
            )


def issue_certificate(
    *,
    issuer: Organisation,
    worker: Worker,
    occupation: Occupation,
    level: SkillLevel,
    basis: dict[str, Any],
    series: CertificateNumberSeries,
    held_levels: Iterable[SkillLevel],
    issued_at: datetime,
    actor: str,
) -> Certificate:
    """Issue one certificate, enforcing every issuing invariant (each violation names its rule)."""
    if not issuer.kind.evaluates:
        raise DomainRuleViolation(
            "not-an-evaluation-body", f"{issuer.name} is not a filed evaluation body"
        )
    if issuer.status is OrganisationStatus.SUSPENDED:
        raise DomainRuleViolation("issuer-suspended", f"{issuer.name} is suspended")
    if issuer.status is OrganisationStatus.REVOKED:
        raise DomainRuleViolation("issuer-revoked", f"{issuer.name}'s filing is revoked")
    if not level.is_numbered or not occupation.allows(level):
        raise DomainRuleViolation(
            "level-not-allowed-for-occupation",
            f"{occupation.name} ({occupation.code}) has no {level.name_zh} certificate",
        )
    if not issuer.covers(occupation.code, level):
        raise DomainRuleViolation(
            "outside-filed-scope",
            f"{issuer.name} is not filed for {occupation.name} {level.name_zh}",
        )
    if issuer.kind is OrganisationKind.EMPLOYER and not worker.is_staff_of(
        issuer.id, issued_at.date()
    ):
        raise DomainRuleViolation(
            "not-own-staff",
            f"{issuer.name} issues Y certificates only to its own staff; "
            f"{worker.name} is not employed there on {issued_at.date()}",
        )
    check_basis(basis)
    held = list(held_levels)
    if any(h >= level for h in held if h in occupation.allowed_levels):
        raise DomainRuleViolation(
            "level-already-held",
            f"{worker.name} already holds {occupation.name} {max(held).name_zh} or above",
        )
    expected = next_level_in_order(occupation, held)
    if level > expected and basis.get("bypass") is None:
        raise DomainRuleViolation(
            "levels-in-order",
            f"{worker.name}'s next {occupation.name} level is {expected.name_zh}; "
            f"{level.name_zh} needs a recorded bypass with evidence",
        )
    if (series.evaluator_prefix, series.level) != (issuer.evaluator_prefix, level.code):
        raise DomainRuleViolation(
            "wrong-number-series", "the number series does not belong to this issuer and level"
        )
    (number,) = series.allocate(1, actor)
    certificate = Certificate(
        number=str(number),
        worker_id=worker.id,
        holder_name=worker.name,
        masked_id_number=worker.masked_id_number,
        issuer_id=issuer.id,
        issuer_name=issuer.name,
        occupation_code=occupation.code,
        occupation_name=occupation.name,
        level=level.code,
        basis=dict(basis),
        issued_at=issued_at,
        actor=actor,
    )
    worker.receive_certificate(
        number=str(number),
        occupation_code=occupation.code,
        level=level.code,
        issuer_id=issuer.id,
        issued_on=issued_at.date().isoformat(),
        actor=actor,
    )
    return certificate
