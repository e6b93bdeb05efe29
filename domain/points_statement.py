"""The points statement (积分证明) a worker can show under a hukou points policy
(``domain.points_policy``).

Several cities let non-local workers earn hukou or residence-permit points for a skill certificate
(职业技能等级证书 / 国家职业资格证书). Each city's rule is a versioned **policy**: a points table by
level, the conditions a certificate must meet, bonuses, and how the skill item combines with the
education item. :func:`compute_points_statement` applies one policy version to a worker's
certificates *as of* a date and returns a :class:`PointsStatement` that names the policy version,
the points, the certificate that counted, every condition the ledger checked (with the outcome)
and every condition the ledger cannot check (post match, social-insurance base, ...), so that the
hukou office knows exactly what it still has to verify.

Rules that hold for every policy, whatever its data says:

* only the highest item counts (one certificate; ties go to the higher level, then the earlier
  issue date, then the lower number);
* a certificate that is revoked or suspended at ``as_of`` never counts, nor does one issued
  after ``as_of``;
* points the ledger cannot vouch for (a bonus that depends on the applicant's post) are never
  added; they are listed as :class:`UnverifiableCondition` with the points at stake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from domain.certificate_number import PROVINCE_CODES
from domain.errors import InvalidValue
from domain.points_policy import EducationCombination, PointsPolicy
from domain.skill_level import SkillLevel

__all__ = [
    "CertificateFact",
    "ConditionCheck",
    "Honour",
    "PointsItem",
    "PointsStatement",
    "UnverifiableCondition",
    "compute_points_statement",
    "cutoff_before",
]

#: Certificate statuses at ``as_of`` (the values of ``domain.certificate.CertificateStatus``).
STATUS_VALID = "valid"
STATUS_SUSPENDED = "suspended"
STATUS_REVOKED = "revoked"
_STATUSES = frozenset({STATUS_VALID, STATUS_SUSPENDED, STATUS_REVOKED})


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFact:
    """What the ledger knows about one of the worker's certificates, as of the statement date.

    ``status`` is the certificate's status *at as_of*: ``"valid"``, ``"suspended"`` or
    ``"revoked"`` (``domain.certificate.CertificateStatus`` values are accepted as they are
    ``str``). ``issuer_province_code`` is the issuing body's GB/T 2260 province code.
    ``on_national_query`` says whether the certificate is on the national query service
    (全国联网查询); ``None`` when the ledger does not know.
    """

    number: str
    occupation_code: str
    level: SkillLevel
    issuer_province_code: str
    issued_on: date
    status: str = STATUS_VALID
    on_national_query: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.number, str) or not self.number:
            raise InvalidValue("certificate number", "must be a non-empty string")
        if not isinstance(self.occupation_code, str) or not self.occupation_code:
            raise InvalidValue("occupation code", "must be a non-empty string")
        if not isinstance(self.level, SkillLevel):
            raise InvalidValue("level", f"must be a SkillLevel, got {self.level!r}")
        if self.issuer_province_code not in PROVINCE_CODES:
            raise InvalidValue(
                "issuer province code",
                f"{self.issuer_province_code!r} is not a GB/T 2260 province-level code",
            )
        if not isinstance(self.issued_on, date):
            raise InvalidValue("issued on", f"must be a date, got {self.issued_on!r}")
        if isinstance(self.status, Enum):  # e.g. domain.certificate.CertificateStatus
            object.__setattr__(self, "status", self.status.value)
        if self.status not in _STATUSES:
            raise InvalidValue("status", f"must be one of {sorted(_STATUSES)}, got {self.status!r}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "occupation_code": self.occupation_code,
            "level": self.level.code,
            "issuer_province_code": self.issuer_province_code,
            "issued_on": self.issued_on.isoformat(),
            "status": self.status,
        }


@dataclass(frozen=True)
class Honour:
    """An honour held by the worker (e.g. 朝阳工匠, 北京市劳动模范), for 荣誉表彰 indicators."""

    name: str
    awarded_by: str
    awarded_on: date


# --- output ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionCheck:
    """A condition the ledger checked: its stable ``name``, the outcome and why."""

    name: str
    passed: bool
    detail: str
    certificate_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "detail": self.detail,
            "certificate_number": self.certificate_number,
        }


@dataclass(frozen=True)
class UnverifiableCondition:
    """A condition the ledger cannot check; the hukou office must.

    ``bonus_points == 0``: a requirement -- the statement's points stand only if it holds.
    ``bonus_points > 0``: extra points the office may add if it holds; *not* in the points.
    """

    name: str
    detail: str
    certificate_number: str | None = None
    bonus_points: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "detail": self.detail,
            "certificate_number": self.certificate_number,
            "bonus_points": self.bonus_points,
        }


@dataclass(frozen=True)
class PointsItem:
    """One line of the points breakdown (base points, a bonus, or the education item)."""

    label: str
    points: int
    certificate_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "points": self.points,
            "certificate_number": self.certificate_number,
        }


@dataclass(frozen=True)
class PointsStatement:
    """The points a worker's certificates earn under one policy version, as of a date.

    ``points`` is what this statement vouches for: the best certificate's base points plus
    bonuses the ledger checked; for an ``education_combination == "max"`` policy with
    ``education_points`` given, ``max(education_points, skill_points)``. ``counted`` holds the
    certificate that counted (empty when none did, or when education was higher).
    """

    policy_id: str
    policy_version: str
    policy_name: str
    policy_source: str
    city: str
    as_of: date
    points: int
    skill_points: int
    education_points: int | None
    education_combination: EducationCombination
    counted: tuple[CertificateFact, ...]
    items: tuple[PointsItem, ...]
    conditions_checked: tuple[ConditionCheck, ...]
    conditions_unverifiable: tuple[UnverifiableCondition, ...]
    explanation: str

    @property
    def policy_key(self) -> str:
        return f"{self.policy_id}@{self.policy_version}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings), e.g. for a signed credential."""
        return {
            "policy": {
                "id": self.policy_id,
                "version": self.policy_version,
                "name": self.policy_name,
                "source": self.policy_source,
                "city": self.city,
            },
            "as_of": self.as_of.isoformat(),
            "points": self.points,
            "skill_points": self.skill_points,
            "education_points": self.education_points,
            "education_combination": self.education_combination.value,
            "counted": [fact.as_dict() for fact in self.counted],
            "items": [item.as_dict() for item in self.items],
            "conditions_checked": [check.as_dict() for check in self.conditions_checked],
            "conditions_unverifiable": [
                condition.as_dict() for condition in self.conditions_unverifiable
            ],
            "explanation": self.explanation,
        }


# --- computing a statement ---------------------------------------------------------------------


@dataclass
class _Candidate:
    fact: CertificateFact
    base: int
    items: list[PointsItem] = field(default_factory=list)
    unverifiable: list[UnverifiableCondition] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(item.points for item in self.items)


def compute_points_statement(
    policy: PointsPolicy,
    certificates: Iterable[CertificateFact],
    as_of: date,
    *,
    education_points: int | None = None,
    honours: Sequence[Honour] = (),
) -> PointsStatement:
    """Apply ``policy`` to the worker's ``certificates`` as of ``as_of``.

    Pure: the caller supplies each certificate's status at ``as_of``. ``education_points`` is
    the applicant's education item under the same policy, if known (it matters for
    ``"max"`` policies). ``honours`` matter only for policies with an honours indicator.
    """
    if not isinstance(as_of, date):
        raise InvalidValue("as of", f"must be a date, got {as_of!r}")
    if education_points is not None and (
        isinstance(education_points, bool)
        or not isinstance(education_points, int)
        or education_points < 0
    ):
        raise InvalidValue(
            "education points", f"must be a non-negative integer, got {education_points!r}"
        )
    facts = sorted(certificates, key=lambda fact: (fact.issued_on, fact.number))
    checked: list[ConditionCheck] = []
    unverifiable: list[UnverifiableCondition] = []

    candidates: list[_Candidate] = []
    if not policy.skill_indicator:
        checked.append(
            ConditionCheck(
                "skill_certificate_indicator",
                False,
                f"{policy.city} ({policy.key}) has no skill-certificate indicator; "
                "skill certificates score 0",
            )
        )
    else:
        for fact in facts:
            candidate = _assess(policy, fact, as_of, checked)
            if candidate is not None:
                candidates.append(candidate)

    best = _best(candidates)
    skill_points = best.total if best is not None else 0
    items: list[PointsItem] = list(best.items) if best is not None else []
    counted: tuple[CertificateFact, ...] = (best.fact,) if best is not None else ()

    points = skill_points
    explanation = [policy.explanation]
    if policy.education_combination is EducationCombination.MAX:
        if education_points is None:
            if policy.skill_indicator:
                unverifiable.append(
                    UnverifiableCondition(
                        "education_or_skill",
                        "the policy counts max(education, skill), not the sum; education was not "
                        "supplied, so this statement covers the skill item only",
                    )
                )
        elif education_points > skill_points:
            points = education_points
            items = [PointsItem("education item (higher than skill; max, not sum)", points)]
            counted = ()
            explanation.append(
                f"Education ({education_points}) exceeds skill ({skill_points}); "
                "only the higher counts."
            )
        else:
            explanation.append(
                f"Skill ({skill_points}) is at least education ({education_points}); "
                "only the higher counts."
            )
    elif education_points is not None:
        explanation.append(
            "Education is scored under its own indicator and is not included in these points."
        )

    if best is not None and counted:  # the certificate's own open conditions, if it counted
        unverifiable[:0] = best.unverifiable
    if best is None and policy.skill_indicator:
        explanation.append("No certificate met every condition the ledger checks.")

    if policy.honours_indicator is not None:
        name, detail = policy.honours_indicator
        for honour in honours:
            if honour.awarded_on > as_of:
                continue
            unverifiable.append(
                UnverifiableCondition(
                    "honour_recognition",
                    f"{honour.name} (awarded by {honour.awarded_by} on "
                    f"{honour.awarded_on.isoformat()}) may count under {name}: {detail}",
                )
            )

    return PointsStatement(
        policy_id=policy.id,
        policy_version=policy.version,
        policy_name=policy.name,
        policy_source=policy.source,
        city=policy.city,
        as_of=as_of,
        points=points,
        skill_points=skill_points,
        education_points=education_points,
        education_combination=policy.education_combination,
        counted=counted,
        items=tuple(items),
        conditions_checked=tuple(checked),
        conditions_unverifiable=tuple(unverifiable),
        explanation=" ".join(part for part in explanation if part),
    )


def _assess(
    policy: PointsPolicy, fact: CertificateFact, as_of: date, checked: list[ConditionCheck]
) -> _Candidate | None:
    """Run every check on one certificate; return it as a candidate if all checks pass."""
    number = fact.number
    results: list[ConditionCheck] = []
    unverifiable: list[UnverifiableCondition] = []

    results.append(
        ConditionCheck(
            "issued_by_date",
            fact.issued_on <= as_of,
            f"issued {fact.issued_on.isoformat()}, "
            + ("on or before" if fact.issued_on <= as_of else "after")
            + f" {as_of.isoformat()}",
            number,
        )
    )
    results.append(
        ConditionCheck(
            "valid_at_date",
            fact.status == STATUS_VALID,
            f"status {fact.status} at {as_of.isoformat()}"
            + (
                ""
                if fact.status == STATUS_VALID
                else "; a revoked or suspended certificate never counts"
            ),
            number,
        )
    )
    base = policy.points_for(fact.level)
    results.append(
        ConditionCheck(
            "level_scored",
            base is not None,
            f"{fact.level.name_zh} scores {base} points"
            if base is not None
            else f"{fact.level.name_zh} is not scored by this policy",
            number,
        )
    )

    for condition in policy.conditions:
        if condition.levels is not None and fact.level not in condition.levels:
            continue
        if condition.kind == "issued_in_province":
            province = PROVINCE_CODES.get(fact.issuer_province_code, fact.issuer_province_code)
            passed = fact.issuer_province_code == policy.province_code
            results.append(
                ConditionCheck(
                    "issued_in_province",
                    passed,
                    f"issuer in {province} ({fact.issuer_province_code}); policy requires "
                    f"{PROVINCE_CODES[policy.province_code]} ({policy.province_code})",
                    number,
                )
            )
        elif condition.kind == "occupation_in_catalogue":
            if policy.catalogue is None:
                results.append(
                    ConditionCheck(
                        "occupation_in_catalogue",
                        True,
                        f"{fact.occupation_code}: the policy accepts any occupation",
                        number,
                    )
                )
            else:
                passed = fact.occupation_code in policy.catalogue
                results.append(
                    ConditionCheck(
                        "occupation_in_catalogue",
                        passed,
                        f"{fact.occupation_code} is "
                        + ("" if passed else "not ")
                        + f"in {policy.catalogue_name}",
                        number,
                    )
                )
        elif condition.kind == "issue_date_cutoff":
            cutoff = cutoff_before(as_of, condition.cutoffs)
            passed = fact.issued_on <= cutoff
            results.append(
                ConditionCheck(
                    "issue_date_cutoff",
                    passed,
                    f"issued {fact.issued_on.isoformat()}; for a statement dated "
                    f"{as_of.isoformat()} the certificate must be issued on or before "
                    f"{cutoff.isoformat()}",
                    number,
                )
            )
        elif condition.kind == "national_query":
            if fact.on_national_query is None:
                unverifiable.append(
                    UnverifiableCondition(
                        "national_query",
                        "the certificate must be verifiable on the national query service "
                        "(技能人才评价证书全国联网查询); "
                        "the ledger does not know whether it is listed",
                        number,
                    )
                )
            else:
                results.append(
                    ConditionCheck(
                        "national_query",
                        fact.on_national_query,
                        "listed on the national query service"
                        if fact.on_national_query
                        else "not listed on the national query service",
                        number,
                    )
                )
        elif condition.kind == "unverifiable":
            unverifiable.append(UnverifiableCondition(condition.name, condition.detail, number))
        else:  # pragma: no cover - parse_policy rejects unknown kinds
            raise InvalidValue("condition kind", f"unknown condition kind {condition.kind!r}")

    checked.extend(results)
    if base is None or not all(result.passed for result in results):
        return None

    candidate = _Candidate(fact=fact, base=base, unverifiable=unverifiable)
    candidate.items.append(PointsItem(f"{fact.level.name_zh} certificate", base, number))
    for bonus in policy.bonuses:
        if bonus.kind == "occupation_tier_bonus":
            tier = next(
                (tier for tier in bonus.tiers if fact.occupation_code in tier.occupations), None
            )
            checked.append(
                ConditionCheck(
                    bonus.name,
                    tier is not None,
                    f"{fact.occupation_code} is listed as {tier.label} (+{tier.points})"
                    if tier is not None
                    else f"{fact.occupation_code} is not on {bonus.label} (no bonus)",
                    number,
                )
            )
            if tier is not None:
                candidate.items.append(
                    PointsItem(f"{bonus.label}: {tier.label}", tier.points, number)
                )
        elif bonus.kind == "unverifiable_bonus":
            candidate.unverifiable.append(
                UnverifiableCondition(bonus.name, bonus.detail, number, bonus.points)
            )
        else:  # pragma: no cover - parse_policy rejects unknown kinds
            raise InvalidValue("bonus kind", f"unknown bonus kind {bonus.kind!r}")
    return candidate


def _best(candidates: Sequence[_Candidate]) -> _Candidate | None:
    """The highest item: most points, then higher level, earlier issue, lower number."""
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (-c.total, -c.fact.level.rank, c.fact.issued_on, c.fact.number),
    )


def cutoff_before(as_of: date, cutoffs: Sequence[tuple[int, int]]) -> date:
    """The latest cutoff date (month, day) strictly before ``as_of``."""
    if not cutoffs:
        raise InvalidValue("cutoffs", "at least one cutoff is required")
    candidates = [
        date(year, month, day) for year in (as_of.year - 1, as_of.year) for month, day in cutoffs
    ]
    return max(day for day in candidates if day < as_of)
