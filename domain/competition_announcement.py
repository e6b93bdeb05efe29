"""Announcing a competition (发布竞赛): the rules an announcement must satisfy, checked before
anything is recorded, and what the ``Announced`` event then stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.errors import DomainRuleViolation, InvalidValue
from domain.marking_scheme import MarkingScheme
from domain.occupation import find_occupation
from domain.organisation import Organisation, OrganisationKind, OrganisationStatus
from domain.promotion_rule_sets import find_rule_set
from domain.promotion_rules import CompetitionTier
from domain.ranking import TieBreakOrder
from domain.skill_level import SkillLevel

__all__ = [
    "Announcement",
    "BoardVisibility",
    "announcement",
    "board_visibility",
    "default_tie_breaks",
]

#: Years a competition may be announced for.
_YEARS = range(1949, 2101)


class BoardVisibility(StrEnum):
    """Who sees the provisional board before the results are final (the organiser's choice;
    organisers, admins and auditors always see it): ``service.competitions.leaderboard``."""

    PUBLIC_AFTER_LOCK = "public-after-lock"  # locked components' scores only; the default
    PUBLIC = "public"  # the live board
    PRIVATE = "private"  # no board until final


def board_visibility(value: object, field: str, current: str | None = None) -> str:
    """``value`` as a :class:`BoardVisibility` value (else :class:`InvalidValue` naming
    ``field``), refused when it is the ``current`` one (``visibility-unchanged``)."""
    if not isinstance(value, str) or value not in set(BoardVisibility):
        raise InvalidValue(
            field, f"{value!r} is not one of {', '.join(v.value for v in BoardVisibility)}"
        )
    if value == current:
        raise DomainRuleViolation(
            "visibility-unchanged", f"the provisional board is already {value}"
        )
    return BoardVisibility(value).value


def default_tie_breaks(scheme: MarkingScheme) -> TieBreakOrder:
    """Components by descending weight (scheme order among equal weights), then earlier finish.

    With practical 70 / theory 30 this is "practical first, then theory, then earlier finish".
    """
    ordered = sorted(enumerate(scheme.components), key=lambda item: (-item[1].weight, item[0]))
    return TieBreakOrder(
        components=tuple(component.name for _, component in ordered), earlier_finish=True
    )


@dataclass(frozen=True)
class Announcement:
    """A checked announcement: exactly the fields of the ``Announced`` event."""

    organiser_id: UUID
    reference: str
    name: str
    tier: str
    occupation_code: str
    exam_level: str
    year: int
    region: str
    issuing_body_id: UUID | None
    marking_scheme: dict[str, Any]
    actor: str
    tie_breaks: dict[str, Any]
    promotion_rule_set: str | None
    programme: str | None
    separate_groups: bool
    provisional_board: str

    def event_fields(self) -> dict[str, Any]:
        return asdict(self)


def _tie_break_order(
    scheme: MarkingScheme, tie_breaks: TieBreakOrder | Mapping[str, Any] | None
) -> TieBreakOrder:
    if tie_breaks is None:
        order = default_tie_breaks(scheme)
    elif isinstance(tie_breaks, TieBreakOrder):
        order = tie_breaks
    else:
        order = TieBreakOrder.from_dict(tie_breaks)
    unknown = [c for c in order.components if c not in scheme.component_names]
    if unknown:
        raise InvalidValue(
            "tie-break components",
            f"not in the marking scheme: {', '.join(unknown)}; "
            f"have {', '.join(scheme.component_names)}",
        )
    return order


def _check_bodies(
    organiser: Organisation,
    issuing_body: Organisation | None,
    tier: CompetitionTier,
    occupation_code: str,
    occupation_name: str,
) -> None:
    if issuing_body is not None and not issuing_body.kind.evaluates:
        raise DomainRuleViolation(
            "not-an-evaluation-body",
            f"{issuing_body.name} cannot issue promotion certificates",
        )
    if issuing_body is not None and occupation_code not in issuing_body.scope:
        raise DomainRuleViolation(
            "outside-filed-scope",
            f"{issuing_body.name} is not filed for {occupation_name} ({occupation_code}), "
            "so it cannot issue this competition's promotion certificates",
        )
    if (
        organiser.kind is OrganisationKind.SOCIAL
        and tier is not CompetitionTier.ENTERPRISE_OR_SCHOOL
    ):
        raise DomainRuleViolation(
            "tier-not-allowed", "a social organisation runs only school-level competitions"
        )


def announcement(
    *,
    organiser: Organisation,
    reference: str,
    name: str,
    tier: CompetitionTier | str,
    occupation_code: str,
    exam_level: str,
    year: int,
    region: str,
    issuing_body: Organisation | None,
    marking_scheme: Mapping[str, Any],
    actor: str,
    tie_breaks: TieBreakOrder | Mapping[str, Any] | None = None,
    promotion_rule_set: str | None = None,
    programme: str | None = None,
    separate_groups: bool = False,
    provisional_board: BoardVisibility | str = BoardVisibility.PUBLIC_AFTER_LOCK,
) -> Announcement:
    """Check an announcement; every rule it breaks is named (see ``domain.competition``)."""
    if organiser.status is not OrganisationStatus.ACTIVE:
        raise DomainRuleViolation(
            "organiser-not-active", f"{organiser.name} is {organiser.status.value}"
        )
    if not isinstance(name, str) or not name.strip():
        raise DomainRuleViolation("invalid-competition", "a competition needs a name")
    if not isinstance(reference, str) or not reference.strip():
        raise DomainRuleViolation("invalid-competition", "a competition needs a reference")
    try:
        competition_tier = CompetitionTier(tier)
    except ValueError:
        raise InvalidValue(
            "tier", f"{tier!r} is not one of {', '.join(t.value for t in CompetitionTier)}"
        ) from None
    if isinstance(year, bool) or not isinstance(year, int) or year not in _YEARS:
        raise InvalidValue("year", f"expected a year {_YEARS.start}..{_YEARS.stop - 1}")
    if not isinstance(region, str) or not region.strip():
        raise InvalidValue("region", "a competition needs a region")
    occupation = find_occupation(occupation_code)
    if occupation is None:
        raise DomainRuleViolation(
            "unknown-occupation", f"no occupation {occupation_code} in the catalogue"
        )
    level = SkillLevel.from_code(exam_level)
    if not level.is_numbered or not occupation.allows(level):
        raise DomainRuleViolation(
            "level-not-allowed-for-occupation",
            f"{occupation.name} ({occupation.code}) has no {level.name_zh} level to examine",
        )
    _check_bodies(organiser, issuing_body, competition_tier, occupation.code, occupation.name)
    scheme = MarkingScheme.from_dict(marking_scheme)
    order = _tie_break_order(scheme, tie_breaks)
    if programme is not None and (not isinstance(programme, str) or not programme.strip()):
        raise InvalidValue("programme", "expected a programme id or nothing")
    programme = None if programme is None else programme.strip()
    if promotion_rule_set is not None:
        rule_set = find_rule_set(promotion_rule_set)
        if not rule_set.in_force_on(date(year, 12, 31)):
            raise DomainRuleViolation(
                "rule-set-not-in-force",
                f"{rule_set.name} takes effect on {rule_set.effective_from.isoformat()}, "
                f"after the competition year {year}",
            )
        if not rule_set.covers_tier(competition_tier, programme):
            raise DomainRuleViolation(
                "rule-set-does-not-cover-tier",
                f"{rule_set.name} has no rule for {competition_tier.value} competitions"
                + ("" if programme is None else f" of the programme {programme}")
                + f"; it covers {', '.join(rule_set.tiers_covered())}",
            )
        if issuing_body is None:
            raise DomainRuleViolation(
                "promotion-needs-issuing-body",
                "a competition that promotes (以赛代评) needs an issuing body for the certificates",
            )
    if not isinstance(separate_groups, bool):
        raise InvalidValue("separate_groups", "expected true or false")
    return Announcement(
        organiser_id=organiser.id,
        reference=reference.strip(),
        name=name.strip(),
        tier=competition_tier.value,
        occupation_code=occupation.code,
        exam_level=level.code,
        year=year,
        region=region.strip(),
        issuing_body_id=issuing_body.id if issuing_body else None,
        marking_scheme=scheme.to_dict(),
        actor=actor,
        tie_breaks=order.to_dict(),
        promotion_rule_set=promotion_rule_set,
        programme=programme,
        separate_groups=separate_groups,
        provisional_board=board_visibility(provisional_board, "provisional_board"),
    )
