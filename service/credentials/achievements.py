"""Achievements (职业技能等级): what a certificate's ``achievement`` is, and what it requires.

A certificate's credential embeds the Open Badges 3.0 ``Achievement`` of its occupation and
level; ``achievement.id`` is ``{base}/achievements/{occupation}/{level}``, which serves the same
object as JSON (``achievement_document``) and, for people, a page with the criteria
(``requirements``: the assessment and the routes to apply, from the eligibility-route edition
in force). Both are built here, from the domain's tables only (``SkillLevel``, the occupation
catalogue, ``components_for`` and ``PASS_MARK``, the eligibility editions), so the served
achievement is the embedded one, key for key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.eligibility_editions import EligibilityRoute, find_edition
from domain.evaluation.scores import COMPONENT_NAMES_ZH, PASS_MARK, components_for
from domain.occupation import Occupation, find_occupation
from domain.skill_level import SkillLevel

__all__ = [
    "COMPONENT_NAMES_EN",
    "Requirements",
    "UnknownAchievement",
    "certificate_achievement",
    "criteria_narrative",
    "find_achievement",
    "requirements",
]

COMPONENT_NAMES_EN = {
    "theory": "theory knowledge",
    "practical": "practical skills",
    "review": "comprehensive review",
}
RECORDED_ROUTES_ZH = "以赛代评、直接认定、破格晋升"
RECORDED_ROUTES_EN = "competition, direct recognition, fast track"


class UnknownAchievement(LookupError):
    """No certificate achievement for this occupation and level; the message names which."""


def find_achievement(occupation_code: str, level_code: str) -> tuple[Occupation, SkillLevel]:
    """The catalogued occupation and one of its certificate levels, or ``UnknownAchievement``
    naming what is unknown (the occupation, the level, or the level for that occupation)."""
    occupation = find_occupation(occupation_code)
    if occupation is None:
        raise UnknownAchievement(f"no occupation {occupation_code[:40]!r} in the catalogue")
    try:
        level = SkillLevel.from_code(level_code)
    except ValueError:
        level = None
    if level is None or not level.is_numbered:
        raise UnknownAchievement(
            f"no certificate level {level_code[:20]!r}; levels are 5 (五级) to 1 (一级)"
        )
    if not occupation.allows(level):
        allowed = ", ".join(lvl.code for lvl in occupation.levels)
        raise UnknownAchievement(
            f"{occupation.name} ({occupation.code}) has no level {level.code}; its standard "
            f"has {allowed}"
        )
    return occupation, level


def criteria_narrative(level: SkillLevel) -> str:
    """What passing the level takes, in Chinese and English (the credential's ``criteria``)."""
    components = components_for(level)
    zh = "、".join(COMPONENT_NAMES_ZH[name] for name in components)
    en = ", ".join(COMPONENT_NAMES_EN[name] for name in components)
    return (
        f"按国家职业技能标准考核，{zh}成绩各达 {PASS_MARK} 分及以上（满分 100，不取平均）；"
        f"或经账本记录的途径晋升（{RECORDED_ROUTES_ZH}）。 "
        f"Assessed under the national occupational skill standard: {en} each at least "
        f"{PASS_MARK} of 100 (no averaging); or promoted through a route recorded in the "
        f"ledger ({RECORDED_ROUTES_EN})."
    )


def certificate_achievement(
    achievement_id: str, occupation_code: str, occupation_name: str, level_code: str
) -> dict[str, Any]:
    """The Open Badges ``Achievement`` of a certificate of ``occupation`` at ``level``."""
    level = SkillLevel.from_code(level_code)
    level_description_id = f"{achievement_id}#level"
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": f"{occupation_name} {level.name_zh} ({level.name_en})",
        "description": (
            f"职业技能等级证书 skill-grade certificate: {occupation_name} ({occupation_code}), "
            f"{level.name_zh} / {level.name_en}"
        ),
        "criteria": {"narrative": criteria_narrative(level)},
        "occupation": {"code": occupation_code, "name": occupation_name},
        "level": {"code": level_code, "nameZh": level.name_zh, "nameEn": level.name_en},
        "resultDescription": [
            {
                "id": level_description_id,
                "type": ["ResultDescription"],
                "name": "职业技能等级 skill level",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {
                        "id": f"{achievement_id}#level-{level_code}",
                        "type": ["RubricCriterionLevel"],
                        "name": f"{level.name_zh} {level.name_en}",
                        "level": level_code,
                    }
                ],
            }
        ],
    }


@dataclass(frozen=True)
class Requirements:
    """What a level of an occupation requires, for the page: the assessment's components,
    the routes to apply by (申报条件), the bypass routes, and the edition they come from."""

    occupation: Occupation
    level: SkillLevel
    components: tuple[str, ...]
    pass_mark: int
    routes: tuple[EligibilityRoute, ...]
    bypasses: tuple[EligibilityRoute, ...]
    edition_title: str
    edition_title_zh: str
    edition_source: str
    generic_default: bool


def requirements(occupation: Occupation, level: SkillLevel, on: date) -> Requirements:
    """The requirements of ``level`` of ``occupation`` under the edition in force ``on``."""
    edition = find_edition(occupation.code, on)
    routes = edition.routes_for(level)
    return Requirements(
        occupation=occupation,
        level=level,
        components=tuple(components_for(level)),
        pass_mark=PASS_MARK,
        routes=tuple(route for route in routes if not route.kind.is_bypass),
        bypasses=tuple(route for route in routes if route.kind.is_bypass),
        edition_title=edition.title,
        edition_title_zh=edition.title_zh or edition.title,
        edition_source=edition.source,
        generic_default=edition.generic_default,
    )
