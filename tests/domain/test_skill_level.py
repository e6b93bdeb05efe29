"""SkillLevel: the eight-level ladder (新八级), codes, names, ordering and parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.skill_level import SkillLevel

LADDER = [
    SkillLevel.APPRENTICE,
    SkillLevel.LEVEL_5,
    SkillLevel.LEVEL_4,
    SkillLevel.LEVEL_3,
    SkillLevel.LEVEL_2,
    SkillLevel.LEVEL_1,
    SkillLevel.PRINCIPAL,
    SkillLevel.CHIEF,
]


def test_the_ladder_orders_apprentice_below_level_5_and_chief_at_the_top() -> None:
    assert sorted(SkillLevel, key=lambda level: level.rank) == LADDER
    assert sorted(reversed(LADDER)) == LADDER
    assert [level.rank for level in LADDER] == list(range(8))


def test_comparison_operators_follow_seniority_not_the_digit() -> None:
    assert SkillLevel.LEVEL_1 > SkillLevel.LEVEL_5
    assert SkillLevel.LEVEL_5 < SkillLevel.LEVEL_4
    assert SkillLevel.LEVEL_3 <= SkillLevel.LEVEL_3
    assert SkillLevel.LEVEL_3 >= SkillLevel.LEVEL_3
    assert SkillLevel.APPRENTICE < SkillLevel.LEVEL_5
    assert SkillLevel.PRINCIPAL > SkillLevel.LEVEL_1
    assert SkillLevel.CHIEF > SkillLevel.PRINCIPAL
    assert max(SkillLevel) is SkillLevel.CHIEF
    assert min(SkillLevel) is SkillLevel.APPRENTICE


def test_comparing_with_a_non_level_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _ = SkillLevel.LEVEL_3 < 3  # type: ignore[operator]


@given(st.sampled_from(LADDER), st.sampled_from(LADDER))
def test_ordering_is_total_and_agrees_with_rank(a: SkillLevel, b: SkillLevel) -> None:
    assert (a < b) == (a.rank < b.rank)
    assert (a <= b) == (a.rank <= b.rank)
    assert (a > b) == (a.rank > b.rank)
    assert (a >= b) == (a.rank >= b.rank)
    assert (a < b) + (a == b) + (a > b) == 1


@pytest.mark.parametrize(
    ("level", "code", "digit"),
    [
        (SkillLevel.APPRENTICE, "apprentice", None),
        (SkillLevel.LEVEL_5, "5", 5),
        (SkillLevel.LEVEL_4, "4", 4),
        (SkillLevel.LEVEL_3, "3", 3),
        (SkillLevel.LEVEL_2, "2", 2),
        (SkillLevel.LEVEL_1, "1", 1),
        (SkillLevel.PRINCIPAL, "principal", None),
        (SkillLevel.CHIEF, "chief", None),
    ],
)
def test_code_and_digit(level: SkillLevel, code: str, digit: int | None) -> None:
    assert level.code == code
    assert level.digit == digit
    assert level.is_numbered is (digit is not None)
    assert level.is_post is (digit is None)
    assert SkillLevel.from_code(code) is level
    if digit is not None:
        assert SkillLevel.from_code(digit) is level
        assert SkillLevel.from_digit(digit) is level


@pytest.mark.parametrize(
    ("level", "zh", "en"),
    [
        (SkillLevel.APPRENTICE, "学徒工", "Apprentice"),
        (SkillLevel.LEVEL_5, "五级/初级工", "Level 5 / Junior Worker"),
        (SkillLevel.LEVEL_4, "四级/中级工", "Level 4 / Intermediate Worker"),
        (SkillLevel.LEVEL_3, "三级/高级工", "Level 3 / Senior Worker"),
        (SkillLevel.LEVEL_2, "二级/技师", "Level 2 / Technician"),
        (SkillLevel.LEVEL_1, "一级/高级技师", "Level 1 / Senior Technician"),
        (SkillLevel.PRINCIPAL, "特级技师", "Principal Technician"),
        (SkillLevel.CHIEF, "首席技师", "Chief Technician"),
    ],
)
def test_chinese_and_english_names(level: SkillLevel, zh: str, en: str) -> None:
    assert level.name_zh == zh
    assert level.name_en == en
    assert SkillLevel.from_chinese(zh) is level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("五级", SkillLevel.LEVEL_5),
        ("初级工", SkillLevel.LEVEL_5),
        ("四级", SkillLevel.LEVEL_4),
        ("中级工", SkillLevel.LEVEL_4),
        ("三级", SkillLevel.LEVEL_3),
        ("高级工", SkillLevel.LEVEL_3),
        ("二级", SkillLevel.LEVEL_2),
        ("技师", SkillLevel.LEVEL_2),
        ("一级", SkillLevel.LEVEL_1),
        ("高级技师", SkillLevel.LEVEL_1),
        ("特级技师", SkillLevel.PRINCIPAL),
        ("首席技师", SkillLevel.CHIEF),
        ("学徒工", SkillLevel.APPRENTICE),
    ],
)
def test_from_chinese_accepts_both_the_numbered_and_the_worker_forms(
    text: str, level: SkillLevel
) -> None:
    assert SkillLevel.from_chinese(text) is level


@pytest.mark.parametrize("text", ["", "技 师", "高级", "六级", " 技师", "Technician"])
def test_from_chinese_rejects_unknown_names(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        SkillLevel.from_chinese(text)
    assert caught.value.field == "level"


@pytest.mark.parametrize("code", ["6", "0", 0, 6, " 4", "Chief", "LEVEL_4", "", True, 4.0, None])
def test_from_code_rejects_anything_but_an_exact_code(code: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        SkillLevel.from_code(code)  # type: ignore[arg-type]
    assert caught.value.field == "level"


@pytest.mark.parametrize("digit", [0, 6, -1, True])
def test_from_digit_rejects_outside_1_to_5(digit: int) -> None:
    with pytest.raises(InvalidValue):
        SkillLevel.from_digit(digit)


def test_high_skill_means_level_3_and_above_including_the_top_posts() -> None:
    high = {level for level in SkillLevel if level.is_high_skill}
    assert high == {
        SkillLevel.LEVEL_3,
        SkillLevel.LEVEL_2,
        SkillLevel.LEVEL_1,
        SkillLevel.PRINCIPAL,
        SkillLevel.CHIEF,
    }


def test_next_numbered_climbs_the_certificate_levels_and_stops_at_level_1() -> None:
    assert SkillLevel.APPRENTICE.next_numbered() is SkillLevel.LEVEL_5
    assert SkillLevel.LEVEL_5.next_numbered() is SkillLevel.LEVEL_4
    assert SkillLevel.LEVEL_4.next_numbered() is SkillLevel.LEVEL_3
    assert SkillLevel.LEVEL_3.next_numbered() is SkillLevel.LEVEL_2
    assert SkillLevel.LEVEL_2.next_numbered() is SkillLevel.LEVEL_1
    assert SkillLevel.LEVEL_1.next_numbered() is None
    assert SkillLevel.PRINCIPAL.next_numbered() is None
    assert SkillLevel.CHIEF.next_numbered() is None


@given(st.sampled_from(LADDER))
def test_code_round_trips(level: SkillLevel) -> None:
    assert SkillLevel.from_code(level.code) is level
    assert SkillLevel.from_chinese(level.name_zh) is level
