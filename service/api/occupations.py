"""The occupation catalogue (国家职业分类大典 codes and names) and, for a body, the levels its
filing scope lets it plan: what a plan picks its occupation and level from."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from domain.api_token import Role
from domain.occupation import KNOWN_OCCUPATIONS
from service.api.auth import access, current_principal, require_organisation
from service.api.openapi import Blueprint
from service.app_services import ledger

blp = Blueprint(
    "occupations",
    __name__,
    url_prefix="/api/v1/occupations",
    description="The occupation catalogue: codes, names, levels; a body's plannable levels.",
)


class OccupationArgs(ma.Schema):
    body_id = ma.fields.UUID(
        load_default=None,
        metadata={
            "description": "only the occupations this body is filed for, each with the levels "
            "its filing scope covers (an issuer: its own organisation)"
        },
    )


class LevelSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)


class OccupationSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    levels = ma.fields.List(
        ma.fields.Nested(LevelSchema),
        required=True,
        metadata={"description": "levels the standard has (with body_id: and the body may plan)"},
    )
    source = ma.fields.String(required=True)


class CatalogueSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OccupationSchema), required=True)


@blp.route("", methods=["GET"])
@access(
    public="the catalogue",
    admin="the catalogue, or any body's plannable levels",
    auditor="the catalogue, or any body's plannable levels",
    issuer="the catalogue, or its own organisation's plannable levels",
    organiser="the catalogue",
    worker="the catalogue",
)
@blp.arguments(OccupationArgs, location="query")
@blp.query(CatalogueSchema, errors=(400, 404))
def list_occupations(args: dict[str, Any]) -> Any:
    """Every catalogued occupation with its levels; with ``body_id``, only those the body is
    filed for and only the levels its filing scope covers (what a plan may ask for)."""
    scope = None
    if args["body_id"] is not None:
        if not current_principal().is_(Role.AUDITOR):
            require_organisation(args["body_id"])
        scope = ledger().organisation(args["body_id"]).scope
    items = []
    for occupation in KNOWN_OCCUPATIONS:
        levels = [
            level
            for level in occupation.levels
            if scope is None or level.code in scope.get(occupation.code, [])
        ]
        if levels:
            items.append(
                {
                    "code": occupation.code,
                    "name": occupation.name,
                    "levels": [
                        {"code": lv.code, "name_zh": lv.name_zh, "name_en": lv.name_en}
                        for lv in levels
                    ],
                    "source": occupation.source,
                }
            )
    return {"items": items}
