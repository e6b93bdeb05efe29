"""Objections (异议) to a candidate's result during the 公示 window: lodged (here by the body;
by anyone on the public page ``/gongshi/<id>``), listed from the ``publicity`` read model, then
resolved (upheld withdraws the result, with the reason). ``GET /api/v1/objections`` lists them
across sessions for the HR bureau (``service.api.objections``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.evaluation import ObjectionOutcome, ObjectionParty
from projections.pagination import Page
from projections.publicity import OBJECTION_STATES, PublicityQuery
from service.api.auth import access, current_principal
from service.api.evaluations.blueprint import blp, session_for_change, session_for_reading
from service.api.fields import text
from service.api.reads import list_page
from service.app_services import ledger, services
from service.problems import Problem

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
    grounds = ma.fields.String(required=True, metadata={"description": "ID numbers masked"})
    lodged_by = ma.fields.String(
        required=True,
        metadata={
            "description": "who objects: as the body wrote it, or, from the public page, "
            f"{ObjectionParty.PUBLIC.value} (anyone) or {ObjectionParty.CANDIDATE.value} "
            "(the candidate signed in)"
        },
    )
    contact = ma.fields.String(
        load_default=None,
        dump_default=None,
        allow_none=True,
        metadata={"description": "the objector's phone or e-mail (public page objections)"},
    )
    lodged_on = ma.fields.String(required=True, metadata={"format": "date"})
    resolution = ma.fields.Nested(ResolutionSchema, required=True, allow_none=True)


class ObjectionListArgs(ma.Schema):
    state = ma.fields.String(
        load_default="open",
        validate=validate.OneOf(OBJECTION_STATES),
        metadata={"description": "open (not yet resolved), resolved, or all"},
    )


class ListedObjectionSchema(ObjectionSchema):
    """An objection as the lists give it: with its session and the candidate's name."""

    evaluation_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True, metadata={"description": "the session's"})
    body_id = ma.fields.UUID(required=True)
    candidate_name = ma.fields.String(required=True, allow_none=True)
    window_ends_on = ma.fields.String(required=True, metadata={"format": "date"})
    state = ma.fields.String(required=True, validate=validate.OneOf(["open", "resolved"]))


def publicity() -> PublicityQuery:
    store = services().projection_store
    if store is None:
        raise Problem(503, "read-model-unavailable", "the objections are not available yet")
    return PublicityQuery(store)


def listed_page(found: Page) -> Page:
    """A page of ``PublicityQuery.objections`` as the lists answer it."""
    return Page([listed(row) for row in found.items], found.next_cursor)


def listed(row: dict[str, Any]) -> dict[str, Any]:
    """A ``PublicityQuery.objections`` row as ``ListedObjectionSchema`` gives it."""
    resolution = None
    if row["outcome"] is not None:
        resolution = {"outcome": row["outcome"], "reason": row["reason"], "on": row["resolved_on"]}
    return {
        "id": row["objection_id"],
        "evaluation_id": row["session_id"],
        "reference": row["reference"],
        "body_id": row["body_id"],
        "worker_id": row["worker_id"],
        "candidate_name": row["candidate_name"],
        "grounds": row["grounds"],
        "lodged_by": row["lodged_by"],
        "contact": row["contact"],
        "lodged_on": row["lodged_on"],
        "window_ends_on": row["window_ends_on"],
        "state": "open" if resolution is None else "resolved",
        "resolution": resolution,
    }


# -- views --------------------------------------------------------------------------------------


@blp.route("/<uuid:evaluation_id>/objections", methods=["GET"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.errors(404)
@blp.arguments(ObjectionListArgs, location="query")
@list_page(blp, ListedObjectionSchema, read_model="publicity")
def list_session_objections(
    filters: dict[str, Any], page: dict[str, Any], evaluation_id: UUID
) -> Any:
    """The session's objections in the order lodged (default: the open ones), from the body and
    from the public 公示 page, with the objector's contact; ID numbers in grounds masked."""
    session_for_reading(evaluation_id)
    found = publicity().objections(
        session_id=evaluation_id, state=filters["state"], after=page["cursor"], limit=page["limit"]
    )
    return listed_page(found)


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
