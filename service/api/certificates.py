"""Certificates (职业技能等级证书): issue, read, suspend, reinstate, revoke.

``GET /certificates/{number}`` is public and masked: the holder's name shows only its first
character and the ID number is masked; the holder, the issuing body, admins and auditors see
the full record with its history (who changed the status, when and why). The public summary is
read from the directory read model (``service.certificate_lookup``, with the ``log_position`` it
reflects); only the full record loads the certificate's events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from marshmallow import validate

from domain.api_token import Role
from domain.certificate import BasisKind, Bypass, Certificate
from domain.errors import InvalidValue
from service.api.auth import (
    access,
    acting_organisation,
    current_principal,
    own_scope,
    require_organisation,
)
from service.api.fields import ReasonSchema, level_field, masked_name, occupation_code_field, text
from service.api.openapi import Blueprint, located_at
from service.api.reads import list_page
from service.app_services import certificate_lookup, ledger, services
from service.certificate_lookup import CertificateRecord
from service.credentials.documents import CertificateParties
from service.ledger import NotFound

T = TypeVar("T")

blp = Blueprint(
    "certificates",
    __name__,
    url_prefix="/api/v1/certificates",
    description="Skill-grade certificates: issuing, the public masked summary, and status "
    "changes (suspend, reinstate, revoke) with reasons.",
)

STATUSES = ["valid", "suspended", "revoked"]


# -- schemas --------------------------------------------------------------------------------


class BasisSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf([k.value for k in BasisKind]))
    reference = text(200, required=True, description="the evaluation, competition or decision")
    bypass = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([b.value for b in Bypass]),
        metadata={"description": "a route that skips levels; needs evidence"},
    )
    evidence = ma.fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=1000)
    )


class IssueCertificateSchema(ma.Schema):
    issuer_id = ma.fields.UUID(
        load_default=None,
        metadata={"description": "issuing body; an issuer token may leave it out (its own)"},
    )
    worker_id = ma.fields.UUID(required=True)
    occupation_code = occupation_code_field(required=True)
    level = level_field(required=True)
    basis = ma.fields.Nested(BasisSchema, required=True)


class CertificateEventSchema(ma.Schema):
    at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    actor = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)


class DependencyFlagSchema(ma.Schema):
    at = ma.fields.DateTime(required=True)
    actor = ma.fields.String(required=True)
    revoked_number = ma.fields.String(
        required=True, metadata={"description": "the revoked certificate this depended on"}
    )
    reason = ma.fields.String(required=True, metadata={"description": "why it was revoked"})
    kind = ma.fields.String(
        required=True,
        validate=validate.OneOf(["levels_in_order", "competition_promotion"]),
        metadata={"description": "how it depended on it"},
    )
    via = ma.fields.String(
        required=True,
        metadata={
            "description": "the prerequisite it was issued on (the revoked one or a "
            "certificate that itself depended on it)"
        },
    )


class CertificateSchema(ma.Schema):
    """A certificate. ``disclosure`` says which view this is: ``public`` (masked summary) or
    ``full`` (holder, issuing body, admin, auditor: with basis and history)."""

    number = ma.fields.String(required=True)
    disclosure = ma.fields.String(required=True, validate=validate.OneOf(["public", "full"]))
    holder_name = ma.fields.String(
        required=True, metadata={"description": "masked (张*) in the public view"}
    )
    masked_id_number = ma.fields.String(required=True)
    issuer_id = ma.fields.UUID(required=True)
    issuer_name = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    occupation_name = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    level_name = ma.fields.String(required=True)
    issued_on = ma.fields.String(required=True, metadata={"format": "date"})
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    worker_id = ma.fields.UUID(metadata={"description": "full view only"})
    basis = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Raw(), metadata={"description": "full view only"}
    )
    history = ma.fields.List(
        ma.fields.Nested(CertificateEventSchema), metadata={"description": "full view only"}
    )
    version = ma.fields.Integer(metadata={"description": "full view only"})
    log_position = ma.fields.Integer(
        metadata={
            "description": "public view: the log position the read model had applied when read"
        }
    )
    flags = ma.fields.List(
        ma.fields.Nested(DependencyFlagSchema),
        metadata={
            "description": "full view only: flagged for review because a certificate it "
            "depended on was revoked (flagged, never revoked automatically)"
        },
    )


class CertificateSummarySchema(ma.Schema):
    """One row of the certificate list (from the directory read model)."""

    number = ma.fields.String(required=True)
    worker_id = ma.fields.UUID(required=True)
    holder_name = ma.fields.String(required=True)
    masked_id_number = ma.fields.String(required=True)
    issuer_id = ma.fields.UUID(required=True)
    issuer_name = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    occupation_name = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    issued_on = ma.fields.String(required=True, metadata={"format": "date"})
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    status_changed_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    status_reason = ma.fields.String(required=True)


class CertificateListArgs(ma.Schema):
    issuer_id = ma.fields.UUID()
    worker_id = ma.fields.UUID()
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    occupation_code = occupation_code_field()


# -- helpers ----------------------------------------------------------------------------------


def load(number: str) -> Certificate:
    """The certificate numbered ``number``; a malformed number names no certificate (404)."""
    return read_certificate(number, ledger().certificate)


def read_certificate(number: str, read: Callable[[str], T]) -> T:
    """``read(number)``, what is read of the certificate numbered ``number``; a malformed
    number names no certificate (404)."""
    try:
        return read(number)
    except InvalidValue as error:
        raise NotFound(f"no such certificate: the number is malformed ({error})") from None


def sees_full(certificate: Certificate | CertificateRecord | CertificateParties) -> bool:
    principal = current_principal()
    return (
        principal.is_(Role.ADMIN, Role.AUDITOR)
        or (principal.is_(Role.ISSUER) and principal.organisation_id == certificate.issuer_id)
        or (principal.is_(Role.WORKER) and principal.worker_id == certificate.worker_id)
    )


def view(certificate: Certificate, full: bool | None = None) -> dict[str, Any]:
    full = sees_full(certificate) if full is None else full
    result: dict[str, Any] = {
        "number": certificate.number,
        "disclosure": "full" if full else "public",
        "holder_name": certificate.holder_name if full else masked_name(certificate.holder_name),
        "masked_id_number": certificate.masked_id_number,
        "issuer_id": certificate.issuer_id,
        "issuer_name": certificate.issuer_name,
        "occupation_code": certificate.occupation_code,
        "occupation_name": certificate.occupation_name,
        "level": certificate.level_code,
        "level_name": certificate.level.name_zh,
        "issued_on": certificate.issued_on,
        "status": certificate.status.value,
    }
    if full:
        result.update(
            worker_id=certificate.worker_id,
            basis=dict(certificate.basis),
            history=[dict(entry) for entry in certificate.history],
            version=certificate.version,
            flags=[dict(flag) for flag in certificate.flags],
        )
    return result


# -- views --------------------------------------------------------------------------------


LOCATION = located_at("certificates.get_certificate", "number", "number")


@blp.route("", methods=["POST"])
@access(admin="for any body (issuer_id required)", issuer="for its own organisation only")
@blp.command(IssueCertificateSchema, CertificateSchema, status=201, view=view, location=LOCATION)
def issue_certificate(body: dict[str, Any]) -> Any:
    """Issue a certificate: allocates its number; every issuing rule is checked (422 names it)."""
    principal = current_principal()
    issuer_id = acting_organisation(body["issuer_id"], "/issuer_id", Role.ISSUER)
    basis = {key: value for key, value in body["basis"].items() if value is not None}
    return ledger().certificates.issue_certificate(
        issuer_id=issuer_id,
        worker_id=body["worker_id"],
        occupation_code=body["occupation_code"],
        level=body["level"],
        basis=basis,
        actor=principal.actor,
    )


@blp.route("", methods=["GET"])
@access(
    admin="all certificates",
    auditor="all certificates",
    issuer="certificates its organisation issued",
    worker="its own certificates",
)
@blp.arguments(CertificateListArgs, location="query")
@list_page(blp, CertificateSummarySchema)
def list_certificates(filters: dict[str, Any], page: dict[str, Any]) -> Any:
    """List certificates (cursor-paginated, from the directory read model)."""
    principal = current_principal()
    filters = dict(filters)
    filters["issuer_id"] = own_scope(
        filters.get("issuer_id"),
        Role.ISSUER,
        principal.organisation_id,
        "an issuer lists only certificates its organisation issued",
    )
    filters["worker_id"] = own_scope(
        filters.get("worker_id"),
        Role.WORKER,
        principal.worker_id,
        "a worker lists only its own certificates",
    )
    return services().directory.list_certificates(
        after=page["cursor"], limit=page["limit"], **filters
    )


@blp.route("/<string:number>", methods=["GET"])
@access(
    public="masked summary and status",
    admin="full record",
    auditor="full record",
    issuer="full record of its own certificates, masked summary of others",
    organiser="masked summary",
    worker="full record of its own certificates, masked summary of others",
)
@blp.query(CertificateSchema)
def get_certificate(number: str) -> Any:
    """A certificate by number: masked summary and status (from the directory read model), or
    the full record."""
    record = certificate_lookup().find(number)
    if record is None:
        raise NotFound(f"no such certificate: {number}")
    if sees_full(record):
        return view(load(number), full=True)
    return {
        **record.summary(),
        "disclosure": "public",
        "log_position": record.log_position,
    }


def _status_change(action: str, summary: str) -> Any:
    def change(body: dict[str, Any], number: str) -> Any:
        certificate = load(number)
        require_organisation(certificate.issuer_id, "organisation's certificates")
        return ledger().certificates.change_certificate_status(
            number, action, actor=current_principal().actor, reason=body["reason"]
        )

    change.__name__ = f"{action}_certificate"
    change.__doc__ = summary
    blp.route(f"/<string:number>/{action}", methods=["POST"])(
        access(admin="any certificate", issuer="certificates its organisation issued")(
            blp.command(ReasonSchema, CertificateSchema, view=view)(change)
        )
    )
    return change


suspend_certificate = _status_change(
    "suspend", "Suspend (暂停) a certificate: it does not count until reinstated."
)
reinstate_certificate = _status_change("reinstate", "Reinstate a suspended certificate.")
revoke_certificate = _status_change(
    "revoke", "Revoke (撤销) a certificate. Final: a revoked certificate is never reinstated."
)
