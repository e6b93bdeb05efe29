"""Competitions (劳动和技能竞赛 / 技术比武): announced with a tier and a marking scheme."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import url_for
from marshmallow import validate

from domain.api_token import Role
from domain.competition import Competition, CompetitionTier
from domain.marking_scheme import ComponentKind, JudgeCombination, MarkingScheme
from service.api.auth import access, current_principal, require_organisation
from service.api.fields import LEVEL_CODES, occupation_code_field, text
from service.api.openapi import Blueprint
from service.api.problems import field_errors, validation_problem
from service.api.services import ledger

blp = Blueprint(
    "competitions",
    __name__,
    url_prefix="/api/v1/competitions",
    description="Skill competitions (以赛代评): announcement with tier and marking scheme.",
)

DECIMAL = r"^(100|[0-9]{1,2})(\.[0-9]{1,2})?$"


class MarkingComponentSchema(ma.Schema):
    name = text(64, required=True)
    weight = ma.fields.String(
        required=True,
        validate=validate.Regexp(DECIMAL, error="a decimal string 0..100, at most 2 places"),
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
        validate=validate.Regexp(DECIMAL, error="a decimal string 0..100, at most 2 places"),
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
    exam_level = ma.fields.String(required=True, validate=validate.OneOf(LEVEL_CODES))
    year = ma.fields.Integer(required=True, strict=True, validate=validate.Range(1949, 2100))
    region = text(100, required=True)
    issuing_body_id = ma.fields.UUID(load_default=None, allow_none=True)
    marking_scheme = ma.fields.Nested(MarkingSchemeSchema, required=True)


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
    status = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)


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
        "status": competition.status,
        "version": competition.version,
    }


@blp.route("", methods=["POST"])
@access(admin="for any organiser (organiser_id required)", organiser="for its own union")
@blp.command(AnnounceCompetitionSchema, CompetitionSchema, status=201)
def announce_competition(body: dict[str, Any]) -> Any:
    """Announce a competition with its tier and marking scheme (weights sum to 100)."""
    principal = current_principal()
    organiser_id = body["organiser_id"]
    if organiser_id is None:
        if not principal.is_(Role.ORGANISER):
            raise validation_problem(
                [{"location": "json", "pointer": "/organiser_id", "detail": "required for admins"}]
            )
        organiser_id = principal.organisation_id
    require_organisation(organiser_id, "union")
    with field_errors("/marking_scheme"):
        scheme = MarkingScheme.from_dict(body["marking_scheme"]).to_dict()
    recorded = ledger().announce_competition(
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
        actor=principal.actor,
    )
    location = url_for("competitions.get_competition", competition_id=recorded.aggregate.id)
    return (
        view(recorded.aggregate),
        201,
        {"X-Log-Position": str(recorded.position), "Location": location},
    )


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
    """An announced competition."""
    return view(ledger().competition(competition_id))
