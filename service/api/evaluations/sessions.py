"""Sessions (自主评价): plan inside the body's filed scope, list (from the read model), read,
publish (公示, N working days on the Chinese calendar), confirm (a job) and report (上报)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import url_for
from marshmallow import validate

from domain.api_token import Role
from domain.evaluation import Evaluation, EvaluationStatus
from domain.evaluation.panel import PANEL_MEAN, SINGLE_MARK, session_progress
from service.api.auth import access, acting_organisation, current_principal, own_scope
from service.api.evaluations.blueprint import blp, session_for_change, session_for_reading
from service.api.evaluations.objections import ObjectionSchema
from service.api.fields import level_field, occupation_code_field, text
from service.api.jobs import JobSchema, job_view
from service.api.openapi import located_at
from service.api.reads import list_page
from service.app_services import ledger, services, submit_confirmation
from service.commands import Recorded

PANELS = ["practical", "review", "theory"]
STATUSES = [status.value for status in EvaluationStatus]


# -- schemas ------------------------------------------------------------------------------------


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


class EvaluationListArgs(ma.Schema):
    body_id = ma.fields.UUID(
        metadata={"description": "only sessions of this body (an issuer sees only its own)"}
    )


class PublishSchema(ma.Schema):
    working_days = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=60),
        metadata={"description": "window length in working days (default: configured, 5)"},
    )


class ConfirmSchema(ma.Schema):
    """No fields: confirmation issues every passing candidate's certificate."""


class ReportSchema(ma.Schema):
    reported_to = text(200, required=True, description="the authority, e.g. 朝阳区人社局")
    reference = text(200, min_length=0, load_default="", description="the report's reference")


class PublicationSchema(ma.Schema):
    published_on = ma.fields.String(required=True, metadata={"format": "date"})
    working_days = ma.fields.Integer(required=True)
    window_ends_on = ma.fields.String(
        required=True,
        metadata={"format": "date", "description": "last day of the 公示 window (inclusive)"},
    )
    confirmable_from = ma.fields.String(required=True, metadata={"format": "date"})
    calendar = ma.fields.String(
        required=True,
        metadata={
            "description": "the working-day calendars the window was counted on, one per year "
            "it reached (GET /api/v1/calendars), e.g. '2026 arrangement as shipped (…); 2027 "
            "arrangement v1 (…)'"
        },
    )
    results = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)


class ConfirmationSchema(ma.Schema):
    confirmed_on = ma.fields.String(required=True, metadata={"format": "date"})
    results = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)


class IssuedSchema(ma.Schema):
    issued_at = ma.fields.DateTime(required=True)
    count = ma.fields.Integer(required=True)
    first_number = ma.fields.String(required=True, allow_none=True)
    last_number = ma.fields.String(required=True, allow_none=True)


class ReportedSchema(ma.Schema):
    reported_to = ma.fields.String(required=True)
    reference = ma.fields.String(required=True)
    reported_on = ma.fields.String(required=True, metadata={"format": "date"})


class EvaluationHeadingSchema(ma.Schema):
    """What names a session, first in both its views (full and list row)."""

    id = ma.fields.UUID(required=True)
    body_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    starts_on = ma.fields.String(required=True, metadata={"format": "date"})
    ends_on = ma.fields.String(required=True, metadata={"format": "date"})


class ComponentProgressSchema(ma.Schema):
    rule = ma.fields.String(
        required=True,
        validate=validate.OneOf([PANEL_MEAN, SINGLE_MARK]),
        metadata={
            "description": "panel-mean: every examiner on the panel marks, the score is their "
            "mean; single-mark: one mark scores it (no panel, or planned before the rule)"
        },
    )
    panel = ma.fields.List(ma.fields.String(), required=True)
    scored = ma.fields.Integer(required=True, metadata={"description": "candidates scored"})
    unscored = ma.fields.Integer(required=True, metadata={"description": "candidates not yet"})
    marks_missing = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "by examiner on the panel: candidates they have yet to mark"},
    )


class EvaluationSchema(EvaluationHeadingSchema):
    components = ma.fields.List(ma.fields.String(), required=True)
    scoring = ma.fields.String(
        required=True,
        validate=validate.OneOf([PANEL_MEAN, SINGLE_MARK]),
        metadata={"description": "the session's scoring rule (see progress.rule)"},
    )
    progress = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Nested(ComponentProgressSchema),
        required=True,
        metadata={"description": "scoring progress by component (withdrawn candidates left out)"},
    )
    panels = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True
    )
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    candidates = ma.fields.Integer(required=True, metadata={"description": "how many enrolled"})
    results = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "candidates by result: passed, failed, incomplete, withdrawn"},
    )
    publication = ma.fields.Nested(PublicationSchema, required=True, allow_none=True)
    objections = ma.fields.List(ma.fields.Nested(ObjectionSchema), required=True)
    confirmation = ma.fields.Nested(ConfirmationSchema, required=True, allow_none=True)
    issued = ma.fields.Nested(IssuedSchema, required=True, allow_none=True)
    report = ma.fields.Nested(ReportedSchema, required=True, allow_none=True)
    version = ma.fields.Integer(required=True)


class ReportSummarySchema(ma.Schema):
    reported_to = ma.fields.String(required=True)
    reported_on = ma.fields.String(required=True, metadata={"format": "date"})
    reference = ma.fields.String(required=True)
    certificates = ma.fields.Integer(required=True)


class EvaluationSummarySchema(EvaluationHeadingSchema):
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    version = ma.fields.Integer(required=True)
    candidates = ma.fields.Integer(required=True)
    marks_recorded = ma.fields.Integer(
        required=True, metadata={"description": "first marks recorded (corrections not counted)"}
    )
    marks_expected = ma.fields.Integer(
        required=True,
        metadata={
            "description": "marks that score every candidate: one per examiner on a component's "
            "panel (panel-mean), else one per component"
        },
    )
    report = ma.fields.Nested(ReportSummarySchema, required=True, allow_none=True)


def view(evaluation: Evaluation) -> dict[str, Any]:
    publication = None
    if evaluation.confirmable_from is not None:
        publication = {
            **(evaluation.publication or {}),
            "confirmable_from": evaluation.confirmable_from.isoformat(),
        }
    return {
        "id": evaluation.id,
        "body_id": evaluation.body_id,
        "reference": evaluation.reference,
        "occupation_code": evaluation.occupation_code,
        "level": evaluation.level_code,
        "starts_on": evaluation.starts_on,
        "ends_on": evaluation.ends_on,
        "components": list(evaluation.components),
        "scoring": evaluation.scoring,
        "progress": session_progress(
            evaluation.candidates.values(), evaluation.components, evaluation.marking_panels
        ),
        "panels": {name: list(examiners) for name, examiners in evaluation.panels.items()},
        "status": evaluation.status,
        "candidates": len(evaluation.candidates),
        "results": evaluation.results(),
        "publication": publication,
        "objections": list(evaluation.objections.values()),
        "confirmation": evaluation.confirmation,
        "issued": evaluation.issued,
        "report": evaluation.report,
        "version": evaluation.version,
    }


# -- views --------------------------------------------------------------------------------------


LOCATION = located_at("evaluations.get_evaluation", "evaluation_id")


@blp.route("", methods=["POST"])
@access(admin="for any body (body_id required)", issuer="for its own organisation")
@blp.command(PlanEvaluationSchema, EvaluationSchema, status=201, view=view, location=LOCATION)
def plan_evaluation(body: dict[str, Any]) -> Any:
    """Plan a session: inside the body's filed scope, with lawful examiner panels."""
    principal = current_principal()
    body_id = acting_organisation(body["body_id"], "/body_id", Role.ISSUER)
    return ledger().evaluations.plan_evaluation(
        body_id=body_id,
        reference=body["reference"],
        occupation_code=body["occupation_code"],
        level=body["level"],
        starts_on=body["starts_on"],
        ends_on=body["ends_on"],
        panels=body["panels"],
        actor=principal.actor,
    )


@blp.route("", methods=["GET"])
@access(admin="every session", auditor="every session", issuer="sessions of its own organisation")
@blp.arguments(EvaluationListArgs, location="query")
@list_page(blp, EvaluationSummarySchema, read_model="evaluation_sessions")
def list_evaluations(filters: dict[str, Any], page: dict[str, Any]) -> Any:
    """List sessions in planning order (cursor-paginated), optionally of one body."""
    principal = current_principal()
    body_id = own_scope(
        filters.get("body_id"),
        Role.ISSUER,
        principal.organisation_id,
        "an issuer token lists only its own organisation's sessions",
    )
    return services().evaluation_sessions.list_sessions(
        after=page["cursor"], limit=page["limit"], body_id=body_id
    )


@blp.route("/<uuid:evaluation_id>", methods=["GET"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.query(EvaluationSchema)
def get_evaluation(evaluation_id: UUID) -> Any:
    """A session: plan, status, result counts, publication window, objections, issue, report."""
    return view(session_for_reading(evaluation_id))


@blp.route("/<uuid:evaluation_id>/publish", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(PublishSchema, EvaluationSchema, view=view)
def publish_results(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Publish (公示) the results for N working days on the Chinese calendar (default 5).

    A window reaching a year no calendar covers is refused (422 ``calendar-missing-year``, with
    the ``year``); an admin adds that year with ``POST /api/v1/calendars``."""
    session_for_change(evaluation_id)
    return ledger().evaluations.publish_results(
        evaluation_id, **body, actor=current_principal().actor
    )


def job_location(_recorded: Recorded, job: dict[str, Any]) -> str:
    return url_for("jobs.get_job", job_id=job["id"])


@blp.route("/<uuid:evaluation_id>/confirm", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(ConfirmSchema, JobSchema, status=202, location=job_location)
def confirm_evaluation(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Confirm the results and issue every passing candidate's certificate, as a job.

    Refused at once (422) before the publication window has ended or with unresolved
    objections. Otherwise answers 202 with the job: poll ``Location`` for its progress; the
    job allocates the numbers and issues all certificates in one atomic save (all or nothing).
    Confirming again while the job is queued or running answers the same job.
    """
    evaluation = ledger().evaluations.check_confirmation(session_for_change(evaluation_id))
    queued_at = Recorded(evaluation, ledger().log_position)  # the job's result has the issue's
    job, _created = submit_confirmation(evaluation, current_principal().actor)
    return queued_at, job_view(job)


@blp.route("/<uuid:evaluation_id>/report", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(ReportSchema, EvaluationSchema, view=view)
def report_evaluation(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Report (上报) the issued certificates to the authority."""
    session_for_change(evaluation_id)
    return ledger().evaluations.report_evaluation(
        evaluation_id, **body, actor=current_principal().actor
    )
