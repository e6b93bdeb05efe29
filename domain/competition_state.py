"""What a competition knows, read: the state the ``Competition`` aggregate
(``domain.competition``) records, and the reads and guards its commands share.

``CompetitionState`` is a plain mixin of ``Competition`` (no events: every event is recorded by
the aggregate itself): the marking scheme and tie-breaks as parsed, entrants, the mark book,
the judging panels (``domain.competition_panels``), the promotion engine, results and
proposals. Keeping them here leaves the aggregate its commands and events.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, cast
from uuid import UUID

from domain.competition_announcement import BoardVisibility, default_tie_breaks
from domain.competition_entrants import require_not_withdrawn
from domain.competition_marks import MarkBook
from domain.competition_panels import Panels
from domain.competition_promotions import PromotionEngine, pending, proposal_of
from domain.competition_results import ALL_ENTRANTS
from domain.errors import DomainRuleViolation
from domain.marking_scheme import MarkingScheme
from domain.promotion_rule_sets import find_rule_set
from domain.promotion_rules import CompetitionTier, PromotionRuleSet
from domain.ranking import TieBreakOrder

__all__ = ["CompetitionState", "CompetitionStatus", "key_of"]


class CompetitionStatus(StrEnum):
    """Where a competition is in its life."""

    ANNOUNCED = "announced"  # registration open, nothing marked yet
    MARKING = "marking"  # at least one mark recorded
    FINALISED = "finalised"  # results computed and published


def key_of(worker_id: UUID | str) -> str:
    """Entrants are keyed by the text of their worker id (JSON-safe state)."""
    return str(worker_id)


class CompetitionState:
    """The reads of a competition's recorded state (mixed into ``Competition``)."""

    # the state ``Competition``'s events record (see its ``Announced`` event)
    name: str
    tier: CompetitionTier
    programme: str | None
    status: CompetitionStatus
    separate_groups: bool
    marking_scheme: dict[str, Any]
    tie_breaks: dict[str, Any] | None
    promotion_rule_set: str | None
    entrants: dict[str, dict[str, Any]]
    marks: dict[str, dict[str, dict[str, str]]]
    reviews: dict[str, dict[str, dict[str, Any]]]
    locks: dict[str, dict[str, Any]]
    results: list[dict[str, Any]] | None
    result_index: dict[str, int]
    proposals: dict[str, dict[str, Any]]
    # Class defaults: where a competition restored from a snapshot taken before panels and
    # board choices existed starts. The events replace these mappings, never mutate them.
    #: component -> [{"name", "login"}]: the judging panels (``domain.competition_panels``).
    panels = cast(dict[str, list[dict[str, Any]]], MappingProxyType({}))
    #: component -> judge name -> when the judge submitted their marks.
    submitted = cast(dict[str, dict[str, datetime]], MappingProxyType({}))
    provisional_board = BoardVisibility.PUBLIC_AFTER_LOCK.value

    @property
    def scheme(self) -> MarkingScheme:
        """The marking scheme (parsed from the stored form)."""
        return MarkingScheme.from_dict(self.marking_scheme)

    @property
    def tie_break_order(self) -> TieBreakOrder:
        if self.tie_breaks is None:
            return default_tie_breaks(self.scheme)
        return TieBreakOrder.from_dict(self.tie_breaks)

    @property
    def rule_set(self) -> PromotionRuleSet | None:
        return None if self.promotion_rule_set is None else find_rule_set(self.promotion_rule_set)

    @property
    def is_final(self) -> bool:
        return self.status == CompetitionStatus.FINALISED

    def require_final(self) -> None:
        """Refuse what needs the final results (approving promotions) before finalisation."""
        if not self.is_final:
            raise DomainRuleViolation("results-not-final", f"{self.name} has no final results yet")

    def entrant(self, worker_id: UUID | str) -> dict[str, Any]:
        found = self.entrants.get(key_of(worker_id))
        if found is None:
            raise DomainRuleViolation(
                "not-an-entrant", f"worker {worker_id} is not registered for {self.name}"
            )
        return found

    def active_entrants(self) -> list[dict[str, Any]]:
        """Registered, not withdrawn entrants in registration order."""
        return [e for e in self.entrants.values() if e["withdrawn"] is None]

    def ranking_group(self, entrant_kind: str) -> str:
        return entrant_kind if self.separate_groups else ALL_ENTRANTS

    def mark_book(self, scheme: MarkingScheme | None = None) -> MarkBook:
        """The marks as they stand, with reviews, locks and panels (``scheme``: this
        competition's, when the caller has it parsed already)."""
        return MarkBook(scheme or self.scheme, self.marks, self.reviews, self.locks, self.panels)

    def judging(self) -> Panels:
        """The judging panels and the judges' submissions (``domain.competition_panels``)."""
        return Panels(self.panels, self.submitted)

    def panel_judge(self, component: str, login: str) -> str | None:
        """The judge name ``login`` marks ``component`` under; None if not on its panel."""
        return self.judging().judge_of(component, login)

    def components_of(self, login: str) -> list[str]:
        """The components whose panel names ``login``, in the marking scheme's order."""
        return self.judging().components_of(login, self.scheme.component_names)

    def engine(self) -> PromotionEngine | None:
        """The promotion engine as this competition asks it; None without a rule set."""
        rule_set = self.rule_set
        return None if rule_set is None else PromotionEngine(rule_set, self.tier, self.programme)

    def result_of(self, worker_id: UUID | str) -> dict[str, Any] | None:
        """The entrant's final result, or None (not final, not ranked)."""
        if self.results is None:
            return None
        index = self.result_index.get(key_of(worker_id))
        return None if index is None else self.results[index]

    def component_marks(self, worker_id: UUID | str, component: str) -> dict[str, str]:
        """``{judge: mark}`` as they stand now."""
        return dict(self.marks.get(key_of(worker_id), {}).get(component, {}))

    def needs_review(
        self, worker_id: UUID | str, component: str, scheme: MarkingScheme | None = None
    ) -> bool:
        """True when the judges' spread is flagged and no review confirms these exact marks.
        (``scheme``: this competition's, when the caller has it parsed already.)"""
        return self.mark_book(scheme).needs_review(key_of(worker_id), component)

    def awards(self) -> list[dict[str, Any]]:
        """The finalised results that carry an award, best first."""
        return [r for r in self.results or () if r["award"] is not None]

    def proposal(self, worker_id: UUID | str) -> dict[str, Any]:
        return proposal_of(self.proposals, key_of(worker_id), self.name)

    def _kind_of(self, worker_id: str) -> str:
        return str(self.entrants[worker_id]["entrant_kind"])

    def _pending(self, worker_id: UUID | str) -> dict[str, Any]:
        return pending(self.proposal(worker_id))

    def _active(self, worker_id: UUID | str) -> dict[str, Any]:
        return require_not_withdrawn(self.entrant(worker_id))

    def _refuse_if_final(self) -> None:
        if self.status == CompetitionStatus.FINALISED:
            raise DomainRuleViolation(
                "results-final", f"the results of {self.name} are final; nothing can change"
            )
