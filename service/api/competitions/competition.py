"""The competition resource: announcing (``POST /competitions``), listing (from the
leaderboard read model) and reading one competition."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.api_token import Role
from domain.competition import BoardVisibility, Competition, CompetitionStatus, CompetitionTier
from domain.marking_scheme import ComponentKind, JudgeCombination, MarkingScheme
from domain.promotion_rule_sets import RULE_SETS
from domain.ranking import TieBreakOrder
from service.api.auth import access, acting_organisation, current_principal
from service.api.competitions.blueprint import DECIMAL, DECIMAL_ERROR, blp
from service.api.fields import LEVEL_CODES, occupation_code_field, text
from service.api.openapi import located_at
from service.api.problems import field_errors, validation_problem
from service.api.reads import PageArgs, WaitHeaders, page_schema, read_after_position
from service.app_services import leaderboards, ledger
from service.competitions.leaderboard import READ_MODEL, sees_everything


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
    provisional_board = ma.fields.String(
        load_default=BoardVisibility.PUBLIC_AFTER_LOCK.value,
        validate=validate.OneOf([visibility.value for visibility in BoardVisibility]),
        metadata={
            "description": "who sees the board before the results are final: "
            "public-after-lock (the locked components only; the default), public, private"
        },
    )


class PanelMemberSchema(ma.Schema):
    name = ma.fields.String(required=True)
    login = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "shown to the organiser, admins and auditors only"},
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
    panels = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.Nested(PanelMemberSchema)),
        required=True,
        metadata={"description": "component -> its judging panel (裁判组)"},
    )
    submitted = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.DateTime()),
        required=True,
        metadata={"description": "component -> judge -> when they submitted their marks"},
    )
    provisional_board = ma.fields.String(
        required=True, metadata={"description": "public-after-lock, public or private"}
    )
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
    status = ma.fields.String(validate=validate.OneOf(list(CompetitionStatus)))
    tier = ma.fields.String(validate=validate.OneOf([tier.value for tier in CompetitionTier]))
    occupation_code = occupation_code_field()


def view(competition: Competition) -> dict[str, Any]:
    """The competition as the caller may see it: judges' logins only for those who see
    everything (``service.competitions.leaderboard.sees_everything``)."""
    logins = sees_everything(competition, current_principal())
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
        "panels": {
            component: [
                {"name": judge["name"], "login": judge["login"] if logins else None}
                for judge in judges
            ]
            for component, judges in competition.panels.items()
        },
        "submitted": {
            component: dict(judges) for component, judges in competition.submitted.items()
        },
        "provisional_board": competition.provisional_board,
        "finalised_at": competition.finalised_at,
        "version": competition.version,
    }


LOCATION = located_at("competitions.get_competition", "competition_id")


@blp.route("", methods=["POST"])
@access(admin="for any organiser (organiser_id required)", organiser="for its own union")
@blp.command(AnnounceCompetitionSchema, CompetitionSchema, status=201, view=view, location=LOCATION)
def announce_competition(body: dict[str, Any]) -> Any:
    """Announce a competition: tier, occupation, exam level, marking scheme (weights sum to
    100), tie-breaks, the promotion rule set (以赛代评; it must have a rule for the tier) and
    who sees the provisional board."""
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
    return ledger().competitions.announce_competition(
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
        provisional_board=body["provisional_board"],
        actor=principal.actor,
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
    boards = leaderboards()
    page = read_after_position(
        lambda: boards.competitions(
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
        [READ_MODEL],
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
