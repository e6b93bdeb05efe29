"""Objections (异议) to a candidate's result during the 公示 window: lodged, then resolved
(upheld withdraws the result, with the reason)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.evaluation import ObjectionOutcome
from service.api.auth import access, current_principal
from service.api.evaluations.blueprint import blp, session_for_change
from service.api.fields import text
from service.app_services import ledger

# -- schemas ------------------------------------------------------------------------------------


class LodgeObjectionSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True, metadata={"description": "whose result"})
    grounds = text(2000, required=True, description="the objection's grounds")
    lodged_by = text(200, required=True, description="who objects (a name, or 匿名)")


class ResolveObjectionSchema(ma.Schema):
    outcome = ma.fields.String(
        required=True,
        validate=validate.OneOf([o.value for o in ObjectionOutcome]),
        metadata={"description": "upheld withdraws the candidate's result"},
    )
    reason = text(1000, required=True, description="recorded in the event")


class ResolutionSchema(ma.Schema):
    outcome = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    on = ma.fields.String(required=True, metadata={"format": "date"})


class ObjectionSchema(ma.Schema):
    id = ma.fields.String(required=True)
    worker_id = ma.fields.UUID(required=True)
    grounds = ma.fields.String(required=True)
    lodged_by = ma.fields.String(required=True)
    lodged_on = ma.fields.String(required=True, metadata={"format": "date"})
    resolution = ma.fields.Nested(ResolutionSchema, required=True, allow_none=True)


# -- views --------------------------------------------------------------------------------------


@blp.route("/<uuid:evaluation_id>/objections", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation (objections it received)")
@blp.command(LodgeObjectionSchema, ObjectionSchema)
def lodge_objection(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Lodge an objection (异议) to a candidate's result during the 公示 window."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.lodge_objection(
        evaluation_id, **body, actor=current_principal().actor
    )
    objections = recorded.aggregate.objections
    return recorded, objections[list(objections)[-1]]


@blp.route("/<uuid:evaluation_id>/objections/<objection_id>/resolve", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(ResolveObjectionSchema, ObjectionSchema)
def resolve_objection(body: dict[str, Any], evaluation_id: UUID, objection_id: str) -> Any:
    """Resolve an objection: upheld withdraws the candidate's result with the reason."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.resolve_objection(
        evaluation_id, objection_id, **body, actor=current_principal().actor
    )
    return recorded, recorded.aggregate.objections[objection_id]
