"""``GET /api/v1/objections``: objections (异议) to 公示 results across every session, for the
HR bureau's supervision (an admin token; auditors read too), and for an issuer its own bodies'
sessions. From the ``publicity`` read model; resolving one is
``POST /api/v1/evaluations/{id}/objections/{objection_id}/resolve``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from domain.api_token import Role
from service.api.auth import access, current_principal, own_scope
from service.api.evaluations.objections import (
    ListedObjectionSchema,
    ObjectionListArgs,
    listed_page,
    publicity,
)
from service.api.openapi import Blueprint
from service.api.reads import list_page

__all__ = ["blp"]

blp = Blueprint(
    "objections",
    __name__,
    url_prefix="/api/v1/objections",
    description="Objections (异议) to 公示 results across sessions: the HR bureau's list.",
)


class AllObjectionsArgs(ObjectionListArgs):
    body_id = ma.fields.UUID(
        metadata={"description": "only this body's sessions (an issuer sees only its own)"}
    )


@blp.route("", methods=["GET"])
@access(
    admin="every session's (the HR bureau)",
    auditor="every session's",
    issuer="its own organisation's sessions",
)
@blp.arguments(AllObjectionsArgs, location="query")
@list_page(blp, ListedObjectionSchema, read_model="publicity")
def list_objections(filters: dict[str, Any], page: dict[str, Any]) -> Any:
    """Objections in the order lodged (default ``state=open``: not yet resolved), each with its
    session, candidate, grounds (ID numbers masked) and the objector's contact."""
    principal = current_principal()
    body_id = own_scope(
        filters.get("body_id"),
        Role.ISSUER,
        principal.organisation_id,
        "an issuer token lists only its own organisation's objections",
    )
    return listed_page(
        publicity().objections(
            body_id=body_id, state=filters["state"], after=page["cursor"], limit=page["limit"]
        )
    )
