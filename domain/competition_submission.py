"""Submitting a competition's promotion proposals to the HR bureau (报送人社部门).

Finalising makes the proposals (:mod:`domain.competition_promotions`); the organiser then
submits them, and only submitted proposals reach the HR bureau's approvals queue (核准). One
submission takes every pending proposal not yet submitted; the ``ProposalsSubmitted`` event
names them, and each proposal keeps when and by whom it was submitted (``submitted_at``,
``submitted_by``; absent on proposals finalised before submissions existed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.competition_promotions import ProposalStatus
from domain.errors import DomainRuleViolation

__all__ = ["is_submitted", "unsubmitted"]


def is_submitted(proposal: Mapping[str, Any]) -> bool:
    """Whether ``proposal`` has been submitted to the HR bureau."""
    return proposal.get("submitted_at") is not None


def unsubmitted(proposals: Mapping[str, Mapping[str, Any]], competition: str) -> list[str]:
    """The worker ids (text) of the pending proposals not yet submitted, in proposal order;
    refused (``no-proposals-to-submit``) when there are none."""
    found = [
        key
        for key, proposal in proposals.items()
        if proposal["status"] == ProposalStatus.PROPOSED and not is_submitted(proposal)
    ]
    if not found:
        raise DomainRuleViolation(
            "no-proposals-to-submit",
            f"{competition} has no pending promotion proposals left to submit",
        )
    return found
