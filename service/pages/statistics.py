"""``/statistics``: skill talents and the high-skill ratio by region, organisation, occupation
and year, as server-rendered SVG bar charts with the figures in tables, now or as of a date
(``?as_of=YYYY-MM-DD``; a date after today, or one that is not a date, is explained beside the
field). Public: aggregate figures, no personal data."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request

from domain.certificate_number import PROVINCE_CODES
from projections.statistics import StatisticsQuery
from service.app_services import ledger, services
from service.pages.blueprints import pages, render
from service.pages.charts import bar_chart, bar_legend
from service.pages.i18n import N_, gettext
from service.pages.labels import occupation_label
from service.read_models import read_models
from service.statistics_figures import chinese_count, percent, statistics_projections

DIMENSIONS = (
    ("province", N_("按地区")),
    ("organisation", N_("按机构")),
    ("occupation", N_("按职业")),
    ("year", N_("按年度")),
)


def _name(dimension: str, key: Any, names: dict[str, str]) -> str:
    if dimension == "province":
        return PROVINCE_CODES.get(str(key), str(key))
    if dimension == "occupation":
        return occupation_label(key)
    if dimension == "organisation":
        return names.get(str(key), str(key)[:8])
    return str(key)


def organisation_names() -> dict[str, str]:
    directory = services().directory
    names: dict[str, str] = {}
    if directory is None:
        return names
    page = directory.list_organisations(limit=500)
    for item in page.items:
        names[str(item["id"])] = item["name"]
    return names


def read_as_of() -> tuple[date | None, str | None, str]:
    """The ``as_of`` asked for, what is wrong with it (None: nothing), and the raw text."""
    raw = request.args.get("as_of", "").strip()
    if not raw:
        return None, None, ""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, gettext("日期格式应为 年-月-日，例如 2025-03-01。"), raw[:20]
    if day > ledger().china_today():
        return None, gettext("统计日期不能晚于今天：账本只记录已经发生的事。"), raw
    return day, None, raw


@pages.route("/statistics", methods=["GET"])
def statistics_page() -> Any:
    as_of, error, raw = read_as_of()
    if error:
        return render(
            "pages/statistics.html",
            status=422,
            error=error,
            as_of_text=raw,
            figures=None,
            charts=[],
            title=gettext("统计"),
        )
    names = organisation_names()
    with read_models(statistics_projections, as_of, ledger().log_position) as view:
        stats = StatisticsQuery(view.store)
        figures = stats.summary()
        charts = []
        for dimension, heading in DIMENSIONS:
            rows = [
                {
                    "label": _name(dimension, row["key"], names),
                    "talents": row["skill_talents"],
                    "high": row["high_skill_talents"],
                    "ratio_text": percent(row["high_skill_ratio"]),
                    "certificates": row["certificates_issued"],
                }
                for row in stats.breakdown(dimension)
            ]
            title = gettext(heading)
            description = gettext(
                "技能人才人数（浅色条）与其中高技能人才人数（深色部分），条末为人数与高技能人才占比。"
            )
            charts.append(
                {
                    "id": dimension,
                    "heading": title,
                    "rows": rows,
                    "svg": bar_chart(rows, title, description),
                }
            )
        position = view.position
    summary = {
        "skill_talents": chinese_count(figures["skill_talents"]),
        "high_skill_talents": chinese_count(figures["high_skill_talents"]),
        "ratio": percent(figures["high_skill_ratio"]) or "–",
        "certificates_issued": figures["certificates_issued"],
        "competitions_held": figures["competitions_held"],
        "training_person_times": figures["training_person_times"],
    }
    return render(
        "pages/statistics.html",
        error=None,
        as_of_text=raw,
        as_of=as_of,
        figures=summary,
        charts=charts,
        legend=bar_legend(),
        position=position,
        title=gettext("统计"),
    )
