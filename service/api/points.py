"""Hukou points (积分落户 / 居住证积分): the policies, and a worker's signed points statement.

``GET /api/v1/points-policies`` lists every policy version the ledger applies (city, source
文号, effective date, points table, conditions, bonuses), with the identifier of the key that
signs statements (``statement_issuer``) so an office knows what to trust.

``GET /api/v1/workers/{id}/points?policy=&as_of=&education_points=`` answers the statement as a
W3C Verifiable Credential signed by the ledger's own key (``eddsa-jcs-2022``; see
``service.points_statements`` for the document): the policy version, the points, the
certificate that counted, every condition the ledger checked and every condition it cannot
check. ``policy`` is a policy id (the version in force on ``as_of``) or ``id@version``;
``as_of`` defaults to today and may not be after it; ``education_points`` is the applicant's
education item under the same policy, which the ledger does not hold (it matters where only
max(education, skill) counts, e.g. Shanghai). Verify it with ``POST /credentials/verify`` or
offline with ``craftledger vc verify FILE`` (the issuer is a ``did:key``: no other file needed).

The statement is served as its RFC 8785 canonical bytes (``application/vc`` when asked for,
else JSON) with a strong ETag: the same inputs give the same bytes while the ledger's knowledge
of that date is unchanged.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.points_policy import PointsPolicy, list_policies
from projections.pagination import InvalidCursor, decode_cursor, encode_cursor
from projections.worker_ladder import WorkerLadderQuery
from service.api.auth import access
from service.api.credentials import VC_MEDIA_TYPES, document_response, media_type
from service.api.openapi import Blueprint, signed_document_responses
from service.api.pagination import CursorArgs, cursor_problems
from service.api.problems import Problem
from service.api.reads import page_schema, wait_for_position
from service.api.workers import readable_worker
from service.app_services import ledger, services
from service.credentials import SignedDocument
from service.points_statements import (
    ledger_issuer,
    points_statement_credential,
    resolve_policy,
)
from service.read_models import check_as_of, today

blp = Blueprint(
    "points",
    __name__,
    description="Hukou points (积分落户 / 居住证积分): the versioned city policies and workers' "
    "signed points statements.",
)

POLICY_REFERENCE = r"^[a-z0-9][a-z0-9-]{0,79}(@[A-Za-z0-9._-]{1,40})?$"
STATEMENT_RESPONSES = signed_document_responses("the signed statement (RFC 8785 canonical JSON)")


# -- schemas --------------------------------------------------------------------------------


class PointsArgs(ma.Schema):
    policy = ma.fields.String(
        required=True,
        validate=validate.Regexp(POLICY_REFERENCE, error="a policy id, or id@version"),
        metadata={
            "description": "policy id (the version in force on as_of), or id@version; see "
            "GET /api/v1/points-policies"
        },
    )
    as_of = ma.fields.Date(
        metadata={"description": "the statement date (default today; not after today)"}
    )
    education_points = ma.fields.Integer(
        validate=validate.Range(min=0, max=1000),
        metadata={
            "description": "the applicant's education item under the same policy (the ledger "
            "holds no diplomas); where only max(education, skill) counts, the statement "
            "applies it"
        },
    )


class PolicyListArgs(CursorArgs):
    city = ma.fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "city in Chinese or English (上海市, Shanghai)"},
    )


class PolicyConditionSchema(ma.Schema):
    kind = ma.fields.String(
        required=True,
        metadata={
            "description": "issued_in_province, occupation_in_catalogue, issue_date_cutoff, "
            "national_query (checked by the ledger) or unverifiable (the office checks it)"
        },
    )
    name = ma.fields.String()
    detail = ma.fields.String()
    levels = ma.fields.List(ma.fields.String(), metadata={"description": "only these levels"})
    cutoffs = ma.fields.List(ma.fields.String(), metadata={"description": "MM-DD"})


class OccupationTierSchema(ma.Schema):
    label = ma.fields.String(required=True)
    points = ma.fields.Integer(required=True)
    occupations = ma.fields.List(ma.fields.String(), required=True)


class PolicyBonusSchema(ma.Schema):
    kind = ma.fields.String(
        required=True,
        metadata={"description": "occupation_tier_bonus (checked) or unverifiable_bonus"},
    )
    name = ma.fields.String(required=True)
    label = ma.fields.String()
    detail = ma.fields.String()
    points = ma.fields.Integer()
    tiers = ma.fields.List(ma.fields.Nested(OccupationTierSchema))


class PointsPolicySchema(ma.Schema):
    id = ma.fields.String(required=True)
    version = ma.fields.String(required=True)
    key = ma.fields.String(required=True, metadata={"description": "id@version"})
    city = ma.fields.String(required=True)
    city_en = ma.fields.String(required=True)
    province_code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    source = ma.fields.String(required=True, metadata={"description": "the document (文号)"})
    effective_from = ma.fields.String(required=True, metadata={"format": "date"})
    superseded_from = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"format": "date", "description": "when a later version took over"},
    )
    in_force = ma.fields.Boolean(required=True, metadata={"description": "today"})
    skill_indicator = ma.fields.Boolean(required=True)
    points_by_level = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Integer(), required=True
    )
    education_combination = ma.fields.String(
        required=True,
        validate=validate.OneOf(["max", "separate"]),
        metadata={"description": "max: only max(education, skill) counts"},
    )
    catalogue_name = ma.fields.String(required=True)
    catalogue = ma.fields.List(
        ma.fields.String(),
        required=True,
        allow_none=True,
        metadata={"description": "occupation codes accepted; null: any occupation"},
    )
    conditions = ma.fields.List(ma.fields.Nested(PolicyConditionSchema), required=True)
    bonuses = ma.fields.List(ma.fields.Nested(PolicyBonusSchema), required=True)
    honours_indicator = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), required=True, allow_none=True
    )
    explanation = ma.fields.String(required=True)
    notes = ma.fields.List(ma.fields.String(), required=True)


class StatementIssuerSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "did:key of the ledger's key"})
    verification_method = ma.fields.String(required=True)


class PointsPolicyPageSchema(page_schema(PointsPolicySchema)):  # type: ignore[misc]
    statement_issuer = ma.fields.Nested(
        StatementIssuerSchema,
        required=True,
        metadata={"description": "the key that signs points statements"},
    )


# -- views helpers --------------------------------------------------------------------------


def policy_view(policy: PointsPolicy, versions: list[PointsPolicy]) -> dict[str, Any]:
    later = [p.effective_from for p in versions if p.effective_from > policy.effective_from]
    superseded = min(later) if later else None
    day = today()
    conditions = []
    for condition in policy.conditions:
        item: dict[str, Any] = {"kind": condition.kind}
        if condition.name:
            item["name"] = condition.name
        if condition.detail:
            item["detail"] = condition.detail
        if condition.levels is not None:
            item["levels"] = sorted((level.code or "" for level in condition.levels), reverse=True)
        if condition.cutoffs:
            item["cutoffs"] = [f"{month:02d}-{d:02d}" for month, d in condition.cutoffs]
        conditions.append(item)
    bonuses = []
    for bonus in policy.bonuses:
        entry: dict[str, Any] = {"kind": bonus.kind, "name": bonus.name}
        if bonus.label:
            entry["label"] = bonus.label
        if bonus.detail:
            entry["detail"] = bonus.detail
        if bonus.points:
            entry["points"] = bonus.points
        if bonus.tiers:
            entry["tiers"] = [
                {"label": t.label, "points": t.points, "occupations": sorted(t.occupations)}
                for t in bonus.tiers
            ]
        bonuses.append(entry)
    return {
        "id": policy.id,
        "version": policy.version,
        "key": policy.key,
        "city": policy.city,
        "city_en": policy.city_en,
        "province_code": policy.province_code,
        "name": policy.name,
        "source": policy.source,
        "effective_from": policy.effective_from.isoformat(),
        "superseded_from": superseded.isoformat() if superseded else None,
        "in_force": policy.effective_from <= day and (superseded is None or superseded > day),
        "skill_indicator": policy.skill_indicator,
        "points_by_level": {
            level.code or "": points
            for level, points in sorted(
                policy.points_by_level.items(), key=lambda item: item[0].code or "", reverse=True
            )
        },
        "education_combination": policy.education_combination.value,
        "catalogue_name": policy.catalogue_name,
        "catalogue": sorted(policy.catalogue) if policy.catalogue is not None else None,
        "conditions": conditions,
        "bonuses": bonuses,
        "honours_indicator": (
            {"name": policy.honours_indicator[0], "detail": policy.honours_indicator[1]}
            if policy.honours_indicator
            else None
        ),
        "explanation": policy.explanation,
        "notes": list(policy.notes),
    }


def honour_ladders_of(worker_id: UUID) -> list[UUID]:
    """The ladders on which the worker holds titles (the read model, caught up to now)."""
    store = services().projection_store
    if store is None:
        raise Problem(503, "read-model-unavailable", "the honours are not available yet")
    wait_for_position(ledger().log_position, ["worker_ladder"])
    found = WorkerLadderQuery(store).ladder(worker_id)
    return sorted({UUID(h["ladder_id"]) for h in (found or {}).get("honours", [])}, key=str)


# -- views ----------------------------------------------------------------------------------


@blp.route("/api/v1/points-policies", methods=["GET"])
@access(
    public="anyone",
    admin="anyone",
    auditor="anyone",
    issuer="anyone",
    organiser="anyone",
    worker="anyone",
)
@blp.arguments(PolicyListArgs, location="query")
@blp.response(200, PointsPolicyPageSchema)
@blp.errors(400, 422)
def list_points_policies(query: dict[str, Any]) -> Any:
    """Every hukou points policy version the ledger applies, by id then effective date: city,
    source (文号), effective date, points by level, conditions (checked by the ledger or left
    to the office) and bonuses; and the key that signs statements."""
    policies = list(list_policies())
    city = query.get("city")
    if city:
        policies = [p for p in policies if city in (p.city, p.city_en) or city in p.city]
    with cursor_problems():
        after = decode_cursor("points-policies", query.get("cursor"), 2)
        if after is not None and not all(isinstance(part, str) for part in after):
            raise InvalidCursor("cursor is not one this list handed out")  # else a 500 below
    ordered = sorted(policies, key=lambda p: (p.id, p.effective_from.isoformat()))
    if after is not None:
        ordered = [p for p in ordered if (p.id, p.effective_from.isoformat()) > tuple(after)]
    page = ordered[: query["limit"]]
    more = len(ordered) > len(page)
    issuer_id, method, _ = ledger_issuer(ledger())
    return {
        "items": [policy_view(p, [q for q in list_policies() if q.id == p.id]) for p in page],
        "next_cursor": (
            encode_cursor("points-policies", [page[-1].id, page[-1].effective_from.isoformat()])
            if more
            else None
        ),
        "statement_issuer": {"id": issuer_id, "verification_method": method},
    }


@blp.route("/api/v1/workers/<uuid:worker_id>/points", methods=["GET"])
@access(admin="any worker", auditor="any worker", worker="only itself")
@blp.arguments(PointsArgs, location="query")
@blp.doc(responses=STATEMENT_RESPONSES)
@blp.errors(404, 422, 503)
def get_points_statement(query: dict[str, Any], worker_id: UUID) -> Any:
    """The worker's hukou points statement under a city policy, as of a date, as a verifiable
    credential signed by the ledger (``eddsa-jcs-2022``): policy version, points, the
    certificate that counted, the conditions checked and those the office must check. A
    revoked or suspended certificate never counts. ``Accept: application/vc`` answers
    ``application/vc``, otherwise JSON."""
    readable_worker(worker_id)
    as_of = check_as_of(query.get("as_of")) or today()
    policy = resolve_policy(query["policy"], as_of)
    ladders = honour_ladders_of(worker_id) if policy.honours_indicator is not None else []
    result = points_statement_credential(
        ledger(),
        worker_id,
        policy=policy.key,
        as_of=as_of,
        education_points=query.get("education_points"),
        honour_ladders=ladders,
    )
    return document_response(
        SignedDocument.of(result.credential),
        media_type("application/json", VC_MEDIA_TYPES),
        "private, no-cache",
        "Accept, Authorization",
    )
