"""The HR bureau's approvals queue (核准): promotion proposals of finalised competitions, across
all competitions, as the API answers one competition's (``proposal_view``). A pending proposal
is queued once its organiser has submitted it (报送, ``domain.competition_submission``); decided
ones are listed whether or not they were (proposals decided before submissions existed).

There is no cross-competition read model of proposals: the queue lists the finalised
competitions from the leaderboard read model and reads each one's proposals from its aggregate
(the proposals live on the competition). Fine for a district's few dozen competitions a year; a
projection of proposals is the next step if the list grows to hundreds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from domain.competition import Competition, CompetitionStatus
from domain.competition_promotions import ProposalStatus
from domain.competition_submission import is_submitted
from projections.pagination import Page

__all__ = ["QueuedProposal", "finalised_competitions", "proposal_view", "queued_proposals"]

QueuedProposal = dict[str, Any]
"""A proposal as :func:`proposal_view` answers it, with ``competition_id``,
``competition_name``, ``competition_reference`` and ``competition_year``."""


def proposal_view(competition: Competition, result: dict[str, Any]) -> dict[str, Any]:
    """One entrant's promotion as the rule engine answered it, with its decision (if any)."""
    promotion = result["promotion"] or {}
    decision = competition.proposals.get(result["worker_id"], {})
    return {
        "worker_id": result["worker_id"],
        "name": result.get("name") or "",
        "entrant_kind": result["entrant_kind"],
        "group": result["group"],
        "rank": result["rank"],
        "group_size": result["group_size"],
        "award": result["award"],
        "rule_set": promotion.get("rule_set"),
        "outcome": promotion.get("outcome"),
        "rule_id": promotion.get("rule_id"),
        "current_level": promotion.get("current_level"),
        "target_level": promotion.get("target_level"),
        "honour_titles": list(promotion.get("honour_titles") or ()),
        "explanation": promotion.get("explanation"),
        "status": decision.get("status"),
        "submitted_at": decision.get("submitted_at"),
        "certificate_number": decision.get("certificate_number"),
        "decided_by": decision.get("decided_by"),
        "decided_at": decision.get("decided_at"),
        "note": decision.get("note"),
    }


def finalised_competitions(list_competitions: Callable[..., Page]) -> Iterator[dict[str, Any]]:
    """Every finalised competition from the leaderboard read model (``list_competitions`` as
    ``LeaderboardQuery.list_competitions``), newest year first."""
    after = None
    while True:
        page = list_competitions(after=after, limit=500, status=CompetitionStatus.FINALISED.value)
        yield from page.items
        after = page.next_cursor
        if after is None:
            return


def queued_proposals(
    list_competitions: Callable[..., Page], competition_of: Callable[[UUID], Competition]
) -> list[QueuedProposal]:
    """Every submitted proposal of every finalised competition (pending and decided), each with
    its competition; pending ones first, then the newest decisions."""
    found: list[QueuedProposal] = []
    for row in finalised_competitions(list_competitions):
        competition = competition_of(UUID(str(row["id"])))
        for result in competition.results or ():
            proposal = competition.proposals.get(result["worker_id"])
            if result["promotion"] is None or proposal is None:
                continue
            if proposal["status"] == ProposalStatus.PROPOSED and not is_submitted(proposal):
                continue
            found.append(
                {
                    **proposal_view(competition, result),
                    "competition_id": competition.id,
                    "competition_name": competition.name,
                    "competition_reference": competition.reference,
                    "competition_year": competition.year,
                }
            )
    pending = [p for p in found if p["status"] == ProposalStatus.PROPOSED.value]
    decided = [p for p in found if p["status"] != ProposalStatus.PROPOSED.value]
    decided.sort(key=lambda p: p["decided_at"], reverse=True)
    return pending + decided
