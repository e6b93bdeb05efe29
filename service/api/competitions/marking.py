"""Judges' marks of a competition: marking sheets, corrections with a reason (更正), spread
reviews (复核), finish times (a tie-break) and locks (封分)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.competition import Competition, MarkEntry
from service.api.auth import access, current_principal
from service.api.competitions.blueprint import (
    DECIMAL,
    DECIMAL_ERROR,
    ORGANISER_RULES,
    blp,
    organised,
)
from service.api.competitions.competition import CompetitionSchema, view
from service.api.competitions.entrants import CompetitionEntrantSchema, entrant_view
from service.api.fields import ReasonSchema, text
from service.app_services import ledger


class JudgeMarkSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    component = text(64, required=True)
    judge = text(100, required=True, description="the judge's name (裁判)")
    mark = ma.fields.String(
        required=True,
        validate=validate.Regexp(DECIMAL, error=DECIMAL_ERROR),
        metadata={"description": "0..100, at most two decimal places, as a string"},
    )


class RecordMarksSchema(ma.Schema):
    marks = ma.fields.List(
        ma.fields.Nested(JudgeMarkSchema),
        required=True,
        validate=validate.Length(min=1, max=5000),
    )


class EntrantComponentSchema(ma.Schema):
    worker_id = ma.fields.String(required=True)
    component = ma.fields.String(required=True)


class MarksRecordedSchema(ma.Schema):
    recorded = ma.fields.Integer(required=True)
    needs_review = ma.fields.List(
        ma.fields.Nested(EntrantComponentSchema),
        required=True,
        metadata={
            "description": "components these marks left with a judges' spread over the limit"
        },
    )


class CorrectMarkSchema(ReasonSchema):
    worker_id = ma.fields.UUID(required=True)
    component = text(64, required=True)
    judge = text(100, required=True)
    mark = ma.fields.String(required=True, validate=validate.Regexp(DECIMAL, error=DECIMAL_ERROR))


class MarkCorrectionSchema(ma.Schema):
    worker_id = ma.fields.String(required=True)
    component = ma.fields.String(required=True)
    judge = ma.fields.String(required=True)
    previous = ma.fields.String(required=True)
    mark = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    needs_review = ma.fields.Boolean(required=True)


class ReviewSpreadSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    component = text(64, required=True)
    note = text(500, required=True, description="what was checked (复核)")


class SpreadReviewSchema(ma.Schema):
    worker_id = ma.fields.String(required=True)
    component = ma.fields.String(required=True)
    marks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    note = ma.fields.String(required=True)


class FinishTimeSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    finished_at = ma.fields.AwareDateTime(required=True)
    reason = text(500, load_default=None, allow_none=True, description="needed to change one")


class LockComponentSchema(ma.Schema):
    component = text(64, required=True)


@blp.route("/<uuid:competition_id>/marks", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(RecordMarksSchema, MarksRecordedSchema)
def record_marks(body: dict[str, Any], competition_id: UUID) -> Any:
    """Record judges' marks, all or nothing: each named judge marks each entrant's component
    once (change a mark with a correction). Says which components now need a review."""
    organised(competition_id)
    entries = [
        MarkEntry(item["worker_id"], item["component"], item["judge"], item["mark"])
        for item in body["marks"]
    ]
    recorded = ledger().competitions.record_marks(
        competition_id, entries, actor=current_principal().actor
    )
    competition: Competition = recorded.aggregate
    touched = dict.fromkeys((str(e.worker_id), e.component) for e in entries)
    return recorded, {
        "recorded": len(entries),
        "needs_review": [
            {"worker_id": worker, "component": component}
            for worker, component in touched
            if competition.needs_review(worker, component)
        ],
    }


@blp.route("/<uuid:competition_id>/corrections", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(CorrectMarkSchema, MarkCorrectionSchema)
def correct_mark(body: dict[str, Any], competition_id: UUID) -> Any:
    """Correct a judge's mark with a reason (更正): recorded as a new event, the previous
    mark kept. Refused once the component is locked."""
    organised(competition_id)
    recorded = ledger().competitions.correct_mark(
        competition_id, **body, actor=current_principal().actor
    )
    competition: Competition = recorded.aggregate
    correction = dict(competition.corrections[-1])
    correction["needs_review"] = competition.needs_review(body["worker_id"], body["component"])
    return recorded, correction


@blp.route("/<uuid:competition_id>/reviews", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(ReviewSpreadSchema, SpreadReviewSchema)
def review_spread(body: dict[str, Any], competition_id: UUID) -> Any:
    """Confirm flagged marks as they stand (复核), with a note; a later mark or correction of
    the component needs a new review."""
    organised(competition_id)
    recorded = ledger().competitions.review_spread(
        competition_id, **body, actor=current_principal().actor
    )
    review = recorded.aggregate.reviews[str(body["worker_id"])][body["component"]]
    return recorded, {
        "worker_id": str(body["worker_id"]),
        "component": body["component"],
        "marks": review["marks"],
        "note": review["note"],
    }


@blp.route("/<uuid:competition_id>/finish-times", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(FinishTimeSchema, CompetitionEntrantSchema)
def record_finish_time(body: dict[str, Any], competition_id: UUID) -> Any:
    """Record when an entrant finished (a tie-break); changing it needs a reason."""
    organised(competition_id)
    recorded = ledger().competitions.record_finish_time(
        competition_id, **body, actor=current_principal().actor
    )
    return recorded, entrant_view(recorded.aggregate, body["worker_id"])


@blp.route("/<uuid:competition_id>/lock", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(LockComponentSchema, CompetitionSchema, view=view)
def lock_component(body: dict[str, Any], competition_id: UUID) -> Any:
    """Lock a component's marks (封分): every entrant marked by enough judges and no
    unreviewed spread; later marks and corrections are refused."""
    organised(competition_id)
    return ledger().competitions.lock_component(
        competition_id, body["component"], actor=current_principal().actor
    )
