"""HonourLadder: a union's ordered honour titles (朝阳能手 < 朝阳匠心达人 < 朝阳工匠 < 朝阳大师).

A ladder may require the tier below (逐级评选): with the rule set (``TierRuleSet``, recorded right
after ``Defined`` when asked for, and changed later with a reason), a title of tier k > 0 is
refused (``tier-below-required``) unless the worker holds a standing title of tier k-1 awarded
at least ``min_years_between`` years earlier. A ladder without that event has no rule.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainRuleViolation
from domain.free_text import require_reason
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate


class HonourLadder(LedgerAggregate):
    """Ordered honour tiers defined by a union, and the titles awarded on it."""

    TOPIC = "craftledger:HonourLadder"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:HonourLadder.Created"

    @staticmethod
    def create_id(union_id: UUID, name: str, **_: Any) -> UUID:
        return natural_id("honour-ladder", str(union_id), name)

    @event("Defined", topic="craftledger:HonourLadder.Defined")
    def __init__(self, union_id: UUID, name: str, tiers: list[str], actor: str) -> None:
        self.union_id = union_id
        self.name = name
        self.tiers = tiers
        self.awards: dict[str, dict[str, Any]] = {}
        self.requires_tier_below = False
        self.min_years_between = 0

    @classmethod
    def define(
        cls,
        *,
        union_id: UUID,
        name: str,
        tiers: list[str],
        actor: str,
        requires_tier_below: bool = False,
        min_years_between: int = 1,
    ) -> HonourLadder:
        cleaned = [t.strip() for t in tiers]
        if not cleaned or any(not t for t in cleaned):
            raise DomainRuleViolation("invalid-ladder", "a ladder needs named tiers, lowest first")
        if len(set(cleaned)) != len(cleaned):
            raise DomainRuleViolation("invalid-ladder", "tier names must be distinct")
        if requires_tier_below:
            check_years(min_years_between)
        ladder = cls(union_id=union_id, name=name.strip(), tiers=cleaned, actor=actor)
        if requires_tier_below:
            ladder._tier_rule_set(True, min_years_between, actor, None)
        return ladder

    def set_tier_rule(
        self, requires_tier_below: bool, min_years_between: int, actor: str, reason: str
    ) -> None:
        """Require (or stop requiring) the tier below, with a reason; titles already awarded
        stand."""
        if requires_tier_below:
            check_years(min_years_between)
        else:
            min_years_between = 0
        reason = require_reason(reason, "changing a ladder's tier rule")
        if (requires_tier_below, min_years_between) == (
            self.requires_tier_below,
            self.min_years_between,
        ):
            raise DomainRuleViolation("tier-rule-unchanged", "the ladder already has this rule")
        self._tier_rule_set(requires_tier_below, min_years_between, actor, reason)

    @event("TierRuleSet", topic="craftledger:HonourLadder.TierRuleSet")
    def _tier_rule_set(
        self, requires_tier_below: bool, min_years_between: int, actor: str, reason: str | None
    ) -> None:
        self.requires_tier_below = requires_tier_below
        self.min_years_between = min_years_between if requires_tier_below else 0

    def tier_rank(self, tier: str) -> int:
        if tier not in self.tiers:
            raise DomainRuleViolation("unknown-tier", f"{self.name} has no tier {tier}")
        return self.tiers.index(tier)

    def award(self, award_id: str, worker_id: UUID, tier: str, year: int, actor: str) -> None:
        """Award a title (授予称号) to a worker."""
        rank = self.tier_rank(tier)
        if award_id in self.awards:
            raise DomainRuleViolation("duplicate-award", f"award {award_id} already made")
        if self.requires_tier_below and rank > 0:
            self._check_tier_below(worker_id, rank, year)
        self._title_awarded(award_id, worker_id, tier, year, actor)

    @event("TitleAwarded", topic="craftledger:HonourLadder.TitleAwarded")
    def _title_awarded(
        self, award_id: str, worker_id: UUID, tier: str, year: int, actor: str
    ) -> None:
        self.awards[award_id] = {
            "award_id": award_id,
            "worker_id": worker_id,
            "tier": tier,
            "year": year,
            "withdrawn": None,
        }

    def _check_tier_below(self, worker_id: UUID, rank: int, year: int) -> None:
        below = self.tiers[rank - 1]
        latest = year - self.min_years_between
        if not any(
            a["worker_id"] == worker_id
            and a["tier"] == below
            and not a["withdrawn"]
            and a["year"] <= latest
            for a in self.awards.values()
        ):
            raise DomainRuleViolation(
                "tier-below-required",
                f"{self.tiers[rank]} requires a standing {below} awarded in {latest} or earlier",
                tier=below,
                year=latest,
            )

    def withdraw(self, award_id: str, actor: str, reason: str) -> None:
        """Withdraw (撤销) a title, with a reason."""
        if award_id not in self.awards or self.awards[award_id]["withdrawn"]:
            raise DomainRuleViolation("unknown-award", f"no standing award {award_id}")
        reason = require_reason(reason, "withdrawing a title")
        self._title_withdrawn(award_id, actor, reason)

    @event("TitleWithdrawn", topic="craftledger:HonourLadder.TitleWithdrawn")
    def _title_withdrawn(self, award_id: str, actor: str, reason: str) -> None:
        self.awards[award_id]["withdrawn"] = reason

    def highest_tier_of(self, worker_id: UUID) -> str | None:
        held = [
            a["tier"]
            for a in self.awards.values()
            if a["worker_id"] == worker_id and not a["withdrawn"]
        ]
        return max(held, key=self.tiers.index) if held else None


MAX_YEARS_BETWEEN = 20


def check_years(min_years_between: int) -> None:
    if (
        not isinstance(min_years_between, int)
        or isinstance(min_years_between, bool)
        or not 0 <= min_years_between <= MAX_YEARS_BETWEEN
    ):
        raise DomainRuleViolation(
            "invalid-ladder", f"years between tiers must be 0..{MAX_YEARS_BETWEEN}"
        )
