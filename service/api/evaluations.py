"""Evaluations (企业自主评价): a body runs a self-evaluation session inside its filed scope.

plan → enrol candidates (eligibility route + evidence) → scores and reasoned corrections →
publish (公示, N working days on the Chinese calendar) → objections lodged and resolved → confirm
(a job: numbers allocated and every passing candidate's certificate issued in one atomic save)
→ report (上报). Candidates and scores can also be imported from CSV or XLSX, with a dry run.

Enterprise posts (评聘: 学徒工, 特级技师, 首席技师) under ``/posts``: appoint (prerequisite and the
three reviews with evidence), read, withdraw with a reason, and the post's signed credential.

An issuer token acts only for sessions of its own organisation; admins for any; auditors read.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import url_for
from marshmallow import validate

from domain.api_token import Role
from domain.eligibility import DiplomaKind, TitleGrade
from domain.errors import InvalidValue
from domain.evaluation import (
    SCORE_PATTERN,
    CandidateResult,
    Evaluation,
    ObjectionOutcome,
    parse_score,
    score_text,
)
from domain.post_appointment import PostAppointment, PostReview
from domain.skill_level import SkillLevel
from projections.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from service.api.auth import (
    access,
    acting_organisation,
    current_principal,
    forbidden,
    own_scope,
    require_organisation,
)
from service.api.credentials import (
    DOCUMENT_RESPONSES,
    VC_MEDIA_TYPES,
    _document_response,
    _media_type,
)
from service.api.fields import ReasonSchema, level_field, occupation_code_field, text
from service.api.jobs import JobSchema, job_answer, job_runner
from service.api.openapi import IDEMPOTENCY_KEY_PARAMETER, LOG_POSITION_HEADER, Blueprint
from service.api.problems import Problem
from service.api.reads import list_page
from service.api.services import ledger
from service.credential_issuing import SignedDocument
from service.evaluations.confirmation import CONFIRM_JOB

blp = Blueprint(
    "evaluations",
    __name__,
    url_prefix="/api/v1/evaluations",
    description="Self-evaluation sessions (企业自主评价) of filed bodies: plan, enrol, score, "
    "publish (公示), objections, confirm and issue (a job), report (上报), CSV/XLSX import.",
)

PANELS = ["practical", "review", "theory"]
COMPONENTS = ["theory", "practical", "review"]
STATUSES = ["planned", "published", "confirmed", "issued", "reported"]
MAX_UPLOAD_NOTE = "at most the app's MAX_CONTENT_LENGTH (1 MiB by default) and 20,000 rows"


# -- fields -------------------------------------------------------------------------------------


class ScoreField(ma.fields.Field):
    """A score out of 100: an integer, or a decimal string with at most two decimals."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "description": 'an integer 0..100 or a decimal string such as "59.5" (at most two '
            "decimals); never a floating-point number",
            "oneOf": [
                {"type": "integer", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": f"^(?:{SCORE_PATTERN})$"},
            ],
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str) and value != value.strip():
            raise ma.ValidationError("a score has no surrounding spaces")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ma.ValidationError(
                'an integer or a decimal string such as "85.5"; never a floating-point number'
            )
        try:
            return score_text(parse_score(value))
        except InvalidValue as error:
            raise ma.ValidationError(error.detail) from None


def examiner_field(**kwargs: Any) -> ma.fields.String:
    return text(100, description="the examiner (考评员) who gave the score, by name", **kwargs)


# -- request schemas --------------------------------------------------------------------------


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


class ExperienceSchema(ma.Schema):
    occupation_code = occupation_code_field(load_default=None)
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(
        load_default=None, allow_none=True, metadata={"description": "null: ongoing"}
    )


class DiplomaSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf([k.value for k in DiplomaKind]))
    awarded_on = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "null for a final-year student (在校应届毕业生)"},
    )
    relevant = ma.fields.Boolean(
        load_default=True, metadata={"description": "本专业或相关专业, as the body found"}
    )
    reference = text(200, min_length=0, load_default="")


class TitleSchema(ma.Schema):
    series = text(50, required=True, description="职称系列, e.g. engineering")
    grade = ma.fields.String(required=True, validate=validate.OneOf([g.value for g in TitleGrade]))
    awarded_on = ma.fields.Date(required=True)
    relevant = ma.fields.Boolean(load_default=True)


class EvidenceSchema(ma.Schema):
    experience = ma.fields.List(
        ma.fields.Nested(ExperienceSchema), load_default=list, validate=validate.Length(max=20)
    )
    diplomas = ma.fields.List(
        ma.fields.Nested(DiplomaSchema), load_default=list, validate=validate.Length(max=10)
    )
    titles = ma.fields.List(
        ma.fields.Nested(TitleSchema), load_default=list, validate=validate.Length(max=10)
    )
    evidence_reference = text(
        500,
        min_length=0,
        load_default="",
        description="the approval or record behind a bypass route (直接认定, 破格晋升, 竞赛晋升)",
    )


class EnrolSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    route = ma.fields.String(
        required=True,
        validate=[validate.Length(min=1, max=64), validate.Regexp(r"^[!-~]+$")],
        metadata={
            "description": "eligibility route id of the edition in force, e.g. 4-years "
            "(levels held are read from the ledger, never from the request)"
        },
    )
    evidence = ma.fields.Nested(EvidenceSchema, load_default=dict)


class ScoreSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    component = ma.fields.String(required=True, validate=validate.OneOf(COMPONENTS))
    score = ScoreField(required=True)
    examiner = examiner_field(required=True)


class ScoreCorrectionSchema(ScoreSchema):
    reason = text(500, required=True, description="why the score changes; recorded in the event")


class PublishSchema(ma.Schema):
    working_days = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=60),
        metadata={"description": "window length in working days (default: configured, 5)"},
    )


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


class ConfirmSchema(ma.Schema):
    """No fields: confirmation issues every passing candidate's certificate."""


class ReportSchema(ma.Schema):
    reported_to = text(200, required=True, description="the authority, e.g. 朝阳区人社局")
    reference = text(200, min_length=0, load_default="", description="the report's reference")


class ImportArgs(ma.Schema):
    dry_run = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "check every row and report; record nothing"},
    )


class UploadSchema(ma.Schema):
    file = ma.fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": f"a CSV (UTF-8 or GB 18030) or XLSX file; {MAX_UPLOAD_NOTE}",
        },
    )


# -- response schemas ---------------------------------------------------------------------------


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


class EvaluationSummarySchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    body_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    starts_on = ma.fields.String(required=True, metadata={"format": "date"})
    ends_on = ma.fields.String(required=True, metadata={"format": "date"})
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    version = ma.fields.Integer(required=True)


class RouteSchema(ma.Schema):
    id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    edition = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    previous_level = ma.fields.String(required=True, allow_none=True)


class ScoreCorrectionViewSchema(ma.Schema):
    previous = ma.fields.String(required=True)
    previous_examiner = ma.fields.String(required=True)
    score = ma.fields.String(required=True)
    examiner = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    on = ma.fields.String(required=True, metadata={"format": "date"})


class ScoreViewSchema(ma.Schema):
    score = ma.fields.String(required=True, metadata={"description": "decimal string"})
    examiner = ma.fields.String(required=True)
    recorded_on = ma.fields.String(required=True, metadata={"format": "date"})
    corrections = ma.fields.List(ma.fields.Nested(ScoreCorrectionViewSchema), required=True)


class WithdrawalSchema(ma.Schema):
    reason = ma.fields.String(required=True)
    objection_id = ma.fields.String(required=True)
    on = ma.fields.String(required=True, metadata={"format": "date"})


class CandidateSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    masked_id_number = ma.fields.String(required=True)
    route = ma.fields.Nested(RouteSchema, required=True)
    satisfied = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "what the eligibility check found met"},
    )
    evidence = ma.fields.Dict(
        required=True, metadata={"description": "the facts the check relied on"}
    )
    enrolled_on = ma.fields.String(required=True, metadata={"format": "date"})
    scores = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Nested(ScoreViewSchema), required=True
    )
    result = ma.fields.String(
        required=True, validate=validate.OneOf([r.value for r in CandidateResult])
    )
    failed_components = ma.fields.List(ma.fields.String(), required=True)
    withdrawn = ma.fields.Nested(WithdrawalSchema, required=True, allow_none=True)
    certificate_number = ma.fields.String(required=True, allow_none=True)


class ImportProblemSchema(ma.Schema):
    row = ma.fields.Integer(required=True, metadata={"description": "spreadsheet row; 1 = header"})
    column = ma.fields.String(required=True, metadata={"description": "as written in the file"})
    message = ma.fields.String(required=True)


class ImportReportSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(["candidates", "scores"]))
    format = ma.fields.String(required=True, validate=validate.OneOf(["csv", "xlsx", "unknown"]))
    dry_run = ma.fields.Boolean(required=True)
    rows = ma.fields.Integer(required=True)
    ok = ma.fields.Boolean(required=True, metadata={"description": "no row has a problem"})
    recorded = ma.fields.Boolean(required=True)
    position = ma.fields.Integer(required=True, allow_none=True)
    changes = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    problems = ma.fields.List(ma.fields.Nested(ImportProblemSchema), required=True)


# -- views of the aggregate ---------------------------------------------------------------------


def view(evaluation: Evaluation) -> dict[str, Any]:
    publication = None
    if evaluation.publication is not None:
        ends = date.fromisoformat(evaluation.publication["window_ends_on"])
        publication = {
            **evaluation.publication,
            "confirmable_from": (ends + timedelta(days=1)).isoformat(),
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


def candidate_view(evaluation: Evaluation, candidate: dict[str, Any]) -> dict[str, Any]:
    return {
        **candidate,
        "result": evaluation.result_of(candidate).value,
        "failed_components": evaluation.failed_components(candidate),
    }


def answer(recorded: Any, body: dict[str, Any], status: int = 200) -> Any:
    return body, status, {"X-Log-Position": str(recorded.position)}


def candidate_answer(recorded: Any, worker_id: UUID) -> Any:
    """A command's answer: the candidate as the session now has it."""
    evaluation = recorded.aggregate
    return answer(recorded, candidate_view(evaluation, evaluation.candidate(worker_id)))


def session_for_change(evaluation_id: UUID) -> Evaluation:
    """The session, if the caller may change it (admin, or the issuer of its body)."""
    evaluation = ledger().evaluation(evaluation_id)
    require_organisation(evaluation.body_id)
    return evaluation


def session_for_reading(evaluation_id: UUID) -> Evaluation:
    evaluation = ledger().evaluation(evaluation_id)
    if not current_principal().is_(Role.AUDITOR):
        require_organisation(evaluation.body_id)
    return evaluation


# -- plan, list, read ---------------------------------------------------------------------------


@blp.route("", methods=["POST"])
@access(admin="for any body (body_id required)", issuer="for its own organisation")
@blp.command(PlanEvaluationSchema, EvaluationSchema, status=201)
def plan_evaluation(body: dict[str, Any]) -> Any:
    """Plan a session: inside the body's filed scope, with lawful examiner panels."""
    principal = current_principal()
    body_id = acting_organisation(body["body_id"], "/body_id", Role.ISSUER)
    recorded = ledger().evaluations.plan_evaluation(
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


@blp.route("", methods=["GET"])
@access(admin="every session", auditor="every session", issuer="sessions of its own organisation")
@blp.arguments(EvaluationListArgs, location="query")
@list_page(blp, EvaluationSummarySchema)
def list_evaluations(filters: dict[str, Any], page: dict[str, Any]) -> Any:
    """List sessions in planning order (cursor-paginated), optionally of one body."""
    principal = current_principal()
    body_id = own_scope(
        filters.get("body_id"),
        Role.ISSUER,
        principal.organisation_id,
        "an issuer token lists only its own organisation's sessions",
    )
    key = decode_cursor("evaluations", page["cursor"], 1)
    after = key[0] if key else None
    if after is not None and (isinstance(after, bool) or not isinstance(after, int)):
        raise InvalidCursor("cursor is not one this list handed out")
    items, last = ledger().evaluation_summaries(body_id=body_id, after=after, limit=page["limit"])
    rows = [
        {name: getattr(item, name) for name in EvaluationSummarySchema().fields} for item in items
    ]
    return Page(rows, encode_cursor("evaluations", [last]) if last is not None else None)


@blp.route("/<uuid:evaluation_id>", methods=["GET"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.query(EvaluationSchema)
def get_evaluation(evaluation_id: UUID) -> Any:
    """A session: plan, status, result counts, publication window, objections, issue, report."""
    return view(session_for_reading(evaluation_id))


@blp.route("/<uuid:evaluation_id>/candidates", methods=["GET"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.errors(404)
@list_page(blp, CandidateSchema)
def list_candidates(page: dict[str, Any], evaluation_id: UUID) -> Any:
    """Candidates in enrolment order with route, scores, result (ID numbers masked)."""
    evaluation = session_for_reading(evaluation_id)
    key = decode_cursor("candidates", page["cursor"], 2)
    start = 0
    if key is not None:
        if key[0] != str(evaluation_id) or isinstance(key[1], bool) or not isinstance(key[1], int):
            raise InvalidCursor("cursor is not one this list handed out")
        start = key[1]
    candidates = list(evaluation.candidates.values())
    chunk = candidates[start : start + page["limit"]]
    end = start + len(chunk)
    return Page(
        [candidate_view(evaluation, candidate) for candidate in chunk],
        encode_cursor("candidates", [str(evaluation_id), end]) if end < len(candidates) else None,
    )


# -- candidates and scores ----------------------------------------------------------------------


@blp.route("/<uuid:evaluation_id>/candidates", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation (a Y body: own staff)")
@blp.command(EnrolSchema, CandidateSchema)
def enrol_candidate(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Enrol a worker on an eligibility route with its evidence; ineligible is refused (422)."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.enrol_candidate(
        evaluation_id,
        worker_id=body["worker_id"],
        route_id=body["route"],
        evidence=body["evidence"],
        actor=current_principal().actor,
    )
    return candidate_answer(recorded, body["worker_id"])


@blp.route("/<uuid:evaluation_id>/scores", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(ScoreSchema, CandidateSchema)
def record_score(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Record a candidate's component score by a named examiner (once; then correct it)."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.record_score(
        evaluation_id,
        worker_id=body["worker_id"],
        component=body["component"],
        score=body["score"],
        examiner=body["examiner"],
        actor=current_principal().actor,
    )
    return candidate_answer(recorded, body["worker_id"])


@blp.route("/<uuid:evaluation_id>/corrections", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(ScoreCorrectionSchema, CandidateSchema)
def correct_score(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Correct a recorded score with a reason: a new event; the old score stays in history."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.correct_score(
        evaluation_id,
        worker_id=body["worker_id"],
        component=body["component"],
        score=body["score"],
        examiner=body["examiner"],
        reason=body["reason"],
        actor=current_principal().actor,
    )
    return candidate_answer(recorded, body["worker_id"])


# -- publication and objections -----------------------------------------------------------------


@blp.route("/<uuid:evaluation_id>/publish", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(PublishSchema, EvaluationSchema)
def publish_results(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Publish (公示) the results for N working days on the Chinese calendar (default 5).

    A window reaching a year no calendar covers is refused (422 ``calendar-missing-year``, with
    the ``year``); an admin adds that year with ``POST /api/v1/calendars``."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.publish_results(
        evaluation_id, working_days=body["working_days"], actor=current_principal().actor
    )
    return answer(recorded, view(recorded.aggregate))


@blp.route("/<uuid:evaluation_id>/objections", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation (objections it received)")
@blp.command(LodgeObjectionSchema, ObjectionSchema)
def lodge_objection(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Lodge an objection (异议) to a candidate's result during the 公示 window."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.lodge_objection(
        evaluation_id,
        worker_id=body["worker_id"],
        grounds=body["grounds"],
        lodged_by=body["lodged_by"],
        actor=current_principal().actor,
    )
    objections = recorded.aggregate.objections
    return answer(recorded, objections[list(objections)[-1]])


@blp.route("/<uuid:evaluation_id>/objections/<objection_id>/resolve", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(ResolveObjectionSchema, ObjectionSchema)
def resolve_objection(body: dict[str, Any], evaluation_id: UUID, objection_id: str) -> Any:
    """Resolve an objection: upheld withdraws the candidate's result with the reason."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.resolve_objection(
        evaluation_id,
        objection_id,
        outcome=body["outcome"],
        reason=body["reason"],
        actor=current_principal().actor,
    )
    return answer(recorded, recorded.aggregate.objections[objection_id])


# -- confirmation, report -----------------------------------------------------------------------


@blp.route("/<uuid:evaluation_id>/confirm", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.response(
    202,
    JobSchema,
    headers={
        "X-Log-Position": {
            **LOG_POSITION_HEADER,
            "description": "the log position when the job was queued; the job's result "
            "gives the position of the issue",
        },
        "Location": {"description": "the job to poll", "schema": {"type": "string"}},
    },
)
@blp.arguments(ConfirmSchema)
@blp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@blp.errors(400, 404, 409, 413, 415, 422)
def confirm_evaluation(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Confirm the results and issue every passing candidate's certificate, as a job.

    Refused at once (422) before the publication window has ended or with unresolved
    objections. Otherwise answers 202 with the job: poll ``Location`` for its progress; the
    job allocates the numbers and issues all certificates in one atomic save (all or nothing).
    Confirming again while the job is queued or running answers the same job.
    """
    session_for_change(evaluation_id)
    evaluation = ledger().evaluations.check_confirmation(evaluation_id)
    position = ledger().log_position
    job, _created = job_runner().submit(
        CONFIRM_JOB,
        {"evaluation_id": str(evaluation_id), "actor": current_principal().actor},
        actor=current_principal().actor,
        owner=str(evaluation.body_id),
        dedupe_key=f"{CONFIRM_JOB}:{evaluation_id}",
    )
    body_, _status, headers = job_answer(job)
    headers["X-Log-Position"] = str(position)
    return body_, 202, headers


@blp.route("/<uuid:evaluation_id>/report", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(ReportSchema, EvaluationSchema)
def report_evaluation(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Report (上报) the issued certificates to the authority."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.report_evaluation(
        evaluation_id,
        reported_to=body["reported_to"],
        reference=body["reference"],
        actor=current_principal().actor,
    )
    return answer(recorded, view(recorded.aggregate))


# -- import -------------------------------------------------------------------------------------


def _import(kind: str, evaluation_id: UUID, args: dict[str, Any], files: dict[str, Any]) -> Any:
    session_for_change(evaluation_id)
    upload = files["file"]
    data = upload.read() if hasattr(upload, "read") else bytes(upload)
    command = (
        ledger().evaluations.import_candidates
        if kind == "candidates"
        else ledger().evaluations.import_scores
    )
    report = command(evaluation_id, data, dry_run=args["dry_run"], actor=current_principal().actor)
    body = report.as_dict()
    if report.problems and not report.dry_run:
        raise Problem(
            422,
            "import-rejected",
            f"{len(report.problems)} problem(s) in the file; nothing was recorded",
            errors=[
                {
                    "location": "file",
                    "pointer": f"/{problem.row}/{_escape(problem.column)}",
                    "detail": f"row {problem.row}"
                    + (f", column {problem.column}" if problem.column else "")
                    + f": {problem.message}",
                }
                for problem in report.problems
            ],
        )
    position = report.position if report.position is not None else ledger().log_position
    return body, 200, {"X-Log-Position": str(position)}


def _escape(name: str) -> str:
    """A column name as an RFC 6901 pointer segment."""
    return name.replace("~", "~0").replace("/", "~1")


def _import_view(kind: str, summary: str) -> Any:
    def view_(args: dict[str, Any], files: dict[str, Any], evaluation_id: UUID) -> Any:
        return _import(kind, evaluation_id, args, files)

    view_.__name__ = f"import_{kind}"
    view_.__doc__ = summary
    view_.accepts_upload = True  # type: ignore[attr-defined]  # multipart/form-data allowed
    decorated = blp.errors(400, 404, 409, 413, 415, 422)(view_)
    decorated = blp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])(decorated)
    decorated = blp.response(
        200,
        ImportReportSchema,
        headers={"X-Log-Position": LOG_POSITION_HEADER},
    )(decorated)
    decorated = blp.arguments(UploadSchema, location="files")(decorated)
    decorated = blp.arguments(ImportArgs, location="query")(decorated)
    decorated = access(admin="any session", issuer="sessions of its own organisation")(decorated)
    decorated.accepts_upload = True
    blp.route(f"/<uuid:evaluation_id>/import/{kind}", methods=["POST"])(decorated)
    return decorated


import_candidates = _import_view(
    "candidates",
    """Import candidates from a CSV or XLSX file (multipart field ``file``), all or nothing.

    Columns: ``id_number`` (身份证号), ``name`` (姓名), ``route`` (申报条件), and as the route
    needs ``evidence_reference``, ``experience_since``/``experience_until``,
    ``diploma_kind``/``diploma_awarded_on``, ``title_series``/``title_grade``/
    ``title_awarded_on``. ``?dry_run=true`` reports every row's problems (row, column, message;
    ID numbers masked) and records nothing; without it, a file with any problem is refused
    (422 ``import-rejected``; each problem in ``errors`` with location ``file`` and pointer
    ``/<row>/<column>``) and records nothing.""",
)
import_scores = _import_view(
    "scores",
    """Import scores from a CSV or XLSX file (multipart field ``file``), all or nothing.

    Columns: ``id_number``, optional ``name``, and per component a score and an examiner column
    (``theory``/``theory_examiner``, ``practical``/``practical_examiner``,
    ``review``/``review_examiner``); ``correction_reason`` turns a changed score into a
    correction. Scores equal to those recorded are left alone. ``?dry_run=true`` as for
    candidates.""",
)


# -- enterprise posts (评聘) ----------------------------------------------------------------------

POSTS = ["apprentice", "principal", "chief"]


class PostReviewSchema(ma.Schema):
    review = ma.fields.String(
        required=True,
        validate=validate.OneOf([r.value for r in PostReview]),
        metadata={
            "description": "performance (业绩评价), defence (现场答辩), comprehensive (综合评审)"
        },
    )
    evidence = text(1000, required=True, description="the record the review passed on")
    passed_on = ma.fields.Date(
        load_default=None, allow_none=True, metadata={"description": "default: today"}
    )


class AppointPostSchema(ma.Schema):
    organisation_id = ma.fields.UUID(
        load_default=None,
        metadata={"description": "the employer (Y body); an issuer token may leave it out"},
    )
    worker_id = ma.fields.UUID(required=True, metadata={"description": "one of its own staff"})
    occupation_code = occupation_code_field(required=True)
    post = ma.fields.String(
        required=True,
        validate=validate.OneOf(POSTS),
        metadata={"description": "apprentice (学徒工), principal (特级技师), chief (首席技师)"},
    )
    reviews = ma.fields.List(
        ma.fields.Nested(PostReviewSchema),
        required=True,
        validate=validate.Length(max=3),
        metadata={"description": "the three reviews, each passed with its evidence"},
    )


class PostReviewViewSchema(ma.Schema):
    evidence = ma.fields.String(required=True)
    passed_on = ma.fields.String(required=True, metadata={"format": "date"})


class PostWithdrawalSchema(ma.Schema):
    at = ma.fields.DateTime(required=True)
    reason = ma.fields.String(required=True)


class PostAppointmentSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    organisation_name = ma.fields.String(required=True)
    worker_id = ma.fields.UUID(required=True)
    worker_name = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    occupation_name = ma.fields.String(required=True)
    post = ma.fields.String(required=True, validate=validate.OneOf(POSTS))
    post_name = ma.fields.String(required=True)
    term = ma.fields.Integer(
        required=True,
        metadata={
            "description": "1 for the worker's first appointment to this post here; after a "
            "withdrawal the post can be appointed again, as term 2, 3, ..."
        },
    )
    prerequisite = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "the 一级 certificate (特级技师) or 特级技师 appointment (首席技师)"
        },
    )
    reviews = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Nested(PostReviewViewSchema), required=True
    )
    appointed_at = ma.fields.DateTime(required=True, allow_none=True)
    standing = ma.fields.Boolean(required=True)
    withdrawn = ma.fields.Nested(PostWithdrawalSchema, required=True, allow_none=True)
    credential_url = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)


def post_view(appointment: PostAppointment) -> dict[str, Any]:
    return {
        "id": appointment.id,
        "organisation_id": appointment.organisation_id,
        "organisation_name": appointment.organisation_name,
        "worker_id": appointment.worker_id,
        "worker_name": appointment.worker_name,
        "occupation_code": appointment.occupation_code,
        "occupation_name": appointment.occupation_name,
        "post": appointment.post,
        "post_name": appointment.level.name_zh,
        "term": appointment.term,
        "prerequisite": appointment.prerequisite,
        "reviews": {
            review: {"evidence": entry["evidence"], "passed_on": entry["passed_on"]}
            for review, entry in appointment.reviews.items()
        },
        "appointed_at": appointment.appointed_at,
        "standing": appointment.standing,
        "withdrawn": (
            None
            if appointment.withdrawn is None
            else {key: appointment.withdrawn[key] for key in ("at", "reason")}
        ),
        "credential_url": url_for("evaluations.get_post_credential", appointment_id=appointment.id),
        "version": appointment.version,
    }


def post_for_reading(appointment_id: UUID) -> PostAppointment:
    """The post, if the caller may read it: admins and auditors any, the issuer of its
    organisation, the worker appointed."""
    appointment = ledger().post_appointment(appointment_id)
    principal = current_principal()
    if principal.is_(Role.WORKER):
        if principal.worker_id != appointment.worker_id:
            raise forbidden("a worker token sees only its own posts")
    elif not principal.is_(Role.AUDITOR):
        require_organisation(appointment.organisation_id)
    return appointment


POST_READERS = {
    "admin": "any post",
    "auditor": "any post",
    "issuer": "posts of its own organisation",
    "worker": "its own posts",
}


@blp.route("/posts", methods=["POST"])
@access(
    admin="for any employer (organisation_id required)",
    issuer="for its own organisation and its own staff",
)
@blp.command(AppointPostSchema, PostAppointmentSchema, status=201)
def appoint_post(body: dict[str, Any]) -> Any:
    """Appoint an enterprise post (评聘): 学徒工, 特级技师 (needs a valid 一级) or 首席技师 (needs
    the enterprise's standing 特级技师), after the performance review, on-site defence and
    comprehensive review, each passed with evidence. Refusals are 422 naming the rule
    (``principal-needs-level-1``, ``chief-needs-principal``, ``reviews-incomplete``,
    ``not-own-staff``, ``posts-are-employer-appointments``, ``already-appointed``)."""
    principal = current_principal()
    organisation_id = acting_organisation(body["organisation_id"], "/organisation_id", Role.ISSUER)
    recorded = ledger().appoint_post(
        organisation_id=organisation_id,
        worker_id=body["worker_id"],
        occupation_code=body["occupation_code"],
        post=body["post"],
        reviews=body["reviews"],
        actor=principal.actor,
    )
    location = url_for("evaluations.get_post", appointment_id=recorded.aggregate.id)
    return (
        post_view(recorded.aggregate),
        201,
        {"X-Log-Position": str(recorded.position), "Location": location},
    )


@blp.route("/posts/<uuid:appointment_id>", methods=["GET"])
@access(**POST_READERS)
@blp.query(PostAppointmentSchema)
def get_post(appointment_id: UUID) -> Any:
    """An enterprise post: who, where, which post, its prerequisite, reviews and standing."""
    return post_view(post_for_reading(appointment_id))


@blp.route("/posts/<uuid:appointment_id>/withdraw", methods=["POST"])
@access(admin="any post", issuer="posts of its own organisation")
@blp.command(ReasonSchema, PostAppointmentSchema)
def withdraw_post(body: dict[str, Any], appointment_id: UUID) -> Any:
    """Withdraw a post with a reason; it stays on record (and on the ladder) as withdrawn."""
    appointment = ledger().post_appointment(appointment_id)
    require_organisation(appointment.organisation_id)
    recorded = ledger().withdraw_post(
        appointment_id, actor=current_principal().actor, reason=body["reason"]
    )
    return answer(recorded, post_view(recorded.aggregate))


@blp.route("/posts/<uuid:appointment_id>/credential", methods=["GET"])
@access(**POST_READERS)
@blp.doc(responses=DOCUMENT_RESPONSES)
@blp.errors(404)
def get_post_credential(appointment_id: UUID) -> Any:
    """The post as a signed Open Badges 3.0 credential: the enterprise's own award, signed
    with its key (verify it at ``POST /credentials/verify``). ``Accept: application/vc``
    answers ``application/vc``, otherwise JSON."""
    post_for_reading(appointment_id)
    credential = ledger().post_credential(appointment_id)
    return _document_response(
        SignedDocument.of(credential),
        _media_type("application/json", VC_MEDIA_TYPES),
        "private, no-cache",
        "Accept, Authorization",
    )
