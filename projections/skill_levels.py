"""Skill levels (技能等级) as the read models show them: names by level code, and which codes
count as high-skill."""

from __future__ import annotations

from domain.skill_level import SkillLevel

# High-skill talent (高技能人才) as the domain defines it (``SkillLevel.is_high_skill``): 三级 and
# above, as level codes for statistics and career stages.
HIGH_SKILL_LEVELS = tuple(level.code for level in SkillLevel if level.is_high_skill)


_LEVEL_NAMES = {level.code: level.name_zh for level in SkillLevel}


def level_name(code: str | None) -> str | None:
    """The level's Chinese name (an unknown code stands for itself); a dict lookup, as
    projections call it for every certificate."""
    return None if code is None else _LEVEL_NAMES.get(code, code)
