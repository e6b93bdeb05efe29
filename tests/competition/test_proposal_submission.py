"""Submitting promotion proposals to the HR bureau (报送): only after the results are final;
the HR bureau decides nothing the organiser has not submitted; one submission takes every
pending proposal (each keeps when and by whom), a second has nothing left; the history
reloads."""

from __future__ import annotations

import pytest

from domain.competition_submission import is_submitted
from domain.errors import DomainRuleViolation
from domain.promotion_rules import CompetitionTier
from tests.competition.arena import ADMIN, ORGANISER, Arena, descending


def test_proposals_are_submitted_once_after_finalisation(arena: Arena):
    ledger = arena.ledger
    competition = arena.announce(CompetitionTier.PROVINCIAL_1)
    field = arena.ranked_field(4)
    with pytest.raises(DomainRuleViolation) as early:
        ledger.competitions.submit_proposals(competition, actor=ORGANISER)
    assert early.value.rule == "results-not-final"
    arena.run(competition, descending(field), submit=False)
    for decide in (
        lambda: ledger.competitions.approve_promotion(competition, field[0], actor=ADMIN),
        lambda: ledger.competitions.reject_promotion(
            competition, field[3], reason="材料不全", actor=ADMIN
        ),
    ):
        with pytest.raises(DomainRuleViolation) as unsubmitted:
            decide()  # the HR bureau decides only what the organiser submitted
        assert unsubmitted.value.rule == "proposal-not-submitted"
    recorded = ledger.competitions.submit_proposals(competition, actor=ORGANISER)
    proposals = ledger.competition(competition).proposals
    assert recorded.aggregate.proposals == proposals  # reloaded from the stored events
    assert all(is_submitted(proposals[str(w)]) for w in field)
    assert proposals[str(field[0])]["submitted_by"] == ORGANISER
    with pytest.raises(DomainRuleViolation) as again:
        ledger.competitions.submit_proposals(competition, actor=ORGANISER)
    assert again.value.rule == "no-proposals-to-submit"
    ledger.competitions.reject_promotion(competition, field[3], reason="材料不全", actor=ADMIN)
    ledger.competitions.approve_promotions(competition, actor=ADMIN)  # every submitted one
    decided = ledger.competition(competition).proposals
    assert [decided[str(w)]["status"] for w in field] == ["approved"] * 3 + ["rejected"]
