"""Workers (产业工人): registration by ID number, employment, career record, external certificates.

The ID number travels only in the request body of ``POST /workers`` and is never answered:
responses carry the masked number (``110105********123X``). A worker is named by a keyed hash
of the number, so the same person cannot be registered twice.

Access: admins and auditors see every worker; an issuer sees workers its organisation employs
or employed, and changes only its current staff; a worker token sees only its own worker.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import url_for
from marshmallow import validate

from domain.api_token import Role
from domain.certificate_number import CertificateNumber
from domain.id_number import IdKind, IdNumber
from domain.skill_level import SkillLevel
from domain.worker import CareerEntryKind, EmploymentRelation, Worker
from projections.pagination import Page
from service.api.auth import access, current_principal, forbidden, own_scope, require_organisation
from service.api.fields import level_field, occupation_code_field, text
from service.api.openapi import Blueprint
from service.api.problems import field_errors
from service.api.reads import list_page
from service.api.services import ledger, services
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
    id_number = ma.fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "identity document number; never stored, never answered"},
    )
    id_kind = ma.fields.String(
        load_default=IdKind.RESIDENT.value,
        validate=validate.OneOf([kind.value for kind in IdKind]),
    )


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
    kind = ma.fields.String(
        required=True, validate=validate.OneOf([kind.value for kind in CareerEntryKind])
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
    statuses = {}
    for number in worker.certificates:
        try:
            statuses[number] = ledger().certificate(number).status.value
        except NotFound:  # pragma: no cover - saved atomically with the worker
            statuses[number] = "revoked"
    return {
        "id": worker.id,
        "name": worker.name,
        "id_kind": worker.id_kind,
        "masked_id_number": worker.masked_id_number,
        "employments": [dict(e) for e in worker.employments],
        "career": [dict(c) for c in worker.career],
        "certificates": [
            {**held, "status": statuses[number]}
            for number, held in sorted(worker.certificates.items())
        ],
        "external_certificates": [dict(c) for _, c in sorted(worker.external_certificates.items())],
        "version": worker.version,
    }


def answer(recorded: Any, status: int = 200) -> Any:
    headers = {"X-Log-Position": str(recorded.position)}
    if status == 201:
        headers["Location"] = url_for("workers.get_worker", worker_id=recorded.aggregate.id)
    return view(recorded.aggregate), status, headers


def today() -> date:
    return ledger().clock().date()


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


@blp.route("", methods=["POST"])
@access(admin="any person", issuer="any person (then employ them with start-employment)")
@blp.command(RegisterWorkerSchema, WorkerSchema, status=201, errors=())
def register_worker(body: dict[str, Any]) -> Any:
    """Register a person by identity document number (the number is never stored)."""
    with field_errors("/id_number"):
        id_number = IdNumber.parse(body["id_number"], body["id_kind"], today=today())
    return answer(
        ledger().register_worker(
            id_number=id_number, name=body["name"], actor=current_principal().actor
        ),
        201,
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


@blp.route("/<uuid:worker_id>/start-employment", methods=["POST"])
@access(admin="any employer", issuer="only with its own organisation as employer")
@blp.command(StartEmploymentSchema, WorkerSchema)
def start_employment(body: dict[str, Any], worker_id: UUID) -> Any:
    """Record that the worker joins an employer (staff, dispatched, outsourced, affiliated)."""
    require_organisation(body["employer_id"], "organisation as employer")
    return answer(
        ledger().start_employment(
            worker_id,
            body["employer_id"],
            relation=EmploymentRelation(body["relation"]),
            since=body["since"],
            actor=current_principal().actor,
        )
    )


@blp.route("/<uuid:worker_id>/end-employment", methods=["POST"])
@access(admin="any employer", issuer="only employment with its own organisation")
@blp.command(EndEmploymentSchema, WorkerSchema)
def end_employment(body: dict[str, Any], worker_id: UUID) -> Any:
    """Record that an employment ended."""
    require_organisation(body["employer_id"], "organisation as employer")
    return answer(
        ledger().end_employment(
            worker_id, body["employer_id"], until=body["until"], actor=current_principal().actor
        )
    )


@blp.route("/<uuid:worker_id>/record-career-entry", methods=["POST"])
@access(admin="any worker", issuer="its current staff")
@blp.command(CareerEntryInputSchema, WorkerSchema)
def record_career_entry(body: dict[str, Any], worker_id: UUID) -> Any:
    """Add to the career record: training, studio membership, representative role, mentorship."""
    changeable_worker(worker_id)
    return answer(
        ledger().record_career_entry(
            worker_id,
            kind=CareerEntryKind(body["kind"]),
            title=body["title"],
            on=body["on"],
            details=body["details"],
            actor=current_principal().actor,
        )
    )


@blp.route("/<uuid:worker_id>/declare-external-certificate", methods=["POST"])
@access(admin="any worker", issuer="its current staff", worker="only itself")
@blp.command(DeclareExternalCertificateSchema, WorkerSchema)
def declare_external_certificate(body: dict[str, Any], worker_id: UUID) -> Any:
    """Declare a certificate from outside the ledger; it counts only once checked."""
    changeable_worker(worker_id, self_allowed=True)
    with field_errors("/number"):
        CertificateNumber.parse(body["number"])
    return answer(
        ledger().declare_external_certificate(
            worker_id,
            number=body["number"],
            issuer_name=body["issuer_name"],
            occupation_code=body["occupation_code"],
            level=SkillLevel.from_code(body["level"]),
            issued_on=body["issued_on"],
            actor=current_principal().actor,
        )
    )


@blp.route("/<uuid:worker_id>/check-external-certificate", methods=["POST"])
@access(admin="any worker", issuer="its current staff")
@blp.command(CheckExternalCertificateSchema, WorkerSchema)
def check_external_certificate(body: dict[str, Any], worker_id: UUID) -> Any:
    """Record the outcome of checking a declared certificate (e.g. on the national query)."""
    changeable_worker(worker_id)
    return answer(
        ledger().check_external_certificate(
            worker_id,
            number=body["number"],
            confirmed=body["confirmed"],
            note=body["note"],
            actor=current_principal().actor,
        )
    )
