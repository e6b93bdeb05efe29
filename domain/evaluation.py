"""Evaluation: one self-evaluation session (自主评价) of one body for one occupation and level.

This module holds the session's plan; the enrolment-to-issue workflow builds on it.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainRuleViolation
from domain.identity import natural_id
from domain.occupation import Occupation
from domain.organisation import Organisation, OrganisationStatus
from domain.skill_level import SkillLevel

PASS_MARK = 60


def components_for(level: SkillLevel) -> list[str]:
    """Theory and practical for every level; 技师 and 高级技师 also a comprehensive review."""
    components = ["theory", "practical"]
    if level in (SkillLevel.LEVEL_2, SkillLevel.LEVEL_1):
        components.append("review")
    return components


def check_panel(name: str, examiners: list[str]) -> None:
    """Examiner panels are an odd number, at least three, without duplicates."""
    if len(set(examiners)) != len(examiners):
        raise DomainRuleViolation("panel-duplicate-examiner", f"the {name} panel repeats a name")
    if len(examiners) < 3 or len(examiners) % 2 == 0:
        raise DomainRuleViolation(
            "panel-size",
            f"the {name} panel needs an odd number of at least 3 examiners, has {len(examiners)}",
        )


class Evaluation(Aggregate):
    """A planned self-evaluation session."""

    TOPIC = "craftledger:Evaluation"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:Evaluation.Created"

    @staticmethod
    def create_id(body_id: UUID, reference: str, **_: Any) -> UUID:
        return natural_id("evaluation", str(body_id), reference)

    @event("Planned", topic="craftledger:Evaluation.Planned")
    def __init__(
        self,
        body_id: UUID,
        reference: str,
        occupation_code: str,
        level: str,
        starts_on: str,
        ends_on: str,
        components: list[str],
        panels: dict[str, list[str]],
        actor: str,
    ) -> None:
        self.body_id = body_id
        self.reference = reference
        self.occupation_code = occupation_code
        self.level_code = level
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.components = components
        self.panels = panels
        self.planned_by = actor
        self.status = "planned"

    @classmethod
    def plan(
        cls,
        *,
        body: Organisation,
        reference: str,
        occupation: Occupation,
        level: SkillLevel,
        starts_on: date,
        ends_on: date,
        panels: dict[str, list[str]],
        actor: str,
    ) -> Evaluation:
        """Plan a session inside the body's filed scope, with lawful examiner panels."""
        if body.status is not OrganisationStatus.ACTIVE:
            raise DomainRuleViolation(
                f"issuer-{body.status.value}", f"{body.name} is {body.status.value}"
            )
        if not body.kind.evaluates:
            raise DomainRuleViolation("not-an-evaluation-body", f"{body.name} cannot evaluate")
        if not occupation.allows(level):
            raise DomainRuleViolation(
                "level-not-allowed-for-occupation", f"{occupation.name} has no {level.name_zh}"
            )
        if not body.covers(occupation.code, level):
            raise DomainRuleViolation(
                "outside-filed-scope",
                f"{body.name} is not filed for {occupation.name} {level.name_zh}",
            )
        if ends_on < starts_on:
            raise DomainRuleViolation("invalid-dates", "the session ends before it starts")
        components = components_for(level)
        required = ["practical"] + (["review"] if "review" in components else [])
        for name in required:
            check_panel(name, panels.get(name, []))
        return cls(
            body_id=body.id,
            reference=reference,
            occupation_code=occupation.code,
            level=level.code,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
            components=components,
            panels={k: list(v) for k, v in sorted(panels.items())},
            actor=actor,
        )

    @property
    def level(self) -> SkillLevel:
        return SkillLevel.from_code(self.level_code)
