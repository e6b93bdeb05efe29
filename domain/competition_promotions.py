"""Promotion proposals of a competition (以赛代评) and their approval (核准).

Finalising asks the promotion engine (:func:`~domain.promotion_proposal.propose_promotion`) for
each ranked entrant, given the worker's current level in the occupation and the competition
promotions already granted to them that year (facts the application reads from the ledger);
an answer with a target level becomes a proposal. The organiser submits the proposals to the HR
bureau (报送, ``domain.competition_submission``); a submitted proposal becomes a certificate only
when an admin approves it (核准). On approval the engine is asked again with the facts of that
moment: if the worker has meanwhile used their yearly competition promotion, or their level
changed so that the rule now gives something else, the approval is refused (the proposal can then be
rejected with a reason). The certificate is issued by the competition's issuing body with the
competition as its basis (:func:`promotion_basis`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.china_time import china_date
from domain.competition_results import ALL_ENTRANTS, Standings, rankings_in_order
from domain.errors import DomainRuleViolation
from domain.promotion_proposal import PromotionProposal, propose_promotion
from domain.promotion_rules import CompetitionTier, PromotionOutcome, PromotionRuleSet
from domain.ranking import Award, RankedEntrant, Ranking
from domain.skill_level import SkillLevel

__all__ = [
    "PromotionEngine",
    "ProposalStatus",
    "check_approval",
    "new_proposal",
    "new_proposals",
    "pending",
    "promotion_basis",
    "proposal_of",
]


class ProposalStatus(StrEnum):
    """Where a promotion proposal is (stored as its value in the proposal)."""

    PROPOSED = "proposed"  # awaiting the HR bureau's approval (待核准)
    APPROVED = "approved"  # 核准: certificate issued
    REJECTED = "rejected"  # not approved, with a reason


#: Answers that never depend on the worker's level or yearly count.
_WITHOUT_FACTS = (PromotionOutcome.NOT_COVERED, PromotionOutcome.NOT_QUALIFIED)


@dataclass(frozen=True)
class PromotionEngine:
    """The promotion engine as one competition asks it: its rule set, tier and programme."""

    rule_set: PromotionRuleSet
    tier: CompetitionTier
    programme: str | None

    def ask(
        self,
        *,
        rank: int,
        entrant_count: int,
        entrant_kind: str,
        award: Award | str | None,
        level: SkillLevel | None,
        granted: int,
    ) -> PromotionProposal:
        return propose_promotion(
            self.rule_set,
            tier=self.tier,
            rank=rank,
            entrant_count=entrant_count,
            entrant_kind=entrant_kind,
            award=award,
            current_level=level,
            promotions_granted_this_year=granted,
            programme=self.programme,
        )

    def ask_ranked(
        self,
        entry: RankedEntrant,
        ranking: Ranking,
        entrant_kind: str,
        level: SkillLevel | None,
        granted: int,
    ) -> PromotionProposal:
        return self.ask(
            rank=entry.rank,
            entrant_count=ranking.entrant_count,
            entrant_kind=entrant_kind,
            award=entry.award,
            level=level,
            granted=granted,
        )

    def candidates(self, standings: Standings, kind_of: Callable[[str], str]) -> list[str]:
        """Worker ids (text) whose standing some rule may promote: the ones whose current level
        and yearly count must be read from the ledger. Asks the engine itself (with no level):
        "not covered" and "not qualified" never depend on them. The answers are kept in
        ``standings.answers_without_facts``. ``kind_of``: an entrant's kind by worker id."""
        found = []
        answers = standings.answers_without_facts
        for _, ranking in rankings_in_order(standings):
            for entry in ranking.entries:
                answer = answers.get(entry.entrant_id)
                if answer is None:
                    kind = kind_of(entry.entrant_id)
                    answer = self.ask_ranked(entry, ranking, kind, None, 0)
                    answers[entry.entrant_id] = answer
                if answer.outcome not in _WITHOUT_FACTS:
                    found.append(entry.entrant_id)
        return found

    def published(
        self,
        standings: Standings,
        candidates: Collection[str],
        current_levels: Mapping[str, SkillLevel | None],
        promotions_granted: Mapping[str, int],
        kind_of: Callable[[str], str],
    ) -> Callable[[RankedEntrant, Ranking], dict[str, Any]]:
        """Each ranked entrant's promotion as the ``Finalised`` event stores it."""

        def promotion_of(entry: RankedEntrant, ranking: Ranking) -> dict[str, Any]:
            key = entry.entrant_id
            level = current_levels.get(key) if key in candidates else None
            granted = promotions_granted.get(key, 0) if key in candidates else 0
            answer = (
                standings.answers_without_facts[key]  # the same question, answered
                if level is None and granted == 0
                else self.ask_ranked(entry, ranking, kind_of(key), level, granted)
            )
            return {
                **answer.to_dict(),
                "current_level": None if level is None else level.code,
                "promotions_granted_this_year": granted,
            }

        return promotion_of

    def approvable_level(
        self,
        proposal: Mapping[str, Any],
        result: Mapping[str, Any],
        *,
        current_level: SkillLevel | None,
        promotions_granted: int,
    ) -> SkillLevel:
        """The level approving ``proposal`` now would give, after asking the engine again with
        today's facts; refused when it is no longer what the rules give."""
        answer = self.ask(
            rank=result["rank"],
            entrant_count=result["group_size"],
            entrant_kind=result["entrant_kind"],
            award=result["award"],
            level=current_level,
            granted=promotions_granted,
        )
        if answer.outcome is PromotionOutcome.YEARLY_LIMIT_REACHED:
            raise DomainRuleViolation("competition-promotion-yearly-limit", answer.explanation)
        if answer.target_level is None or answer.target_level.code != proposal["target_level"]:
            raise DomainRuleViolation(
                "proposal-outdated",
                f"the proposal was {SkillLevel.from_code(proposal['target_level']).name_zh}; "
                f"with the worker's facts today the rules say: {answer.explanation}",
            )
        return answer.target_level


def proposal_of(
    proposals: Mapping[str, dict[str, Any]], worker_key: str, competition: str
) -> dict[str, Any]:
    """The proposal for a worker (by worker id text) of ``competition`` (its name)."""
    found = proposals.get(worker_key)
    if found is None:
        raise DomainRuleViolation(
            "no-such-proposal", f"{competition} proposes no promotion for worker {worker_key}"
        )
    return found


def pending(proposal: dict[str, Any]) -> dict[str, Any]:
    """The proposal, if it awaits the HR bureau's decision (待核准): not decided, and submitted
    by the organiser (报送, ``domain.competition_submission``)."""
    if proposal["status"] != ProposalStatus.PROPOSED:
        raise DomainRuleViolation(
            "proposal-decided", f"the proposal is already {proposal['status']}"
        )
    if proposal.get("submitted_at") is None:
        raise DomainRuleViolation(
            "proposal-not-submitted",
            "the organiser has not submitted this proposal to the HR bureau (报送) yet",
        )
    return proposal


def check_approval(proposal: Mapping[str, Any], level: SkillLevel) -> None:
    """Refuse to record an approval at another level than the one proposed."""
    if level.code != proposal["target_level"]:
        raise DomainRuleViolation(
            "proposal-outdated", f"the proposal is for level {proposal['target_level']}"
        )


def new_proposal(result: Mapping[str, Any]) -> dict[str, Any] | None:
    """The pending proposal a published result makes, if its promotion has a target level."""
    promotion = result["promotion"]
    if promotion is None or promotion["target_level"] is None:
        return None
    return {
        "worker_id": result["worker_id"],
        "target_level": promotion["target_level"],
        "rule_id": promotion["rule_id"],
        "status": ProposalStatus.PROPOSED.value,
        "certificate_number": None,
        "decided_by": None,
        "decided_at": None,
        "note": None,
    }


def new_proposals(results: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The pending proposals of published results, by worker id (text)."""
    proposals = {}
    for result in results:
        proposal = new_proposal(result)
        if proposal is not None:
            proposals[result["worker_id"]] = proposal
    return proposals


def promotion_basis(
    *,
    competition_id: UUID,
    competition: str,
    proposal: Mapping[str, Any],
    result: Mapping[str, Any],
    at: datetime,
    actor: str,
) -> dict[str, Any]:
    """The certificate basis of an approved promotion: the competition (named as
    ``competition``: name, reference, tier, year), the competition promotion bypass, and
    evidence naming the standing, the rule and the approval."""
    group = "" if result["group"] == ALL_ENTRANTS else f" {result['group']}s"
    award = "" if result["award"] is None else f", {result['award']}"
    evidence = (
        f"以赛代评: {competition}: "
        f"rank {result['rank']} of {result['group_size']}{group}{award}; "
        f"rule {proposal['rule_id']}; 核准 by {actor} on {china_date(at).isoformat()}"
    )
    return {
        "kind": "competition",
        "reference": str(competition_id),
        "bypass": "competition_promotion",
        "evidence": evidence,
    }
