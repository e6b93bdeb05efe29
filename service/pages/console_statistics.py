"""``/console/statistics``: statistics for reporting (统计报表) for the HR bureau and the union.

The headline figures (技能人才总量, 高技能人才, 占比, certificates issued, competitions held,
training person-times) now or as of the end of a day (Beijing time), a table per breakdown
(district, employer, occupation, year of issue; each talent counted once, so every table sums to the
headline), a bar chart of one breakdown with its legend (``service.pages.charts``), and the
Excel workbook of the same date (``GET /api/v1/statistics.xlsx``, public like the figures).
Read from the read models (``service.statistics_report``); aggregate figures only.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from domain.person_account import AccountRole
from projections.statistics_report import REPORT_BREAKDOWNS
from service.app_services import ledger
from service.pages.blueprints import render, render_error
from service.pages.charts import bar_chart, bar_legend
from service.pages.console import add_console_link, console
from service.pages.i18n import N_, gettext
from service.pages.labels import occupation_label
from service.pages.people import current_person
from service.pages.statistics import read_as_of
from service.read_models import read_models
from service.statistics_figures import chinese_count, percent
from service.statistics_report import report_projections, statistics_report

READERS = frozenset(
    {AccountRole.HR_OFFICIAL, AccountRole.UNION_OFFICIAL, AccountRole.ADMIN, AccountRole.AUDITOR}
)
HEADINGS = {
    "district": N_("按地区（身份证号行政区划代码）"),
    "employer": N_("按工作单位"),
    "occupation": N_("按职业"),
    "year": N_("按发证年度"),
}
KEY_HEADINGS = {
    "district": N_("地区代码"),
    "employer": N_("单位"),
    "occupation": N_("职业"),
    "year": N_("发证年度"),
}
UNKNOWN = {
    "district": N_("无地区代码"),
    "employer": N_("无在职单位"),
    "occupation": N_("未知"),
    "year": N_("未知"),
}
DEFAULT_CHART = "employer"


def _label(by: str, row: dict[str, Any]) -> str:
    if row["key"] is None:
        return gettext(UNKNOWN[by])
    if by == "occupation":
        return occupation_label(row["key"], row["label"])
    return str(row["label"] or row["key"])


def _rows(by: str, rows: list[dict[str, Any]], short: bool = False) -> list[dict[str, Any]]:
    """A table's (or with ``short``, the chart's: occupations without their codes) rows."""
    return [
        {
            "label": row["label"]
            if short and by == "occupation" and row["label"]
            else _label(by, row),
            "talents": row["skill_talents"],
            "high": row["high_skill_talents"],
            "ratio_text": percent(row["high_skill_ratio"]),
        }
        for row in rows
    ]


@console.route("/statistics", methods=["GET"])
def statistics_report_page() -> Any:
    person = current_person()
    if person is None or person.account.role not in READERS:
        return render_error(403, gettext("统计报表供人社部门、工会、平台管理员和审计人员查看。"))
    chart = request.args.get("chart", DEFAULT_CHART)
    if chart not in REPORT_BREAKDOWNS:
        chart = DEFAULT_CHART
    as_of, error, raw = read_as_of()
    context: dict[str, Any] = {
        "title": gettext("统计报表"),
        "as_of_text": raw,
        "as_of": as_of,
        "chart": chart,
        "choices": [(by, HEADINGS[by]) for by in REPORT_BREAKDOWNS],
        "errors": {"as_of": error} if error else {},
    }
    if error:
        return render("pages/console_statistics.html", status=422, figures=None, **context)
    with read_models(report_projections, as_of, ledger().log_position) as view:
        report = statistics_report(view.store)
        position = view.position
    headline = report["headline"]
    tables = [
        {
            "id": by,
            "heading": gettext(HEADINGS[by]),
            "key_heading": gettext(KEY_HEADINGS[by]),
            "rows": _rows(by, report["breakdowns"][by]),
        }
        for by in REPORT_BREAKDOWNS
    ]
    shown = next(table for table in tables if table["id"] == chart)
    chart_rows = _rows(chart, report["breakdowns"][chart], short=True)
    description = gettext(
        "技能人才人数（浅色条）与其中高技能人才人数（深色部分），条末为人数与高技能人才占比。"
    )
    export_args = {"as_of": as_of.isoformat()} if as_of else {}
    return render(
        "pages/console_statistics.html",
        figures={
            "skill_talents": headline["skill_talents"],
            "skill_talents_text": chinese_count(headline["skill_talents"]),
            "high_skill_talents": headline["high_skill_talents"],
            "high_skill_talents_text": chinese_count(headline["high_skill_talents"]),
            "ratio": percent(headline["high_skill_ratio"]) or "–",
            "certificates_issued": headline["certificates_issued"],
            "competitions_held": headline["competitions_held"],
            "training_person_times": headline["training_person_times"],
        },
        tables=tables,
        totals={**report["totals"], "ratio": percent(report["totals"]["high_skill_ratio"]) or "–"},
        chart_heading=shown["heading"],
        chart_svg=bar_chart(chart_rows, shown["heading"], description),
        legend=bar_legend(),
        position=position,
        export_url=url_for("statistics_report.export_statistics", **export_args),
        **context,
    )


add_console_link(
    "console.statistics_report_page",
    N_("统计报表"),
    READERS,
    N_("技能人才总量、高技能人才及占比：按地区、单位、职业和年度分列，可选统计日期，导出 Excel。"),
)
