"""Statistics for reporting (统计报表) as the API and the console serve them: the headline figures
and their breakdowns by district, employer, occupation and year from one read-model view, and
the Excel workbook of them.

The headline (技能人才总量, 高技能人才, 占比, and certificates issued, competitions held, training
person-times) is ``projections.statistics``'s; the breakdowns are
``projections.statistics_report``'s, each talent counted once, so every breakdown's rows sum
to the headline's talents. Aggregate figures only: no names, no ID numbers, no worker ids.
Every cell is text or a number, never a formula (``service.evaluations.exports``).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from projections.statistics import Statistics, StatisticsQuery, ratio
from projections.statistics_report import (
    REPORT_BREAKDOWNS,
    StatisticsReport,
    StatisticsReportQuery,
    breakdown_of,
    figures_of,
)
from projections.store import ProjectionStore
from service.evaluations.exports import _header, _text

__all__ = [
    "BREAKDOWN_SHEETS",
    "report_projections",
    "statistics_report",
    "statistics_workbook",
]

BREAKDOWN_SHEETS = {
    "district": ("按地区 By district", "地区代码 District", "无地区代码 No region code"),
    "employer": ("按单位 By employer", "单位 Employer", "无在职单位 No current employer"),
    "occupation": ("按职业 By occupation", "职业 Occupation", "未知 Unknown"),
    "year": ("按年度 By year", "发证年度 Year of issue", "未知 Unknown"),
}
"""Each breakdown's sheet name, the heading of its name column, and the name of the group
without a key."""
BREAKDOWN_HEADER = (
    "代码 Key",
    "技能人才 Skill talents",
    "高技能人才 High-skill talents",
    "高技能人才占比 High-skill ratio",
)


def report_projections() -> list[Any]:
    """The projections a report reads (built together for an ``as_of`` date)."""
    return [Statistics(), StatisticsReport()]


def statistics_report(store: ProjectionStore) -> dict[str, Any]:
    """The headline figures (``StatisticsQuery.summary``), ``breakdowns`` (by name in
    ``REPORT_BREAKDOWNS``, the rows of ``StatisticsReportQuery.breakdown``) and ``totals``, the
    talents of the breakdowns (the headline's, once both read models have read as far)."""
    headline = StatisticsQuery(store).summary()
    headline.pop("filters")
    talents = StatisticsReportQuery(store).talents()
    return {
        "headline": headline,
        "breakdowns": {by: breakdown_of(talents, by) for by in REPORT_BREAKDOWNS},
        "totals": figures_of(talents),
    }


def _ratio_cell(sheet: Any, ratio: str | None) -> Any:
    if ratio is None:
        return None
    cell = WriteOnlyCell(sheet, value=float(Decimal(ratio)))
    cell.number_format = "0.00%"
    return cell


def statistics_workbook(report: dict[str, Any], as_of: date | None, position: int) -> bytes:
    """The workbook: a sheet 总体 Headline (figure, value), then one sheet per breakdown with a
    header row, a row per group (key, name, the figures) and a 合计 Total row."""
    workbook = Workbook(write_only=True)
    headline = report["headline"]
    sheet = workbook.create_sheet("总体 Headline")
    _header(sheet, ("指标 Figure", "数值 Value"))
    rows: list[tuple[str, Any]] = [
        ("统计日期 As of (end of day, UTC+8)", as_of.isoformat() if as_of else "现在 now"),
        ("日志位置 Log position", position),
        ("技能人才总量 Skill talents", headline["skill_talents"]),
        ("高技能人才 High-skill talents", headline["high_skill_talents"]),
    ]
    for label, value in rows:
        sheet.append([label, value])
    sheet.append(
        ["高技能人才占比 High-skill ratio", _ratio_cell(sheet, headline["high_skill_ratio"])]
    )
    for label, value in (
        ("发证数 Certificates issued", headline["certificates_issued"]),
        ("竞赛场次 Competitions held", headline["competitions_held"]),
        ("竞赛参赛人数 Competition entrants", headline["competition_entrants"]),
        ("培训人次 Training person-times", headline["training_person_times"]),
    ):
        sheet.append([label, value])
    for by, (title, key_heading, unknown) in BREAKDOWN_SHEETS.items():
        sheet = workbook.create_sheet(title)
        _header(sheet, (BREAKDOWN_HEADER[0], key_heading, *BREAKDOWN_HEADER[1:]))
        skill = high = 0
        for row in report["breakdowns"][by]:
            sheet.append(
                [
                    _text("" if row["key"] is None else str(row["key"])),
                    _text(unknown if row["key"] is None else row["label"] or ""),
                    row["skill_talents"],
                    row["high_skill_talents"],
                    _ratio_cell(sheet, row["high_skill_ratio"]),
                ]
            )
            skill += row["skill_talents"]
            high += row["high_skill_talents"]
        sheet.append(["合计 Total", "", skill, high, _ratio_cell(sheet, ratio(high, skill))])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
