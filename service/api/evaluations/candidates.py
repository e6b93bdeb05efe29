"""Candidates (考生) of a session: enrolment on an eligibility route with its evidence, scores
by named examiners and reasoned corrections, and the candidate list."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.eligibility import DiplomaKind, TitleGrade
from domain.errors import InvalidValue
from domain.evaluation import SCORE_PATTERN, CandidateResult, Evaluation, parse_score, score_text
from domain.evaluation.panel import PANEL_MEAN, SINGLE_MARK
from projections.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from service.api.auth import access, current_principal
from service.api.eligibility import RoutesSchema, routes_view
from service.api.evaluations.blueprint import blp, session_for_change, session_for_reading
from service.api.fields import occupation_code_field, text
from service.api.reads import list_page
from service.app_services import ledger
from service.commands import Recorded

COMPONENTS = ["theory", "practical", "review"]


# -- schemas ------------------------------------------------------------------------------------


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
    route_id = ma.fields.String(
        required=True,
        data_key="route",
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


class MarkViewSchema(ma.Schema):
    score = ma.fields.String(required=True, metadata={"description": "decimal string"})
    examiner = ma.fields.String(required=True)
    recorded_on = ma.fields.String(required=True, metadata={"format": "date"})
    corrections = ma.fields.List(ma.fields.Nested(ScoreCorrectionViewSchema), required=True)


class ScoreViewSchema(ma.Schema):
    """A component's score: the panel's result, or (no panel, or a session planned before the
    panel rule) the one examiner's mark."""

    score = ma.fields.String(required=True, metadata={"description": "decimal string"})
    rule = ma.fields.String(
        required=True,
        validate=validate.OneOf([PANEL_MEAN, SINGLE_MARK]),
        metadata={
            "description": "panel-mean: the mean of every panel examiner's mark (rounded half "
            "up to 2 decimals; each mark and its corrections under marks); single-mark: one "
            "examiner's mark"
        },
    )
    examiner = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "single-mark: who marked it"}
    )
    examiners = ma.fields.List(
        ma.fields.String(), metadata={"description": "panel-mean: the panel that marked it"}
    )
    recorded_on = ma.fields.String(required=True, metadata={"format": "date"})
    corrections = ma.fields.List(
        ma.fields.Nested(ScoreCorrectionViewSchema),
        required=True,
        metadata={"description": "single-mark: its corrections (panel-mean: see marks)"},
    )


class MarkProgressSchema(ma.Schema):
    rule = ma.fields.String(required=True, validate=validate.OneOf([PANEL_MEAN, SINGLE_MARK]))
    marked_by = ma.fields.List(ma.fields.String(), required=True)
    missing = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "examiners on the panel who have not marked it yet"},
    )
    complete = ma.fields.Boolean(required=True, metadata={"description": "the component is scored"})


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
        keys=ma.fields.String(),
        values=ma.fields.Nested(ScoreViewSchema),
        required=True,
        metadata={"description": "the scored components (a panel's only once all marked)"},
    )
    marks = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(MarkViewSchema)),
        required=True,
        metadata={"description": "panel-marked components: each examiner's mark, by examiner"},
    )
    progress = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Nested(MarkProgressSchema),
        required=True,
        metadata={"description": "every component: who has marked it and who has not"},
    )
    result = ma.fields.String(
        required=True, validate=validate.OneOf([r.value for r in CandidateResult])
    )
    failed_components = ma.fields.List(ma.fields.String(), required=True)
    withdrawn = ma.fields.Nested(WithdrawalSchema, required=True, allow_none=True)
    certificate_number = ma.fields.String(required=True, allow_none=True)


def candidate_view(evaluation: Evaluation, candidate: dict[str, Any]) -> dict[str, Any]:
    return {
        **candidate,
        "scores": {
            component: {"rule": SINGLE_MARK, **score}
            for component, score in candidate["scores"].items()
        },
        "marks": candidate.get("marks", {}),
        "progress": evaluation.progress(candidate),
        "result": evaluation.result_of(candidate).value,
        "failed_components": evaluation.failed_components(candidate),
    }


def with_candidate(recorded: Recorded, worker_id: UUID) -> tuple[Recorded, dict[str, Any]]:
    """A command's answer: the candidate as the session now has it."""
    evaluation = recorded.aggregate
    return recorded, candidate_view(evaluation, evaluation.candidate(worker_id))


# -- views --------------------------------------------------------------------------------------


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
        evaluation_id, **body, actor=current_principal().actor
    )
    return with_candidate(recorded, body["worker_id"])


@blp.route("/<uuid:evaluation_id>/scores", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(ScoreSchema, CandidateSchema)
def record_score(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Record an examiner's mark on a candidate's component (once; then correct it).

    A component with a panel is scored when every examiner on it has marked it: its score is
    the mean of their marks (``progress`` names who is missing). A session planned before
    that rule keeps it: one mark scores a component."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.record_score(
        evaluation_id, **body, actor=current_principal().actor
    )
    return with_candidate(recorded, body["worker_id"])


@blp.route("/<uuid:evaluation_id>/corrections", methods=["POST"])
@access(admin="any session", issuer="sessions of its own organisation")
@blp.command(ScoreCorrectionSchema, CandidateSchema)
def correct_score(body: dict[str, Any], evaluation_id: UUID) -> Any:
    """Correct a recorded mark with a reason (on a panel: ``examiner``'s own mark): a new
    event; the old mark stays in history."""
    session_for_change(evaluation_id)
    recorded = ledger().evaluations.correct_score(
        evaluation_id, **body, actor=current_principal().actor
    )
    return with_candidate(recorded, body["worker_id"])


@blp.route("/<uuid:evaluation_id>/eligibility-routes", methods=["GET"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.query(RoutesSchema)
def session_routes(evaluation_id: UUID) -> Any:
    """The eligibility routes a candidate of this session may be enrolled on today (its
    occupation and level, the edition in force), with their requirements in 中文 and English."""
    evaluation = session_for_reading(evaluation_id)
    return routes_view(evaluation.occupation_code, evaluation.level, None)
