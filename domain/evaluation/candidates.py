"""Candidates (考生) of a session: the enrolment check on an eligibility route, the record an
enrolment event carries, and the certificate basis of a passing candidate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.certificate import BasisKind, Bypass
from domain.eligibility import (
    CandidateFacts,
    EligibilityResult,
    EligibilityRoute,
    RouteKind,
    check_eligibility,
)
from domain.errors import DomainRuleViolation
from domain.organisation import Organisation, OrganisationKind
from domain.skill_level import SkillLevel
from domain.worker import Worker

__all__ = [
    "Enrolment",
    "certificate_basis",
    "check_enrolment",
    "check_new_candidates",
    "evidence_record",
    "new_candidate",
]

BYPASS_OF_ROUTE = {
    RouteKind.DIRECT_RECOGNITION: Bypass.DIRECT_RECOGNITION,
    RouteKind.FAST_TRACK: Bypass.FAST_TRACK,
    RouteKind.COMPETITION_PROMOTION: Bypass.COMPETITION_PROMOTION,
}


@dataclass(frozen=True)
class Enrolment:
    """A candidate's enrolment, checked but not yet recorded: the eligibility result and the
    candidate record ``Evaluation.enrol_all`` records."""

    result: EligibilityResult
    record: Mapping[str, Any]


def evidence_record(facts: CandidateFacts) -> dict[str, Any]:
    """The facts an eligibility check relied on, as JSON-safe data for the enrolment event."""
    return {
        "levels_held": [
            {
                "occupation_code": held.occupation_code,
                "level": held.level.code,
                "obtained_on": held.obtained_on.isoformat(),
                "certificate_number": held.certificate_number,
            }
            for held in facts.levels_held
        ],
        "experience": [
            {
                "occupation_code": period.occupation_code,
                "start": period.start.isoformat(),
                "end": period.end.isoformat() if period.end else None,
            }
            for period in facts.experience
        ],
        "diplomas": [
            {
                "kind": diploma.kind.value,
                "awarded_on": diploma.awarded_on.isoformat() if diploma.awarded_on else None,
                "relevant": diploma.relevant,
                "reference": diploma.reference,
            }
            for diploma in facts.diplomas
        ],
        "titles": [
            {
                "series": title.series,
                "grade": title.grade.value,
                "awarded_on": title.awarded_on.isoformat(),
                "relevant": title.relevant,
            }
            for title in facts.titles
        ],
        "evidence_reference": facts.evidence_reference,
    }


def check_enrolment(
    *,
    reference: str,
    level: SkillLevel,
    occupation_code: str,
    enrolled: Mapping[str, Any],
    body: Organisation,
    worker: Worker,
    route: EligibilityRoute,
    facts: CandidateFacts,
    on: date,
    actor: str,
) -> Enrolment:
    """Check ``worker``'s enrolment in session ``reference`` (of ``level`` in
    ``occupation_code``, with candidates ``enrolled`` by worker id): not yet a candidate, own
    staff for a ``Y`` body, eligible on ``route`` on ``on``."""
    if str(worker.id) in enrolled:
        raise DomainRuleViolation(
            "already-enrolled", f"{worker.name} is already a candidate of {reference}"
        )
    if body.kind is OrganisationKind.EMPLOYER and not worker.is_staff_of(body.id, on):
        raise DomainRuleViolation(
            "not-own-staff",
            f"{body.name} evaluates only its own staff (incl. dispatched, outsourced and "
            f"affiliated); {worker.name} ({worker.masked_id_number}) is not employed there "
            f"on {on.isoformat()}",
        )
    if facts.occupation_code != occupation_code:
        raise DomainRuleViolation(
            "wrong-occupation",
            f"the facts are for {facts.occupation_code}; the session is {occupation_code}",
        )
    if route.kind.is_bypass and not facts.evidence_reference.strip():
        raise DomainRuleViolation(
            "candidate-ineligible",
            f"route {route.id} ({route.edition_key}) for {level.name_zh}: "
            f"{route.kind.value} needs an evidence reference; none given",
        )
    result = check_eligibility(route, facts, level, on)
    result.raise_if_ineligible()
    return Enrolment(
        result,
        {
            "worker_id": worker.id,
            "name": worker.name,
            "masked_id_number": worker.masked_id_number,
            "route": {
                "id": route.id,
                "kind": route.kind.value,
                "edition": route.edition_key,
                "description": route.description,
                "previous_level": route.previous_level.code if route.previous_level else None,
            },
            "evidence": evidence_record(facts),
            "satisfied": list(result.satisfied),
            "on": on.isoformat(),
            "actor": actor,
        },
    )


def new_candidate(
    worker_id: UUID,
    name: str,
    masked_id_number: str,
    route: dict[str, Any],
    evidence: dict[str, Any],
    satisfied: list[str],
    on: str,
    actor: str,
) -> dict[str, Any]:
    """A candidate as an enrolment event records it: no scores, result or certificate yet."""
    return {
        "worker_id": worker_id,
        "name": name,
        "masked_id_number": masked_id_number,
        "route": route,
        "evidence": evidence,
        "satisfied": satisfied,
        "enrolled_on": on,
        "enrolled_by": actor,
        "scores": {},
        "withdrawn": None,
        "certificate_number": None,
    }


def certificate_basis(
    evaluation_id: UUID, reference: str, candidate: Mapping[str, Any]
) -> dict[str, Any]:
    """The certificate basis for a passing candidate: the session and the route taken.

    A bypass route (直接认定, 破格晋升, 竞赛晋升) carries its evidence as the bypass; an
    entry route that needs no lower certificate (years only, a diploma, a title) is an
    ``entry_route`` bypass whose evidence is the route itself.
    """
    route = candidate["route"]
    basis: dict[str, Any] = {
        "kind": BasisKind.EVALUATION.value,
        "reference": reference,
        "evaluation_id": str(evaluation_id),
        "route": route["id"],
        "edition": route["edition"],
    }
    kind = RouteKind(route["kind"])
    if kind in BYPASS_OF_ROUTE:
        basis["bypass"] = BYPASS_OF_ROUTE[kind].value
        basis["evidence"] = candidate["evidence"]["evidence_reference"]
    elif route["previous_level"] is None:
        basis["bypass"] = Bypass.ENTRY_ROUTE.value
        basis["evidence"] = f"eligibility route {route['edition']}/{route['id']}"
    return basis


def check_new_candidates(
    reference: str, enrolled: Mapping[str, Any], enrolments: Sequence[Enrolment]
) -> None:
    """Many checked enrolments at once: none already a candidate, none twice."""
    seen: set[str] = set()
    for enrolment in enrolments:
        key = str(enrolment.record["worker_id"])
        if key in enrolled or key in seen:
            raise DomainRuleViolation(
                "already-enrolled",
                f"{enrolment.record['name']} is already a candidate of {reference}",
            )
        seen.add(key)
