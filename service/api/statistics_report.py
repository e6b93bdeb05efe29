"""Statistics for reporting (统计报表): the figures broken down, and as an Excel workbook.

``GET /api/v1/statistics/breakdown?by=district|employer|occupation|year&as_of=``
    技能人才 (workers holding a valid certificate), 高技能人才 (三级/高级工 and above) and their
    ratio per district (the region code an ID number begins with), employer (current),
    occupation or year of issue (of each talent's principal certificate: the valid one of the
    highest level), now or as of the end of a day (UTC+8). Each talent counts once, so the rows
    sum to the totals given beside them (``projections.statistics_report``).

``GET /api/v1/statistics.xlsx?as_of=``
    The headline figures (``GET /api/v1/statistics``) and the four breakdowns, a sheet each,
    headers in Chinese and English.

Public like ``GET /api/v1/statistics``: aggregate figures, no personal data.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from projections.statistics_report import REPORT_BREAKDOWNS
from service.api.auth import ANYONE, access
from service.api.openapi import Blueprint
from service.api.pagination import cursor_problems
from service.api.reads import MAX_POSITION, WaitHeaders
from service.attachments import XLSX, attachment
from service.read_models import read_models
from service.statistics_report import (
    report_projections,
    statistics_report,
    statistics_workbook,
)

blp = Blueprint(
    "statistics_report",
    __name__,
    description="Statistics for reporting (统计报表): skill talents by district, employer, "
    "occupation and year, now or as of a date, and as an Excel workbook. Aggregate figures.",
)


class ReportArgs(ma.Schema):
    as_of = ma.fields.Date(
        metadata={"description": "figures as the ledger stood at the end of this day (UTC+8)"}
    )
    wait_for = ma.fields.Integer(
        validate=validate.Range(min=0, max=MAX_POSITION),
        metadata={"description": "log position (X-Log-Position of a command) to wait for"},
    )


class BreakdownArgs(ReportArgs):
    by = ma.fields.String(
        required=True,
        validate=validate.OneOf(REPORT_BREAKDOWNS),
        metadata={"description": "district, employer, occupation or year (of issue)"},
    )


class FiguresSchema(ma.Schema):
    skill_talents = ma.fields.Integer(
        required=True, metadata={"description": "workers holding at least one valid certificate"}
    )
    high_skill_talents = ma.fields.Integer(
        required=True, metadata={"description": "… at 三级/高级工 or above"}
    )
    high_skill_ratio = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "high-skill / skill talents, 4 decimals; null: no talents"},
    )


class BreakdownRowSchema(FiguresSchema):
    key = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "region code, employer id, occupation code or year; null: "
            "not known (an ID number without a region code, no employer)"
        },
    )
    label = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the region code, employer's name, occupation's name or year"},
    )


class BreakdownSchema(FiguresSchema):
    by = ma.fields.String(required=True, validate=validate.OneOf(REPORT_BREAKDOWNS))
    as_of = ma.fields.String(
        required=True, allow_none=True, metadata={"format": "date", "description": "null: now"}
    )
    log_position = ma.fields.Integer(
        required=True, metadata={"description": "the log position the figures include"}
    )
    rows = ma.fields.List(
        ma.fields.Nested(BreakdownRowSchema),
        required=True,
        metadata={"description": "in key order (null last); they sum to the totals"},
    )


def _report(query: dict[str, Any], headers: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    wait = max(query.get("wait_for", 0), headers.get("wait_for", 0))
    with read_models(report_projections, query.get("as_of"), wait) as view, cursor_problems():
        return statistics_report(view.store), view


@blp.route("/api/v1/statistics/breakdown", methods=["GET"])
@access(**ANYONE)
@blp.arguments(BreakdownArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.query(BreakdownSchema, errors=(422, 503))
def get_breakdown(query: dict[str, Any], headers: dict[str, Any]) -> Any:
    """Skill talents, high-skill talents and their ratio per district, employer, occupation
    or year of issue, now or as of a date; the rows sum to the totals. No personal data."""
    report, view = _report(query, headers)
    totals = report["totals"]
    rows = [
        {**row, "key": None if row["key"] is None else str(row["key"])}
        for row in report["breakdowns"][query["by"]]
    ]
    return {
        "by": query["by"],
        "as_of": view.as_of.isoformat() if view.as_of else None,
        "log_position": view.position,
        **totals,
        "rows": rows,
    }


@blp.route("/api/v1/statistics.xlsx", methods=["GET"])
@access(**ANYONE)
@blp.arguments(ReportArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.doc(responses={"200": {"description": "the workbook", "content": {XLSX: {}}}})
@blp.errors(422, 503)
def export_statistics(query: dict[str, Any], headers: dict[str, Any]) -> Any:
    """The headline figures and the four breakdowns (district, employer, occupation, year) as
    an Excel workbook, now or as of a date; headers in Chinese and English."""
    report, view = _report(query, headers)
    name = f"statistics-{view.as_of.isoformat()}.xlsx" if view.as_of else "statistics.xlsx"
    return attachment(statistics_workbook(report, view.as_of, view.position), XLSX, name)
