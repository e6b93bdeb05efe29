"""Occupations (职业) of the national occupation classification (国家职业分类大典).

An occupation code has the form ``D-DD-DD-DD`` -- major group (大类, 1-8), middle group (中类),
minor group (小类) and occupation (职业/细类), e.g. ``6-31-01-03`` 电工 -- optionally followed by
``-DD`` for a work type (工种). Each occupation's national skill standard (国家职业技能标准) says
which numbered levels it has; most have all five, some start at 四级.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.skill_level import SkillLevel

__all__ = ["ALL_NUMBERED_LEVELS", "KNOWN_OCCUPATIONS", "Occupation", "find_occupation"]

_CODE = re.compile(r"[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}(?:-[0-9]{2})?")

ALL_NUMBERED_LEVELS: frozenset[SkillLevel] = frozenset(
    level for level in SkillLevel if level.is_numbered
)


@dataclass(frozen=True, slots=True)
class Occupation:
    """An occupation (职业) and the numbered skill levels its standard allows.

    ``source`` says where the code and levels come from; entries not checked against a published
    standard say ``"demo-only"``.
    """

    code: str
    name: str
    allowed_levels: frozenset[SkillLevel] = ALL_NUMBERED_LEVELS
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or _CODE.fullmatch(self.code) is None:
            raise InvalidValue(
                "occupation code",
                f"must look like '6-31-01-03' (optionally '-NN' for a work type), "
                f"got {self.code!r}",
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidValue("occupation name", "must be a non-empty string")
        levels = self.allowed_levels
        if isinstance(levels, str) or not isinstance(levels, Iterable):
            raise InvalidValue("allowed levels", "must be a set of skill levels")
        levels = frozenset(levels)
        if not levels:
            raise InvalidValue("allowed levels", "an occupation allows at least one level")
        for level in levels:
            if not isinstance(level, SkillLevel) or not level.is_numbered:
                raise InvalidValue(
                    "allowed levels", f"only numbered levels 5..1 are allowed, got {level!r}"
                )
        object.__setattr__(self, "allowed_levels", levels)

    def allows(self, level: SkillLevel) -> bool:
        """True if the occupation's standard has this level."""
        return level in self.allowed_levels

    @property
    def levels(self) -> tuple[SkillLevel, ...]:
        """Allowed levels from lowest to highest."""
        return tuple(sorted(self.allowed_levels))

    @property
    def lowest_level(self) -> SkillLevel:
        """Entry level, e.g. LEVEL_4 for an occupation that starts at 四级."""
        return min(self.allowed_levels)

    @property
    def highest_level(self) -> SkillLevel:
        """Top level, usually LEVEL_1 (一级/高级技师)."""
        return max(self.allowed_levels)


def _levels_from(lowest: SkillLevel) -> frozenset[SkillLevel]:
    return frozenset(level for level in ALL_NUMBERED_LEVELS if level >= lowest)


#: A small catalogue for demos and tests. Codes and levels follow the national skill standards
#: named in ``source``; "demo-only" marks an entry whose code was not checked against one, and
#: "code recalled, not re-checked" one whose levels were checked but whose code was not.
KNOWN_OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation("6-31-01-03", "电工", source="电工国家职业技能标准(2018年版)"),
    Occupation("6-18-02-04", "焊工", source="焊工国家职业技能标准(2018年版)"),
    Occupation(
        "6-18-01-01", "车工", source="车工国家职业技能标准(2018年版); code recalled, not re-checked"
    ),
    Occupation("4-02-07-10", "网约配送员", source="网约配送员国家职业技能标准(2021年版)"),
    Occupation("4-10-01-05", "养老护理员", source="养老护理员国家职业技能标准(2019年版)"),
    Occupation("4-03-02-01", "中式烹调师", source="中式烹调师国家职业技能标准(2018年版)"),
    Occupation("4-12-01-01", "汽车维修工", source="汽车维修工国家职业技能标准(2018年版)"),
    Occupation(
        "4-07-03-02",
        "企业人力资源管理师",
        _levels_from(SkillLevel.LEVEL_4),
        source=(
            "企业人力资源管理师国家职业技能标准(2019年版): 四级 to 一级; "
            "code recalled, not re-checked"
        ),
    ),
    Occupation(
        "4-01-02-07",
        "互联网营销师",
        source="互联网营销师国家职业技能标准(2021年版); code recalled, not re-checked",
    ),
    Occupation(
        "4-08-06-01",
        "房地产经纪人",
        _levels_from(SkillLevel.LEVEL_4),
        source="demo-only: code and levels not checked against a published standard",
    ),
)

_BY_CODE: dict[str, Occupation] = {occupation.code: occupation for occupation in KNOWN_OCCUPATIONS}


def find_occupation(code: str) -> Occupation | None:
    """The catalogued occupation with this exact code, or ``None``."""
    return _BY_CODE.get(code)
