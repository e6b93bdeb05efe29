"""Competitions (劳动和技能竞赛 / 技术比武, 以赛代评): from announcement to approved promotions.

===============================================  ==============================================
``POST /competitions``                           announce: tier, marking scheme, tie-breaks,
                                                 promotion rule set
``GET  /competitions``, ``GET /competitions/{id}``  list (read model) and one competition
``POST /{id}/entrants``, ``GET /{id}/entrants``  register entrants (employee or student)
``POST /{id}/entrants/{worker_id}/withdraw``     withdraw an entrant, with a reason
``POST /{id}/marks``                             judges' marks (a batch, all or nothing)
``POST /{id}/corrections``                       correct a mark, with a reason (never an edit)
``POST /{id}/reviews``                           confirm a flagged spread (复核)
``POST /{id}/finish-times``                      an entrant's finish time (a tie-break)
``POST /{id}/lock``                              lock a component's marks (封分)
``POST /{id}/finalise``                          results, awards, standardised scores, proposals
``GET  /{id}/leaderboard``                       live for the organiser; public once final
``GET  /{id}/proposals``                         promotion proposals and why
``POST /{id}/proposals/{worker_id}/approve``     核准 (admin): issues the certificate
``POST /{id}/proposals/{worker_id}/reject``      不予核准 (admin), with a reason
``GET  /{id}/awards``                            awards of the final results
``GET  /{id}/awards/{worker_id}/credential``     the award as a signed Open Badges credential
===============================================  ==============================================

The organiser's union runs its competitions (admins any); the HR bureau (admin) approves
promotions. Names are masked for the public (张三 → 张*), as on the public certificate page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import url_for
from marshmallow import validate

from domain.api_token import Role
from domain.competition import Competition, CompetitionTier, MarkEntry
from domain.marking_scheme import ComponentKind, JudgeCombination, MarkingScheme
from domain.promotion_rule_sets import RULE_SETS
from domain.promotion_rules import EntrantKind
from domain.ranking import Award, TieBreakOrder
from projections.leaderboard import GROUP_ORDER, STATUSES, LeaderboardQuery
from projections.pagination import Page
from service.api.auth import (
    access,
    acting_organisation,
    authentication_required,
    current_principal,
    forbidden,
    require_organisation,
)
from service.api.credentials import (
    DOCUMENT_RESPONSES,
    VC_MEDIA_TYPES,
    CredentialArgs,
    _document_response,
    _media_type,
    _unavailable,
)
from service.api.fields import (
    LEVEL_CODES,
    ReasonSchema,
    masked_name,
    occupation_code_field,
    text,
)
from service.api.openapi import Blueprint
from service.api.problems import Problem, field_errors, validation_problem
from service.api.reads import PageArgs, WaitHeaders, page_schema, read_after_position
from service.api.services import ledger, services
from service.competitions import EntrantRegistration
from service.credential_issuing import CredentialUnavailable, SignedDocument

blp = Blueprint(
    "competitions",
    __name__,
    url_prefix="/api/v1/competitions",
    description="Skill competitions (以赛代评): announcement, entrants, judges' marks with "
    "corrections, spread reviews and locks, final results with awards, the leaderboard, and "
    "promotion proposals approved (核准) into certificates.",
)

DECIMAL = r"^(100|[0-9]{1,2})(\.[0-9]{1,2})?$"
DECIMAL_ERROR = "a decimal string 0..100, at most 2 places"
READ_MODEL = ("leaderboard",)

ORGANISER_RULES = {"admin": "any competition", "organiser": "competitions of its own union"}
READ_RULES = {
    "admin": "any competition",
    "auditor": "any competition",
    "organiser": "competitions of its own union",
}


# -- schemas --------------------------------------------------------------------------------


class MarkingComponentSchema(ma.Schema):
    name = text(64, required=True)
    weight = ma.fields.String(
        required=True,
        validate=validate.Regexp(DECIMAL, error=DECIMAL_ERROR),
        metadata={"description": "percent, as a decimal string (never a float)"},
    )
    kind = ma.fields.String(
        required=True, validate=validate.OneOf([kind.value for kind in ComponentKind])
    )


class MarkingSchemeSchema(ma.Schema):
    components = ma.fields.List(
        ma.fields.Nested(MarkingComponentSchema),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    combination = ma.fields.String(
        required=True, validate=validate.OneOf([c.value for c in JudgeCombination])
    )
    max_spread = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(DECIMAL, error=DECIMAL_ERROR),
    )


class TieBreakSchema(ma.Schema):
    components = ma.fields.List(
        text(64),
        required=True,
        validate=validate.Length(max=20),
        metadata={"description": "components compared in turn when totals are equal"},
    )
    earlier_finish = ma.fields.Boolean(
        required=True, metadata={"description": "then the earlier finish time"}
    )


class AnnounceCompetitionSchema(ma.Schema):
    organiser_id = ma.fields.UUID(
        load_default=None,
        metadata={"description": "the organising union or body; an organiser may leave it out"},
    )
    reference = ma.fields.String(
        required=True, validate=[validate.Length(min=1, max=64), validate.Regexp(r"^[!-~]+$")]
    )
    name = text(200, required=True)
    tier = ma.fields.String(
        required=True, validate=validate.OneOf([tier.value for tier in CompetitionTier])
    )
    occupation_code = occupation_code_field(required=True)
    exam_level = ma.fields.String(
        required=True,
        validate=validate.OneOf(LEVEL_CODES),
        metadata={"description": "命题层级: the level the papers are set at (5..1)"},
    )
    year = ma.fields.Integer(required=True, strict=True, validate=validate.Range(1949, 2100))
    region = text(100, required=True)
    issuing_body_id = ma.fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "the body that issues promotion certificates"},
    )
    marking_scheme = ma.fields.Nested(MarkingSchemeSchema, required=True)
    tie_breaks = ma.fields.Nested(
        TieBreakSchema,
        load_default=None,
        allow_none=True,
        metadata={
            "description": "default: the components by descending weight, then earlier finish"
        },
    )
    promotion_rule_set = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([rule_set.name for rule_set in RULE_SETS]),
        metadata={
            "description": "promotion rule set (以赛代评), e.g. tianjin-2024; needs an issuing body"
        },
    )
    programme = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "a programme some rules name, e.g. national-skills-competition"},
    )
    separate_groups = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "rank employees and students apart (职工组/学生组)"},
    )


class CompetitionSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    organiser_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    tier = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    exam_level = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    region = ma.fields.String(required=True)
    issuing_body_id = ma.fields.UUID(required=True, allow_none=True)
    marking_scheme = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), required=True)
    tie_breaks = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Raw(), required=True, allow_none=True
    )
    promotion_rule_set = ma.fields.String(required=True, allow_none=True)
    programme = ma.fields.String(required=True, allow_none=True)
    separate_groups = ma.fields.Boolean(required=True)
    status = ma.fields.String(
        required=True, metadata={"description": "announced, marking or finalised"}
    )
    entrants = ma.fields.Integer(required=True, metadata={"description": "active entrants"})
    locked = ma.fields.List(ma.fields.String(), required=True)
    finalised_at = ma.fields.DateTime(required=True, allow_none=True)
    version = ma.fields.Integer(required=True)


class CompetitionSummarySchema(ma.Schema):
    """A competition as the list shows it (from the leaderboard read model)."""

    id = ma.fields.String(required=True)
    organiser_id = ma.fields.String(required=True)
    reference = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    tier = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    exam_level = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    region = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    entrants = ma.fields.Integer(required=True)
    components = ma.fields.List(ma.fields.String(), required=True)
    locked = ma.fields.List(ma.fields.String(), required=True)
    separate_groups = ma.fields.Boolean(required=True)
    announced_at = ma.fields.String(required=True)
    finalised_at = ma.fields.String(required=True, allow_none=True)


class CompetitionListArgs(PageArgs):
    organiser_id = ma.fields.UUID()
    year = ma.fields.Integer(validate=validate.Range(1949, 2100))
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    tier = ma.fields.String(validate=validate.OneOf([tier.value for tier in CompetitionTier]))
    occupation_code = occupation_code_field()


class EntrantRegistrationSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    entrant_kind = ma.fields.String(
        required=True,
        validate=validate.OneOf([kind.value for kind in EntrantKind]),
        metadata={"description": "employee (职工) or student (学生)"},
    )
    employer_id = ma.fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "the employer (an organisation in the ledger); an employee given "
            "neither this nor employer_name competes for their current employer"
        },
    )
    employer_name = text(
        200, load_default=None, allow_none=True, description="employer or school, as entered"
    )


class RegisterEntrantsSchema(ma.Schema):
    entrants = ma.fields.List(
        ma.fields.Nested(EntrantRegistrationSchema),
        required=True,
        validate=validate.Length(min=1, max=1000),
    )


class CompetitionEntrantSchema(ma.Schema):
    worker_id = ma.fields.String(required=True)
    entrant_number = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    entrant_kind = ma.fields.String(required=True)
    employer_id = ma.fields.String(required=True, allow_none=True)
    employer_name = ma.fields.String(required=True)
    registered_at = ma.fields.DateTime(required=True)
    withdrawn = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "the reason, if withdrawn"}
    )
    finish_time = ma.fields.DateTime(
        required=True, allow_none=True, metadata={"description": "a tie-break, if recorded"}
    )


class CompetitionEntrantListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CompetitionEntrantSchema), required=True)


class JudgeMarkSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    component = text(64, required=True)
    judge = text(100, required=True, description="the judge's name (裁判)")
    mark = ma.fields.String(
        required=True,
        validate=validate.Regexp(DECIMAL, error=DECIMAL_ERROR),
        metadata={"description": "0..100, at most two decimal places, as a string"},
    )


class RecordMarksSchema(ma.Schema):
    marks = ma.fields.List(
        ma.fields.Nested(JudgeMarkSchema),
        required=True,
        validate=validate.Length(min=1, max=5000),
    )


class EntrantComponentSchema(ma.Schema):
    worker_id = ma.fields.String(required=True)
    component = ma.fields.String(required=True)


class MarksRecordedSchema(ma.Schema):
    recorded = ma.fields.Integer(required=True)
    needs_review = ma.fields.List(
        ma.fields.Nested(EntrantComponentSchema),
        required=True,
        metadata={
            "description": "components these marks left with a judges' spread over the limit"
        },
    )


class CorrectMarkSchema(ReasonSchema):
    worker_id = ma.fields.UUID(required=True)
    component = text(64, required=True)
    judge = text(100, required=True)
    mark = ma.fields.String(required=True, validate=validate.Regexp(DECIMAL, error=DECIMAL_ERROR))


class MarkCorrectionSchema(ma.Schema):
    worker_id = ma.fields.String(required=True)
    component = ma.fields.String(required=True)
    judge = ma.fields.String(required=True)
    previous = ma.fields.String(required=True)
    mark = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    needs_review = ma.fields.Boolean(required=True)


class ReviewSpreadSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    component = text(64, required=True)
    note = text(500, required=True, description="what was checked (复核)")


class SpreadReviewSchema(ma.Schema):
    worker_id = ma.fields.String(required=True)
    component = ma.fields.String(required=True)
    marks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    note = ma.fields.String(required=True)


class FinishTimeSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    finished_at = ma.fields.AwareDateTime(required=True)
    reason = text(500, load_default=None, allow_none=True, description="needed to change one")


class LockComponentSchema(ma.Schema):
    component = text(64, required=True)


class FinaliseSchema(ma.Schema):
    """Finalising takes no fields: the results follow from the locked marks."""


class LeaderboardArgs(PageArgs):
    group = ma.fields.String(
        validate=validate.OneOf(list(GROUP_ORDER)),
        metadata={"description": "all, or employee / student when ranked apart"},
    )


class LeaderboardEntrySchema(ma.Schema):
    group = ma.fields.String(required=True)
    rank = ma.fields.Integer(required=True, allow_none=True)
    group_size = ma.fields.Integer(required=True)
    entrant_number = ma.fields.Integer(required=True)
    worker_id = ma.fields.String(metadata={"description": "not shown to the public"})
    name = ma.fields.String(required=True, metadata={"description": "masked for the public"})
    entrant_kind = ma.fields.String(required=True)
    employer_name = ma.fields.String(required=True)
    total = ma.fields.String(required=True, allow_none=True)
    standardised = ma.fields.Integer(required=True, allow_none=True)
    award = ma.fields.String(required=True, allow_none=True)
    tied = ma.fields.Boolean(required=True)
    components = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(allow_none=True), required=True
    )
    flagged = ma.fields.List(ma.fields.String(), required=True)
    complete = ma.fields.Boolean(required=True)


class LeaderboardSchema(ma.Schema):
    competition_id = ma.fields.String(required=True)
    final = ma.fields.Boolean(
        required=True,
        metadata={"description": "false: live, provisional (organisers only); true: final"},
    )
    status = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(LeaderboardEntrySchema), required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)


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
    certificate_number = ma.fields.String(required=True, allow_none=True)
    decided_by = ma.fields.String(required=True, allow_none=True)
    decided_at = ma.fields.DateTime(required=True, allow_none=True)
    note = ma.fields.String(required=True, allow_none=True)


class PromotionProposalListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PromotionProposalSchema), required=True)


class ApprovePromotionSchema(ma.Schema):
    note = text(500, load_default="", description="recorded with the approval")


class CompetitionAwardSchema(ma.Schema):
    worker_id = ma.fields.String(metadata={"description": "not shown to the public"})
    name = ma.fields.String(required=True)
    group = ma.fields.String(required=True)
    rank = ma.fields.Integer(required=True)
    award = ma.fields.String(required=True)
    award_name = ma.fields.String(required=True, metadata={"description": "金牌 … 优胜奖"})
    total = ma.fields.String(required=True)
    standardised = ma.fields.Integer(required=True)
    credential_url = ma.fields.String(required=True)


class CompetitionAwardListSchema(ma.Schema):
    final = ma.fields.Boolean(required=True)
    items = ma.fields.List(ma.fields.Nested(CompetitionAwardSchema), required=True)


# -- helpers --------------------------------------------------------------------------------


def view(competition: Competition) -> dict[str, Any]:
    return {
        "id": competition.id,
        "organiser_id": competition.organiser_id,
        "reference": competition.reference,
        "name": competition.name,
        "tier": competition.tier.value,
        "occupation_code": competition.occupation_code,
        "exam_level": competition.exam_level,
        "year": competition.year,
        "region": competition.region,
        "issuing_body_id": competition.issuing_body_id,
        "marking_scheme": dict(competition.marking_scheme),
        "tie_breaks": None if competition.tie_breaks is None else dict(competition.tie_breaks),
        "promotion_rule_set": competition.promotion_rule_set,
        "programme": competition.programme,
        "separate_groups": competition.separate_groups,
        "status": str(competition.status),
        "entrants": len(competition.active_entrants()),
        "locked": sorted(competition.locks),
        "finalised_at": competition.finalised_at,
        "version": competition.version,
    }


def answer(recorded: Any, body: Any = None) -> Any:
    return (
        view(recorded.aggregate) if body is None else body,
        {"X-Log-Position": str(recorded.position)},
    )


def organised(competition_id: UUID) -> Competition:
    """The competition, if the caller runs it (admin, or an organiser of its union)."""
    competition = ledger().competition(competition_id)
    require_organisation(competition.organiser_id, "union")
    return competition


def sees_everything(competition: Competition) -> bool:
    """Admins, auditors and the organising union see names, ids and the live board."""
    principal = current_principal()
    return principal.is_(Role.ADMIN, Role.AUDITOR) or principal.acts_for(competition.organiser_id)


def leaderboard_query() -> LeaderboardQuery:
    store = services().projection_store
    if store is None:
        raise Problem(503, "read-model-unavailable", "the leaderboard is not available yet")
    return LeaderboardQuery(store)


def read_page(read: Callable[[], Any], query: dict[str, Any], headers: dict[str, Any]) -> Any:
    """``read()`` from the leaderboard read model, after the position the caller waits for."""
    return read_after_position(read, query, headers, READ_MODEL)


def public_entry(item: dict[str, Any]) -> dict[str, Any]:
    """A board entry as the public sees it: no worker id, the name masked."""
    shown = {key: value for key, value in item.items() if key != "worker_id"}
    shown["name"] = masked_name(item["name"])
    return shown


def entrant_view(competition: Competition, worker_id: UUID | str) -> dict[str, Any]:
    entrant = competition.entrant(worker_id)
    shown = {
        key: entrant[key]
        for key in (
            "worker_id",
            "entrant_number",
            "name",
            "entrant_kind",
            "employer_id",
            "employer_name",
            "registered_at",
            "withdrawn",
        )
    }
    shown["finish_time"] = competition.finish_times.get(entrant["worker_id"])
    return shown


def proposal_view(competition: Competition, result: dict[str, Any]) -> dict[str, Any]:
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
        "certificate_number": decision.get("certificate_number"),
        "decided_by": decision.get("decided_by"),
        "decided_at": decision.get("decided_at"),
        "note": decision.get("note"),
    }


# -- announcement and reading ------------------------------------------------------------------


@blp.route("", methods=["POST"])
@access(admin="for any organiser (organiser_id required)", organiser="for its own union")
@blp.command(AnnounceCompetitionSchema, CompetitionSchema, status=201)
def announce_competition(body: dict[str, Any]) -> Any:
    """Announce a competition: tier, occupation, exam level, marking scheme (weights sum to
    100), tie-breaks and the promotion rule set (以赛代评)."""
    principal = current_principal()
    organiser_id = acting_organisation(
        body["organiser_id"], "/organiser_id", Role.ORGANISER, "union"
    )
    with field_errors("/marking_scheme"):
        scheme = MarkingScheme.from_dict(body["marking_scheme"]).to_dict()
    tie_breaks = None
    if body["tie_breaks"] is not None:
        with field_errors("/tie_breaks"):
            tie_breaks = TieBreakOrder.from_dict(body["tie_breaks"])
        names = [component["name"] for component in scheme["components"]]
        unknown = [name for name in tie_breaks.components if name not in names]
        if unknown:
            raise validation_problem(
                [
                    {
                        "location": "json",
                        "pointer": "/tie_breaks/components",
                        "detail": f"not in the marking scheme: {', '.join(unknown)}",
                    }
                ]
            )
    recorded = ledger().competitions.announce_competition(
        organiser_id=organiser_id,
        reference=body["reference"],
        name=body["name"],
        tier=CompetitionTier(body["tier"]),
        occupation_code=body["occupation_code"],
        exam_level=body["exam_level"],
        year=body["year"],
        region=body["region"],
        issuing_body_id=body["issuing_body_id"],
        marking_scheme=scheme,
        tie_breaks=tie_breaks,
        promotion_rule_set=body["promotion_rule_set"],
        programme=body["programme"],
        separate_groups=body["separate_groups"],
        actor=principal.actor,
    )
    location = url_for("competitions.get_competition", competition_id=recorded.aggregate.id)
    return (
        view(recorded.aggregate),
        201,
        {"X-Log-Position": str(recorded.position), "Location": location},
    )


@blp.route("", methods=["GET"])
@access(
    public="competitions are public",
    admin="all",
    issuer="all",
    organiser="all",
    auditor="all",
    worker="all",
)
@blp.arguments(CompetitionListArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.response(200, page_schema(CompetitionSummarySchema))
@blp.errors(400, 422, 503)
def list_competitions(query: dict[str, Any], headers: dict[str, Any]) -> Any:
    """Competitions, newest year first; filter by organiser, year, status, tier, occupation."""
    board = leaderboard_query()
    page = read_page(
        lambda: board.list_competitions(
            after=query.get("cursor"),
            limit=query["limit"],
            organiser_id=query.get("organiser_id"),
            year=query.get("year"),
            status=query.get("status"),
            tier=query.get("tier"),
            occupation_code=query.get("occupation_code"),
        ),
        query,
        headers,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@blp.route("/<uuid:competition_id>", methods=["GET"])
@access(
    public="competitions are public",
    admin="all",
    issuer="all",
    organiser="all",
    auditor="all",
    worker="all",
)
@blp.query(CompetitionSchema)
def get_competition(competition_id: UUID) -> Any:
    """A competition: its announcement, status, entrant count and locked components."""
    return view(ledger().competition(competition_id))


# -- entrants -----------------------------------------------------------------------------------


@blp.route("/<uuid:competition_id>/entrants", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(RegisterEntrantsSchema, CompetitionEntrantListSchema, status=201)
def register_entrants(body: dict[str, Any], competition_id: UUID) -> Any:
    """Register entrants (all or nothing): registered workers, as employees (of their
    employer on the day) or students; numbered in registration order."""
    organised(competition_id)
    entries = [
        EntrantRegistration(
            worker_id=item["worker_id"],
            entrant_kind=item["entrant_kind"],
            employer_id=item["employer_id"],
            employer_name=item["employer_name"],
        )
        for item in body["entrants"]
    ]
    recorded = ledger().competitions.register_entrants(
        competition_id, entries, actor=current_principal().actor
    )
    competition = recorded.aggregate
    items = [entrant_view(competition, entry.worker_id) for entry in entries]
    location = url_for("competitions.list_entrants", competition_id=competition_id)
    return (
        {"items": items},
        201,
        {"X-Log-Position": str(recorded.position), "Location": location},
    )


@blp.route("/<uuid:competition_id>/entrants", methods=["GET"])
@access(**READ_RULES)
@blp.query(CompetitionEntrantListSchema)
def list_entrants(competition_id: UUID) -> Any:
    """Every entrant, withdrawn ones with the reason, in registration order."""
    competition = ledger().competition(competition_id)
    if not sees_everything(competition):
        raise forbidden("an organiser token sees only its own union's entrants")
    return {"items": [entrant_view(competition, key) for key in competition.entrants]}


@blp.route("/<uuid:competition_id>/entrants/<uuid:worker_id>/withdraw", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(ReasonSchema, CompetitionEntrantSchema)
def withdraw_entrant(body: dict[str, Any], competition_id: UUID, worker_id: UUID) -> Any:
    """Withdraw an entrant (缺考, 退赛, 取消资格) before the results are final, with a reason."""
    organised(competition_id)
    recorded = ledger().competitions.withdraw_entrant(
        competition_id, worker_id, reason=body["reason"], actor=current_principal().actor
    )
    return answer(recorded, entrant_view(recorded.aggregate, worker_id))


# -- marking ----------------------------------------------------------------------------------


@blp.route("/<uuid:competition_id>/marks", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(RecordMarksSchema, MarksRecordedSchema)
def record_marks(body: dict[str, Any], competition_id: UUID) -> Any:
    """Record judges' marks, all or nothing: each named judge marks each entrant's component
    once (change a mark with a correction). Says which components now need a review."""
    organised(competition_id)
    entries = [
        MarkEntry(item["worker_id"], item["component"], item["judge"], item["mark"])
        for item in body["marks"]
    ]
    recorded = ledger().competitions.record_marks(
        competition_id, entries, actor=current_principal().actor
    )
    competition: Competition = recorded.aggregate
    touched = dict.fromkeys((str(e.worker_id), e.component) for e in entries)
    return answer(
        recorded,
        {
            "recorded": len(entries),
            "needs_review": [
                {"worker_id": worker, "component": component}
                for worker, component in touched
                if competition.needs_review(worker, component)
            ],
        },
    )


@blp.route("/<uuid:competition_id>/corrections", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(CorrectMarkSchema, MarkCorrectionSchema)
def correct_mark(body: dict[str, Any], competition_id: UUID) -> Any:
    """Correct a judge's mark with a reason (更正): recorded as a new event, the previous
    mark kept. Refused once the component is locked."""
    organised(competition_id)
    recorded = ledger().competitions.correct_mark(
        competition_id,
        worker_id=body["worker_id"],
        component=body["component"],
        judge=body["judge"],
        mark=body["mark"],
        reason=body["reason"],
        actor=current_principal().actor,
    )
    competition: Competition = recorded.aggregate
    correction = dict(competition.corrections[-1])
    correction["needs_review"] = competition.needs_review(body["worker_id"], body["component"])
    return answer(recorded, correction)


@blp.route("/<uuid:competition_id>/reviews", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(ReviewSpreadSchema, SpreadReviewSchema)
def review_spread(body: dict[str, Any], competition_id: UUID) -> Any:
    """Confirm flagged marks as they stand (复核), with a note; a later mark or correction of
    the component needs a new review."""
    organised(competition_id)
    recorded = ledger().competitions.review_spread(
        competition_id,
        worker_id=body["worker_id"],
        component=body["component"],
        note=body["note"],
        actor=current_principal().actor,
    )
    review = recorded.aggregate.reviews[str(body["worker_id"])][body["component"]]
    return answer(
        recorded,
        {
            "worker_id": str(body["worker_id"]),
            "component": body["component"],
            "marks": review["marks"],
            "note": review["note"],
        },
    )


@blp.route("/<uuid:competition_id>/finish-times", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(FinishTimeSchema, CompetitionEntrantSchema)
def record_finish_time(body: dict[str, Any], competition_id: UUID) -> Any:
    """Record when an entrant finished (a tie-break); changing it needs a reason."""
    organised(competition_id)
    recorded = ledger().competitions.record_finish_time(
        competition_id,
        worker_id=body["worker_id"],
        finished_at=body["finished_at"],
        reason=body["reason"],
        actor=current_principal().actor,
    )
    return answer(recorded, entrant_view(recorded.aggregate, body["worker_id"]))


@blp.route("/<uuid:competition_id>/lock", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(LockComponentSchema, CompetitionSchema)
def lock_component(body: dict[str, Any], competition_id: UUID) -> Any:
    """Lock a component's marks (封分): every entrant marked by enough judges and no
    unreviewed spread; later marks and corrections are refused."""
    organised(competition_id)
    return answer(
        ledger().competitions.lock_component(
            competition_id, body["component"], actor=current_principal().actor
        )
    )


@blp.route("/<uuid:competition_id>/finalise", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(FinaliseSchema, CompetitionSchema)
def finalise_competition(body: dict[str, Any], competition_id: UUID) -> Any:
    """Publish the results once every component is locked: ranking with the stated
    tie-breaks, awards, standardised scores and promotion proposals, stored for good."""
    organised(competition_id)
    return answer(
        ledger().competitions.finalise_competition(competition_id, actor=current_principal().actor)
    )


# -- results ----------------------------------------------------------------------------------


@blp.route("/<uuid:competition_id>/leaderboard", methods=["GET"])
@access(
    public="once the results are final (names masked)",
    admin="live during marking, final after",
    auditor="live during marking, final after",
    organiser="live during marking for its own union's competitions; final results of any",
    issuer="once the results are final (names masked)",
    worker="once the results are final (names masked)",
)
@blp.arguments(LeaderboardArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.response(200, LeaderboardSchema)
@blp.errors(400, 403, 404, 422, 503)
def get_leaderboard(query: dict[str, Any], headers: dict[str, Any], competition_id: UUID) -> Any:
    """The leaderboard: live and provisional while marking (the organiser, admins, auditors),
    the stored final results once finalised (everyone; names masked for the public)."""
    competition = ledger().competition(competition_id)
    privileged = sees_everything(competition)
    if not competition.is_final and not privileged:
        if current_principal().is_public:
            raise authentication_required()
        raise forbidden("the leaderboard is public once the results are final")
    board = leaderboard_query()

    def read() -> Page | None:
        return board.board(
            competition_id,
            after=query.get("cursor"),
            limit=query["limit"],
            group=query.get("group"),
        )

    page = read_page(read, query, headers)
    if page is None or (competition.is_final and not page.extra["final"]):
        # The competition is further on than the read model: wait for the log's head once.
        page = read_page(read, {"wait_for": ledger().log_position}, {})
        if page is None or (competition.is_final and not page.extra["final"]):
            raise Problem(
                503,
                "position-not-reached",
                "the leaderboard has not caught up with this competition yet",
                headers={"Retry-After": "1"},
            )
    items = page.items
    if not privileged:
        items = [public_entry(item) for item in items]
    return {
        "competition_id": str(competition_id),
        "final": page.extra["final"],
        "status": page.extra["status"],
        "items": items,
        "next_cursor": page.next_cursor,
    }


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
    if not own and not sees_everything(competition):
        raise forbidden("an organiser token sees only its own union's proposals")
    items = [
        proposal_view(competition, result)
        for result in competition.results or ()
        if result["promotion"] is not None
        and (args["all"] or result["worker_id"] in competition.proposals)
        and (not own or result["worker_id"] == str(principal.worker_id))
    ]
    return {"items": items}


def _proposal_answer(recorded: Any, worker_id: UUID) -> Any:
    competition: Competition = recorded.aggregate
    result = competition.result_of(worker_id)
    return answer(recorded, proposal_view(competition, result or {}))


@blp.route("/<uuid:competition_id>/proposals/<uuid:worker_id>/approve", methods=["POST"])
@access(admin="the HR bureau approves (核准)")
@blp.command(ApprovePromotionSchema, PromotionProposalSchema)
def approve_proposal(body: dict[str, Any], competition_id: UUID, worker_id: UUID) -> Any:
    """Approve (核准) a promotion: the rules are asked again with today's facts (yearly cap,
    current level), then the issuing body issues the certificate with the competition as its
    basis, saved with the approval."""
    recorded = ledger().competitions.approve_promotion(
        competition_id, worker_id, actor=current_principal().actor, note=body["note"]
    )
    return _proposal_answer(recorded, worker_id)


@blp.route("/<uuid:competition_id>/proposals/<uuid:worker_id>/reject", methods=["POST"])
@access(admin="the HR bureau decides (不予核准)")
@blp.command(ReasonSchema, PromotionProposalSchema)
def reject_proposal(body: dict[str, Any], competition_id: UUID, worker_id: UUID) -> Any:
    """Do not approve a promotion, with the reason."""
    recorded = ledger().competitions.reject_promotion(
        competition_id, worker_id, reason=body["reason"], actor=current_principal().actor
    )
    return _proposal_answer(recorded, worker_id)


# -- awards -------------------------------------------------------------------------------------


@blp.route("/<uuid:competition_id>/awards", methods=["GET"])
@access(
    public="once final (names masked)",
    admin="once final",
    auditor="once final",
    organiser="once final (names of its own union's entrants)",
    issuer="once final (names masked)",
    worker="once final (names masked)",
)
@blp.query(CompetitionAwardListSchema)
def list_awards(competition_id: UUID) -> Any:
    """Gold, silver and bronze for ranks 1-3, 优胜奖 for rank > 3 within the top half, each
    with its credential's URL; empty until the results are final."""
    competition = ledger().competition(competition_id)
    privileged = sees_everything(competition)
    items = []
    for result in competition.awards():
        award = Award(result["award"])
        item = {
            "name": result.get("name") or "",
            "group": result["group"],
            "rank": result["rank"],
            "award": award.value,
            "award_name": award.name_zh,
            "total": result["total"],
            "standardised": result["standardised"],
            "credential_url": url_for(
                "competitions.get_award_credential",
                competition_id=competition_id,
                worker_id=result["worker_id"],
            ),
        }
        if privileged:
            item["worker_id"] = result["worker_id"]
        else:
            item["name"] = masked_name(item["name"])
        items.append(item)
    return {"final": competition.is_final, "items": items}


@blp.route("/<uuid:competition_id>/awards/<uuid:worker_id>/credential", methods=["GET"])
@access(
    public="the public disclosure",
    admin="the full disclosure",
    auditor="the full disclosure",
    organiser="full disclosure for its own union's competitions, public of others",
    issuer="the public disclosure",
    worker="full disclosure of its own awards, public of others",
)
@blp.arguments(CredentialArgs, location="query")
@blp.doc(responses=DOCUMENT_RESPONSES)
@blp.errors(404, 409)
def get_award_credential(args: dict[str, Any], competition_id: UUID, worker_id: UUID) -> Any:
    """The award as a signed Open Badges 3.0 ``AchievementCredential`` (achievement type
    ``Award``), issued by the organiser at finalisation; the same events always give the same
    bytes. ``Accept: application/vc`` answers ``application/vc``, otherwise JSON."""
    competition = ledger().competition(competition_id)
    principal = current_principal()
    full_allowed = sees_everything(competition) or (
        principal.is_(Role.WORKER) and principal.worker_id == worker_id
    )
    disclosure = args.get("disclosure") or ("full" if full_allowed else "public")
    if disclosure == "full" and not full_allowed:
        raise forbidden("only the awardee, the organiser, admins and auditors see the full one")
    try:
        credential = ledger().competitions.award_credential(competition_id, worker_id, disclosure)
    except CredentialUnavailable as error:
        raise _unavailable(error) from None
    cache = "private, no-cache" if disclosure == "full" else "public, max-age=300"
    return _document_response(
        SignedDocument.of(credential),
        _media_type("application/json", VC_MEDIA_TYPES),
        cache,
        "Accept, Authorization",
    )
