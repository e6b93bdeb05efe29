"""What a session leaves on record: its Excel workbook (导出), its history (every event, nothing
deleted: a correction is a new event with its reason) and the reports (上报) the HR bureau has
received."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.api.audit import AggregateEventsArgs, AggregateEventsPageSchema, unavailable
from service.api.auth import access
from service.api.evaluations.blueprint import blp, session_for_reading
from service.api.evaluations.sessions import EvaluationSummarySchema
from service.api.reads import list_page
from service.app_services import current_audit, services
from service.attachments import XLSX, attachment, session_workbook_name
from service.evaluations.exports import session_workbook


@blp.route("/reports", methods=["GET"])
@access(admin="every report (the HR bureau's inbox)", auditor="every report")
@list_page(blp, EvaluationSummarySchema, read_model="evaluation_sessions")
def list_reports(page: dict[str, Any]) -> Any:
    """Sessions reported (上报) to the authority, the latest report first: each with what was
    reported (to whom, when, the reference, the certificates issued)."""
    return services().evaluation_sessions.list_reports(after=page["cursor"], limit=page["limit"])


@blp.route("/<uuid:evaluation_id>/history", methods=["GET"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.arguments(AggregateEventsArgs, location="query")
@blp.query(AggregateEventsPageSchema, errors=(400, 404, 409, 422, 503))
def session_history(args: dict[str, Any], evaluation_id: UUID) -> Any:
    """The session's history, oldest first: every event with its time, actor and data (a score
    correction with its reason; ID numbers masked), as the audit log has it. Page on with
    ``next_after``."""
    session_for_reading(evaluation_id)
    try:
        return current_audit().histories.aggregate_events(
            evaluation_id, args["after"], args["limit"]
        )
    except LookupError as error:  # the log not yet signed that far, or unreadable
        raise unavailable(error) from None


@blp.route("/<uuid:evaluation_id>/export.xlsx", methods=["GET"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.doc(responses={"200": {"description": "the workbook", "content": {XLSX: {}}}})
@blp.errors(404)
def export_evaluation(evaluation_id: UUID) -> Any:
    """The session as an Excel workbook: 概况 Summary, 考生 Candidates (results, certificate
    numbers) and 成绩 Scores (each examiner's mark, the component's score and its rule). ID
    numbers are masked."""
    evaluation = session_for_reading(evaluation_id)
    return attachment(
        session_workbook(evaluation), XLSX, session_workbook_name(evaluation.reference)
    )
