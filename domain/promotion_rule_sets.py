"""The competition promotion rule sets craftledger knows, as versioned data.

Format: each rule set is written below as a plain, JSON-shaped ``dict`` literal -- exactly the
shape of :meth:`~domain.promotion_rules.PromotionRuleSet.to_dict` -- and parsed (and so
validated) by :meth:`~domain.promotion_rules.PromotionRuleSet.from_dict` when this module is
imported. Keeping them as Python literals (rather than JSON files under ``domain/data/``) means
no package-data plumbing and no I/O in the pure domain, while the data stays in the same
JSON-safe form that events and the API use. To add a version, add a new dict with a new
``name`` and a later ``effective_from``; never edit a published version in place, because
proposals name the rule set that produced them.

Field reference (one rule set)::

    name                     kebab-case id and version, e.g. "tianjin-2024"
    title / region / region_name / source_document / source_url
    effective_from           ISO date; here the publication date of the cited source
    supersedes               name of the version this one replaces, or null
    max_promotions_per_year  int cap on competition promotions per person per year, or null
    rules[]:
        id                   kebab-case, unique in the set; proposals report "<set>/<id>"
        tiers[]              world | national_1 | national_2 | provincial_1 | provincial_2 |
                             district | enterprise_or_school
        programme            null, or a programme id the competition must belong to
        entrant_kind         employee | student | null (both)
        top                  rank <= N, or null
        top_percent          "30" -> rank * 100 <= 30 * entrants, or null
        award_at_least       gold | silver | bronze | excellence, or null
        promotion            {"to": "2", "then": "1"}  (level codes)  or  {"one_level_up": true}
        honour_title         e.g. "全国技术能手", or null
        text                 the source's wording (the handbook's, where it is the source)

Sources: the Tianjin rule sets transcribe 天津市人力资源和社会保障局's published rules (2021 and
2024 versions); the design handbook's Tianjin table is a summary of the 2024 version. The 2024
text also gives student entrants of enterprise and school competitions 中级, which the handbook
table leaves out; it is included here because the published rule says so. The national rule set
follows the design handbook's national rule and the published 全国技能大赛 reward policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from domain.errors import InvalidValue
from domain.promotion_rules import PromotionRuleSet

__all__ = [
    "NATIONAL_SKILLS_COMPETITION",
    "RULE_SETS",
    "find_rule_set",
    "rule_set_in_force",
]

#: Programme id of 全国技能大赛 (中华人民共和国职业技能大赛, "全国职业技能大赛" in the handbook).
NATIONAL_SKILLS_COMPETITION = "national-skills-competition"

#: 天津 市级二类/区级 rules: worded the same in the 2021 and the 2024 regulations.
_TIANJIN_CITY_2_OR_DISTRICT: list[dict[str, Any]] = [
    {
        "id": "city-2-or-district-top-6-employees",
        "tiers": ["provincial_2", "district"],
        "entrant_kind": "employee",
        "top": 6,
        "promotion": {"to": "3", "then": "2"},
        "text": "获得市级二类竞赛或区级竞赛前6名的，职工选手可晋升高级职业资格或技能等级，"
        "已取得高级职业资格或技能等级的，可晋升到技师职业资格或技能等级",
    },
    {
        "id": "city-2-or-district-top-6-students",
        "tiers": ["provincial_2", "district"],
        "entrant_kind": "student",
        "top": 6,
        "promotion": {"to": "4", "then": None},
        "text": "获得市级二类竞赛或区级竞赛前6名的，学生选手可晋升中级职业资格或技能等级",
    },
]

_TIANJIN_2021: dict[str, Any] = {
    "name": "tianjin-2021",
    "title": "天津市 对纳入计划竞赛获奖选手职业资格或技能等级晋升的规定 (2021)",
    "region": "CN-TJ",
    "region_name": "天津市",
    "source_document": "天津市人力资源和社会保障局"
    "《对纳入计划竞赛获奖选手职业资格或技能等级晋升的规定》"
    "(发布日期 2021-12-10)",
    "source_url": "http://tjbcrcw.com/contents/6537/279950.html",
    "effective_from": "2021-12-10",
    "supersedes": None,
    "max_promotions_per_year": 1,
    "rules": [
        {
            "id": "city-1-top-10-employees",
            "tiers": ["provincial_1"],
            "entrant_kind": "employee",
            "top": 10,
            "promotion": {"to": "2", "then": "1"},
            "text": "获得市级一类竞赛前10名的，职工选手可晋升技师职业资格或技能等级，"
            "已取得技师职业资格或技能等级的，可晋升到高级技师职业资格或技能等级",
        },
        {
            "id": "city-1-top-10-students",
            "tiers": ["provincial_1"],
            "entrant_kind": "student",
            "top": 10,
            "promotion": {"to": "3", "then": None},
            "text": "获得市级一类竞赛前10名的，学生选手可晋升高级职业资格或技能等级",
        },
        *_TIANJIN_CITY_2_OR_DISTRICT,
    ],
}

_TIANJIN_2024: dict[str, Any] = {
    "name": "tianjin-2024",
    "title": "天津市 对纳入计划竞赛获奖选手晋升职业资格或技能等级的相关规定 (2024)",
    "region": "CN-TJ",
    "region_name": "天津市",
    "source_document": "天津市人力资源和社会保障局"
    "《对纳入计划竞赛获奖选手晋升职业资格或技能等级的相关规定》"
    "(发布时间 2024-10-25); summarised in the design handbook §3",
    "source_url": "http://publicservices.hrss.tj.gov.cn/kbms/node/3228",
    "effective_from": "2024-10-25",
    "supersedes": "tianjin-2021",
    "max_promotions_per_year": 1,
    "rules": [
        {
            "id": "city-1-top-10-employees",
            "tiers": ["provincial_1"],
            "entrant_kind": "employee",
            "top": 10,
            "promotion": {"to": "2", "then": "1"},
            "text": "获得市级综合赛或市级一类竞赛前10名的，职工选手可晋升技师职业资格或技能等级，"
            "已取得技师职业资格或技能等级的，可晋升到高级技师职业资格或技能等级",
        },
        {
            "id": "city-1-top-10-students",
            "tiers": ["provincial_1"],
            "entrant_kind": "student",
            "top": 10,
            "promotion": {"to": "3", "then": None},
            "text": "获得市级综合赛或市级一类竞赛前10名的，学生选手可晋升高级职业资格或技能等级",
        },
        *_TIANJIN_CITY_2_OR_DISTRICT,
        {
            "id": "enterprise-or-school-top-30-percent-employees",
            "tiers": ["enterprise_or_school"],
            "entrant_kind": "employee",
            "top_percent": "30",
            "promotion": {"to": "4", "then": "3"},
            "text": "获得企业和院校级竞赛前30%的选手，职工选手可晋升中级职业资格或技能等级，"
            "已取得中级职业资格或技能等级的，可晋升到高级职业资格或技能等级",
        },
        {
            "id": "enterprise-or-school-top-30-percent-students",
            "tiers": ["enterprise_or_school"],
            "entrant_kind": "student",
            "top_percent": "30",
            "promotion": {"to": "4", "then": None},
            "text": "获得企业和院校级竞赛前30%的选手，学生选手可晋升中级职业资格或技能等级",
        },
    ],
}

_NATIONAL_2023: dict[str, Any] = {
    "name": "national-2023",
    "title": "全国技能大赛 and 国家级一类/二类竞赛 promotion rules",
    "region": "CN",
    "region_name": "全国",
    "source_document": "人力资源社会保障部 第二届全国技能大赛 (中华人民共和国第二届职业技能大赛) "
    "奖励政策, as reported by 陕西日报 2023-05-05; 国家级一类竞赛前5名 / 二类竞赛前3名职工选手 "
    "as stated in the design handbook §3",
    "source_url": "https://esb.sxdaily.com.cn/pc/content/202305/05/content_808573.html",
    "effective_from": "2023-05-05",
    "supersedes": None,
    "max_promotions_per_year": None,
    "rules": [
        {
            "id": "national-skills-competition-excellence-or-better",
            "tiers": ["national_1"],
            "programme": NATIONAL_SKILLS_COMPETITION,
            "entrant_kind": None,
            "award_at_least": "excellence",
            "promotion": {"to": "2", "then": "1"},
            "text": "技能类各竞赛项目优胜奖及以上获奖选手可直接晋升技师职业技能等级，"
            "已具有技师职业技能等级的可晋升高级技师",
        },
        {
            "id": "national-1-top-5-employees",
            "tiers": ["national_1"],
            "entrant_kind": "employee",
            "top": 5,
            "promotion": {"one_level_up": True},
            "honour_title": "全国技术能手",
            "text": "design handbook §3: national class I top 5 employees → 全国技术能手 "
            "plus one level",
        },
        {
            "id": "national-2-top-3-employees",
            "tiers": ["national_2"],
            "entrant_kind": "employee",
            "top": 3,
            "promotion": {"one_level_up": True},
            "honour_title": "全国技术能手",
            "text": "design handbook §3: national class II top 3 employees → 全国技术能手 "
            "plus one level",
        },
    ],
}

#: Every known rule set, in the order written above.
RULE_SETS: tuple[PromotionRuleSet, ...] = tuple(
    PromotionRuleSet.from_dict(data) for data in (_TIANJIN_2021, _TIANJIN_2024, _NATIONAL_2023)
)

_BY_NAME: Mapping[str, PromotionRuleSet] = MappingProxyType(
    {rule_set.name: rule_set for rule_set in RULE_SETS}
)
if len(_BY_NAME) != len(RULE_SETS):  # pragma: no cover - guards the data above
    raise InvalidValue("rule set name", "two rule sets share a name")


def find_rule_set(name: str) -> PromotionRuleSet:
    """The rule set called ``name`` (e.g. ``"tianjin-2024"``); raises
    :class:`~domain.errors.InvalidValue` for an unknown name."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise InvalidValue(
            "promotion rule set", f"unknown rule set {name!r}; known: {', '.join(_BY_NAME)}"
        ) from None


def rule_set_in_force(region: str, on: date) -> PromotionRuleSet | None:
    """The version for ``region`` (``"CN"``, ``"CN-TJ"``) in force on ``on``: the one with the
    latest ``effective_from`` not after ``on``; None if none had taken effect."""
    candidates = [rs for rs in RULE_SETS if rs.region == region and rs.in_force_on(on)]
    return max(candidates, key=lambda rs: rs.effective_from, default=None)
