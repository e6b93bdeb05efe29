"""A worker's ladder: per occupation the current valid level and how it was reached, honours,
competitions and the career coordinate stage (职业坐标体系), from the read models.

``GET /api/v1/workers/{id}/ladder[?as_of=YYYY-MM-DD]``

* ``occupations``: per occupation the current valid level (a suspended or revoked certificate
  drops out at once, a reinstated one counts again; confirmed external certificates count) and
  every certificate issued in it, in issue order, with its status and whether it raised the
  level (``raised_level``);
* ``history``: every issue, suspension, reinstatement, revocation and external check, in log
  order, with when and why;
* ``honours``: titles held on union honour ladders (withdrawn ones stay listed with
  ``standing: false`` and the reason);
* ``competitions``: competitions entered;
* ``posts``: enterprise posts (评聘: 学徒工, 特级技师, 首席技师) appointed by employers (a
  withdrawn post stays listed with ``standing: false`` and the reason);
* ``career``: the stage on the career coordinate system (探索期 … 引领期), and for every stage
  reached what moved the worker there and when (``stages``), with all the evidence.

``as_of`` answers from the read models as they stood at the end of that day (UTC+8), replayed
from the log (see ``service.read_models``); today or no ``as_of`` reads the live models,
which can wait for a command's ``X-Log-Position`` (``X-Wait-For-Position`` or ``?wait_for=``).

Access: the worker themself, admins and auditors; an issuer for workers its organisation
employs or employed (the worker record's rule) -- without honours, which only the union, admins,
auditors and the worker see (the honour ladders' rule).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.api_token import Role
from projections.as_of import end_of_day
from projections.career_stage import CareerStageQuery
from projections.worker_ladder import WorkerLadderQuery
from service.api.auth import access, current_principal
from service.api.openapi import Blueprint
from service.api.reads import MAX_POSITION, WaitHeaders
from service.api.workers import readable_worker
from service.ledger import NotFound
from service.read_models import read_models
from service.worker_ladders import EMPTY_CAREER, EMPTY_LADDER, ladder_projections, occupations_of

blp = Blueprint(
    "ladders",
    __name__,
    description="Workers' ladders: current valid level per occupation, promotions, honours, "
    "competitions and the career coordinate stage, now or as of a date.",
)

READ_MODELS = ("worker_ladder", "career_stage")


# -- schemas --------------------------------------------------------------------------------


class LadderArgs(ma.Schema):
    as_of = ma.fields.Date(
        metadata={"description": "the ladder at the end of this day (UTC+8); not after today"}
    )
    wait_for = ma.fields.Integer(
        validate=validate.Range(min=0, max=MAX_POSITION),
        metadata={"description": "log position (X-Log-Position of a command) to wait for"},
    )


class CurrentLevelSchema(ma.Schema):
    level = ma.fields.String(required=True, metadata={"description": "level code 5 … 1"})
    level_name = ma.fields.String(required=True)
    number = ma.fields.String(required=True, metadata={"description": "the certificate held"})
    source = ma.fields.String(
        required=True,
        validate=validate.OneOf(["ledger", "external"]),
        metadata={"description": "a ledger certificate or a confirmed external one"},
    )
    since = ma.fields.String(required=True, metadata={"format": "date"})


class LadderFlagSchema(ma.Schema):
    revoked_number = ma.fields.String(required=True)
    at = ma.fields.String(required=True, metadata={"format": "date-time"})
    reason = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    via = ma.fields.String(required=True)


class PromotionSchema(ma.Schema):
    number = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    level_name = ma.fields.String(required=True)
    issuer_id = ma.fields.UUID(required=True)
    issuer_name = ma.fields.String(required=True)
    basis_kind = ma.fields.String(
        required=True, metadata={"description": "evaluation, competition, direct_recognition"}
    )
    bypass = ma.fields.String(required=True, allow_none=True)
    issued_on = ma.fields.String(required=True, metadata={"format": "date"})
    status = ma.fields.String(
        required=True, validate=validate.OneOf(["valid", "suspended", "revoked"])
    )
    status_reason = ma.fields.String(required=True)
    raised_level = ma.fields.Boolean(
        required=True,
        metadata={"description": "whether it raised the valid level when it was issued"},
    )
    flags = ma.fields.List(
        ma.fields.Nested(LadderFlagSchema),
        required=True,
        metadata={"description": "flagged for review: a certificate it depended on was revoked"},
    )


class OccupationLadderSchema(ma.Schema):
    occupation_code = ma.fields.String(required=True)
    occupation_name = ma.fields.String(required=True)
    current = ma.fields.Nested(
        CurrentLevelSchema,
        required=True,
        allow_none=True,
        metadata={"description": "the current valid level; null when none is valid"},
    )
    promotions = ma.fields.List(ma.fields.Nested(PromotionSchema), required=True)


class HistoryEntrySchema(ma.Schema):
    position = ma.fields.Integer(required=True)
    at = ma.fields.String(required=True, metadata={"format": "date-time"})
    kind = ma.fields.String(
        required=True,
        metadata={
            "description": "issued, suspended, valid (reinstated), revoked, external-confirmed, "
            "external-rejected"
        },
    )
    number = ma.fields.String(required=True, allow_none=True)
    occupation_code = ma.fields.String(required=True, allow_none=True)
    level = ma.fields.String(required=True, allow_none=True)
    detail = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), required=True)


class HonourSchema(ma.Schema):
    ladder_id = ma.fields.UUID(required=True)
    ladder_name = ma.fields.String(required=True)
    union_id = ma.fields.UUID(required=True)
    award_id = ma.fields.String(required=True)
    tier = ma.fields.String(required=True)
    tier_rank = ma.fields.Integer(required=True, metadata={"description": "0 is the lowest"})
    year = ma.fields.Integer(required=True)
    standing = ma.fields.Boolean(required=True)
    withdrawn_reason = ma.fields.String(required=True, allow_none=True)


class CompetitionEntrySchema(ma.Schema):
    competition_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True, allow_none=True)
    tier = ma.fields.String(required=True, allow_none=True)
    year = ma.fields.Integer(required=True, allow_none=True)
    occupation_code = ma.fields.String(required=True, allow_none=True)
    entrant_kind = ma.fields.String(required=True, allow_none=True)
    registered_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    withdrawn_reason = ma.fields.String(
        allow_none=True, metadata={"description": "why the entrant withdrew, if they did"}
    )
    rank = ma.fields.Integer(allow_none=True, metadata={"description": "once finalised"})
    award = ma.fields.String(allow_none=True, metadata={"description": "once finalised"})


class PostSchema(ma.Schema):
    appointment_id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    organisation_name = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    occupation_name = ma.fields.String(required=True)
    post = ma.fields.String(
        required=True, validate=validate.OneOf(["apprentice", "principal", "chief"])
    )
    post_name = ma.fields.String(required=True, metadata={"description": "学徒工 … 首席技师"})
    appointed_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    standing = ma.fields.Boolean(required=True)
    withdrawn_reason = ma.fields.String(required=True, allow_none=True)


class StageSchema(ma.Schema):
    stage = ma.fields.String(required=True)
    stage_name = ma.fields.String(required=True)
    stage_rank = ma.fields.Integer(required=True)
    entered_on = ma.fields.String(required=True, metadata={"format": "date"})
    what = ma.fields.String(
        required=True, metadata={"description": "what moved the worker to this stage"}
    )


class CareerEvidenceSchema(ma.Schema):
    stage = ma.fields.String(required=True)
    stage_name = ma.fields.String(required=True)
    stage_rank = ma.fields.Integer(required=True)
    on = ma.fields.String(required=True, metadata={"format": "date"})
    kind = ma.fields.String(required=True)
    what = ma.fields.String(required=True)
    valid = ma.fields.Boolean(
        required=True, metadata={"description": "false while its certificate does not count"}
    )


class CareerSchema(ma.Schema):
    stage = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "exploration, growth, maturity, development, leading"},
    )
    stage_name = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "探索期 … 引领期"}
    )
    stage_rank = ma.fields.Integer(required=True, allow_none=True)
    since = ma.fields.String(required=True, allow_none=True, metadata={"format": "date"})
    stages = ma.fields.List(ma.fields.Nested(StageSchema), required=True)
    evidence = ma.fields.List(ma.fields.Nested(CareerEvidenceSchema), required=True)


class LadderSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    as_of = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"format": "date", "description": "the day asked for; null: now"},
    )
    log_position = ma.fields.Integer(
        required=True, metadata={"description": "the log position these read models reflect"}
    )
    occupations = ma.fields.List(ma.fields.Nested(OccupationLadderSchema), required=True)
    history = ma.fields.List(ma.fields.Nested(HistoryEntrySchema), required=True)
    honours = ma.fields.List(
        ma.fields.Nested(HonourSchema),
        required=True,
        metadata={"description": "empty for an issuer (see honours_shown)"},
    )
    honours_shown = ma.fields.Boolean(
        required=True, metadata={"description": "false when the caller may not see honours"}
    )
    competitions = ma.fields.List(ma.fields.Nested(CompetitionEntrySchema), required=True)
    posts = ma.fields.List(
        ma.fields.Nested(PostSchema),
        required=True,
        metadata={"description": "enterprise posts (评聘) appointed, withdrawn ones included"},
    )
    career = ma.fields.Nested(CareerSchema, required=True)


# -- views ----------------------------------------------------------------------------------


def sees_honours(worker_id: UUID) -> bool:
    principal = current_principal()
    return principal.is_(Role.ADMIN, Role.AUDITOR) or (
        principal.is_(Role.WORKER) and principal.worker_id == worker_id
    )


@blp.route("/api/v1/workers/<uuid:worker_id>/ladder", methods=["GET"])
@access(
    admin="any worker",
    auditor="any worker",
    issuer="workers its organisation employs or employed (without honours)",
    worker="only itself",
)
@blp.arguments(LadderArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.query(LadderSchema, errors=(404, 422, 503))
def get_ladder(query: dict[str, Any], headers: dict[str, Any], worker_id: UUID) -> Any:
    """The worker's ladder: per occupation the current valid level and promotions, the
    status history, honours, competitions entered and the career coordinate stage with what
    moved the worker to each stage and when; ``as_of`` for the ladder at the end of a day."""
    worker = readable_worker(worker_id)
    as_of = query.get("as_of")
    if as_of is not None and worker.created_on > end_of_day(as_of):
        raise NotFound(f"worker {worker_id} was not registered yet on {as_of.isoformat()}")
    wait = max(query.get("wait_for", 0), headers.get("wait_for", 0))
    with read_models(ladder_projections, as_of, wait) as view:
        ladder = WorkerLadderQuery(view.store).ladder(worker_id) or EMPTY_LADDER
        career = CareerStageQuery(view.store).career(worker_id) or EMPTY_CAREER
    shown = sees_honours(worker_id)
    return {
        "worker_id": worker_id,
        "name": ladder.get("name") or worker.name,
        "as_of": as_of.isoformat() if as_of else None,
        "log_position": view.position,
        "occupations": occupations_of(ladder),
        "history": ladder["history"],
        "honours": ladder["honours"] if shown else [],
        "honours_shown": shown,
        "competitions": ladder["competitions"],
        "posts": ladder["posts"],
        "career": {
            key: career[key]
            for key in ("stage", "stage_name", "stage_rank", "since", "stages", "evidence")
        },
    }
