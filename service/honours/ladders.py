"""Defining a union's honour ladder, awarding titles on it and withdrawing them."""

from __future__ import annotations

from uuid import UUID

from domain.errors import DomainRuleViolation
from domain.honour_ladder import HonourLadder
from domain.organisation import OrganisationKind
from service.commands import Recorded, retried
from service.ledger_store import LedgerStore

__all__ = ["Honours"]


class Honours:
    """Commands on honour ladders (``ledger.honours``)."""

    def __init__(self, ledger: LedgerStore) -> None:
        self._ledger = ledger

    @retried
    def define_honour_ladder(
        self,
        *,
        union_id: UUID,
        name: str,
        tiers: list[str],
        actor: str,
        requires_tier_below: bool = False,
        min_years_between: int = 1,
    ) -> Recorded:
        union = self._ledger.organisation(union_id)
        if union.kind is not OrganisationKind.UNION:
            raise DomainRuleViolation("not-a-union", f"{union.name} is not a union")
        if self._ledger.exists(HonourLadder.create_id(union_id=union_id, name=name)):
            raise DomainRuleViolation("duplicate-ladder", f"{union.name} already has {name}")
        return self._ledger.record(
            HonourLadder.define(
                union_id=union_id,
                name=name,
                tiers=tiers,
                actor=actor,
                requires_tier_below=requires_tier_below,
                min_years_between=min_years_between,
            )
        )

    @retried
    def set_tier_rule(
        self,
        ladder_id: UUID,
        *,
        requires_tier_below: bool,
        min_years_between: int,
        actor: str,
        reason: str,
    ) -> Recorded:
        """Require (or stop requiring) the tier below on a ladder, with a reason."""
        ladder = self._ledger.honour_ladder(ladder_id)
        ladder.set_tier_rule(requires_tier_below, min_years_between, actor, reason)
        return self._ledger.record(ladder)

    @retried
    def award_honour(
        self, ladder_id: UUID, *, award_id: str, worker_id: UUID, tier: str, year: int, actor: str
    ) -> Recorded:
        ladder = self._ledger.honour_ladder(ladder_id)
        self._ledger.worker(worker_id)
        ladder.award(award_id, worker_id, tier, year, actor)
        return self._ledger.record(ladder)

    @retried
    def withdraw_honour(
        self, ladder_id: UUID, *, award_id: str, actor: str, reason: str
    ) -> Recorded:
        ladder = self._ledger.honour_ladder(ladder_id)
        ladder.withdraw(award_id, actor, reason)
        return self._ledger.record(ladder)
