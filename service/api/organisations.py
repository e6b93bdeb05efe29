"""Organisations: filed evaluation bodies, unions and authorities (备案).

Filing, scope amendments and status changes are the HR bureau's (admin) business; the record of
a filed body is public, so verifiers can check who may issue what.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.organisation import Organisation, OrganisationKind
from projections.pagination import Page
from service.api.auth import access, current_principal
from service.api.fields import (
    LEVEL_CODES,
    LoadedCode,
    ReasonSchema,
    occupation_code_field,
    province_code_field,
    text,
)
from service.api.openapi import Blueprint, located_at
from service.api.problems import field_errors
from service.api.reads import list_page
from service.app_services import ledger, services

blp = Blueprint(
    "organisations",
    __name__,
    url_prefix="/api/v1/organisations",
    description="Filed evaluation bodies, unions and authorities (备案) and their scope.",
)

KIND_NAMES = {
    OrganisationKind.EMPLOYER: "employer",
    OrganisationKind.SOCIAL: "social",
    OrganisationKind.UNION: "union",
    OrganisationKind.AUTHORITY: "authority",
}
KINDS_BY_NAME = {name: kind for kind, name in KIND_NAMES.items()}


def kind_name(kind: Any) -> str:
    """API name of an organisation kind (the domain stores Y / S / union / authority)."""
    try:
        return KIND_NAMES[OrganisationKind(kind)]
    except ValueError:
        return str(kind)


def district_code_field(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(
        validate=validate.Regexp(r"^[0-9]{6}$", error="6 digits, e.g. 110105"),
        metadata={
            "description": "district (区县) code (GB/T 2260, 6 digits; the first two are the "
            "province code)"
        },
        **kwargs,
    )


def scope_field(**kwargs: Any) -> ma.fields.Dict:
    return ma.fields.Dict(
        keys=occupation_code_field(),
        values=ma.fields.List(
            ma.fields.String(validate=validate.OneOf(LEVEL_CODES)),
            validate=validate.Length(min=1, max=5),
        ),
        validate=validate.Length(max=200),
        metadata={"description": "filed scope: occupation code → level codes (5..1)"},
        **kwargs,
    )


# -- schemas --------------------------------------------------------------------------------


class FileOrganisationSchema(ma.Schema):
    filing_code = ma.fields.String(
        required=True,
        validate=[validate.Length(min=1, max=64), validate.Regexp(r"^[!-~]+$")],
        metadata={"description": "filing (备案) code; refiling the same code is refused"},
    )
    name = text(200, required=True)
    kind = LoadedCode(
        KINDS_BY_NAME.__getitem__, required=True, validate=validate.OneOf(list(KINDS_BY_NAME))
    )
    province_code = province_code_field(required=True)
    evaluator_prefix = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[YS][0-9]{12}$", error="13 characters: Y or S and 12 digits"),
        metadata={"description": "characters 1-13 of the certificate numbers it issues"},
    )
    scope = scope_field(load_default=dict)
    district_code = district_code_field(load_default=None, allow_none=True)


class DistrictSchema(ReasonSchema):
    district_code = district_code_field(required=True)


class AmendScopeSchema(ReasonSchema):
    scope = scope_field(required=True)


class StatusChangeSchema(ma.Schema):
    at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)


class ScopeChangeSchema(ma.Schema):
    since = ma.fields.DateTime(required=True)
    scope = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True
    )


class SigningKeySchema(ma.Schema):
    key_id = ma.fields.String(required=True)
    public_key_multibase = ma.fields.String(required=True)
    valid_from = ma.fields.DateTime(required=True)
    valid_until = ma.fields.DateTime(required=True, allow_none=True)
    compromised_at = ma.fields.DateTime(required=True, allow_none=True)


class OrganisationHeadingSchema(ma.Schema):
    """What names a filed body, first in both its views (full and list row)."""

    id = ma.fields.UUID(required=True)
    filing_code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(list(KINDS_BY_NAME)))
    province_code = ma.fields.String(required=True)
    district_code = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "None when not recorded"}
    )
    evaluator_prefix = ma.fields.String(required=True, allow_none=True)


class OrganisationSchema(OrganisationHeadingSchema):
    scope = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True
    )
    status = ma.fields.String(
        required=True, validate=validate.OneOf(["active", "suspended", "revoked"])
    )
    status_history = ma.fields.List(ma.fields.Nested(StatusChangeSchema), required=True)
    scope_history = ma.fields.List(ma.fields.Nested(ScopeChangeSchema), required=True)
    signing_keys = ma.fields.List(ma.fields.Nested(SigningKeySchema), required=True)
    version = ma.fields.Integer(required=True)


class OrganisationSummarySchema(OrganisationHeadingSchema):
    """One row of the organisation list (from the directory read model)."""

    status = ma.fields.String(
        required=True, validate=validate.OneOf(["active", "suspended", "revoked"])
    )
    scope = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True
    )
    filed_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    status_changed_at = ma.fields.String(required=True, metadata={"format": "date-time"})


class OrganisationListArgs(ma.Schema):
    kind = ma.fields.String(validate=validate.OneOf(list(KINDS_BY_NAME)))
    status = ma.fields.String(validate=validate.OneOf(["active", "suspended", "revoked"]))
    district = district_code_field()


def view(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.id,
        "filing_code": organisation.filing_code,
        "name": organisation.name,
        "kind": kind_name(organisation.kind),
        "province_code": organisation.province_code,
        "district_code": organisation.district_code,
        "evaluator_prefix": organisation.evaluator_prefix,
        "scope": organisation.scope,
        "status": organisation.status.value,
        "status_history": [
            {"at": at, "status": status, "reason": reason}
            for at, status, reason in organisation.status_history
        ],
        "scope_history": [
            {"since": since, "scope": scope} for since, scope in organisation.scope_history
        ],
        "signing_keys": list(organisation.signing_keys.values()),
        "version": organisation.version,
    }


# -- views --------------------------------------------------------------------------------


LOCATION = located_at("organisations.get_organisation", "organisation_id")


@blp.route("", methods=["POST"])
@access(admin="files any body")
@blp.command(
    FileOrganisationSchema, OrganisationSchema, status=201, errors=(), view=view, location=LOCATION
)
def file_organisation(body: dict[str, Any]) -> Any:
    """File (备案) an evaluation body, union or authority."""
    with field_errors("/evaluator_prefix"):
        recorded = ledger().organisations.file_organisation(**body, actor=current_principal().actor)
    return recorded


@blp.route("", methods=["GET"])
@access(
    public="every filed body (filing is public record)",
    admin="all",
    issuer="all",
    organiser="all",
    auditor="all",
    worker="all",
)
@blp.arguments(OrganisationListArgs, location="query")
@list_page(blp, OrganisationSummarySchema)
def list_organisations(filters: dict[str, Any], page: dict[str, Any]) -> Any:
    """List filed organisations by name (cursor-paginated, from the directory read model)."""
    kind = filters.get("kind")
    found = services().directory.list_organisations(
        after=page["cursor"],
        limit=page["limit"],
        kind=KINDS_BY_NAME[kind].value if kind else None,
        status=filters.get("status"),
        district=filters.get("district"),
    )
    items = [{**item, "kind": kind_name(item["kind"])} for item in found.items]
    return Page(items, found.next_cursor)


@blp.route("/<uuid:organisation_id>", methods=["GET"])
@access(
    public="the filed record",
    admin="all",
    issuer="all",
    organiser="all",
    auditor="all",
    worker="all",
)
@blp.query(OrganisationSchema)
def get_organisation(organisation_id: UUID) -> Any:
    """A filed organisation: kind, scope and its history, status and its history, keys."""
    return view(ledger().organisation(organisation_id))


@blp.route("/<uuid:organisation_id>/amend-scope", methods=["POST"])
@access(admin="any body")
@blp.command(AmendScopeSchema, OrganisationSchema, view=view)
def amend_scope(body: dict[str, Any], organisation_id: UUID) -> Any:
    """Amend the filed scope; the previous scope stays in the history."""
    return ledger().organisations.amend_scope(
        organisation_id, body["scope"], actor=current_principal().actor, reason=body["reason"]
    )


@blp.route("/<uuid:organisation_id>/district", methods=["POST"])
@access(admin="any body")
@blp.command(DistrictSchema, OrganisationSchema, view=view)
def record_district(body: dict[str, Any], organisation_id: UUID) -> Any:
    """Record or correct the body's district (区县代码); it must lie in the filing province."""
    return ledger().organisations.record_district(
        organisation_id,
        body["district_code"],
        actor=current_principal().actor,
        reason=body["reason"],
    )


def _status_change(action: str, summary: str) -> Any:
    def change(body: dict[str, Any], organisation_id: UUID) -> Any:
        return ledger().organisations.change_organisation_status(
            organisation_id, action, actor=current_principal().actor, reason=body["reason"]
        )

    change.__name__ = f"{action}_organisation"
    change.__doc__ = summary
    blp.route(f"/<uuid:organisation_id>/{action}", methods=["POST"])(
        access(admin="any body")(blp.command(ReasonSchema, OrganisationSchema, view=view)(change))
    )
    return change


suspend_organisation = _status_change(
    "suspend", "Suspend (暂停) a body: it issues nothing until reinstated."
)
reinstate_organisation = _status_change("reinstate", "Reinstate a suspended body.")
revoke_organisation = _status_change("revoke", "Revoke (撤销) a filing. Final.")
