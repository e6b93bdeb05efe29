"""Candidates and scores imported from a CSV or XLSX file (multipart), with a dry run; all or
nothing (``service.evaluations.imports``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from service.api.auth import access, current_principal
from service.api.evaluations.blueprint import blp, session_for_change
from service.api.openapi import IDEMPOTENCY_KEY_PARAMETER, LOG_POSITION_HEADER
from service.api.problems import Problem
from service.app_services import ledger
from service.evaluations.imports import ImportReport

MAX_UPLOAD_NOTE = "at most the app's MAX_CONTENT_LENGTH (1 MiB by default) and 20,000 rows"


# -- schemas ------------------------------------------------------------------------------------


class ImportArgs(ma.Schema):
    dry_run = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "check every row and report; record nothing"},
    )


class UploadSchema(ma.Schema):
    file = ma.fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": f"a CSV (UTF-8 or GB 18030) or XLSX file; {MAX_UPLOAD_NOTE}",
        },
    )


class ImportProblemSchema(ma.Schema):
    row = ma.fields.Integer(required=True, metadata={"description": "spreadsheet row; 1 = header"})
    column = ma.fields.String(required=True, metadata={"description": "as written in the file"})
    message = ma.fields.String(required=True)


class ImportReportSchema(ma.Schema):
    kind = ma.fields.String(
        required=True, validate=validate.OneOf(["staff", "candidates", "scores"])
    )
    format = ma.fields.String(required=True, validate=validate.OneOf(["csv", "xlsx", "unknown"]))
    dry_run = ma.fields.Boolean(required=True)
    rows = ma.fields.Integer(required=True)
    ok = ma.fields.Boolean(required=True, metadata={"description": "no row has a problem"})
    recorded = ma.fields.Boolean(required=True)
    position = ma.fields.Integer(required=True, allow_none=True)
    changes = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    problems = ma.fields.List(ma.fields.Nested(ImportProblemSchema), required=True)


# -- views --------------------------------------------------------------------------------------


def _import(kind: str, evaluation_id: UUID, args: dict[str, Any], files: dict[str, Any]) -> Any:
    session_for_change(evaluation_id)
    upload = files["file"]
    data = upload.read() if hasattr(upload, "read") else bytes(upload)
    command = (
        ledger().evaluations.import_candidates
        if kind == "candidates"
        else ledger().evaluations.import_scores
    )
    report = command(evaluation_id, data, dry_run=args["dry_run"], actor=current_principal().actor)
    return answer(report)


def answer(report: ImportReport) -> Any:
    """An import's answer: the report (a dry run, or recorded), or 422 ``import-rejected``
    naming every problem's row and column when a real import recorded nothing."""
    body = report.as_dict()
    if report.problems and not report.dry_run:
        raise Problem(
            422,
            "import-rejected",
            f"{len(report.problems)} problem(s) in the file; nothing was recorded",
            errors=[
                {
                    "location": "file",
                    "pointer": f"/{problem.row}/{_escape(problem.column)}",
                    "detail": f"row {problem.row}"
                    + (f", column {problem.column}" if problem.column else "")
                    + f": {problem.message}",
                }
                for problem in report.problems
            ],
        )
    position = report.position if report.position is not None else ledger().log_position
    return body, 200, {"X-Log-Position": str(position)}


def _escape(name: str) -> str:
    """A column name as an RFC 6901 pointer segment."""
    return name.replace("~", "~0").replace("/", "~1")


def _import_view(kind: str, summary: str) -> Any:
    def view_(args: dict[str, Any], files: dict[str, Any], evaluation_id: UUID) -> Any:
        return _import(kind, evaluation_id, args, files)

    view_.__name__ = f"import_{kind}"
    view_.__doc__ = summary
    view_.accepts_upload = True  # type: ignore[attr-defined]  # multipart/form-data allowed
    decorated = blp.errors(400, 404, 409, 413, 415, 422)(view_)
    decorated = blp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])(decorated)
    decorated = blp.response(
        200,
        ImportReportSchema,
        headers={"X-Log-Position": LOG_POSITION_HEADER},
    )(decorated)
    decorated = blp.arguments(UploadSchema, location="files")(decorated)
    decorated = blp.arguments(ImportArgs, location="query")(decorated)
    decorated = access(admin="any session", issuer="sessions of its own organisation")(decorated)
    decorated.accepts_upload = True
    blp.route(f"/<uuid:evaluation_id>/import/{kind}", methods=["POST"])(decorated)
    return decorated


import_candidates = _import_view(
    "candidates",
    """Import candidates from a CSV or XLSX file (multipart field ``file``), all or nothing.

    Columns: ``id_number`` (身份证号), ``name`` (姓名), ``route`` (申报条件), and as the route
    needs ``evidence_reference``, ``experience_since``/``experience_until``,
    ``diploma_kind``/``diploma_awarded_on``, ``title_series``/``title_grade``/
    ``title_awarded_on``. ``?dry_run=true`` reports every row's problems (row, column, message;
    ID numbers masked) and records nothing; without it, a file with any problem is refused
    (422 ``import-rejected``; each problem in ``errors`` with location ``file`` and pointer
    ``/<row>/<column>``) and records nothing.""",
)
import_scores = _import_view(
    "scores",
    """Import scores from a CSV or XLSX file (multipart field ``file``), all or nothing.

    Columns: ``id_number``, optional ``name``, and per component a score and an examiner column
    (``theory``/``theory_examiner``, ``practical``/``practical_examiner``,
    ``review``/``review_examiner``); ``correction_reason`` turns a changed score into a
    correction. Every examiner on a component's panel marks it: a row per examiner, the
    ``id_number`` repeated. Marks equal to those recorded are left alone. ``?dry_run=true`` as
    for candidates. Template: ``GET /api/v1/evaluations/templates/scores.xlsx``.""",
)
