"""Workers (产业工人): registration by ID number, employment, career record, external certificates.

The ID number travels only in the request body of ``POST /workers`` and is never answered:
responses carry the masked number (``110105********123X``). A worker is named by a keyed hash
of the number, so the same person cannot be registered twice.

Access: admins and auditors see every worker; an issuer sees workers its organisation employs
or employed, and changes only its current staff; a worker token sees only its own worker.

Employment claims: an issuer claiming employment of a worker its organisation did not register
makes a *pending* claim (202) that gives it nothing -- no read access, not own staff -- until the
worker (worker token) or an administrator confirms it; either may decline it with a reason. An
administrator's record, or the registering body's own claim, takes effect at once (200). An
employment that began before the worker's registration is marked ``declared``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import jsonify
from marshmallow import validate

from domain.api_token import Role
from domain.certificate_number import CertificateNumber
from domain.id_number import IdNumber
from domain.worker import CareerEntryKind, EmploymentRelation, Worker
from projections.pagination import Page
from service.api.auth import access, current_principal, forbidden, own_scope, require_organisation
from service.api.fields import (
    LoadedCode,
    id_kind_field,
    id_number_field,
    level_field,
    occupation_code_field,
    text,
)
from service.api.openapi import LOG_POSITION_HEADER, Blueprint, located_at
from service.api.problems import field_errors
from service.api.reads import list_page
from service.app_services import ledger, services
from service.ledger import NotFound

blp = Blueprint(
    "workers",
    __name__,
    url_prefix="/api/v1/workers",
    description="Workers: registration (ID number in the body only, masked in every answer), "
    "employment, career record and declared external certificates.",
)

CHECK_STATES = ["unchecked", "confirmed", "rejected"]


# -- schemas --------------------------------------------------------------------------------


class RegisterWorkerSchema(ma.Schema):
    name = text(100, required=True)
    id_number = id_number_field("identity document number; never stored, never answered")
    id_kind = id_kind_field()


class StartEmploymentSchema(ma.Schema):
    employer_id = ma.fields.UUID(required=True)
    relation = ma.fields.String(
        load_default=EmploymentRelation.STAFF.value,
        validate=validate.OneOf([relation.value for relation in EmploymentRelation]),
    )
    since = ma.fields.Date(required=True)


class EndEmploymentSchema(ma.Schema):
    employer_id = ma.fields.UUID(required=True)
    until = ma.fields.Date(required=True)


class CareerEntryInputSchema(ma.Schema):
    kind = LoadedCode(
        CareerEntryKind,
        required=True,
        validate=validate.OneOf([kind.value for kind in CareerEntryKind]),
    )
    title = text(200, required=True)
    on = ma.fields.Date(required=True)
    details = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.Length(min=1, max=64)),
        values=ma.fields.String(validate=validate.Length(max=500)),
        load_default=dict,
        validate=validate.Length(max=20),
    )


class DeclareExternalCertificateSchema(ma.Schema):
    number = ma.fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "22-character certificate number (never auto-corrected)"},
    )
    issuer_name = text(200, required=True)
    occupation_code = occupation_code_field(required=True)
    level = level_field(required=True)
    issued_on = ma.fields.Date(required=True)


class CheckExternalCertificateSchema(ma.Schema):
    number = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))
    confirmed = ma.fields.Boolean(required=True, truthy={True}, falsy={False})
    note = text(500, load_default="", min_length=0)


class EmploymentSchema(ma.Schema):
    employer_id = ma.fields.UUID(required=True)
    relation = ma.fields.String(required=True)
    since = ma.fields.String(required=True, metadata={"format": "date"})
    until = ma.fields.String(required=True, allow_none=True, metadata={"format": "date"})
    declared = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "began before the worker's registration: as declared, not confirmed"
        },
    )


class EmploymentClaimSchema(ma.Schema):
    """An employment a body claimed that awaits the worker's (or an administrator's) answer."""

    worker_id = ma.fields.UUID(required=True)
    employer_id = ma.fields.UUID(required=True)
    employer_name = ma.fields.String(required=True)
    relation = ma.fields.String(required=True)
    since = ma.fields.String(required=True, metadata={"format": "date"})
    declared = ma.fields.Boolean(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(["pending"]))


class EmploymentClaimListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(EmploymentClaimSchema), required=True)


class ConfirmEmploymentSchema(ma.Schema):
    """No fields: confirming says yes to the claim as it was made."""


class DeclineEmploymentSchema(ma.Schema):
    reason = text(500, required=True)


class CareerEntrySchema(ma.Schema):
    kind = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    on = ma.fields.String(required=True, metadata={"format": "date"})
    details = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), required=True)


class HeldCertificateSchema(ma.Schema):
    number = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    issuer_id = ma.fields.UUID(required=True)
    issued_on = ma.fields.String(required=True, metadata={"format": "date"})
    status = ma.fields.String(
        required=True, validate=validate.OneOf(["valid", "suspended", "revoked"])
    )


class ExternalCertificateSchema(ma.Schema):
    number = ma.fields.String(required=True)
    issuer_name = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    issued_on = ma.fields.String(required=True, metadata={"format": "date"})
    check = ma.fields.String(required=True, validate=validate.OneOf(CHECK_STATES))


class WorkerSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    id_kind = ma.fields.String(required=True)
    masked_id_number = ma.fields.String(
        required=True, metadata={"description": "masked, e.g. 110105********123X"}
    )
    registered_on = ma.fields.String(required=True, metadata={"format": "date"})
    employments = ma.fields.List(ma.fields.Nested(EmploymentSchema), required=True)
    career = ma.fields.List(ma.fields.Nested(CareerEntrySchema), required=True)
    certificates = ma.fields.List(ma.fields.Nested(HeldCertificateSchema), required=True)
    external_certificates = ma.fields.List(
        ma.fields.Nested(ExternalCertificateSchema), required=True
    )
    version = ma.fields.Integer(required=True)


class WorkerSummarySchema(ma.Schema):
    """One row of the worker list (from the directory read model)."""

    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    masked_id_number = ma.fields.String(required=True)
    id_kind = ma.fields.String(required=True)
    employer_id = ma.fields.UUID(required=True, allow_none=True)
    employer_name = ma.fields.String(required=True, allow_none=True)
    employer_relation = ma.fields.String(required=True, allow_none=True)
    employed_since = ma.fields.String(required=True, allow_none=True, metadata={"format": "date"})
    registered_at = ma.fields.String(required=True, metadata={"format": "date-time"})


class WorkerListArgs(ma.Schema):
    employer_id = ma.fields.UUID(
        metadata={"description": "current employer (issuers: always their own organisation)"}
    )
    name = ma.fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of the name (case-sensitive)"},
    )


# -- views helpers ----------------------------------------------------------------------------


def view(worker: Worker) -> dict[str, Any]:
    statuses, dates = {}, {}
    for number, held in worker.certificates.items():
        try:
            certificate = ledger().certificate(number)
        except NotFound:  # pragma: no cover - saved atomically with the worker
            statuses[number], dates[number] = "revoked", held["issued_on"]
            continue
        # The certificate's own date (China calendar): a worker's record written before the
        # rule holds the UTC date of the issuing instant.
        statuses[number], dates[number] = certificate.status.value, certificate.issued_on
    return {
        "id": worker.id,
        "name": worker.name,
        "id_kind": worker.id_kind,
        "masked_id_number": worker.masked_id_number,
        "registered_on": worker.registration_date,
        "employments": [
            {**e, "declared": worker.employment_is_declared(e)} for e in worker.employments
        ],
        "career": [dict(c) for c in worker.career],
        "certificates": [
            {**held, "issued_on": dates[number], "status": statuses[number]}
            for number, held in sorted(worker.certificates.items())
        ],
        "external_certificates": [dict(c) for _, c in sorted(worker.external_certificates.items())],
        "version": worker.version,
    }


def today() -> date:
    return ledger().china_today()  # type: ignore[no-any-return]


def employed_ever(worker: Worker, organisation_id: UUID | None) -> bool:
    return any(e["employer_id"] == organisation_id for e in worker.employments)


def readable_worker(worker_id: UUID) -> Worker:
    """Load a worker the caller may see (403 otherwise)."""
    principal = current_principal()
    worker = ledger().worker(worker_id)
    if principal.is_(Role.ADMIN, Role.AUDITOR):
        return worker
    if principal.is_(Role.WORKER) and principal.worker_id == worker_id:
        return worker
    if principal.is_(Role.ISSUER) and employed_ever(worker, principal.organisation_id):
        return worker
    raise forbidden(f"a {principal.role_name} token may not see this worker")


def changeable_worker(worker_id: UUID, *, self_allowed: bool = False) -> Worker:
    """Load a worker the caller may change: admins any, issuers their current staff."""
    principal = current_principal()
    worker = ledger().worker(worker_id)
    if principal.is_(Role.ADMIN):
        return worker
    if principal.is_(Role.ISSUER) and worker.is_staff_of(principal.organisation_id, today()):
        return worker
    if self_allowed and principal.is_(Role.WORKER) and principal.worker_id == worker_id:
        return worker
    raise forbidden(f"a {principal.role_name} token may not change this worker")


# -- views --------------------------------------------------------------------------------


LOCATION = located_at("workers.get_worker", "worker_id")


@blp.route("", methods=["POST"])
@access(admin="any person", issuer="any person (then employ them with start-employment)")
@blp.command(
    RegisterWorkerSchema, WorkerSchema, status=201, errors=(), view=view, location=LOCATION
)
def register_worker(body: dict[str, Any]) -> Any:
    """Register a person by identity document number (the number is never stored)."""
    with field_errors("/id_number"):
        id_number = IdNumber.parse(body["id_number"], body["id_kind"], today=today())
    principal = current_principal()
    return ledger().workers.register_worker(
        id_number=id_number,
        name=body["name"],
        actor=principal.actor,
        registered_by=principal.organisation_id if principal.is_(Role.ISSUER) else None,
    )


@blp.route("", methods=["GET"])
@access(
    admin="all workers",
    auditor="all workers",
    issuer="its own staff (employer_id is always its organisation)",
    worker="only itself",
)
@blp.arguments(WorkerListArgs, location="query")
@list_page(blp, WorkerSummarySchema)
def list_workers(filters: dict[str, Any], page: dict[str, Any]) -> Any:
    """List workers (cursor-paginated, from the directory read model)."""
    principal = current_principal()
    employer_id = filters.get("employer_id")
    directory = services().directory
    if principal.is_(Role.WORKER):
        if page["cursor"]:
            return Page([], None)
        row = directory.get_worker(principal.worker_id)
        return Page([row] if row is not None else [], None)
    employer_id = own_scope(
        employer_id, Role.ISSUER, principal.organisation_id, "an issuer lists only its own staff"
    )
    return directory.list_workers(
        after=page["cursor"], limit=page["limit"], employer_id=employer_id, name=filters.get("name")
    )


@blp.route("/<uuid:worker_id>", methods=["GET"])
@access(
    admin="any worker",
    auditor="any worker",
    issuer="workers its organisation employs or employed",
    worker="only itself",
)
@blp.query(WorkerSchema)
def get_worker(worker_id: UUID) -> Any:
    """A worker: masked identity, employment, career record, certificates held."""
    return view(readable_worker(worker_id))


def claim_view(worker: Worker, claim: dict[str, Any]) -> dict[str, Any]:
    try:
        employer_name = ledger().organisation(claim["employer_id"]).name
    except NotFound:  # pragma: no cover - checked when the claim was made
        employer_name = ""
    return {
        "worker_id": worker.id,
        "employer_id": claim["employer_id"],
        "employer_name": employer_name,
        "relation": claim["relation"],
        "since": claim["since"],
        "declared": worker.employment_is_declared(claim),
        "status": "pending",
    }


def claims_readable(worker_id: UUID) -> Worker:
    """The worker whose claims the caller may see or answer: admins, the worker itself."""
    principal = current_principal()
    if principal.is_(Role.ADMIN, Role.AUDITOR) or (
        principal.is_(Role.WORKER) and principal.worker_id == worker_id
    ):
        return ledger().worker(worker_id)
    raise forbidden(f"a {principal.role_name} token may not see this worker's employment claims")


@blp.route("/<uuid:worker_id>/start-employment", methods=["POST"])
@access(
    admin="any employer (in effect at once)",
    issuer="only with its own organisation as employer; pending (202) until the worker "
    "confirms, unless its organisation registered the worker",
)
@blp.command(StartEmploymentSchema, WorkerSchema, view=view)
@blp.alt_response(
    202,
    schema=EmploymentClaimSchema,
    description="the claim awaits the worker's (or an administrator's) confirmation",
    headers={"X-Log-Position": LOG_POSITION_HEADER},
)
def start_employment(body: dict[str, Any], worker_id: UUID) -> Any:
    """Record that the worker joins an employer (staff, dispatched, outsourced, affiliated).

    An issuer's claim for a worker its organisation did not register is pending (202, the
    claim only) and gives it nothing until confirmed."""
    require_organisation(body["employer_id"], "organisation as employer")
    principal = current_principal()
    recorded = ledger().workers.start_employment(
        worker_id,
        body["employer_id"],
        relation=EmploymentRelation(body["relation"]),
        since=body["since"],
        actor=principal.actor,
        claimant=None if principal.is_(Role.ADMIN) else principal.organisation_id,
    )
    claim = recorded.aggregate.pending_employment(body["employer_id"])
    if claim is None:
        return recorded
    pending = jsonify(EmploymentClaimSchema().dump(claim_view(recorded.aggregate, claim)))
    pending.status_code = 202  # not the record: the claim gives the body no sight of it
    pending.headers["X-Log-Position"] = str(recorded.position)
    return pending


@blp.route("/<uuid:worker_id>/employment-claims", methods=["GET"])
@access(admin="any worker", auditor="any worker", worker="only itself")
@blp.query(EmploymentClaimListSchema)
def list_employment_claims(worker_id: UUID) -> Any:
    """Employment claims awaiting the worker's (or an administrator's) confirmation."""
    worker = claims_readable(worker_id)
    return {"items": [claim_view(worker, c) for c in worker.pending_employments]}


@blp.route("/<uuid:worker_id>/employments/<uuid:employer_id>/confirm", methods=["POST"])
@access(admin="any worker", worker="only itself")
@blp.command(ConfirmEmploymentSchema, WorkerSchema, view=view)
def confirm_employment(body: dict[str, Any], worker_id: UUID, employer_id: UUID) -> Any:
    """Confirm a pending employment claim: from now on it counts (own staff, read access)."""
    claims_readable(worker_id)
    return ledger().workers.confirm_employment(
        worker_id, employer_id, actor=current_principal().actor
    )


@blp.route("/<uuid:worker_id>/employments/<uuid:employer_id>/decline", methods=["POST"])
@access(admin="any worker", worker="only itself")
@blp.command(DeclineEmploymentSchema, WorkerSchema, view=view)
def decline_employment(body: dict[str, Any], worker_id: UUID, employer_id: UUID) -> Any:
    """Decline a pending employment claim, with a reason: nothing takes effect."""
    claims_readable(worker_id)
    return ledger().workers.decline_employment(
        worker_id, employer_id, **body, actor=current_principal().actor
    )


@blp.route("/<uuid:worker_id>/end-employment", methods=["POST"])
@access(admin="any employer", issuer="only employment with its own organisation")
@blp.command(EndEmploymentSchema, WorkerSchema, view=view)
def end_employment(body: dict[str, Any], worker_id: UUID) -> Any:
    """Record that an employment ended."""
    require_organisation(body["employer_id"], "organisation as employer")
    return ledger().workers.end_employment(
        worker_id, body["employer_id"], until=body["until"], actor=current_principal().actor
    )


@blp.route("/<uuid:worker_id>/record-career-entry", methods=["POST"])
@access(admin="any worker", issuer="its current staff")
@blp.command(CareerEntryInputSchema, WorkerSchema, view=view)
def record_career_entry(body: dict[str, Any], worker_id: UUID) -> Any:
    """Add to the career record: training, studio membership, representative role, mentorship."""
    changeable_worker(worker_id)
    return ledger().workers.record_career_entry(worker_id, **body, actor=current_principal().actor)


@blp.route("/<uuid:worker_id>/declare-external-certificate", methods=["POST"])
@access(admin="any worker", issuer="its current staff", worker="only itself")
@blp.command(DeclareExternalCertificateSchema, WorkerSchema, view=view)
def declare_external_certificate(body: dict[str, Any], worker_id: UUID) -> Any:
    """Declare a certificate from outside the ledger; it counts only once checked."""
    changeable_worker(worker_id, self_allowed=True)
    with field_errors("/number"):
        CertificateNumber.parse(body["number"])
    return ledger().workers.declare_external_certificate(
        worker_id, **body, actor=current_principal().actor
    )


@blp.route("/<uuid:worker_id>/check-external-certificate", methods=["POST"])
@access(admin="any worker", issuer="its current staff")
@blp.command(CheckExternalCertificateSchema, WorkerSchema, view=view)
def check_external_certificate(body: dict[str, Any], worker_id: UUID) -> Any:
    """Record the outcome of checking a declared certificate (e.g. on the national query)."""
    changeable_worker(worker_id)
    return ledger().workers.check_external_certificate(
        worker_id, **body, actor=current_principal().actor
    )
