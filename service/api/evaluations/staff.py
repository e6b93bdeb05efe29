"""A body's staff (花名册) from a spreadsheet, dry run first (``service.workers.roster``), and
the import templates (XLSX) for staff, candidates, scores and competition entrants.

Staff one by one: ``POST /api/v1/workers`` then ``POST /api/v1/workers/{id}/start-employment``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response

from domain.api_token import Role
from service.api.auth import access, acting_organisation, current_principal
from service.api.evaluations.blueprint import blp
from service.api.evaluations.imports import ImportArgs, ImportReportSchema, UploadSchema, answer
from service.api.openapi import IDEMPOTENCY_KEY_PARAMETER, LOG_POSITION_HEADER
from service.app_services import ledger
from service.commands import NotFound
from service.evaluations.templates import TEMPLATES, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StaffImportArgs(ImportArgs):
    body_id = ma.fields.UUID(
        load_default=None,
        metadata={"description": "the employing body; an issuer token may leave it out"},
    )


@blp.route("/staff/import", methods=["POST"])
@access(admin="for any body (body_id required)", issuer="its own organisation's staff")
@blp.arguments(StaffImportArgs, location="query")
@blp.arguments(UploadSchema, location="files")
@blp.response(200, ImportReportSchema, headers={"X-Log-Position": LOG_POSITION_HEADER})
@blp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@blp.errors(400, 404, 409, 413, 415, 422)
def import_staff(args: dict[str, Any], files: dict[str, Any]) -> Any:
    """Register and employ a spreadsheet's people at the body (multipart field ``file``), all
    or nothing.

    Columns: ``id_number`` (身份证号), ``name`` (姓名), ``since`` (入职日期), optional
    ``id_kind`` (证件类型) and ``relation`` (用工关系). ``?dry_run=true`` reports every row's
    problems (row, column, rule and why; ID numbers masked) and records nothing; without it a
    file with any problem is refused (422 ``import-rejected``) and records nothing. A person
    already employed there is left unchanged; an issuer's claim on a person another
    organisation registered awaits their confirmation (``changes.claims``)."""
    principal = current_principal()
    body_id = acting_organisation(args["body_id"], "/body_id", Role.ISSUER)
    upload = files["file"]
    data = upload.read() if hasattr(upload, "read") else bytes(upload)
    report = ledger().workers.import_staff(
        body_id,
        data,
        dry_run=args["dry_run"],
        actor=principal.actor,
        claimant=None if principal.is_(Role.ADMIN) else principal.organisation_id,
    )
    return answer(report)


import_staff.accepts_upload = True  # type: ignore[attr-defined]  # multipart/form-data allowed


@blp.route("/templates/<string:kind>.xlsx", methods=["GET"])
@access(
    public="anyone",
    admin="anyone",
    issuer="anyone",
    auditor="anyone",
    organiser="anyone",
    worker="anyone",
)
@blp.doc(responses={"200": {"description": "the template", "content": {XLSX: {}}}})
@blp.errors(404)
def import_template(kind: str) -> Any:
    """The XLSX template of an import: ``staff``, ``candidates``, ``scores`` or ``entrants``
    (row 1 the header the import reads, ID-number cells as text; a second sheet explains each
    column)."""
    if kind not in TEMPLATES:
        raise NotFound(f"no template {kind!r}; templates: {', '.join(TEMPLATES)}")
    response = Response(template_workbook(kind), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
