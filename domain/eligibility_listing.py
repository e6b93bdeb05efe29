"""The eligibility routes (申报条件) that apply to an occupation and level on a day, each with its
requirement in Chinese (the standard's words) and in English (written from the route's fields),
so a body picks a candidate's route without reading the edition files.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.eligibility_editions import EligibilityRoute, RouteKind, find_edition
from domain.skill_level import SkillLevel

__all__ = ["requirement_en", "routes_that_apply"]

_KIND_ZH = {
    RouteKind.PREVIOUS_LEVEL_PLUS_YEARS: "取得下一级证书后累计工作年限",
    RouteKind.YEARS_ONLY: "累计工作年限",
    RouteKind.DIPLOMA: "学历",
    RouteKind.TITLE_PLUS_YEARS: "职称加工作年限",
    RouteKind.DIRECT_RECOGNITION: "直接认定",
    RouteKind.FAST_TRACK: "破格晋升",
    RouteKind.COMPETITION_PROMOTION: "竞赛晋升",
}

_DIPLOMA_EN = {
    "apprenticeship": "a completed apprenticeship",
    "technical_school": "a technical school (技工学校) diploma",
    "secondary_vocational": "a secondary vocational school diploma (intermediate skills)",
    "senior_technical_school": "a senior technical school or technician college diploma",
    "higher_vocational": "a higher vocational college diploma (advanced skills)",
    "preparatory_technician": "a technician college preparatory-technician certificate",
    "college": "a college degree (大专) or higher",
}


def _years(years: int) -> str:
    return f"{years} year{'s' if years != 1 else ''} or more in this or a related occupation"


def requirement_en(route: EligibilityRoute) -> str:
    """The route's requirement in English, from its fields."""
    kind = route.kind
    if kind is RouteKind.PREVIOUS_LEVEL_PLUS_YEARS:
        assert route.previous_level is not None
        return (
            f"holds {route.previous_level.name_en} in this or a related occupation, then "
            + _years(route.years)
        )
    if kind is RouteKind.YEARS_ONLY:
        return _years(route.years)
    if kind is RouteKind.DIPLOMA:
        diplomas = " or ".join(_DIPLOMA_EN[d.value] for d in sorted(route.diploma_kinds))
        text = f"{diplomas} in this or a related field"
        if route.accepts_final_year_students:
            text += " (final-year students may apply)"
        return text + (f", and {_years(route.years)}" if route.years else "")
    if kind is RouteKind.TITLE_PLUS_YEARS:
        grade = route.min_title_grade.value.replace("_", " ") if route.min_title_grade else "any"
        series = f" ({', '.join(sorted(route.title_series))})" if route.title_series else ""
        return f"a professional title of {grade} grade or above{series}, and " + _years(route.years)
    bypass = {
        RouteKind.DIRECT_RECOGNITION: "direct recognition (直接认定)",
        RouteKind.FAST_TRACK: "fast-track promotion (破格晋升)",
        RouteKind.COMPETITION_PROMOTION: "promotion through a competition (竞赛晋升)",
    }[kind]
    return f"{bypass}: the approval or record is given as the evidence reference"


def routes_that_apply(occupation_code: str, level: SkillLevel, on: date) -> dict[str, Any]:
    """The edition governing ``occupation_code`` on ``on`` and its routes to ``level``."""
    edition = find_edition(occupation_code, on)
    return {
        "occupation_code": occupation_code,
        "level": level.code,
        "level_zh": level.name_zh,
        "level_en": level.name_en,
        "on": on.isoformat(),
        "edition": {
            "key": edition.key,
            "title": edition.title,
            "effective_from": edition.effective_from.isoformat(),
            "generic_default": edition.generic_default,
            "source": edition.source,
        },
        "routes": [
            {
                "id": route.id,
                "kind": route.kind.value,
                "kind_zh": _KIND_ZH[route.kind],
                "previous_level": route.previous_level.code if route.previous_level else None,
                "years": route.years,
                "diploma_kinds": sorted(d.value for d in route.diploma_kinds),
                "needs_evidence_reference": route.needs_evidence,
                "requirement": {"zh": route.description, "en": requirement_en(route)},
            }
            for route in edition.routes_for(level)
        ],
    }
