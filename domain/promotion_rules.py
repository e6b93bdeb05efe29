"""Competition promotion rules (以赛代评 / 竞赛晋级): versioned rule sets.

A :class:`PromotionRuleSet` is data -- a name that is also its version (``"tianjin-2024"``), the
region it applies in, the source document it transcribes, the date it is in force from, an
optional cap on competition promotions per person per year, and ordered
:class:`PromotionRule` s. The concrete rule sets live in :mod:`domain.promotion_rule_sets`.

A rule *covers* a competition by tier (and, if it names one, a competition programme such as
全国技能大赛) and entrant kind (职工 employee / 学生 student; ``None`` = both). It *qualifies* an
entrant when every condition it states holds:

* ``top`` N -- rank <= N (前N名);
* ``top_percent`` P -- rank <= P% of the entrant count, i.e. ``rank * 100 <= P * n`` (前P%);
  with 10 entrants the top 30% are ranks 1-3, with 7 entrants ranks 1-2, with 3 entrants nobody
  (the share is a ceiling that is never exceeded);
* ``award_at_least`` A -- the entrant's award is A or better (优胜奖及以上).

Rank and entrant count are those of the entrant's own group: competitions that rank employees
and students separately (职工组/学生组) pass the group's rank and size. Ties share a rank
(1, 2, 2, 4), so "top 10" includes everyone tied at rank 10.

Level promotion (:class:`LevelPromotion`) comes in two shapes:

* ``to X (then Y)`` -- "to X (X -> Y)": below X (or no level in the occupation) -> X; already X
  -> Y; already Y or above -> nothing (:attr:`PromotionOutcome.NO_HIGHER_LEVEL`). Without a
  ``then``, holding X or above -> nothing. ``then`` is always the numbered level right above X.
* ``one_level_up`` -- "plus one level" (晋升一级): the next numbered level above the current one.
  With no current level there is nothing to raise, so no level is proposed
  (:attr:`PromotionOutcome.NEEDS_CURRENT_LEVEL`; the HR bureau can use direct recognition,
  直接认定); at 一级/高级技师 or an enterprise post above it there is no numbered level left.

The engine that applies a rule set to one entrant:
:func:`domain.promotion_proposal.propose_promotion`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from domain.errors import InvalidValue
from domain.marking_scheme import parse_decimal
from domain.ranking import Award
from domain.rule_data import one_of, record
from domain.skill_level import SkillLevel

__all__ = [
    "CompetitionTier",
    "EntrantKind",
    "LevelPromotion",
    "PromotionOutcome",
    "PromotionRule",
    "PromotionRuleSet",
]

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CompetitionTier(StrEnum):
    """Competition tier (竞赛级别)."""

    WORLD = "world"  # 世界技能大赛
    NATIONAL_1 = "national_1"  # 国家级一类竞赛 (incl. 全国技能大赛)
    NATIONAL_2 = "national_2"  # 国家级二类竞赛
    PROVINCIAL_1 = "provincial_1"  # 省级一类; also city class I (市级一类, 天津 市级综合赛)
    PROVINCIAL_2 = "provincial_2"  # 省级二类; also city class II (市级二类)
    DISTRICT = "district"  # 区级竞赛
    ENTERPRISE_OR_SCHOOL = "enterprise_or_school"  # 企业和院校级竞赛


class EntrantKind(StrEnum):
    """Whether an entrant competes as an employee or a student."""

    EMPLOYEE = "employee"  # 职工选手
    STUDENT = "student"  # 学生选手


class PromotionOutcome(StrEnum):
    """Why a proposal has (or has no) target level."""

    PROPOSED = "proposed"  # a target level is proposed
    NOT_COVERED = "not_covered"  # no rule for this tier / programme / entrant kind
    NOT_QUALIFIED = "not_qualified"  # covered, but rank / percentile / award falls short
    NO_HIGHER_LEVEL = "no_higher_level"  # current level already at or above what the rule gives
    NEEDS_CURRENT_LEVEL = "needs_current_level"  # "one level up" with no current level
    YEARLY_LIMIT_REACHED = "yearly_limit_reached"  # per-person yearly cap already used


# --- level promotion ------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelPromotion:
    """What a qualifying entrant is promoted to: ``to`` X (``then`` Y), or ``one_level_up``."""

    to: SkillLevel | None = None
    then: SkillLevel | None = None
    one_level_up: bool = False

    def __post_init__(self) -> None:
        if self.one_level_up is not True and self.one_level_up is not False:
            raise InvalidValue("promotion", "one_level_up must be true or false")
        if self.one_level_up:
            if self.to is not None or self.then is not None:
                raise InvalidValue("promotion", "one_level_up cannot be combined with to/then")
            return
        if not isinstance(self.to, SkillLevel) or not self.to.is_numbered:
            raise InvalidValue("promotion", "'to' must be a numbered level (5..1)")
        if self.then is not None and self.then is not self.to.next_numbered():
            raise InvalidValue(
                "promotion", f"'then' must be the numbered level right above {self.to.name_zh}"
            )

    def describe(self) -> str:
        if self.one_level_up:
            return "one level up"
        assert self.to is not None
        if self.then is None:
            return f"to {self.to.name_zh}"
        return f"to {self.to.name_zh} ({self.to.name_zh} → {self.then.name_zh})"

    def resolve(
        self, current: SkillLevel | None
    ) -> tuple[SkillLevel | None, PromotionOutcome, str]:
        """(target level or None, outcome, reason) for a worker at ``current``."""
        if self.one_level_up:
            if current is None:
                return (
                    None,
                    PromotionOutcome.NEEDS_CURRENT_LEVEL,
                    "the rule raises the current level by one and the worker holds no level in "
                    "this occupation; the HR bureau may use direct recognition (直接认定)",
                )
            following = current.next_numbered()
            if following is None:
                return (
                    None,
                    PromotionOutcome.NO_HIGHER_LEVEL,
                    f"no numbered level above the current {current.name_zh}",
                )
            return (
                following,
                PromotionOutcome.PROPOSED,
                f"one level above the current {current.name_zh}: {following.name_zh}",
            )
        assert self.to is not None
        if current is None:
            return (
                self.to,
                PromotionOutcome.PROPOSED,
                f"no current level in this occupation, so promote to {self.to.name_zh}",
            )
        if current < self.to:
            return (
                self.to,
                PromotionOutcome.PROPOSED,
                f"current level {current.name_zh} is below {self.to.name_zh}, "
                f"so promote to {self.to.name_zh}",
            )
        if current == self.to and self.then is not None:
            return (
                self.then,
                PromotionOutcome.PROPOSED,
                f"already holds {self.to.name_zh}, so promote to {self.then.name_zh}",
            )
        ceiling = self.to if self.then is None else self.then
        return (
            None,
            PromotionOutcome.NO_HIGHER_LEVEL,
            f"current level {current.name_zh} is already at or above {ceiling.name_zh}, "
            "the highest level this rule gives",
        )

    def to_dict(self) -> dict[str, Any]:
        if self.one_level_up:
            return {"one_level_up": True}
        assert self.to is not None
        return {"to": self.to.code, "then": None if self.then is None else self.then.code}

    @classmethod
    def from_dict(cls, data: object) -> LevelPromotion:
        if not isinstance(data, Mapping):
            raise InvalidValue("promotion", "expected an object")
        if set(data) == {"one_level_up"}:
            return cls(one_level_up=data["one_level_up"])
        if not {"to"} <= set(data) <= {"to", "then"}:
            raise InvalidValue("promotion", "expected {to, then} or {one_level_up}")
        then = data.get("then")
        return cls(
            to=SkillLevel.from_code(data["to"]),
            then=None if then is None else SkillLevel.from_code(then),
        )


# --- rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionRule:
    """One row of a promotion table; see the module docstring for the conditions."""

    id: str
    tiers: frozenset[CompetitionTier]
    promotion: LevelPromotion
    entrant_kind: EntrantKind | None = None
    programme: str | None = None
    top: int | None = None
    top_percent: Decimal | None = None
    award_at_least: Award | None = None
    honour_title: str | None = None
    text: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID.match(self.id):
            raise InvalidValue("rule id", f"expected a kebab-case id, got {self.id!r}")
        tiers = frozenset(self.tiers)
        if not tiers or not all(isinstance(tier, CompetitionTier) for tier in tiers):
            raise InvalidValue("rule tiers", f"{self.id}: expected one or more competition tiers")
        object.__setattr__(self, "tiers", tiers)
        if not isinstance(self.promotion, LevelPromotion):
            raise InvalidValue("rule promotion", f"{self.id}: expected a LevelPromotion")
        if self.entrant_kind is not None and not isinstance(self.entrant_kind, EntrantKind):
            raise InvalidValue("rule entrant kind", f"{self.id}: expected employee or student")
        if self.programme is not None and (
            not isinstance(self.programme, str) or not self.programme
        ):
            raise InvalidValue("rule programme", f"{self.id}: expected a programme id or None")
        if self.top is not None and (
            isinstance(self.top, bool) or not isinstance(self.top, int) or self.top < 1
        ):
            raise InvalidValue("rule top", f"{self.id}: expected a positive integer")
        if self.top_percent is not None:
            percent = parse_decimal(self.top_percent, "rule top_percent")
            if not Decimal(0) < percent <= Decimal(100):
                raise InvalidValue("rule top_percent", f"{self.id}: {percent} is outside (0, 100]")
            object.__setattr__(self, "top_percent", percent)
        if self.award_at_least is not None and not isinstance(self.award_at_least, Award):
            raise InvalidValue("rule award", f"{self.id}: expected an award")
        if self.top is None and self.top_percent is None and self.award_at_least is None:
            raise InvalidValue(
                "rule", f"{self.id}: needs at least one of top, top_percent, award_at_least"
            )

    def covers(
        self, tier: CompetitionTier, entrant_kind: EntrantKind, programme: str | None
    ) -> bool:
        """True if this rule is about competitions like this one and entrants like this one."""
        return (
            tier in self.tiers
            and (self.programme is None or self.programme == programme)
            and (self.entrant_kind is None or self.entrant_kind is entrant_kind)
        )

    def shortfalls(self, rank: int, entrant_count: int, award: Award | None) -> list[str]:
        """Conditions this entrant does not meet; empty when the rule qualifies them."""
        missed: list[str] = []
        if self.top is not None and rank > self.top:
            missed.append(f"rank {rank} is outside the top {self.top}")
        if self.top_percent is not None and rank * 100 > self.top_percent * entrant_count:
            missed.append(
                f"rank {rank} of {entrant_count} is outside the top {_text(self.top_percent)}%"
            )
        if self.award_at_least is not None and (
            award is None or not award.at_least(self.award_at_least)
        ):
            held = "no award" if award is None else award.name_zh
            missed.append(f"{held} is below {self.award_at_least.name_zh}")
        return missed

    def describe_conditions(self) -> str:
        return self._conditions

    @cached_property
    def _conditions(self) -> str:
        """What :meth:`describe_conditions` says, worded once per rule (the engine quotes it
        in the explanation of every entrant the rule covers)."""
        parts: list[str] = []
        if self.top is not None:
            parts.append(f"top {self.top}")
        if self.top_percent is not None:
            parts.append(f"top {_text(self.top_percent)}%")
        if self.award_at_least is not None:
            parts.append(f"{self.award_at_least.name_zh} or better")
        return " and ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tiers": [tier.value for tier in CompetitionTier if tier in self.tiers],
            "programme": self.programme,
            "entrant_kind": None if self.entrant_kind is None else self.entrant_kind.value,
            "top": self.top,
            "top_percent": None if self.top_percent is None else _text(self.top_percent),
            "award_at_least": None if self.award_at_least is None else self.award_at_least.value,
            "promotion": self.promotion.to_dict(),
            "honour_title": self.honour_title,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: object) -> PromotionRule:
        fields = record(
            data,
            "rule",
            required={"id", "tiers", "promotion"},
            optional={
                "programme",
                "entrant_kind",
                "top",
                "top_percent",
                "award_at_least",
                "honour_title",
                "text",
            },
        )
        tiers = fields["tiers"]
        if not isinstance(tiers, list):
            raise InvalidValue("rule tiers", "expected a list of tiers")
        kind = fields.get("entrant_kind")
        award = fields.get("award_at_least")
        percent = fields.get("top_percent")
        if percent is not None and not isinstance(percent, str | int):
            raise InvalidValue("rule top_percent", "expected a decimal string")
        text = fields.get("text", "")
        title = fields.get("honour_title")
        if not isinstance(text, str) or (title is not None and not isinstance(title, str)):
            raise InvalidValue("rule", "text and honour_title must be strings")
        return cls(
            id=fields["id"],
            tiers=frozenset(one_of(CompetitionTier, tier, "rule tiers") for tier in tiers),
            promotion=LevelPromotion.from_dict(fields["promotion"]),
            entrant_kind=None if kind is None else one_of(EntrantKind, kind, "rule entrant kind"),
            programme=fields.get("programme"),
            top=fields.get("top"),
            top_percent=None if percent is None else parse_decimal(percent, "rule top_percent"),
            award_at_least=None if award is None else one_of(Award, award, "rule award"),
            honour_title=title,
            text=text,
        )


@dataclass(frozen=True)
class PromotionRuleSet:
    """A versioned promotion rule set. ``name`` identifies the version (``"tianjin-2024"``);
    ``region`` is an ISO 3166-2 style code (``"CN"`` national, ``"CN-TJ"`` Tianjin);
    ``effective_from`` is the first day it applies; ``supersedes`` names the version it replaces;
    ``max_promotions_per_year`` caps competition promotions per person per year (None = no cap).
    """

    name: str
    title: str
    region: str
    region_name: str
    source_document: str
    effective_from: date
    rules: tuple[PromotionRule, ...]
    max_promotions_per_year: int | None = None
    source_url: str | None = None
    supersedes: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _ID.match(self.name):
            raise InvalidValue("rule set name", f"expected a kebab-case name, got {self.name!r}")
        for label, value in (
            ("title", self.title),
            ("region", self.region),
            ("region name", self.region_name),
            ("source document", self.source_document),
        ):
            if not isinstance(value, str) or not value:
                raise InvalidValue(f"rule set {label}", f"{self.name}: must be non-empty text")
        if not isinstance(self.effective_from, date):
            raise InvalidValue("rule set effective_from", f"{self.name}: expected a date")
        rules = tuple(self.rules)
        if not rules or not all(isinstance(rule, PromotionRule) for rule in rules):
            raise InvalidValue("rule set rules", f"{self.name}: expected one or more rules")
        ids = [rule.id for rule in rules]
        if len(set(ids)) != len(ids):
            raise InvalidValue("rule id", f"{self.name}: rule ids must be unique")
        object.__setattr__(self, "rules", rules)
        cap = self.max_promotions_per_year
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise InvalidValue("max_promotions_per_year", f"{self.name}: expected a positive int")

    def in_force_on(self, day: date) -> bool:
        """True from ``effective_from`` on (a later version may supersede it; see
        :func:`domain.promotion_rule_sets.rule_set_in_force`)."""
        return day >= self.effective_from

    def rule(self, rule_id: str) -> PromotionRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise InvalidValue("rule id", f"{self.name} has no rule {rule_id!r}")

    def rules_covering(
        self, tier: CompetitionTier, entrant_kind: EntrantKind, programme: str | None
    ) -> tuple[PromotionRule, ...]:
        """The rules about competitions and entrants like these (:meth:`PromotionRule.covers`),
        in order; worked out once per tier, entrant kind and programme."""
        key = (tier, entrant_kind, programme)
        covering = self._covering.get(key)
        if covering is None:
            covering = tuple(rule for rule in self.rules if rule.covers(*key))
            self._covering[key] = covering
        return covering

    def covers_tier(self, tier: CompetitionTier, programme: str | None) -> bool:
        """True if some rule is about competitions of this tier (and programme), for some
        entrant kind: a competition it does not cover would propose nobody."""
        return any(
            tier in rule.tiers and (rule.programme is None or rule.programme == programme)
            for rule in self.rules
        )

    def tiers_covered(self) -> list[str]:
        """The tiers some rule names, in tier order."""
        named = {tier for rule in self.rules for tier in rule.tiers}
        return [tier.value for tier in CompetitionTier if tier in named]

    @cached_property
    def _covering(
        self,
    ) -> dict[tuple[CompetitionTier, EntrantKind, str | None], tuple[PromotionRule, ...]]:
        return {}

    def qualified_id(self, rule: PromotionRule | str) -> str:
        """``"<set name>/<rule id>"`` -- the id a proposal reports."""
        return f"{self.name}/{rule if isinstance(rule, str) else rule.id}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: the rule-set data format (dates as ISO strings)."""
        return {
            "name": self.name,
            "title": self.title,
            "region": self.region,
            "region_name": self.region_name,
            "source_document": self.source_document,
            "source_url": self.source_url,
            "effective_from": self.effective_from.isoformat(),
            "supersedes": self.supersedes,
            "max_promotions_per_year": self.max_promotions_per_year,
            "rules": [rule.to_dict() for rule in self.rules],
        }

    @classmethod
    def from_dict(cls, data: object) -> PromotionRuleSet:
        fields = record(
            data,
            "rule set",
            required={
                "name",
                "title",
                "region",
                "region_name",
                "source_document",
                "effective_from",
                "rules",
            },
            optional={"source_url", "supersedes", "max_promotions_per_year"},
        )
        rules = fields["rules"]
        if not isinstance(rules, list):
            raise InvalidValue("rule set rules", "expected a list of rules")
        effective = fields["effective_from"]
        try:
            effective_from = date.fromisoformat(effective)
        except (TypeError, ValueError):
            raise InvalidValue(
                "rule set effective_from", f"{effective!r} is not an ISO date"
            ) from None
        return cls(
            name=fields["name"],
            title=fields["title"],
            region=fields["region"],
            region_name=fields["region_name"],
            source_document=fields["source_document"],
            source_url=fields.get("source_url"),
            effective_from=effective_from,
            supersedes=fields.get("supersedes"),
            max_promotions_per_year=fields.get("max_promotions_per_year"),
            rules=tuple(PromotionRule.from_dict(rule) for rule in rules),
        )


def _text(number: Decimal) -> str:
    return format(number, "f")
