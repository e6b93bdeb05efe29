"""HonourLadder: a union's ordered honour titles (朝阳能手 < 朝阳匠心达人 < 朝阳工匠 < 朝阳大师)."""

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

    @classmethod
    def define(cls, *, union_id: UUID, name: str, tiers: list[str], actor: str) -> HonourLadder:
        cleaned = [t.strip() for t in tiers]
        if not cleaned or any(not t for t in cleaned):
            raise DomainRuleViolation("invalid-ladder", "a ladder needs named tiers, lowest first")
        if len(set(cleaned)) != len(cleaned):
            raise DomainRuleViolation("invalid-ladder", "tier names must be distinct")
        return cls(union_id=union_id, name=name.strip(), tiers=cleaned, actor=actor)

    def tier_rank(self, tier: str) -> int:
        if tier not in self.tiers:
            raise DomainRuleViolation("unknown-tier", f"{self.name} has no tier {tier}")
        return self.tiers.index(tier)

    def award(self, award_id: str, worker_id: UUID, tier: str, year: int, actor: str) -> None:
        """Award a title (授予称号) to a worker."""
        self.tier_rank(tier)
        if award_id in self.awards:
            raise DomainRuleViolation("duplicate-award", f"award {award_id} already made")
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
