"""Promotion proposals of a finalised competition (以赛代评): listing them with the rule engine's
answer, submitting them to the HR bureau (报送, by the organiser), approving (核准, which issues
the certificate) and rejecting (不予核准)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from domain.api_token import Role
from domain.competition import Competition
from service.api.auth import access, current_principal, forbidden
from service.api.competitions.blueprint import ORGANISER_RULES, blp, organised
from service.api.fields import ReasonSchema, text
from service.app_services import ledger
from service.commands import Recorded
from service.competitions.approval_queue import proposal_view
from service.competitions.leaderboard import sees_everything


class PromotionProposalArgs(ma.Schema):
    all = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "also every other entrant's rule-engine answer (why not)"},
    )


class PromotionProposalSchema(ma.Schema):
    worker_id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    entrant_kind = ma.fields.String(required=True)
    group = ma.fields.String(required=True)
    rank = ma.fields.Integer(required=True)
    group_size = ma.fields.Integer(required=True)
    award = ma.fields.String(required=True, allow_none=True)
    rule_set = ma.fields.String(required=True)
    outcome = ma.fields.String(required=True)
    rule_id = ma.fields.String(required=True, allow_none=True)
    current_level = ma.fields.String(required=True, allow_none=True)
    target_level = ma.fields.String(required=True, allow_none=True)
    honour_titles = ma.fields.List(ma.fields.String(), required=True)
    explanation = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "proposed, approved or rejected; null when nothing proposed"},
    )
    submitted_at = ma.fields.DateTime(
        allow_none=True,
        metadata={"description": "when the organiser submitted it to the HR bureau (报送)"},
    )
    certificate_number = ma.fields.String(required=True, allow_none=True)
    decided_by = ma.fields.String(required=True, allow_none=True)
    decided_at = ma.fields.DateTime(required=True, allow_none=True)
    note = ma.fields.String(required=True, allow_none=True)


class PromotionProposalListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PromotionProposalSchema), required=True)


class ApprovePromotionSchema(ma.Schema):
    note = text(500, load_default="", description="recorded with the approval")


@blp.route("/<uuid:competition_id>/proposals", methods=["GET"])
@access(
    admin="any competition",
    auditor="any competition",
    organiser="competitions of its own union",
    worker="its own proposal",
)
@blp.arguments(PromotionProposalArgs, location="query")
@blp.query(PromotionProposalListSchema)
def list_proposals(args: dict[str, Any], competition_id: UUID) -> Any:
    """Promotion proposals of the final results (以赛代评), each with the rule that produced
    it, the worker's level then, and its approval status; ``all=true`` adds every other
    entrant's rule-engine answer."""
    competition = ledger().competition(competition_id)
    principal = current_principal()
    own = principal.is_(Role.WORKER)
    if not own and not sees_everything(competition, principal):
        raise forbidden("an organiser token sees only its own union's proposals")
    items = [
        proposal_view(competition, result)
        for result in competition.results or ()
        if result["promotion"] is not None
        and (args["all"] or result["worker_id"] in competition.proposals)
        and (not own or result["worker_id"] == str(principal.worker_id))
    ]
    return {"items": items}


class SubmitProposalsSchema(ma.Schema):
    """Submitting takes no fields: every pending proposal not yet submitted is."""


@blp.route("/<uuid:competition_id>/proposals/submit", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(SubmitProposalsSchema, PromotionProposalListSchema)
def submit_proposals(body: dict[str, Any], competition_id: UUID) -> Any:
    """Submit the pending proposals to the HR bureau (报送): only submitted proposals reach its
    approvals queue. Answers the proposals this submission took; refused
    (``no-proposals-to-submit``) when none is left, (``results-not-final``) before the results."""
    before = organised(competition_id).proposals
    recorded = ledger().competitions.submit_proposals(
        competition_id, actor=current_principal().actor
    )
    competition: Competition = recorded.aggregate
    taken = {key for key, p in competition.proposals.items() if p != before.get(key)}
    items = [
        proposal_view(competition, result)
        for result in competition.results or ()
        if result["worker_id"] in taken
    ]
    return recorded, {"items": items}


def decided(recorded: Recorded, worker_id: UUID) -> tuple[Recorded, dict[str, Any]]:
    """What an approval or rejection recorded, answered as the proposal now stands."""
    competition: Competition = recorded.aggregate
    result = competition.result_of(worker_id)
    return recorded, proposal_view(competition, result or {})


@blp.route("/<uuid:competition_id>/proposals/<uuid:worker_id>/approve", methods=["POST"])
@access(admin="the HR bureau approves (核准)")
@blp.command(ApprovePromotionSchema, PromotionProposalSchema)
def approve_proposal(body: dict[str, Any], competition_id: UUID, worker_id: UUID) -> Any:
    """Approve (核准) a promotion: the rules are asked again with today's facts (yearly cap,
    current level), then the issuing body issues the certificate with the competition as its
    basis, saved with the approval."""
    recorded = ledger().competitions.approve_promotion(
        competition_id, worker_id, **body, actor=current_principal().actor
    )
    return decided(recorded, worker_id)


@blp.route("/<uuid:competition_id>/proposals/<uuid:worker_id>/reject", methods=["POST"])
@access(admin="the HR bureau decides (不予核准)")
@blp.command(ReasonSchema, PromotionProposalSchema)
def reject_proposal(body: dict[str, Any], competition_id: UUID, worker_id: UUID) -> Any:
    """Do not approve a promotion, with the reason."""
    recorded = ledger().competitions.reject_promotion(
        competition_id, worker_id, **body, actor=current_principal().actor
    )
    return decided(recorded, worker_id)
