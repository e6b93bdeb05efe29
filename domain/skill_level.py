"""Skill levels (职业技能等级) on the "new eight-level" ladder (新八级).

Five numbered certificate levels -- 五级/初级工 (code ``"5"``) up to 一级/高级技师 (code ``"1"``) --
plus three enterprise posts (评聘) that carry no certificate number: 学徒工 below, 特级技师 and
首席技师 above.

``code`` is the stable serialisation string (``"5"`` .. ``"1"``, ``"apprentice"``,
``"principal"``, ``"chief"``); ``digit`` is the certificate digit (1-5) or ``None`` for posts.
Levels order by seniority (``rank``): apprentice < 5 < 4 < 3 < 2 < 1 < principal < chief.
"""

from __future__ import annotations

from enum import Enum

from domain.errors import InvalidValue

__all__ = ["SkillLevel"]


class SkillLevel(Enum):
    """One rung of the eight-level ladder. The member value is the stable ``code``."""

    APPRENTICE = "apprentice"
    LEVEL_5 = "5"
    LEVEL_4 = "4"
    LEVEL_3 = "3"
    LEVEL_2 = "2"
    LEVEL_1 = "1"
    PRINCIPAL = "principal"
    CHIEF = "chief"

    # --- identity ---------------------------------------------------------------------------

    @property
    def code(self) -> str:
        """Stable serialisation string: ``"5"`` .. ``"1"``, ``"apprentice"``, ``"principal"``,
        ``"chief"``."""
        return self.value  # type: ignore[no-any-return]

    @property
    def digit(self) -> int | None:
        """The certificate digit 1-5 (position 16 of a certificate number); ``None`` for posts."""
        return int(self.value) if self.is_numbered else None

    @property
    def name_zh(self) -> str:
        """Chinese name, e.g. ``"三级/高级工"`` or ``"首席技师"``."""
        return _NAME_ZH[self]

    @property
    def name_en(self) -> str:
        """English name, e.g. ``"Level 3 / Senior Worker"``."""
        return _NAME_EN[self]

    # --- ordering -------------------------------------------------------------------------

    @property
    def rank(self) -> int:
        """Seniority, 0 (学徒工) .. 7 (首席技师); higher is more senior."""
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, SkillLevel):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, SkillLevel):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, SkillLevel):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, SkillLevel):
            return NotImplemented
        return self.rank >= other.rank

    # --- classification -------------------------------------------------------------------

    @property
    def is_numbered(self) -> bool:
        """True for the five certificate levels; False for the posts 学徒工/特级技师/首席技师."""
        return self.value.isdigit()

    @property
    def is_post(self) -> bool:
        """True for the enterprise posts (评聘) that carry no certificate number."""
        return not self.is_numbered

    @property
    def is_high_skill(self) -> bool:
        """High-skill talent (高技能人才): 三级/高级工 and above, including the posts
        特级技师 and 首席技师."""
        return self.rank >= _RANK[SkillLevel.LEVEL_3]

    def next_numbered(self) -> SkillLevel | None:
        """The next numbered certificate level above this one.

        学徒工 -> 五级; 五级 -> 四级; ... 二级 -> 一级; ``None`` for 一级 and the posts above it.
        """
        following = [level for level in _BY_RANK if level.is_numbered and level.rank > self.rank]
        return following[0] if following else None

    # --- parsing --------------------------------------------------------------------------

    @classmethod
    def from_code(cls, code: str | int) -> SkillLevel:
        """Level for a stable code (``"4"``, ``4``, ``"chief"``); raises :class:`InvalidValue`.

        Exact match only: ``" 4"`` or ``"Chief"`` are rejected, never corrected.
        """
        if isinstance(code, bool) or not isinstance(code, str | int):
            raise InvalidValue("level", f"expected a level code, got {type(code).__name__}")
        key = str(code) if isinstance(code, int) else code
        try:
            return cls(key)
        except ValueError:
            raise InvalidValue(
                "level",
                f"unknown level code {key!r}; expected one of "
                + ", ".join(repr(level.code) for level in _BY_RANK),
            ) from None

    @classmethod
    def from_digit(cls, digit: int) -> SkillLevel:
        """Numbered level for a certificate digit 1-5; raises :class:`InvalidValue`."""
        if isinstance(digit, bool) or not isinstance(digit, int) or not 1 <= digit <= 5:
            raise InvalidValue("level", f"certificate level digit must be 1-5, got {digit!r}")
        return cls(str(digit))

    @classmethod
    def from_chinese(cls, text: str) -> SkillLevel:
        """Level for a Chinese name: ``"二级"``, ``"技师"`` and ``"二级/技师"`` all give LEVEL_2.

        Accepts the numbered form (五级..一级), the worker/technician form (初级工, 中级工,
        高级工, 技师, 高级技师), the combined form, and the posts 学徒工, 特级技师, 首席技师.
        """
        try:
            return _FROM_CHINESE[text]
        except (KeyError, TypeError):
            raise InvalidValue("level", f"unknown Chinese level name {text!r}") from None


_NAME_ZH: dict[SkillLevel, str] = {
    SkillLevel.APPRENTICE: "学徒工",
    SkillLevel.LEVEL_5: "五级/初级工",
    SkillLevel.LEVEL_4: "四级/中级工",
    SkillLevel.LEVEL_3: "三级/高级工",
    SkillLevel.LEVEL_2: "二级/技师",
    SkillLevel.LEVEL_1: "一级/高级技师",
    SkillLevel.PRINCIPAL: "特级技师",
    SkillLevel.CHIEF: "首席技师",
}

_NAME_EN: dict[SkillLevel, str] = {
    SkillLevel.APPRENTICE: "Apprentice",
    SkillLevel.LEVEL_5: "Level 5 / Junior Worker",
    SkillLevel.LEVEL_4: "Level 4 / Intermediate Worker",
    SkillLevel.LEVEL_3: "Level 3 / Senior Worker",
    SkillLevel.LEVEL_2: "Level 2 / Technician",
    SkillLevel.LEVEL_1: "Level 1 / Senior Technician",
    SkillLevel.PRINCIPAL: "Principal Technician",
    SkillLevel.CHIEF: "Chief Technician",
}

_BY_RANK: tuple[SkillLevel, ...] = (
    SkillLevel.APPRENTICE,
    SkillLevel.LEVEL_5,
    SkillLevel.LEVEL_4,
    SkillLevel.LEVEL_3,
    SkillLevel.LEVEL_2,
    SkillLevel.LEVEL_1,
    SkillLevel.PRINCIPAL,
    SkillLevel.CHIEF,
)

_RANK: dict[SkillLevel, int] = {level: rank for rank, level in enumerate(_BY_RANK)}

_FROM_CHINESE: dict[str, SkillLevel] = {}
for _level in SkillLevel:
    _FROM_CHINESE[_NAME_ZH[_level]] = _level
    for _part in _NAME_ZH[_level].split("/"):
        _FROM_CHINESE[_part] = _level
del _level, _part
