"""Evaluations (企业自主评价): a body plans a self-evaluation session inside its filed scope."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import url_for
from marshmallow import validate

from domain.api_token import Role
from domain.evaluation import Evaluation
from domain.skill_level import SkillLevel
from service.api.auth import access, current_principal, require_organisation
from service.api.fields import level_field, occupation_code_field, text
from service.api.openapi import Blueprint
from service.api.problems import validation_problem
from service.api.services import ledger

blp = Blueprint(
    "evaluations",
    __name__,
    url_prefix="/api/v1/evaluations",
    description="Self-evaluation sessions (企业自主评价) of filed bodies.",
)

PANELS = ["practical", "review", "theory"]


class PlanEvaluationSchema(ma.Schema):
    body_id = ma.fields.UUID(
        load_default=None,
        metadata={"description": "the evaluating body; an issuer token may leave it out"},
    )
    reference = ma.fields.String(
        required=True,
        validate=[validate.Length(min=1, max=64), validate.Regexp(r"^[!-~]+$")],
        metadata={"description": "the body's own reference; unique per body"},
    )
    occupation_code = occupation_code_field(required=True)
    level = level_field(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    panels = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(PANELS)),
        values=ma.fields.List(text(100), validate=validate.Length(max=51)),
        required=True,
        metadata={
            "description": "examiner panels by component: practical (and review for levels 2 "
            "and 1) need an odd number of at least 3 examiners"
        },
    )


class EvaluationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    body_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    starts_on = ma.fields.String(required=True, metadata={"format": "date"})
    ends_on = ma.fields.String(required=True, metadata={"format": "date"})
    components = ma.fields.List(ma.fields.String(), required=True)
    panels = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True
    )
    status = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)


def view(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "id": evaluation.id,
        "body_id": evaluation.body_id,
        "reference": evaluation.reference,
        "occupation_code": evaluation.occupation_code,
        "level": evaluation.level_code,
        "starts_on": evaluation.starts_on,
        "ends_on": evaluation.ends_on,
        "components": list(evaluation.components),
        "panels": {name: list(examiners) for name, examiners in evaluation.panels.items()},
        "status": evaluation.status,
        "version": evaluation.version,
    }


@blp.route("", methods=["POST"])
@access(admin="for any body (body_id required)", issuer="for its own organisation")
@blp.command(PlanEvaluationSchema, EvaluationSchema, status=201)
def plan_evaluation(body: dict[str, Any]) -> Any:
    """Plan a session: inside the body's filed scope, with lawful examiner panels."""
    principal = current_principal()
    body_id = body["body_id"]
    if body_id is None:
        if not principal.is_(Role.ISSUER):
            raise validation_problem(
                [{"location": "json", "pointer": "/body_id", "detail": "required for admins"}]
            )
        body_id = principal.organisation_id
    require_organisation(body_id)
    recorded = ledger().plan_evaluation(
        body_id=body_id,
        reference=body["reference"],
        occupation_code=body["occupation_code"],
        level=SkillLevel.from_code(body["level"]),
        starts_on=body["starts_on"],
        ends_on=body["ends_on"],
        panels=body["panels"],
        actor=principal.actor,
    )
    location = url_for("evaluations.get_evaluation", evaluation_id=recorded.aggregate.id)
    return (
        view(recorded.aggregate),
        201,
        {"X-Log-Position": str(recorded.position), "Location": location},
    )


@blp.route("/<uuid:evaluation_id>", methods=["GET"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.query(EvaluationSchema)
def get_evaluation(evaluation_id: UUID) -> Any:
    """A planned session."""
    evaluation = ledger().evaluation(evaluation_id)
    if not current_principal().is_(Role.AUDITOR):
        require_organisation(evaluation.body_id)
    return view(evaluation)
