"""Honour ladders: a union's ordered titles (朝阳能手 < … < 朝阳大师) and the awards.

The ladder, its tier rule and how many standing titles each tier has are public; who holds
them is shown to admins, auditors and the union's organisers, and to a worker for their own
titles. A ladder may require the tier below (``requires_tier_below``: a title of tier k needs a
standing title of tier k-1 awarded ``min_years_between`` years earlier or more); an award that
skips a tier is refused 422 ``tier-below-required``. ``GET /api/v1/honour-ladders`` lists the
ladders from the honours read model.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.api_token import Role
from domain.honour_ladder import MAX_YEARS_BETWEEN, HonourLadder
from projections.pagination import Page
from service.api.auth import (
    ANYONE,
    access,
    acting_organisation,
    current_principal,
    require_organisation,
)
from service.api.fields import ReasonSchema, text
from service.api.openapi import Blueprint, located_at
from service.api.reads import list_page
from service.api.statistics import honours_query
from service.app_services import ledger

blp = Blueprint(
    "honour-ladders",
    __name__,
    url_prefix="/api/v1/honour-ladders",
    description="Honour ladders of unions and the titles awarded on them.",
)


class DefineLadderSchema(ma.Schema):
    union_id = ma.fields.UUID(
        load_default=None, metadata={"description": "the union; an organiser may leave it out"}
    )
    name = text(100, required=True)
    tiers = ma.fields.List(
        text(50),
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "tier names, lowest first"},
    )
    requires_tier_below = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "a title needs a standing title of the tier below"},
    )
    min_years_between = ma.fields.Integer(
        load_default=1,
        strict=True,
        validate=validate.Range(0, MAX_YEARS_BETWEEN),
        metadata={"description": "years the tier below must have been held (with the rule)"},
    )


class TierRuleSchema(ReasonSchema):
    requires_tier_below = ma.fields.Boolean(required=True)
    min_years_between = ma.fields.Integer(
        load_default=1, strict=True, validate=validate.Range(0, MAX_YEARS_BETWEEN)
    )


class LadderListArgs(ma.Schema):
    union_id = ma.fields.UUID(metadata={"description": "only this union's ladders"})


class AwardSchema(ma.Schema):
    award_id = ma.fields.String(
        required=True,
        validate=[validate.Length(min=1, max=64), validate.Regexp(r"^[!-~]+$")],
        metadata={"description": "the union's reference of the award (e.g. its decision)"},
    )
    worker_id = ma.fields.UUID(required=True)
    tier = text(50, required=True)
    year = ma.fields.Integer(required=True, strict=True, validate=validate.Range(1949, 2100))


class WithdrawSchema(ReasonSchema):
    award_id = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))


class AwardViewSchema(ma.Schema):
    award_id = ma.fields.String(required=True)
    worker_id = ma.fields.UUID(required=True)
    tier = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    withdrawn = ma.fields.Boolean(required=True)
    withdrawal_reason = ma.fields.String(required=True, allow_none=True)


class TierRuleFields(ma.Schema):
    requires_tier_below = ma.fields.Boolean(
        required=True,
        metadata={"description": "a title needs a standing title of the tier below"},
    )
    min_years_between = ma.fields.Integer(
        required=True,
        metadata={"description": "years between the tier below and the next (0 without the rule)"},
    )


class LadderSummarySchema(TierRuleFields):
    id = ma.fields.UUID(required=True)
    union_id = ma.fields.UUID(required=True)
    union_name = ma.fields.String(required=True, allow_none=True)
    name = ma.fields.String(required=True)
    tiers = ma.fields.List(ma.fields.String(), required=True)
    holders = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "tier → workers holding a standing title of it"},
    )


class HonourLadderSchema(TierRuleFields):
    id = ma.fields.UUID(required=True)
    union_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    tiers = ma.fields.List(ma.fields.String(), required=True)
    standing = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "tier → number of standing (not withdrawn) titles"},
    )
    awards = ma.fields.List(
        ma.fields.Nested(AwardViewSchema),
        required=True,
        metadata={"description": "the awards this caller may see (none for the public)"},
    )
    version = ma.fields.Integer(required=True)


def visible_award(ladder: HonourLadder, award: dict[str, Any]) -> bool:
    principal = current_principal()
    if principal.is_(Role.ADMIN, Role.AUDITOR) or principal.acts_for(ladder.union_id):
        return True
    return principal.is_(Role.WORKER) and principal.worker_id == award["worker_id"]


def view(ladder: HonourLadder) -> dict[str, Any]:
    standing = {tier: 0 for tier in ladder.tiers}
    for award in ladder.awards.values():
        if not award["withdrawn"]:
            standing[award["tier"]] += 1
    return {
        "id": ladder.id,
        "union_id": ladder.union_id,
        "name": ladder.name,
        "tiers": list(ladder.tiers),
        "requires_tier_below": ladder.requires_tier_below,
        "min_years_between": ladder.min_years_between,
        "standing": standing,
        "awards": [
            {
                "award_id": award["award_id"],
                "worker_id": award["worker_id"],
                "tier": award["tier"],
                "year": award["year"],
                "withdrawn": bool(award["withdrawn"]),
                "withdrawal_reason": award["withdrawn"] or None,
            }
            for _, award in sorted(ladder.awards.items())
            if visible_award(ladder, award)
        ],
        "version": ladder.version,
    }


LOCATION = located_at("honour-ladders.get_ladder", "ladder_id")


@blp.route("", methods=["POST"])
@access(admin="for any union (union_id required)", organiser="for its own union")
@blp.command(DefineLadderSchema, HonourLadderSchema, status=201, view=view, location=LOCATION)
def define_ladder(body: dict[str, Any]) -> Any:
    """Define a union's honour ladder (tiers lowest first)."""
    principal = current_principal()
    union_id = acting_organisation(body["union_id"], "/union_id", Role.ORGANISER, "union")
    return ledger().honours.define_honour_ladder(
        union_id=union_id,
        name=body["name"],
        tiers=body["tiers"],
        actor=principal.actor,
        requires_tier_below=body["requires_tier_below"],
        min_years_between=body["min_years_between"],
    )


@blp.route("", methods=["GET"])
@access(**ANYONE)
@blp.arguments(LadderListArgs, location="query")
@list_page(blp, LadderSummarySchema, read_model="honours")
def list_ladders(filters: dict[str, Any], page: dict[str, Any]) -> Any:
    """Honour ladders by union and name (cursor-paginated, from the honours read model)."""
    found = honours_query().page_ladders(
        union_id=filters.get("union_id"), after=page["cursor"], limit=page["limit"]
    )
    items = [{k: v for k, v in la.items() if k != "defined_at"} for la in found.items]
    return Page(items, found.next_cursor)


@blp.route("/<uuid:ladder_id>", methods=["GET"])
@access(
    public="tiers and counts",
    admin="with every award",
    auditor="with every award",
    organiser="with every award of its own union's ladders",
    issuer="tiers and counts",
    worker="tiers, counts and its own awards",
)
@blp.query(HonourLadderSchema)
def get_ladder(ladder_id: UUID) -> Any:
    """An honour ladder: tiers, standing titles per tier, and the awards the caller may see."""
    return view(ledger().honour_ladder(ladder_id))


@blp.route("/<uuid:ladder_id>/award", methods=["POST"])
@access(admin="any ladder", organiser="ladders of its own union")
@blp.command(AwardSchema, HonourLadderSchema, view=view)
def award_title(body: dict[str, Any], ladder_id: UUID) -> Any:
    """Award a title (授予称号) on the ladder to a worker."""
    require_organisation(ledger().honour_ladder(ladder_id).union_id, "union")
    return ledger().honours.award_honour(ladder_id, **body, actor=current_principal().actor)


@blp.route("/<uuid:ladder_id>/withdraw", methods=["POST"])
@access(admin="any ladder", organiser="ladders of its own union")
@blp.command(WithdrawSchema, HonourLadderSchema, view=view)
def withdraw_title(body: dict[str, Any], ladder_id: UUID) -> Any:
    """Withdraw (撤销) an awarded title, with a reason."""
    require_organisation(ledger().honour_ladder(ladder_id).union_id, "union")
    return ledger().honours.withdraw_honour(ladder_id, **body, actor=current_principal().actor)


@blp.route("/<uuid:ladder_id>/tier-rule", methods=["POST"])
@access(admin="any ladder", organiser="ladders of its own union")
@blp.command(TierRuleSchema, HonourLadderSchema, view=view)
def set_tier_rule(body: dict[str, Any], ladder_id: UUID) -> Any:
    """Require (or stop requiring) the tier below on a ladder, with a reason; titles already
    awarded stand."""
    require_organisation(ledger().honour_ladder(ladder_id).union_id, "union")
    return ledger().honours.set_tier_rule(ladder_id, **body, actor=current_principal().actor)
