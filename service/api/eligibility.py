"""Eligibility routes (申报条件): which routes apply to an occupation and level, with each
requirement in 中文 and English, from the versioned editions (``domain.eligibility_editions``).

Public, as the occupation standards are. A session's own list (its occupation and level today)
is ``GET /api/v1/evaluations/{id}/eligibility-routes``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma

from domain.eligibility_listing import routes_that_apply
from domain.errors import DomainRuleViolation
from domain.skill_level import SkillLevel
from service.api.auth import access
from service.api.fields import level_field, occupation_code_field
from service.api.openapi import Blueprint
from service.app_services import ledger

blp = Blueprint(
    "eligibility",
    __name__,
    url_prefix="/api/v1/eligibility-routes",
    description="Eligibility routes (申报条件) that apply to an occupation and level, with their "
    "requirements in 中文 and English.",
)

EVERYONE = {
    role: "anyone (the standards are public)"
    for role in ("public", "admin", "auditor", "issuer", "organiser", "worker")
}


class RoutesArgs(ma.Schema):
    occupation = occupation_code_field(required=True)
    level = level_field(required=True)
    on = ma.fields.Date(
        load_default=None, metadata={"description": "the day (default: today in China)"}
    )


class RequirementSchema(ma.Schema):
    zh = ma.fields.String(required=True, metadata={"description": "the standard's words"})
    en = ma.fields.String(required=True)


class ApplicableRouteSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "give it as route to enrol"})
    kind = ma.fields.String(required=True)
    kind_zh = ma.fields.String(required=True)
    previous_level = ma.fields.String(required=True, allow_none=True)
    years = ma.fields.Integer(required=True)
    diploma_kinds = ma.fields.List(ma.fields.String(), required=True)
    needs_evidence_reference = ma.fields.Boolean(
        required=True, metadata={"description": "a bypass: the approval or record is required"}
    )
    requirement = ma.fields.Nested(RequirementSchema, required=True)


class EditionSchema(ma.Schema):
    key = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    effective_from = ma.fields.String(required=True, metadata={"format": "date"})
    generic_default = ma.fields.Boolean(required=True)
    source = ma.fields.String(required=True)


class RoutesSchema(ma.Schema):
    occupation_code = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    level_zh = ma.fields.String(required=True)
    level_en = ma.fields.String(required=True)
    on = ma.fields.String(required=True, metadata={"format": "date"})
    edition = ma.fields.Nested(EditionSchema, required=True)
    routes = ma.fields.List(ma.fields.Nested(ApplicableRouteSchema), required=True)


def routes_view(occupation_code: str, level: SkillLevel, on: date | None) -> dict[str, Any]:
    """The routes to ``level`` in ``occupation_code`` (from the catalogue) on ``on``."""
    occupation = ledger().occupation(occupation_code)
    if not occupation.allows(level):
        raise DomainRuleViolation(
            "level-not-allowed-for-occupation", f"{occupation.name} has no {level.name_zh}"
        )
    return routes_that_apply(occupation.code, level, on or ledger().china_today())


@blp.route("", methods=["GET"])
@access(**EVERYONE)
@blp.arguments(RoutesArgs, location="query")
@blp.query(RoutesSchema, errors=(400,))
def list_routes(args: dict[str, Any]) -> Any:
    """The eligibility routes that apply to ``occupation`` and ``level`` on a day, from the
    edition in force (an occupation's own edition, else the generic default)."""
    return routes_view(args["occupation"], args["level"], args["on"])
