"""Competition: one labour and skill competition (劳动和技能竞赛 / 技术比武).

This module holds the announcement; marking, ranking and promotion build on it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainRuleViolation
from domain.identity import natural_id
from domain.organisation import Organisation, OrganisationKind, OrganisationStatus


class CompetitionTier(StrEnum):
    """Competition classes as promotion rules name them."""

    WORLD = "world"  # 世界技能大赛
    NATIONAL_1 = "national_1"  # 国家级一类
    NATIONAL_2 = "national_2"  # 国家级二类
    PROVINCIAL_1 = "provincial_1"  # 省/市级一类
    PROVINCIAL_2 = "provincial_2"  # 省/市级二类
    DISTRICT = "district"  # 区级
    ENTERPRISE_OR_SCHOOL = "enterprise_or_school"  # 企业/院校级


class Competition(Aggregate):
    """An announced competition with its organiser, issuing body and tier."""

    TOPIC = "craftledger:Competition"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:Competition.Created"

    @staticmethod
    def create_id(organiser_id: UUID, reference: str, **_: Any) -> UUID:
        return natural_id("competition", str(organiser_id), reference)

    @event("Announced", topic="craftledger:Competition.Announced")
    def __init__(
        self,
        organiser_id: UUID,
        reference: str,
        name: str,
        tier: str,
        occupation_code: str,
        exam_level: str,
        year: int,
        region: str,
        issuing_body_id: UUID | None,
        marking_scheme: dict[str, Any],
        actor: str,
    ) -> None:
        self.organiser_id = organiser_id
        self.reference = reference
        self.name = name
        self.tier = CompetitionTier(tier)
        self.occupation_code = occupation_code
        self.exam_level = exam_level
        self.year = year
        self.region = region
        self.issuing_body_id = issuing_body_id
        self.marking_scheme = marking_scheme
        self.announced_by = actor
        self.status = "announced"

    @classmethod
    def announce(
        cls,
        *,
        organiser: Organisation,
        reference: str,
        name: str,
        tier: CompetitionTier,
        occupation_code: str,
        exam_level: str,
        year: int,
        region: str,
        issuing_body: Organisation | None,
        marking_scheme: dict[str, Any],
        actor: str,
    ) -> Competition:
        if organiser.status is not OrganisationStatus.ACTIVE:
            raise DomainRuleViolation(
                "organiser-not-active", f"{organiser.name} is {organiser.status.value}"
            )
        if not name.strip():
            raise DomainRuleViolation("invalid-competition", "a competition needs a name")
        if issuing_body is not None and not issuing_body.kind.evaluates:
            raise DomainRuleViolation(
                "not-an-evaluation-body",
                f"{issuing_body.name} cannot issue promotion certificates",
            )
        if organiser.kind is OrganisationKind.SOCIAL and tier is not (
            CompetitionTier.ENTERPRISE_OR_SCHOOL
        ):
            raise DomainRuleViolation(
                "tier-not-allowed", "a social organisation runs only school-level competitions"
            )
        return cls(
            organiser_id=organiser.id,
            reference=reference,
            name=name.strip(),
            tier=tier.value,
            occupation_code=occupation_code,
            exam_level=exam_level,
            year=year,
            region=region,
            issuing_body_id=issuing_body.id if issuing_body else None,
            marking_scheme=marking_scheme,
            actor=actor,
        )
