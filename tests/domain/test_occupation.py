"""Occupation: 大典 codes, allowed levels and the small catalogue."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from domain.occupation import ALL_NUMBERED_LEVELS, KNOWN_OCCUPATIONS, Occupation, find_occupation
from domain.skill_level import SkillLevel

FROM_LEVEL_4 = frozenset(
    {SkillLevel.LEVEL_4, SkillLevel.LEVEL_3, SkillLevel.LEVEL_2, SkillLevel.LEVEL_1}
)


def test_an_occupation_allows_all_five_numbered_levels_by_default() -> None:
    electrician = Occupation("6-31-01-03", "电工")
    assert electrician.allowed_levels == ALL_NUMBERED_LEVELS
    assert electrician.lowest_level is SkillLevel.LEVEL_5
    assert electrician.highest_level is SkillLevel.LEVEL_1
    assert all(electrician.allows(level) for level in ALL_NUMBERED_LEVELS)


def test_an_occupation_starting_at_level_4_refuses_level_5() -> None:
    occupation = Occupation("4-07-03-02", "企业人力资源管理师", FROM_LEVEL_4)
    assert not occupation.allows(SkillLevel.LEVEL_5)
    assert occupation.allows(SkillLevel.LEVEL_4)
    assert occupation.lowest_level is SkillLevel.LEVEL_4
    assert occupation.levels == (
        SkillLevel.LEVEL_4,
        SkillLevel.LEVEL_3,
        SkillLevel.LEVEL_2,
        SkillLevel.LEVEL_1,
    )


def test_posts_are_never_allowed_levels_of_an_occupation() -> None:
    occupation = Occupation("6-18-02-04", "焊工")
    assert not occupation.allows(SkillLevel.CHIEF)
    assert not occupation.allows(SkillLevel.APPRENTICE)


def test_allowed_levels_given_as_a_list_are_frozen() -> None:
    occupation = Occupation("6-18-02-04", "焊工", [SkillLevel.LEVEL_3])  # type: ignore[arg-type]
    assert occupation.allowed_levels == frozenset({SkillLevel.LEVEL_3})
    assert hash(occupation) == hash(
        Occupation("6-18-02-04", "焊工", frozenset({SkillLevel.LEVEL_3}))
    )


@pytest.mark.parametrize("code", ["6-31-01-03", "4-02-07-10", "1-01-00-01", "6-31-01-03-01"])
def test_valid_codes(code: str) -> None:
    assert Occupation(code, "x").code == code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "63101003",
        "6-31-1-03",
        "9-31-01-03",
        "0-31-01-03",
        "6-31-01-03 ",
        " 6-31-01-03",
        "6_31_01_03",
        "6-31-01",
        "6-31-01-03-1",
        "６-31-01-03",
        "A-31-01-03",
    ],
)
def test_malformed_codes_are_rejected_naming_the_code(code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Occupation(code, "电工")
    assert caught.value.field == "occupation code"


@pytest.mark.parametrize("name", ["", "   "])
def test_a_name_is_required(name: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Occupation("6-31-01-03", name)
    assert caught.value.field == "occupation name"


@pytest.mark.parametrize(
    "levels",
    [
        frozenset(),
        frozenset({SkillLevel.PRINCIPAL}),
        frozenset({SkillLevel.LEVEL_3, SkillLevel.APPRENTICE}),
        "345",
    ],
)
def test_allowed_levels_must_be_a_non_empty_set_of_numbered_levels(levels: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        Occupation("6-31-01-03", "电工", levels)  # type: ignore[arg-type]
    assert caught.value.field == "allowed levels"


def test_catalogue_codes_are_unique_and_findable() -> None:
    codes = [occupation.code for occupation in KNOWN_OCCUPATIONS]
    assert len(codes) == len(set(codes)) >= 8
    for occupation in KNOWN_OCCUPATIONS:
        assert find_occupation(occupation.code) is occupation
        assert occupation.source


def test_catalogue_contains_the_verified_occupations() -> None:
    electrician = find_occupation("6-31-01-03")
    welder = find_occupation("6-18-02-04")
    courier = find_occupation("4-02-07-10")
    assert electrician is not None and electrician.name == "电工"
    assert welder is not None and welder.name == "焊工"
    assert courier is not None and courier.name == "网约配送员"
    assert courier.allowed_levels == ALL_NUMBERED_LEVELS


def test_catalogue_has_an_occupation_that_starts_at_level_4() -> None:
    assert any(o.lowest_level is SkillLevel.LEVEL_4 for o in KNOWN_OCCUPATIONS)


def test_unverified_catalogue_entries_say_so() -> None:
    agent = next(o for o in KNOWN_OCCUPATIONS if o.name == "房地产经纪人")
    assert agent.source.startswith("demo-only")


def test_find_occupation_returns_none_for_unknown_or_inexact_codes() -> None:
    assert find_occupation("6-99-99-99") is None
    assert find_occupation(" 6-31-01-03") is None
