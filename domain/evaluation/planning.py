"""Planning a session (计划): inside the body's filed scope, with lawful examiner panels."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from domain.errors import DomainRuleViolation
from domain.evaluation.scores import check_panel, components_for
from domain.occupation import Occupation
from domain.organisation import Organisation, OrganisationStatus
from domain.skill_level import SkillLevel

__all__ = ["check_plan", "require_active"]


def require_active(body: Organisation) -> None:
    """A suspended or revoked body plans, scores, publishes and confirms nothing."""
    if body.status is not OrganisationStatus.ACTIVE:
        raise DomainRuleViolation(
            f"issuer-{body.status.value}", f"{body.name} is {body.status.value}"
        )


def check_plan(
    body: Organisation,
    occupation: Occupation,
    level: SkillLevel,
    starts_on: date,
    ends_on: date,
    panels: Mapping[str, list[str]],
) -> list[str]:
    """Check a plan; return the session's components."""
    require_active(body)
    if not body.kind.evaluates:
        raise DomainRuleViolation("not-an-evaluation-body", f"{body.name} cannot evaluate")
    if not occupation.allows(level):
        raise DomainRuleViolation(
            "level-not-allowed-for-occupation",
            f"{occupation.name} ({occupation.code}) has no {level.name_zh}",
        )
    if not body.covers(occupation.code, level):
        filed = sorted(SkillLevel.from_code(code) for code in body.scope.get(occupation.code, []))
        levels = ", ".join(filed_level.name_zh for filed_level in filed) or "no level"
        raise DomainRuleViolation(
            "outside-filed-scope",
            f"{body.name} is not filed for {occupation.name} ({occupation.code}) "
            f"{level.name_zh}; its filing scope covers {levels} of it",
        )
    if ends_on < starts_on:
        raise DomainRuleViolation("invalid-dates", "the session ends before it starts")
    components = components_for(level)
    required = ["practical"] + (["review"] if "review" in components else [])
    for name in required:
        check_panel(name, panels.get(name, []))
    return components
